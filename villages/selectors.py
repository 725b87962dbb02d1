"""Reads of the villages app: "三屋同治" completeness, land-scale figures, 屋场 lists."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Avg, BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from governance.models import Division, Household, HouseholdMember, Person
from governance.selectors import child_code_expression
from villages.choices import ZERO, TransferStatus
from villages.models import ContractPlot, Hamlet, HamletMeeting, LandTransfer
from villages.querysets import HamletQuerySet, any_gap, completeness_conditions


def hamlet_list(*, queryset: HamletQuerySet | None = None) -> HamletQuerySet:
    """屋场 with their village and township, completeness flags, household and population counts,
    in one query however many rows."""
    queryset = Hamlet.objects.all() if queryset is None else queryset
    households = (
        HouseholdMember.objects.filter(household__division_id=OuterRef("division_id"))
        .order_by()
        .values("household__division_id")
    )
    household_count = (
        Household.objects.filter(division_id=OuterRef("division_id"))
        .order_by()
        .values("division_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    population = households.annotate(n=Count("pk")).values("n")
    return (
        queryset.select_related("division__parent__parent")
        .with_completeness()
        .annotate(
            household_count=Coalesce(Subquery(household_count), 0),
            population=Coalesce(Subquery(population), 0),
        )
    )


def hamlet_completeness(*, division: Division, queryset: HamletQuerySet | None = None) -> dict[str, Any]:
    """For a subtree: how many 屋场 (``total``), how many ``complete`` and their ``percent`` (one
    decimal; ``None``, 无数据, without 屋场: a street with none is not 0 % complete), how many lack a
    body, a head or a Party member in the Party group (``lacks_body``, ``lacks_head``,
    ``lacks_party_member``; one aggregate query), plus the ``incomplete`` 屋场 themselves (a lazy
    ``hamlet_list`` queryset)."""
    hamlets = (Hamlet.objects.all() if queryset is None else queryset).in_subtree(division)
    conditions = completeness_conditions()
    summary = hamlets.aggregate(
        total=Count("pk"),
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
        complete=Count("pk", filter=~any_gap(conditions)),
    )
    summary["percent"] = round(100 * summary["complete"] / summary["total"], 1) if summary["total"] else None
    summary["incomplete"] = hamlet_list(queryset=hamlets.incomplete())
    return summary


def hamlet_completeness_by_child(*, division: Division, queryset: HamletQuerySet | None = None) -> list[dict[str, Any]]:
    """The completeness figures of ``hamlet_completeness`` per child division of ``division`` (each
    township under a district, each village under a township), in the children's order, only those
    with 屋场: ``{"division", "total", "complete", "percent", "lacks_body", "lacks_head",
    "lacks_party_member"}``. Two queries, whatever the number of children."""
    hamlets = (Hamlet.objects.all() if queryset is None else queryset).in_subtree(division)
    conditions = completeness_conditions()
    # Plain dicts: the counts' names come from completeness_conditions, which the type checker cannot follow.
    rows: Any = (
        hamlets.annotate(child_code=child_code_expression("division__path", division))
        .values("child_code")
        .annotate(
            total=Count("pk"),
            **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
            complete=Count("pk", filter=~any_gap(conditions)),
        )
        .order_by("child_code")
    )
    by_code = {row.pop("child_code"): row for row in rows}
    result = []
    for child in Division.objects.filter(parent=division).order_by("sort_order", "code"):
        row = by_code.get(child.code)
        if row:
            row["percent"] = round(100 * row["complete"] / row["total"], 1)
            result.append({"division": child, **row})
    return result


def hamlet_completeness_report(*, division: Division, queryset: HamletQuerySet | None = None) -> dict[str, Any]:
    """Everything the completeness page shows, in two queries whatever the size of the subtree
    (issue 14: three queries each re-ran the seven correlated EXISTS per 屋场, 2.2 s):

    - ``summary``: as ``hamlet_completeness`` (``total``, ``complete``, ``percent``, ``lacks_body``,
      ``lacks_head``, ``lacks_party_member``), with ``incomplete`` a list instead of a queryset;
    - ``children``: as ``hamlet_completeness_by_child`` (one row per child division with 屋场);
    - the incomplete 屋场 in ``summary["incomplete"]``: ``Hamlet`` rows with ``division__parent``
      loaded and the three flags set as attributes, in division path order.

    Query 1 reads each 屋场's three flags (the EXISTS run once per 屋场) and its child code; the
    figures are summed in Python. Query 2 loads the incomplete 屋场 by key; one more reads the
    children of ``division``."""
    hamlets = (Hamlet.objects.all() if queryset is None else queryset).in_subtree(division)
    conditions = completeness_conditions()
    names = list(conditions)
    flagged = {name: ExpressionWrapper(cond, output_field=BooleanField()) for name, cond in conditions.items()}
    flags = list(
        hamlets.annotate(child_code=child_code_expression("division__path", division), **flagged)
        .order_by()
        .values_list("pk", "child_code", *names)
    )
    empty = {"total": 0, "complete": 0, **dict.fromkeys(names, 0)}
    summary: dict[str, Any] = dict(empty)
    by_code: dict[str, dict[str, int]] = {}
    gaps: dict[int, tuple[bool, ...]] = {}
    for pk, code, *lacks in flags:
        row = by_code.setdefault(code, dict(empty))
        for figures in (summary, row):
            figures["total"] += 1
            figures["complete"] += not any(lacks)
            for name, lack in zip(names, lacks, strict=True):
                figures[name] += bool(lack)
        if any(lacks):
            gaps[pk] = tuple(lacks)
    summary["percent"] = round(100 * summary["complete"] / summary["total"], 1) if summary["total"] else None
    incomplete = list(
        Hamlet.objects.filter(pk__in=list(gaps)).select_related("division__parent").order_by("division__path")
    )
    for hamlet in incomplete:
        for name, lack in zip(names, gaps[hamlet.pk], strict=True):
            setattr(hamlet, name, lack)
    summary["incomplete"] = incomplete
    children = []
    for child in Division.objects.filter(parent=division).order_by("sort_order", "code"):
        counts = by_code.get(child.code)
        if counts:
            percent = round(100 * counts["complete"] / counts["total"], 1)
            children.append({"division": child, **counts, "percent": percent})
    return {"summary": summary, "children": children}


def land_figures(*, division: Division) -> dict[str, Decimal | int | None]:
    """Contracted and transferred area in a subtree, the transferred share, and the mean plot size
    before and after consolidation (a transferred parcel counts as one plot operated as a whole:
    小丘变大丘). Three queries."""
    plots = ContractPlot.objects.in_subtree(division).filter(is_active=True)
    in_transfer = LandTransfer.objects.active().filter(plots=OuterRef("pk"))
    plot_figures = plots.annotate(transferred=Exists(in_transfer)).aggregate(
        contracted=Coalesce(Sum("area"), ZERO),
        plot_count=Count("pk"),
        mean_before=Avg("area"),
        untransferred_plots=Count("pk", filter=Q(transferred=False)),
    )
    transfers = LandTransfer.objects.in_subtree(division).filter(status=TransferStatus.ACTIVE)
    transfer_figures = transfers.aggregate(
        transferred=Coalesce(Sum("area"), ZERO),
        transfer_count=Count("pk"),
        rent=Coalesce(Sum("annual_rent"), ZERO),
    )
    contracted = plot_figures["contracted"]
    transferred = transfer_figures["transferred"]
    parcels_after = plot_figures["untransferred_plots"] + transfer_figures["transfer_count"]
    q2 = Decimal("0.01")
    return {
        "contracted_area": contracted,
        "transferred_area": transferred,
        "transferred_percent": (100 * transferred / contracted).quantize(Decimal("0.1")) if contracted else ZERO,
        "plot_count": plot_figures["plot_count"],
        "transfer_count": transfer_figures["transfer_count"],
        "annual_rent": transfer_figures["rent"],
        "mean_plot_before": (plot_figures["mean_before"] or ZERO).quantize(q2),
        "mean_plot_after": (contracted / parcels_after).quantize(q2) if parcels_after else ZERO,
    }


def meetings_count(*, division: Division, start: datetime.date, end: datetime.date) -> int:
    """屋场会 held in a subtree from ``start`` to ``end`` (both inclusive), one query."""
    return HamletMeeting.objects.in_subtree(division).filter(held_on__gte=start, held_on__lte=end).count()


def attendee_candidates(*, queryset: Any, hamlet: Hamlet) -> QuerySet[Person]:
    """Who may be recorded at a 屋场会: the people of ``queryset`` (the caller's ``for_user``) living
    in the 屋场's village (the village itself and all its 屋场 — neighbours attend too), by place then
    name, their division joined for ``attendee_label``. The same rows for the form and its options
    view (``HamletAttendeeOptionsView``). ``queryset``: a ``ScopedQuerySet`` of ``Person``."""
    return queryset.in_subtree(hamlet.division.parent).select_related("division").order_by("division__path", "name")


def attendee_label(person: Person) -> str:
    """``姓名（屋场或村）``: two 张伟 of one village are told apart by where they live."""
    return f"{person.name}（{person.division.name}）"
