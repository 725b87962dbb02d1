"""What 星物管 adds to the leaders' dashboard."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.db import connection
from django.db.models import Count, F, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.aggregates import AggregatePart, aggregate_together
from governance.registry import GOOD_DOWN, SNAPSHOT, Indicator, Rollup, RollupSource, RollupTrigger, registry
from governance.shared_figures import shared_figure
from residential.choices import ListSide
from residential.models import OwnersCommittee, RedBlackEntry
from residential.selectors import (
    FOLLOW_UP_KINDS,
    YearOverYear,
    compounds_under_star,
    follow_ups_overdue,
    latest_red_black_list_query,
    petition_yoy,
    petition_yoy_part,
)


def _compounds(*, division, start=None, end=None) -> int:
    return compounds_under_star(division=division)


def _committees_failing(*, division, start=None, end=None) -> int:
    return OwnersCommittee.objects.in_subtree(division).out_of_compliance(end).count()


def _petitions_yoy(*, division, start=None, end=None) -> float | None:
    """This period's property petitions against the same period a year before, in per cent (the
    current year to date when no period is given)."""
    end = end or timezone.localdate()
    start = start or datetime.date(end.year, 1, 1)
    return petition_yoy(division=division, start=start, end=end).change_pct


@shared_figure
def _sides(*, division) -> dict[str, int]:
    """Companies on each side of the latest 红黑榜 (``latest_red_black_list``), ``{side: n}``: one query
    (the latest list a subquery), once per dashboard."""
    latest = latest_red_black_list_query(division=division).values("pk")[:1]
    rows = RedBlackEntry.objects.filter(list=Subquery(latest)).values("side").annotate(n=Count("pk")).order_by()
    return {row["side"]: row["n"] for row in rows}


def _list_side(side: str):
    def compute(*, division, start=None, end=None) -> int:
        return _sides(division=division).get(side, 0)

    return compute


# --- the figures above for several periods in ONE query (issue 12) --------------------------------
# None of them rolls up: the latest 红黑榜 may be a list of a division above (not a sum over the
# subtree's cells), 业委会 compliance is as of a period's end (posts' dates), 同比 compares two spans.
Span = tuple[datetime.date, datetime.date]


@shared_figure
def _by_span(*, division, spans: tuple[Span, ...]) -> list[dict[str, Any]]:
    """For each span (start, end, inclusive): ``{"committees_failing": int, "petitions_yoy": float |
    None, ListSide.RED: int, ListSide.BLACK: int}``, each by its selector's own rule (as ``compute``
    gives it), ONE query for every span and the four indicators, once per dashboard."""
    latest = latest_red_black_list_query(division=division).values("pk")[:1]
    sides = {side: Count("pk", filter=Q(side=side)) for side in ListSide.values}
    parts: list[AggregatePart] = [(RedBlackEntry.objects.filter(list=Subquery(latest)), sides)]
    for start, end in spans:
        parts.append((OwnersCommittee.objects.in_subtree(division).out_of_compliance(end), {"n": Count("pk")}))
        parts.append(petition_yoy_part(division=division, start=start, end=end))
    listed, *rest = aggregate_together(parts)
    figures = []
    for failing, petitions in zip(rest[::2], rest[1::2], strict=True):
        yoy = YearOverYear(current=petitions["current"], previous=petitions["previous"]).change_pct
        figures.append({"committees_failing": failing["n"], "petitions_yoy": yoy, **listed})
    return figures


def _spans(key: str):
    """``Indicator.compute_spans`` of one of the figures of ``_by_span``."""

    def compute_spans(*, division, spans: list[Span]) -> list[Any]:
        return [row[key] for row in _by_span(division=division, spans=tuple(spans))]

    return compute_spans


# 星物管小区 as they stand (``compounds_under_star``: joined, i.e. a join date).
registry.rollup_source(
    RollupSource(
        key="residential.compounds",
        from_sql="residential_compound t",
        measures={"star": "count(*) FILTER (WHERE t.joined_on IS NOT NULL)"},
        triggers=(RollupTrigger("residential_compound"),),
    )
)
registry.indicator(
    Indicator(
        "residential.star_compounds",
        _("星物管小区"),
        "organisation",
        _compounds,
        _("个"),
        40,
        dated=False,
        rollup=Rollup("residential.compounds", "star", kind=SNAPSHOT),
    )
)
registry.indicator(
    Indicator(
        "residential.committees_failing",
        _("党员占比不足50%的业委会"),
        "organisation",
        _committees_failing,
        _("个"),
        41,
        good=GOOD_DOWN,
        compute_spans=_spans("committees_failing"),
    )
)
registry.indicator(
    Indicator(
        "residential.petitions_yoy",
        _("物业信访同比"),
        "safety",
        _petitions_yoy,
        "%",
        42,
        good=GOOD_DOWN,
        compute_spans=_spans("petitions_yoy"),
    )
)
registry.indicator(
    Indicator(
        "residential.red_list",
        _("最新红黑榜·红榜企业"),
        "organisation",
        _list_side(ListSide.RED),
        _("家"),
        43,
        dated=False,
        compute_spans=_spans(ListSide.RED),
    )
)
registry.indicator(
    Indicator(
        "residential.black_list",
        _("最新红黑榜·黑榜企业"),
        "organisation",
        _list_side(ListSide.BLACK),
        _("家"),
        44,
        dated=False,
        compute_spans=_spans(ListSide.BLACK),
    )
)


def _follow_ups_overdue(*, division, start=None, end=None) -> int:
    """业委会整治, 执法进小区 rectifications, 楼宇会决议 and 屋场会决议 open past their due date today, in the area."""
    return follow_ups_overdue(division=division)


def _follow_ups_sql() -> str:
    """Every overdue follow-up (the three kinds of ``FOLLOW_UP_KINDS``, by their own ``overdue()``, so the
    rule is written once) with its compound's division, as one UNION ALL FROM item ``t``. Compiled at
    use (today moves: the source is volatile, recomputed daily)."""
    queries = [
        model.objects.overdue().values(division_ref=F(related[0])).order_by()
        for model, related in FOLLOW_UP_KINDS.values()
    ]
    with contextlib.suppress(LookupError):  # the villages app's 屋场会决议, as ``follow_ups_overdue`` counts them
        queries.append(registry.provided("follow_ups.hamlet_resolutions.overdue_rows")())
    parts = []
    for queryset in queries:
        sql, params = queryset.query.sql_with_params()
        parts.append(connection.ops.compose_sql(sql, params).replace("%", "%%"))
    return "(" + " UNION ALL ".join(f"({part})" for part in parts) + ") t"


_TO_COMPOUND = "JOIN residential_compound c ON c.id = {}"
registry.rollup_source(
    RollupSource(
        key="residential.follow_ups",
        from_sql=_follow_ups_sql,
        division="t.division_ref",
        measures={"overdue": "count(*)"},
        triggers=(
            RollupTrigger(
                "residential_committeerectification",
                division="c.division_id",
                joins="JOIN residential_ownerscommittee o ON o.id = r.committee_id "
                + _TO_COMPOUND.format("o.compound_id"),
            ),
            RollupTrigger(
                "residential_enforcementvisit", division="c.division_id", joins=_TO_COMPOUND.format("r.compound_id")
            ),
            RollupTrigger(
                "residential_meetingresolution",
                division="c.division_id",
                joins="JOIN residential_buildingcouncilmeeting m ON m.id = r.meeting_id "
                + _TO_COMPOUND.format("m.compound_id"),
            ),
        ),
        volatile=True,
    )
)
registry.indicator(
    Indicator(
        "residential.follow_ups_overdue",
        _("超期未办结的整改与决议"),
        "organisation",
        _follow_ups_overdue,
        _("项"),
        45,
        dated=False,
        good=GOOD_DOWN,
        rollup=Rollup("residential.follow_ups", "overdue", kind=SNAPSHOT),
    )
)
