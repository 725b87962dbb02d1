"""Reads of the integrity app: the campaign funnel, overdue milestones, clean units by status.

Every figure is computed live from the records (no stored totals), for any division subtree and
date, in a fixed number of queries (one per kind of record, grouped and conditionally aggregated)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Division, User
from governance.pickers import name_search
from governance.selectors import child_code_expression, division_in_scope
from integrity.choices import (
    DISCIPLINE_ROLES,
    FORMAL_SANCTIONS,
    CleanUnitStatus,
    ClueStatus,
    CultureTarget,
    MeasureKind,
)
from integrity.models import (
    Campaign,
    CampaignMatter,
    CleanUnit,
    Clue,
    CultureActivity,
    CultureSite,
    IntegrityCase,
    LivelihoodProject,
    Measure,
    Milestone,
    Recovery,
    Sanction,
    Subject,
    UnitRule,
)
from integrity.querysets import MilestoneQuerySet

ZERO = Decimal("0.00")


@dataclass
class Funnel:
    """One campaign's (or all records') funnel, from clues to matters resolved.

    * ``clues`` — problem clues received (问题线索).
    * ``handled`` — people handled (处理人数): **distinct people given at least one handling decision —
      a Party or government sanction or an organisational handling (诫勉、批评教育、其他组织处理) —
      whether it followed a case or a clue's 谈话函询 / 初步核实**. A clue that was shelved or closed
      (暂存待查、予以了结) handles nobody; a person with several decisions counts once.
    * ``cases`` — cases filed (立案).
    * ``sanctioned`` — distinct people given a Party or government sanction (党纪政务处分).
    * ``detained`` — distinct people placed under 留置.
    * ``recovered`` — yuan recovered and returned (追缴退缴), Decimal.
    * ``matters_resolved`` — livelihood matters resolved (推动解决民生实事).
    """

    clues: int = 0
    handled: int = 0
    cases: int = 0
    sanctioned: int = 0
    detained: int = 0
    recovered: Decimal = ZERO
    matters_resolved: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


FUNNEL_LABELS = {
    "clues": _("问题线索（件）"),
    "handled": _("处理（人）"),
    "cases": _("立案（件）"),
    "sanctioned": _("党纪政务处分（人）"),
    "detained": _("留置（人）"),
    "recovered": _("追缴退缴（元）"),
    "matters_resolved": _("推动解决民生实事（件）"),
}
FUNNEL_KEYS = [f.name for f in fields(Funnel)]


def _dated(queryset: QuerySet, field: str, start: datetime.date | None, end: datetime.date | None) -> QuerySet:
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


def _funnel_sources(
    division: Division, start: datetime.date | None, end: datetime.date | None
) -> list[tuple[QuerySet, str, dict[str, Any]]]:
    """(records, campaign key, aggregates) for each kind of record behind the funnel."""
    sanctions = _dated(Sanction.objects.in_subtree(division), "decided_on", start, end).annotate(
        campaign_key=Coalesce("case__campaign_id", "clue__campaign_id")
    )
    return [
        (_dated(Clue.objects.in_subtree(division), "received_on", start, end), "campaign_id", {"clues": Count("pk")}),
        (
            sanctions,
            "campaign_key",
            {
                "handled": Count("subject_id", distinct=True),
                "sanctioned": Count("subject_id", distinct=True, filter=Q(kind__in=FORMAL_SANCTIONS)),
            },
        ),
        (
            _dated(IntegrityCase.objects.in_subtree(division), "filed_on", start, end),
            "campaign_id",
            {"cases": Count("pk")},
        ),
        (
            _dated(Measure.objects.in_subtree(division).filter(kind=MeasureKind.DETENTION), "start_on", start, end),
            "case__campaign_id",
            {"detained": Count("subject_id", distinct=True)},
        ),
        (
            _dated(Recovery.objects.in_subtree(division), "recovered_on", start, end),
            "case__campaign_id",
            {"recovered": Sum("amount")},
        ),
        (
            _dated(
                CampaignMatter.objects.in_subtree(division).filter(resolved_on__isnull=False), "resolved_on", start, end
            ),
            "campaign_id",
            {"matters_resolved": Count("pk")},
        ),
    ]


def _funnel_from(values: dict[str, Any]) -> Funnel:
    funnel = Funnel(**{k: v for k, v in values.items() if k in FUNNEL_KEYS and v is not None})
    funnel.recovered = Decimal(funnel.recovered or 0).quantize(ZERO)
    return funnel


def campaign_funnels(
    *, campaign_ids: Iterable[int], division: Division, on: datetime.date | None = None
) -> dict[int, Funnel]:
    """The funnel of each campaign in ``division``'s subtree, as of ``on`` (today by default): six
    queries whatever the number of campaigns, rows or the depth of the subtree."""
    ids = list(campaign_ids)
    on = on or timezone.localdate()
    merged: dict[int, dict[str, Any]] = {pk: {} for pk in ids}
    if not ids:
        return {}
    for queryset, key, aggregates in _funnel_sources(division, None, on):
        rows = queryset.filter(**{f"{key}__in": ids}).order_by().values(key).annotate(**aggregates)
        for row in rows:
            merged[row[key]].update({name: row[name] for name in aggregates})
    return {pk: _funnel_from(values) for pk, values in merged.items()}


def campaign_funnel(*, campaign: Campaign, division: Division, on: datetime.date | None = None) -> Funnel:
    """One campaign's funnel in ``division``'s subtree as of ``on`` (today by default): six queries."""
    return campaign_funnels(campaign_ids=[campaign.pk], division=division, on=on)[campaign.pk]


def funnel_by_child(*, campaign: Campaign, division: Division, on: datetime.date | None = None) -> dict[str, Funnel]:
    """A campaign's funnel per child division of ``division`` (keyed by the child's code; "" for
    records attached to ``division`` itself): six queries, one per kind of record."""
    on = on or timezone.localdate()
    merged: dict[str, dict[str, Any]] = {}
    for queryset, key, aggregates in _funnel_sources(division, None, on):
        scope = getattr(queryset.model, "scope_lookup", "division")
        rows = (
            queryset.filter(**{key: campaign.pk})
            .annotate(child_code=child_code_expression(f"{scope}__path", division))
            .order_by()
            .values("child_code")
            .annotate(**aggregates)
        )
        for row in rows:
            merged.setdefault(row["child_code"], {}).update({name: row[name] for name in aggregates})
    return {code: _funnel_from(values) for code, values in merged.items()}


def funnel_totals(
    *, division: Division, start: datetime.date | None = None, end: datetime.date | None = None
) -> Funnel:
    """The funnel over all records in the subtree (any campaign or none) between two dates: six queries."""
    values: dict[str, Any] = {}
    for queryset, _key, aggregates in _funnel_sources(division, start, end):
        values.update(queryset.order_by().aggregate(**aggregates))
    return _funnel_from(values)


def overdue_milestones(*, queryset: MilestoneQuerySet, on: datetime.date | None = None) -> MilestoneQuerySet:
    """Overdue milestones of the given (scoped) milestones, with their project: one query."""
    return queryset.overdue(on).select_related("project", "project__owner_unit").order_by("planned_on", "id")


def project_timeliness(
    *, division: Division, on: datetime.date | None = None, year: int | None = None
) -> dict[str, int]:
    """Livelihood projects in the subtree on time and late (with an overdue milestone), as
    ``{"on_time": n, "late": n}``: one query."""
    projects, aggregates = project_timeliness_part(division=division, on=on, year=year)
    return projects.aggregate(**aggregates)


def project_timeliness_part(
    *, division: Division, on: datetime.date | None = None, year: int | None = None
) -> tuple[QuerySet, dict[str, Any]]:
    """The rows and aggregates of ``project_timeliness`` (``governance.aggregates.AggregatePart``), so
    that the dashboard reads them for several dates in one query: every project of the subtree (of
    ``year`` when given) counted late when one of its milestones is overdue on ``on`` (today by
    default; ``MilestoneQuerySet.overdue``), else on time."""
    on = on or timezone.localdate()
    projects = LivelihoodProject.objects.in_subtree(division)
    if year is not None:
        projects = projects.filter(year=year)
    late = Exists(Milestone.objects.overdue(on).filter(project_id=OuterRef("pk")))
    return projects, {"on_time": Count("pk", filter=~Q(late)), "late": Count("pk", filter=Q(late))}


def clean_units_by_status(*, division: Division) -> dict[str, int]:
    """Clean units in the subtree per status (创建中、达标、示范), keyed by ``CleanUnitStatus`` value: one query."""
    aggregates = {status: Count("pk", filter=Q(status=status)) for status in CleanUnitStatus.values}
    return CleanUnit.objects.in_subtree(division).aggregate(**aggregates)


def rule_effects(*, division: Division) -> dict[str, int | Decimal | None]:
    """The measurable effects of the clean units' rules (制度) in the subtree, one query:
    ``{"rules": int, "measured": int (rules with a loophole count or a saving), "loopholes": int
    (管理漏洞 closed, 项), "savings_amount": Decimal (yuan, exact), "savings_percent_max": Decimal | None
    (the largest saving in %, e.g. 区卫健局 18.6)}``. Source: seed article "堵塞12项管理漏洞……节约成本18.6%"."""
    measured = Q(loopholes_closed__gt=0) | Q(savings_percent__isnull=False) | Q(savings_amount__isnull=False)
    totals = UnitRule.objects.in_subtree(division).aggregate(
        rules=Count("pk"),
        measured=Count("pk", filter=measured),
        loopholes=Coalesce(Sum("loopholes_closed"), 0),
        savings_amount=Coalesce(Sum("savings_amount"), ZERO),
        savings_percent_max=Max("savings_percent"),
    )
    return totals


def culture_counts(
    *, division: Division, start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[str, Any]:
    """廉洁文化 in the subtree: ``{"sites": int, "activities": int, "participants": int, "by_target":
    {CultureTarget value: {"activities": int, "participants": int}}}`` for activities held from
    ``start`` to ``end`` (both inclusive, either open). Two queries."""
    activities = CultureActivity.objects.in_subtree(division)
    if start is not None:
        activities = activities.filter(held_on__gte=start)
    if end is not None:
        activities = activities.filter(held_on__lte=end)
    aggregates: dict[str, Any] = {}
    for target in CultureTarget.values:
        aggregates[f"{target}__n"] = Count("pk", filter=Q(target=target))
        aggregates[f"{target}__p"] = Coalesce(Sum("participants", filter=Q(target=target)), 0)
    row = activities.aggregate(**aggregates)
    by_target = {t: {"activities": row[f"{t}__n"], "participants": row[f"{t}__p"]} for t in CultureTarget.values}
    return {
        "sites": CultureSite.objects.in_subtree(division).count(),
        "activities": sum(v["activities"] for v in by_target.values()),
        "participants": sum(v["participants"] for v in by_target.values()),
        "by_target": by_target,
    }


def campaign_area(*, user: User, campaign: Campaign, code: str | None = None) -> Division:
    """The subtree a campaign's funnel is shown for: the division ``code``, else the campaign's own
    division when the user is discipline staff there, else the user's own highest division (a
    township inspector sees a district campaign's figures for their township only).

    Raises ``Http404`` for a code unknown or outside the user's discipline scope."""
    if not code and Division.objects.for_user(user, roles=DISCIPLINE_ROLES).filter(pk=campaign.division_id).exists():
        return campaign.division
    return division_in_scope(user, code, roles=DISCIPLINE_ROLES)


def subjects_search(queryset: QuerySet[Subject], term: str) -> list[Subject]:
    """The subject pickers' search (``governance.pickers``): people of ``queryset`` (already the
    caller's discipline scope) whose name or unit contains ``term`` (name normalised), ≤ 20, by name.
    Subjects are not a register the access log covers (it records lists of clues and cases, issue 19
    item 8), so a search writes no log row."""
    found: list[Any] = name_search(queryset, term, fields=("name", "unit"))
    return found


def subjects_open_for_filing(queryset: QuerySet[Subject]) -> QuerySet[Subject]:
    """Who may come under review when a case is filed: the people of ``queryset`` named in a clue not
    yet filed or concluded. The same rows for the 立案 form and its options view."""
    open_links = Clue.subjects.through.objects.filter(subject_id=OuterRef("pk")).exclude(
        clue__status__in=[ClueStatus.FILED, ClueStatus.CONCLUDED]
    )
    return queryset.filter(Exists(open_links))
