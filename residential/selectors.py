"""Reports and dashboard figures of the residential app, each in a fixed number of queries."""

from __future__ import annotations

import contextlib
import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from governance.dates import year_shift
from governance.models import Division
from governance.querysets import path_ancestors
from governance.registry import registry
from governance.selectors import change_pct, child_code_expression
from residential.models import (
    CommitteeRectification,
    Compound,
    EnforcementVisit,
    MeetingResolution,
    OwnersCommittee,
    Petition,
    RedBlackList,
)
from residential.querysets import PetitionQuerySet


def committee_compliance(
    *, division: Division, on: datetime.date | None = None, only_failing: bool = False
) -> QuerySet[OwnersCommittee]:
    """Owners' committees of a subtree (every term, an expired one flagged) with their compliance
    figures on ``on`` (default today): members, Party members and their share in per cent, 交叉任职
    both ways, term expired; one query. ``only_failing``: those under 50 % Party members."""
    queryset = OwnersCommittee.objects.in_subtree(division).select_related("organization", "compound__division__parent")
    queryset = queryset.out_of_compliance(on) if only_failing else queryset.with_compliance(on)
    return queryset.order_by("compound__division__path", "-term_start")


def compounds_under_star(*, division: Division) -> int:
    """Compounds of a subtree that have joined 星物管, one query."""
    return Compound.objects.in_subtree(division).star().count()


@dataclass(frozen=True)
class YearOverYear:
    current: int
    previous: int

    @property
    def change_pct(self) -> float | None:
        """Change against the same period a year before, in per cent (None when there was nothing)."""
        change = change_pct(self.current, self.previous)
        return None if change is None else round(float(change), 1)


def _yoy_counts(start: datetime.date, end: datetime.date) -> tuple[dict[str, Count], Q]:
    previous_start, previous_end = year_shift(start), year_shift(end)
    return {
        "current": Count("pk", filter=Q(received_on__gte=start, received_on__lte=end)),
        "previous": Count("pk", filter=Q(received_on__gte=previous_start, received_on__lte=previous_end)),
    }, Q(received_on__gte=previous_start, received_on__lte=end)


def petition_yoy(
    *, division: Division, start: datetime.date, end: datetime.date, queryset: PetitionQuerySet | None = None
) -> YearOverYear:
    """Petitions received in ``start``–``end`` (both inclusive) in a subtree against the same dates a
    year before (29 February falls back to the 28th), one query. ``queryset``: the rows to count
    (the caller's ``for_user``), all petitions by default."""
    rows, counts = petition_yoy_part(division=division, start=start, end=end, queryset=queryset)
    row = rows.aggregate(**counts)
    return YearOverYear(current=row["current"], previous=row["previous"])


def petition_yoy_part(
    *, division: Division, start: datetime.date, end: datetime.date, queryset: PetitionQuerySet | None = None
) -> tuple[PetitionQuerySet, dict[str, Count]]:
    """The rows and counts of ``petition_yoy`` (``governance.aggregates.AggregatePart``: ``{"current",
    "previous"}``), for the dashboard to read them with other figures in one query."""
    counts, window = _yoy_counts(start, end)
    base = queryset if queryset is not None else Petition.objects.all()
    return base.in_subtree(division).filter(window), counts


@dataclass(frozen=True)
class ChildYearOverYear:
    division: Division | None  # None: petitions of compounds attached to the division itself
    figures: YearOverYear


def petition_yoy_by_child(
    *, division: Division, start: datetime.date, end: datetime.date, queryset: PetitionQuerySet | None = None
) -> list[ChildYearOverYear]:
    """The same figures per child division (township, community or compound), in the children's
    order, led by a ``division=None`` row for petitions of compounds attached to ``division`` itself
    when there are any; two queries."""
    counts, window = _yoy_counts(start, end)
    base = queryset if queryset is not None else Petition.objects.all()
    # Plain dicts: the counts' names come from _yoy_counts, which the type checker cannot follow.
    rows: Any = (
        base.in_subtree(division)
        .filter(window)
        .annotate(child_code=child_code_expression("compound__division__path", division))
        .values("child_code")
        .annotate(**counts)
        .order_by("child_code")
    )
    by_code = {row["child_code"]: YearOverYear(row["current"], row["previous"]) for row in rows}
    children = Division.objects.filter(parent=division).order_by("sort_order", "code")
    result = [ChildYearOverYear(child, by_code.pop(child.code, YearOverYear(0, 0))) for child in children]
    if "" in by_code:
        result.insert(0, ChildYearOverYear(None, by_code.pop("")))
    return result


def latest_red_black_list_query(*, division: Division) -> QuerySet[RedBlackList]:
    """The published 红黑榜 made by the division, one above it or one below it, the most recent first
    (the rule of ``latest_red_black_list``; a subquery for the dashboard's counts)."""
    return (
        RedBlackList.objects.filter(published_at__isnull=False)
        .filter(
            Q(period__division__path__in=path_ancestors(division.path))
            | Q(period__division__path__startswith=division.path)
        )
        .order_by("-period__end_date", "-published_at")
    )


def latest_red_black_list(*, division: Division) -> RedBlackList | None:
    """The most recent published 红黑榜 made by the division, one above it or one below it (``None``
    when there is none), one query."""
    return latest_red_black_list_query(division=division).select_related("period").first()


# --- 跟进 (issue 13 item 5) ----------------------------------------------------------------------------

FOLLOW_UP_KINDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "rectification": (CommitteeRectification, ("committee__compound__division",)),
    "enforcement": (EnforcementVisit, ("compound__division",)),
    "resolution": (MeetingResolution, ("meeting__compound__division",)),
}
FOLLOW_UP_STATES = ("open", "overdue", "due_soon", "done", "all")


def follow_ups(
    *, kind: str, state: str, queryset: QuerySet | None = None, horizon: datetime.date | None = None
) -> QuerySet:
    """The follow-up list of one ``kind`` (``FOLLOW_UP_KINDS``: 业委会整治, 执法进小区, 楼宇会决议) in
    ``state``: ``open`` (not done), ``overdue`` (open, due date before today), ``due_soon`` (open, due
    from today to ``horizon``, required), ``done`` or ``all``; open rows first, nearest due date first,
    the compound joined. ``queryset`` is the caller's ``for_user`` of the kind's model. Raises
    ``KeyError`` for an unknown kind or state (the page checks them first)."""
    model, related = FOLLOW_UP_KINDS[kind]
    rows: Any = (queryset if queryset is not None else model.objects.all()).select_related(*related)
    if state == "open":
        rows = rows.open()
    elif state == "overdue":
        rows = rows.overdue()
    elif state == "due_soon":
        rows = rows.due_by(horizon)
    elif state == "done":
        rows = rows.filter(rows.done_condition())
    elif state != "all":
        raise KeyError(state)
    return rows.open_first()


def follow_ups_overdue(*, division: Division) -> int:
    """Open follow-ups past their due date in ``division``'s subtree, all kinds together (业委会整治,
    执法进小区 rectifications with a deadline, 楼宇会决议, and the 屋场会决议 another app offers as
    ``follow_ups.hamlet_resolutions.overdue``): the dashboard's figure. One COUNT query a kind."""
    count = sum(model.objects.in_subtree(division).overdue().count() for model, _related in FOLLOW_UP_KINDS.values())
    with contextlib.suppress(LookupError):  # without the villages app, its kind counts nothing
        count += registry.provided("follow_ups.hamlet_resolutions.overdue")(division=division)
    return count
