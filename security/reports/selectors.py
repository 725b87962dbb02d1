"""The 星群防 reports of the article (issue 16 items 4 and 5), computed from the case records:

- 三调联治: cases by mediation kind (人民调解, 司法调解, 行政调解) × level (区, 乡镇, 村) of the body that
  holds them (``Dispute.current_body``), with received / resolved / resolution rate / mean days;
- 三情联处: 警情, 诉情, 访情 (``Dispute.channel``) side by side per division and month, with received /
  resolved / transferred between police station and 矛调中心 / escalated, and the year-over-year change.

Both count the cases *received* in the period (a cohort, as ``security.selectors.dispute_figures``):
"resolved" is how many of them have been resolved (``resolved_at`` set) by now, "transferred" and
"escalated" how many have such a step on their timeline. Each report is a constant number of
queries, whatever the rows, children and months."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from governance.dates import months_between, year_shift
from governance.models import Division
from governance.selectors import change_pct, child_code_expression
from security.choices import BodyKind, BodyLevel, Channel, EventAction
from security.models import DisputeEvent
from security.querysets import DisputeQuerySet

# 三调联治: the body kinds of each kind of mediation, and the levels, in the article's order.
MEDIATION_KINDS: dict[str, str] = {
    BodyKind.PEOPLES_MEDIATION: "人民调解",
    BodyKind.JUDICIAL: "司法调解",
    BodyKind.ADMINISTRATIVE: "行政调解",
}
MEDIATION_LEVELS: dict[str, str] = {
    BodyLevel.DISTRICT: "区级",
    BodyLevel.TOWNSHIP: "乡镇（街道）级",
    BodyLevel.VILLAGE: "村（社区）级",
}
# 三情联处: the channels, in the article's order (警情、诉情、访情).
SITUATION_CHANNELS: dict[str, str] = {
    Channel.POLICE: "警情",
    Channel.LITIGATION: "诉情",
    Channel.PETITION: "访情",
}
SITUATION_METRICS: dict[str, str] = {
    "received": "受理",
    "resolved": "化解",
    "transferred": "警调互转",
    "escalated": "上报",
}
# A transfer between a police station and its 矛调中心, either way (the article: 派出所受理的可调处警情
# 移交矛调中心；矛调中心受理的警情警务移交派出所).
POLICE_PAIR = (BodyKind.POLICE_STATION, BodyKind.STATION_CENTRE)


def period_bounds(start: datetime.date, end: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start 00:00, the day after end 00:00) in the portal's time zone (Asia/Shanghai): an index
    range on ``received_at`` instead of a per-row date cast."""
    begin = timezone.make_aware(datetime.datetime.combine(start, datetime.time()))
    stop = timezone.make_aware(datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time()))
    return begin, stop


def _rate(resolved: int, received: int) -> Decimal | None:
    if not received:
        return None
    return (Decimal(resolved * 100) / received).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _mean_days(total: datetime.timedelta | None, resolved: int) -> Decimal | None:
    if not resolved or total is None:
        return None
    return Decimal(total.total_seconds() / 86400 / resolved).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _mediation_cell(received: int, resolved: int, days: datetime.timedelta | None) -> dict[str, Any]:
    return {
        "received": received,
        "resolved": resolved,
        "resolution_rate": _rate(resolved, received),
        "mean_days": _mean_days(days, resolved),
        "_days": days or datetime.timedelta(0),
    }


def three_mediations(
    *, disputes: DisputeQuerySet, division: Division, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """三调联治 of the cases of ``disputes`` (already scoped to the user) in ``division``'s subtree
    received in [start, end] (Asia/Shanghai dates, inclusive), by the kind × level of the body that
    holds them now; cases held by other bodies (综治中心, 派出所…) are not counted.

    Shape: ``{"cells": {kind: {level: cell}}, "by_kind": {kind: cell}, "by_level": {level: cell},
    "total": cell}`` for every kind of ``MEDIATION_KINDS`` and level of ``MEDIATION_LEVELS`` (an empty
    cell is zeros), where ``cell = {"received": int, "resolved": int, "resolution_rate": Decimal | None
    (% of received resolved, 1 place; None when none received), "mean_days": Decimal | None (mean
    days from received to resolved over the resolved, 1 place)}``. One query."""
    begin, stop = period_bounds(start, end)
    resolved = Q(resolved_at__isnull=False)
    rows = (
        disputes.in_subtree(division)
        .filter(received_at__gte=begin, received_at__lt=stop, current_body__kind__in=list(MEDIATION_KINDS))
        .values("current_body__kind", "current_body__level")
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=resolved),
            days=Sum(
                ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField()), filter=resolved
            ),
        )
        .order_by()
    )
    found = {(row["current_body__kind"], row["current_body__level"]): row for row in rows}

    def combine(keys: list[tuple[str, str]]) -> dict[str, Any]:
        parts = [found[key] for key in keys if key in found]
        days = [part["days"] for part in parts if part["days"] is not None]
        return _mediation_cell(
            sum(part["received"] for part in parts),
            sum(part["resolved"] for part in parts),
            sum(days, datetime.timedelta(0)) if days else None,
        )

    cells = {kind: {level: combine([(kind, level)]) for level in MEDIATION_LEVELS} for kind in MEDIATION_KINDS}
    everything = [(kind, level) for kind in MEDIATION_KINDS for level in MEDIATION_LEVELS]
    result = {
        "cells": cells,
        "by_kind": {kind: combine([(kind, level) for level in MEDIATION_LEVELS]) for kind in MEDIATION_KINDS},
        "by_level": {level: combine([(kind, level) for kind in MEDIATION_KINDS]) for level in MEDIATION_LEVELS},
        "total": combine(everything),
    }
    for cell in _all_cells(result):
        cell.pop("_days", None)
    return result


def _all_cells(result: dict[str, Any]) -> list[dict[str, Any]]:
    cells = [cell for row in result["cells"].values() for cell in row.values()]
    return [*cells, *result["by_kind"].values(), *result["by_level"].values(), result["total"]]


def _zero_situation() -> dict[str, int]:
    return dict.fromkeys(SITUATION_METRICS, 0)


def three_situations(
    *, disputes: DisputeQuerySet, division: Division, start: datetime.date, end: datetime.date
) -> dict[str, Any]:
    """三情联处 of the cases of ``disputes`` (already scoped to the user) in ``division``'s subtree
    that came as 警情, 诉情 or 访情 and were received in [start, end] (Asia/Shanghai dates, inclusive),
    and the same for the same dates a year earlier.

    Per channel (``SITUATION_CHANNELS``) and metric (``SITUATION_METRICS``): ``received`` (cases),
    ``resolved`` (of those, resolved by now), ``transferred`` (of those, handed between a police
    station and a 矛调中心, either way, at least once), ``escalated`` (of those, escalated at least once).

    Shape: ``{"months": [date, …] (first days of the period's months), "children": [Division, …]
    (the child divisions, or ``[division]`` when it has none), "rows": [{"division": Division,
    "month": date, "figures": {channel: {metric: int}}}, …] (every child × month, zeros included),
    "by_child": [{"division", "figures"}], "by_month": [{"month", "figures", "previous"}] (previous:
    the same month a year earlier), "totals": {channel: {metric: {"current": int, "previous": int,
    "change_pct": Decimal | None}}}}``; ``change_pct`` is in per cent (2 places), None when the
    previous figure is zero. Two queries."""
    prev_start, prev_end = year_shift(start), year_shift(end)
    begin, stop = period_bounds(start, end)
    prev_begin, prev_stop = period_bounds(prev_start, prev_end)
    pair = Q(from_body__kind=POLICE_PAIR[0], to_body__kind=POLICE_PAIR[1]) | Q(
        from_body__kind=POLICE_PAIR[1], to_body__kind=POLICE_PAIR[0]
    )
    transferred = DisputeEvent.objects.filter(pair, dispute=OuterRef("pk"), action=EventAction.TRANSFERRED)
    escalated = DisputeEvent.objects.filter(dispute=OuterRef("pk"), action=EventAction.ESCALATED)
    rows = (
        disputes.in_subtree(division)
        .filter(channel__in=list(SITUATION_CHANNELS))
        .filter(
            Q(received_at__gte=begin, received_at__lt=stop) | Q(received_at__gte=prev_begin, received_at__lt=prev_stop)
        )
        .annotate(
            child_code=child_code_expression("division__path", division),
            month=TruncMonth("received_at"),
            was_transferred=Exists(transferred),
            was_escalated=Exists(escalated),
        )
        .values("child_code", "month", "channel")
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
            transferred=Count("pk", filter=Q(was_transferred=True)),
            escalated=Count("pk", filter=Q(was_escalated=True)),
        )
        .order_by()
    )
    children = list(Division.objects.filter(parent=division, is_active=True).order_by("sort_order", "code"))
    months = months_between(start, end)
    by_code = {child.code: child for child in children}
    single = not children
    cells: dict[tuple[str, datetime.date], dict[str, dict[str, int]]] = {}
    for row in rows:
        month = timezone.localtime(row["month"]).date() if isinstance(row["month"], datetime.datetime) else row["month"]
        code = "" if single else row["child_code"]
        if not single and code not in by_code:
            code = ""  # a case attached to ``division`` itself: counted in the totals only
        figures = cells.setdefault((code, month), {channel: _zero_situation() for channel in SITUATION_CHANNELS})
        for metric in SITUATION_METRICS:
            figures[row["channel"]][metric] += row[metric]

    def figures_of(keys: list[tuple[str, datetime.date]]) -> dict[str, dict[str, int]]:
        total = {channel: _zero_situation() for channel in SITUATION_CHANNELS}
        for key in keys:
            for channel, metrics in cells.get(key, {}).items():
                for metric, value in metrics.items():
                    total[channel][metric] += value
        return total

    codes = [""] if single else ["", *by_code]
    row_divisions = [division] if single else children
    row_codes = [""] if single else [child.code for child in children]
    earlier = [year_shift(month) for month in months]
    current = figures_of([(code, month) for code in codes for month in months])
    previous = figures_of([(code, month) for code in codes for month in earlier])
    return {
        "months": months,
        "children": row_divisions,
        "rows": [
            {"division": place, "month": month, "figures": figures_of([(code, month)])}
            for place, code in zip(row_divisions, row_codes, strict=True)
            for month in months
        ],
        "by_child": [
            {"division": place, "figures": figures_of([(code, month) for month in months])}
            for place, code in zip(row_divisions, row_codes, strict=True)
        ],
        "by_month": [
            {
                "month": month,
                "figures": figures_of([(code, month) for code in codes]),
                "previous": figures_of([(code, before) for code in codes]),
            }
            for month, before in zip(months, earlier, strict=True)
        ],
        "totals": {
            channel: {
                metric: {
                    "current": current[channel][metric],
                    "previous": previous[channel][metric],
                    "change_pct": _change(current[channel][metric], previous[channel][metric]),
                }
                for metric in SITUATION_METRICS
            }
            for channel in SITUATION_CHANNELS
        },
    }


def _change(current: int, previous: int) -> Decimal | None:
    change = change_pct(current, previous)
    return None if change is None else change.quantize(Decimal("0.01"), ROUND_HALF_UP)


def three_mediations_figures(
    *, disputes: DisputeQuerySet, division: Division, start: datetime.date | None, end: datetime.date | None
) -> dict[str, Any]:
    """The dashboard's 三调联治 figures for ``division``'s subtree, cases received in [start, end]
    (either open-ended): ``{"received": int, "resolved": int, "resolution_rate": Decimal | None}`` over
    the cases held by a 人民调解, 司法调解 or 行政调解 body of any level. One query."""
    queryset = disputes.in_subtree(division).filter(current_body__kind__in=list(MEDIATION_KINDS))
    queryset = _in_period(queryset, start, end)
    row = queryset.aggregate(received=Count("pk"), resolved=Count("pk", filter=Q(resolved_at__isnull=False)))
    return {**row, "resolution_rate": _rate(row["resolved"], row["received"])}


def three_situations_figures(
    *, disputes: DisputeQuerySet, division: Division, start: datetime.date | None, end: datetime.date | None
) -> dict[str, int]:
    """The dashboard's 三情联处 figures for ``division``'s subtree, cases received in [start, end]
    (either open-ended): ``{"received": int (警情+诉情+访情), "transferred": int (of those, handed
    between a police station and a 矛调中心 at least once)}``. One query."""
    pair = Q(from_body__kind=POLICE_PAIR[0], to_body__kind=POLICE_PAIR[1]) | Q(
        from_body__kind=POLICE_PAIR[1], to_body__kind=POLICE_PAIR[0]
    )
    transferred = DisputeEvent.objects.filter(pair, dispute=OuterRef("pk"), action=EventAction.TRANSFERRED)
    queryset = disputes.in_subtree(division).filter(channel__in=list(SITUATION_CHANNELS))
    queryset = _in_period(queryset, start, end)
    return queryset.aggregate(received=Count("pk"), transferred=Count("pk", filter=Exists(transferred)))


def _in_period(queryset: DisputeQuerySet, start: datetime.date | None, end: datetime.date | None) -> DisputeQuerySet:
    if start:
        queryset = queryset.filter(received_at__gte=period_bounds(start, start)[0])
    if end:
        queryset = queryset.filter(received_at__lt=period_bounds(end, end)[1])
    return queryset
