"""Reads of the security app for the dashboard, reports and leaders: each one query."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.dates import month_end, months_between, year_shift
from governance.models import Division, DivisionLevel
from governance.querysets import path_ancestors
from governance.selectors import change_pct, child_code_expression
from security.choices import OPEN_STATUSES, RiskLevel
from security.models import Dispute, MediationBody, PoliceRoomCoverLink, SecurityStat
from security.models.stats import REPORTING_LEVELS
from security.querysets import DisputeQuerySet, awaiting_condition, overdue_condition

STAT_FIELDS = ("police_incidents", "criminal_cases", "administrative_cases")


def coverage_gaps(*, division: Division) -> QuerySet[Division]:
    """Villages and communities in ``division``'s subtree that no active police room covers."""
    covered = PoliceRoomCoverLink.objects.filter(division_id=OuterRef("pk"), policeroom__is_active=True)
    return (
        Division.objects.in_subtree(division)
        .filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY], is_active=True)
        .exclude(Exists(covered))
        .select_related("parent")
        .order_by("path")
    )


def coverage_by_child(*, division: Division) -> list[dict]:
    """Per child division of ``division`` (each township under a district) that holds villages or
    communities: ``{"division", "total", "covered", "gaps"}`` (how many, how many an active police
    room covers, how many none covers). Two queries."""
    covered = PoliceRoomCoverLink.objects.filter(division_id=OuterRef("pk"), policeroom__is_active=True)
    rows = (
        Division.objects.in_subtree(division)
        .filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY], is_active=True)
        .annotate(child_code=child_code_expression("path", division), covered=Exists(covered))
        .values("child_code")
        .annotate(total=Count("pk"), gaps=Count("pk", filter=Q(covered=False)))
        .order_by("child_code")
    )
    by_code = {row["child_code"]: row for row in rows}
    children = Division.objects.filter(parent=division, is_active=True).order_by("sort_order", "code")
    return [
        {
            "division": child,
            "total": by_code[child.code]["total"],
            "covered": by_code[child.code]["total"] - by_code[child.code]["gaps"],
            "gaps": by_code[child.code]["gaps"],
        }
        for child in children
        if child.code in by_code
    ]


def dispute_figures(
    *, queryset: QuerySet[Dispute], start: datetime.date | None = None, end: datetime.date | None = None
) -> dict:
    """Received, resolved, resolution rate, mean days to resolve, overdue, high-risk open and transfers
    waiting, for the cases of ``queryset`` received in [start, end]; one query."""
    if start:
        queryset = queryset.filter(received_at__date__gte=start)
    if end:
        queryset = queryset.filter(received_at__date__lte=end)
    today = timezone.localdate()
    open_ = Q(status__in=OPEN_STATUSES)
    row = queryset.aggregate(
        received=Count("pk"),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        overdue=Count("pk", filter=overdue_condition(today)),
        high_risk_open=Count("pk", filter=open_ & Q(risk_level__gte=RiskLevel.HIGH)),
        awaiting=Count("pk", filter=awaiting_condition()),
        mean_resolve=Avg(
            ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField()),
            filter=Q(resolved_at__isnull=False),
        ),
    )
    received = row["received"]
    rate = Decimal(row["resolved"] * 100) / received if received else Decimal(0)
    mean = row["mean_resolve"]
    return {
        "received": received,
        "resolved": row["resolved"],
        "resolution_rate": rate.quantize(Decimal("0.1"), ROUND_HALF_UP),
        "mean_days_to_resolve": (
            Decimal(mean.total_seconds() / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP) if mean else None
        ),
        "overdue": row["overdue"],
        "high_risk_open": row["high_risk_open"],
        "awaiting_acceptance": row["awaiting"],
    }


def _change(current: int, previous: int) -> Decimal | None:
    change = change_pct(current, previous)
    return None if change is None else change.quantize(Decimal("0.01"), ROUND_HALF_UP)


def security_stats_comparison(
    *, division: Division, start: datetime.date, end: datetime.date, today: datetime.date | None = None
) -> dict:
    """治安统计同比 from complete monthly returns (``SecurityStat.is_complete``): the months
    ``start``–``end`` touch that have ended (the running month has no return yet and is left out of
    both years), summed over the townships (streets) of ``division``'s subtree, against the same
    months a year earlier. Rule (issue 12 item 5, issue 16 item 6): a month counts only when every
    active township (street) of the subtree has a complete return for it; if any month of either
    year lacks one, there is no comparison (``current``, ``previous`` and ``change_pct`` are None,
    shown as "无数据"), never a drop to −100 %. Below township level there are no returns: no data.

    Shape: ``{"figures": {field: {"current": int | None, "previous": int | None, "change_pct":
    Decimal | None (per cent, 2 places)}}, "months": ["YYYY-MM", …] (the months compared),
    "missing": ["YYYY-MM", …] (months of either year without complete returns)}``; ``field`` is one
    of ``STAT_FIELDS``. One query: the returns per month, each row carrying the number of reporting
    units as a scalar subquery (no row at all: no month is complete, whatever that number)."""
    today = today or timezone.localdate()
    months = [m for m in months_between(start, end) if month_end(m) < today]
    earlier = [year_shift(m) for m in months]
    units = Division.objects.in_subtree(division).filter(level__in=REPORTING_LEVELS, is_active=True)
    rows = (
        SecurityStat.objects.in_subtree(division)
        .filter(
            is_complete=True,
            division__level__in=REPORTING_LEVELS,
            division__is_active=True,
            month__in=[*months, *earlier],
        )
        .values("month")
        .annotate(
            returns=Count("pk"),
            units=Subquery(units.order_by().values(n=Func(F("pk"), function="COUNT"))),
            **{name: Sum(name) for name in STAT_FIELDS},
        )
        .order_by()
    )
    complete: dict[datetime.date, dict[str, Any]] = {
        row["month"]: dict(row) for row in rows if row["units"] and row["returns"] == row["units"]
    }
    missing = sorted({m for m in (*earlier, *months) if m not in complete})
    figures: dict[str, dict] = {}
    for name in STAT_FIELDS:
        if months and not missing:
            current = sum(complete[m][name] for m in months)
            previous = sum(complete[m][name] for m in earlier)
            figures[name] = {"current": current, "previous": previous, "change_pct": _change(current, previous)}
        else:
            figures[name] = {"current": None, "previous": None, "change_pct": None}
    known = bool(months) and not missing
    return {
        "figures": figures,
        "months": [f"{m:%Y-%m}" for m in months] if known else [],
        "missing": [f"{m:%Y-%m}" for m in missing],
    }


def security_stats_yoy(*, division: Division, start: datetime.date, end: datetime.date) -> dict[str, dict]:
    """The ``figures`` of ``security_stats_comparison``: ``{field: {"current", "previous",
    "change_pct"}}``, all None for a period with a month lacking complete returns. One query."""
    figures: dict[str, dict] = security_stats_comparison(division=division, start=start, end=end)["figures"]
    return figures


def high_risk_open(*, queryset: DisputeQuerySet) -> DisputeQuerySet:
    """Open 民转刑 high-risk cases for leaders, highest score first."""
    return (
        queryset.open().high_risk().select_related("division", "current_body").order_by("-risk_score", "deadline", "pk")
    )


@dataclass(frozen=True)
class TargetGroup:
    """One group of the 移交至 list: a heading and its bodies, in order."""

    label: str
    bodies: list[MediationBody]


def transfer_targets(*, dispute: Dispute) -> list[TargetGroup]:
    """The bodies a case can sensibly be handed to, grouped and ordered for the 移交至 list (issue 14):
    first the current body's pair (a police station and its 矛调中心, both ways, and their other
    units), then the bodies of the case's own township (street): the township's own first, then its
    villages'; then the bodies of the levels above (the district's 综治中心, 劳动仲裁, 信访接待…). The
    current body and inactive bodies are left out; bodies of other townships are not offered.
    Three queries."""
    township_path = _township_path(dispute.division)
    above = path_ancestors(dispute.division.path)
    candidates = (
        MediationBody.objects.active()
        .select_related("division__parent")
        .filter(Q(division__path__startswith=township_path) | Q(division__path__in=above))
        .exclude(pk=dispute.current_body_id)
    )
    current = dispute.current_body
    family = {current.pk, current.parent_id} - {None} if current is not None else set()
    pair: list[MediationBody] = []
    local: list[MediationBody] = []
    upper: list[MediationBody] = []
    for body in candidates:
        if body.pk in family or body.parent_id in family:
            pair.append(body)
        elif body.division.path.startswith(township_path):
            local.append(body)
        else:
            upper.append(body)
    pair.sort(key=lambda b: (b.division.depth, b.kind, b.name))
    local.sort(key=lambda b: (b.division.depth, b.division.path, b.kind, b.name))
    upper.sort(key=lambda b: (-b.division.depth, b.kind, b.name))
    groups = [
        TargetGroup(str(_("配对单位（派出所—矛调中心）")), pair),
        TargetGroup(str(_("本乡镇（街道）")), local),
        TargetGroup(str(_("上级")), upper),
    ]
    return [group for group in groups if group.bodies]


TOWNSHIP_LEVELS = (DivisionLevel.TOWNSHIP, DivisionLevel.SUBDISTRICT)


def _township_path(division: Division) -> str:
    """The path of the township (street) that ``division`` lies in; its own path at that level or above."""
    if division.level in TOWNSHIP_LEVELS:
        return division.path
    township = division.ancestors().filter(level__in=TOWNSHIP_LEVELS).order_by("-depth").only("path").first()
    return township.path if township is not None else division.path


def body_label(body: MediationBody) -> str:
    """A body's name with its place, so two "星园村人民调解委员会" of different townships tell apart:
    ``星园村人民调解委员会（万宝镇星园村）``; a body at township level or above names its division only."""
    division = body.division
    place = division.name
    parent = division.parent
    if parent is not None and division.level not in (*TOWNSHIP_LEVELS, DivisionLevel.DISTRICT):
        place = f"{parent.name}{place}"
    return f"{body.name}（{place}）"


# --- Issue 16: 三防联保 coverage, 警务室 staffing, 24-hour duty ------------------------------------------

# The units the 三防 coverage report lists: villages, communities and compounds (小区).
PROTECTION_UNIT_LEVELS = (DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY, DivisionLevel.COMPOUND)
# 人防 counts a patrol logged in the unit within this many days, besides an active team based there.
PEOPLE_PATROL_DAYS = 30


def protection_units(queryset: QuerySet[Division]) -> QuerySet[Division]:
    """The 三防 units (active villages, communities and compounds) of ``queryset``, each annotated
    ``team``, ``patrolled``, ``has_physical`` and ``has_technical`` (bool, its subtree's resources
    counted): the rule of ``protection_coverage``, written once (the roll-up compiles it too)."""
    from security.choices import PHYSICAL_CATEGORIES, TECHNICAL_CATEGORIES, ResourceStatus
    from security.models import PatrolLog, PatrolTeam, ProtectiveResource

    under = {"division__path__startswith": OuterRef("path")}
    since = timezone.localdate() - datetime.timedelta(days=PEOPLE_PATROL_DAYS)
    working = ProtectiveResource.objects.filter(status=ResourceStatus.NORMAL, **under)
    return queryset.filter(level__in=PROTECTION_UNIT_LEVELS, is_active=True).annotate(
        team=Exists(PatrolTeam.objects.filter(is_active=True, **under)),
        patrolled=Exists(PatrolLog.objects.filter(date__gte=since, **under)),
        has_physical=Exists(working.filter(category__in=PHYSICAL_CATEGORIES)),
        has_technical=Exists(working.filter(category__in=TECHNICAL_CATEGORIES)),
    )


def protection_coverage(*, division: Division) -> list[Any]:
    """三防联保 per village, community and compound in ``division``'s subtree, in path order: each
    ``Division`` carries ``has_people``, ``has_physical`` and ``has_technical`` (bool) — whether it (with its
    subtree: a community counts its compounds' resources) has 人防 (an active ``PatrolTeam`` based
    there, or a ``PatrolLog`` there in the last ``PEOPLE_PATROL_DAYS`` days), 物防 and 技防 (a
    ``ProtectiveResource`` of that kind in service, ``ResourceStatus.NORMAL``), and ``missing``: the
    ``ProtectionKind`` labels it lacks. One query. Source: issue 16 item 1; the article's "人防、物防、技防
    '三防联保'"."""
    from security.choices import ProtectionKind

    rows: list[Any] = list(
        protection_units(Division.objects.in_subtree(division))
        .only("id", "code", "name", "level", "path", "parent_id")
        .order_by("path")
    )
    for row in rows:
        row.has_people = row.team or row.patrolled
        row.missing = [
            str(label)
            for label, present in (
                (ProtectionKind.PEOPLE.label, row.has_people),
                (ProtectionKind.PHYSICAL.label, row.has_physical),
                (ProtectionKind.TECHNICAL.label, row.has_technical),
            )
            if not present
        ]
    return rows


def protection_summary(rows: list[Any]) -> dict:
    """Totals of ``protection_coverage`` rows: ``{"units", "people", "physical", "technical", "full",
    "rate"}`` — counts of units, of units with each kind and with all three, and ``rate`` = full ÷
    units × 100 (Decimal, one decimal place; ``None`` without units). No query."""
    units = len(rows)
    full = sum(1 for row in rows if not row.missing)
    return {
        "units": units,
        "people": sum(1 for row in rows if row.has_people),
        "physical": sum(1 for row in rows if row.has_physical),
        "technical": sum(1 for row in rows if row.has_technical),
        "full": full,
        "rate": (Decimal(full * 100) / units).quantize(Decimal("0.1"), ROUND_HALF_UP) if units else None,
    }


def police_room_staffing(*, division: Division) -> list[dict]:
    """警务室 by kind (中心警务室, 社区（村）警务室) in ``division``'s subtree, active rooms only: ``[{"kind",
    "label", "rooms", "staff": {RoomStaffKind value: count}, "staff_labelled": [(label, count)],
    "without_police"}]`` (``without_police``: rooms
    with no 民警). Two queries. Source: issue 16 item 2 (民警、辅警、乡镇街道警务专干)."""
    from security.choices import PoliceRoomKind, RoomStaffKind
    from security.models import PoliceRoom, PoliceRoomStaff

    rooms = (
        PoliceRoom.objects.in_subtree(division)
        .filter(is_active=True)
        .annotate(police=Exists(PoliceRoomStaff.objects.filter(room=OuterRef("pk"), kind=RoomStaffKind.POLICE)))
        .values("kind")
        .annotate(rooms=Count("pk"), without_police=Count("pk", filter=Q(police=False)))
    )
    by_kind: dict[str, dict[str, Any]] = {row["kind"]: dict(row) for row in rooms}
    staff = (
        PoliceRoomStaff.objects.filter(room__division__path__startswith=division.path, room__is_active=True)
        .values_list("room__kind", "kind")
        .annotate(n=Count("pk"))
    )
    counts: dict[str, dict[str, int]] = {}
    for room_kind, staff_kind, n in staff:
        counts.setdefault(room_kind, {})[staff_kind] = n
    return [
        {
            "kind": kind.value,
            "label": str(kind.label),
            "rooms": by_kind.get(kind.value, {}).get("rooms", 0),
            "without_police": by_kind.get(kind.value, {}).get("without_police", 0),
            "staff": {
                staff_kind.value: counts.get(kind.value, {}).get(staff_kind.value, 0) for staff_kind in RoomStaffKind
            },
            "staff_labelled": [
                (str(staff_kind.label), counts.get(kind.value, {}).get(staff_kind.value, 0))
                for staff_kind in RoomStaffKind
            ],
        }
        for kind in PoliceRoomKind
    ]


# The roster's horizon and what "at night" means for a case's transfer (outside 08:00–18:00 local time).
DUTY_HORIZON_HOURS = 7 * 24
NIGHT_ENDS_HOUR = 8
NIGHT_STARTS_HOUR = 18


def duty_window(now: datetime.datetime | None = None) -> tuple[datetime.datetime, datetime.datetime]:
    """The gap report's window: from the current hour (local time, minutes dropped) for
    ``DUTY_HORIZON_HOURS`` hours."""
    start = timezone.localtime(now or timezone.now()).replace(minute=0, second=0, microsecond=0)
    return start, start + datetime.timedelta(hours=DUTY_HORIZON_HOURS)


def _uncovered(
    start: datetime.datetime, end: datetime.datetime, shifts: list[tuple[datetime.datetime, datetime.datetime]]
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The parts of [start, end) no shift covers, merged, in order."""
    gaps = []
    cursor = start
    for shift_start, shift_end in sorted(shifts):
        if shift_start > cursor:
            gaps.append((cursor, min(shift_start, end)))
        cursor = max(cursor, shift_end)
        if cursor >= end:
            break
    if cursor < end:
        gaps.append((cursor, end))
    return [(a, b) for a, b in gaps if b > a]


def duty_gaps(*, bodies: QuerySet[MediationBody], now: datetime.datetime | None = None) -> list[dict]:
    """24-hour duty gaps: for each active body of ``bodies`` that keeps 24-hour duty (a police station's
    矛调中心 or a 综治中心 with ``on_duty_24h``), the stretches of the next ``DUTY_HORIZON_HOURS`` hours
    (``duty_window``) with nobody on duty. ``[{"body", "gaps": [(from, to) aware datetimes], "gap_hours":
    Decimal hours, one place, "shifts": count in the window}]``, bodies in path order. One query: each
    body with the starts and ends of its shifts in the window aggregated alongside (``array_agg``, both
    in the same order). Source: issue 16 item 3; the article's 矛调中心 "24小时值班"."""
    from security.models import DUTY_BODY_KINDS

    start, end = duty_window(now)
    in_window = Q(duty_shifts__starts_at__lt=end, duty_shifts__ends_at__gt=start)
    order = ("duty_shifts__starts_at", "duty_shifts__ends_at", "duty_shifts__id")
    listed = list(
        bodies.filter(kind__in=DUTY_BODY_KINDS, on_duty_24h=True, is_active=True)
        .select_related("division")
        .annotate(
            shift_starts=ArrayAgg("duty_shifts__starts_at", filter=in_window, order_by=order),
            shift_ends=ArrayAgg("duty_shifts__ends_at", filter=in_window, order_by=order),
        )
        .order_by("division__path", "kind", "name")
    )
    shifts: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = {
        body.pk: list(zip(body.shift_starts or [], body.shift_ends or [], strict=True)) for body in listed
    }
    rows = []
    for body in listed:
        gaps = [(timezone.localtime(a), timezone.localtime(b)) for a, b in _uncovered(start, end, shifts[body.pk])]
        seconds = sum((b - a).total_seconds() for a, b in gaps)
        rows.append(
            {
                "body": body,
                "gaps": gaps,
                "gap_hours": (Decimal(seconds) / 3600).quantize(Decimal("0.1"), ROUND_HALF_UP),
                "shifts": len(shifts[body.pk]),
            }
        )
    return rows


def is_night(moment: datetime.datetime) -> bool:
    """Whether ``moment`` (aware) falls at night: before 08:00 or from 18:00 local time."""
    hour = timezone.localtime(moment).hour
    return hour < NIGHT_ENDS_HOUR or hour >= NIGHT_STARTS_HOUR


def night_transfer_contact(*, dispute: Dispute, events: list | None = None) -> dict | None:
    """The on-duty contact for a case handed at night to a 24-hour body: when the case's current body
    is a police station's 矛调中心 or a 综治中心 and the last event that brought it there (``to_body``)
    happened at night (``is_night``), ``{"at": that moment, "body", "shifts": [DutyShift on duty then]}``
    (``shifts`` empty: nobody was rostered — a gap); else ``None``. ``events``: the case's timeline if
    already loaded (oldest first). At most one query (two without ``events``)."""
    from security.models import DUTY_BODY_KINDS, DutyShift

    body = dispute.current_body
    if body is None or body.kind not in DUTY_BODY_KINDS:
        return None
    if events is None:
        events = list(dispute.events.order_by("created_at", "id"))
    arrivals = [event for event in events if event.to_body_id == body.pk]
    if not arrivals or not is_night(arrivals[-1].created_at):
        return None
    at = arrivals[-1].created_at
    shifts = list(DutyShift.objects.filter(body=body, starts_at__lte=at, ends_at__gt=at).order_by("starts_at", "pk"))
    return {"at": at, "body": body, "shifts": shifts}
