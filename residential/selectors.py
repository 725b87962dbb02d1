"""Reports and dashboard figures of the residential app, each in a fixed number of queries."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from governance.models import Division
from governance.selectors import change_pct, child_code_expression
from residential.models import Compound, OwnersCommittee, Petition, RedBlackList


def committee_compliance(
    *, division: Division, on: datetime.date | None = None, only_failing: bool = False
) -> QuerySet[OwnersCommittee]:
    """Current owners' committees of a subtree with their compliance figures (Party share, 交叉任职
    both ways, term expired), one query. ``only_failing``: those under 50 % Party members."""
    queryset = OwnersCommittee.objects.in_subtree(division).select_related("organization", "compound__division__parent")
    queryset = queryset.out_of_compliance(on) if only_failing else queryset.with_compliance(on)
    return queryset.order_by("compound__division__path", "-term_start")


def compounds_under_star(*, division: Division) -> int:
    return Compound.objects.in_subtree(division).star().count()


def _shift_year(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class YearOverYear:
    current: int
    previous: int

    @property
    def change_pct(self) -> float | None:
        """Change against the same period a year before, in per cent (None when there was nothing)."""
        change = change_pct(self.current, self.previous)
        return None if change is None else round(float(change), 1)


def _yoy_counts(start: datetime.date, end: datetime.date) -> dict:
    previous_start, previous_end = _shift_year(start, -1), _shift_year(end, -1)
    return {
        "current": Count("pk", filter=Q(received_on__gte=start, received_on__lte=end)),
        "previous": Count("pk", filter=Q(received_on__gte=previous_start, received_on__lte=previous_end)),
    }, Q(received_on__gte=previous_start, received_on__lte=end)


def petition_yoy(
    *, division: Division, start: datetime.date, end: datetime.date, queryset: QuerySet[Petition] | None = None
) -> YearOverYear:
    """Petitions received in ``start``–``end`` in a subtree against the same dates a year before, one query."""
    counts, window = _yoy_counts(start, end)
    base = queryset if queryset is not None else Petition.objects.all()
    row = base.in_subtree(division).filter(window).aggregate(**counts)
    return YearOverYear(current=row["current"], previous=row["previous"])


@dataclass(frozen=True)
class ChildYearOverYear:
    division: Division | None  # None: petitions of compounds attached to the division itself
    figures: YearOverYear


def petition_yoy_by_child(
    *, division: Division, start: datetime.date, end: datetime.date, queryset: QuerySet[Petition] | None = None
) -> list[ChildYearOverYear]:
    """The same figures per child division (township, community or compound), two queries."""
    counts, window = _yoy_counts(start, end)
    base = queryset if queryset is not None else Petition.objects.all()
    rows = (
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


def latest_red_black_list(*, division: Division) -> RedBlackList | None:
    """The most recent published 红黑榜 made by the division or one above it."""
    codes = [c for c in division.path.split("/") if c]
    return (
        RedBlackList.objects.filter(published_at__isnull=False)
        .filter(Q(period__division__code__in=codes) | Q(period__division__path__startswith=division.path))
        .select_related("period")
        .order_by("-period__end_date", "-published_at")
        .first()
    )
