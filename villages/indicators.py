"""What the villages app adds to the leaders' dashboard."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import connection
from django.db.models import BooleanField, ExpressionWrapper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.registry import GOOD_UP, SNAPSHOT, Indicator, Rollup, RollupSource, RollupTrigger, registry
from villages.choices import ZERO, TransferStatus
from villages.models import Hamlet
from villages.querysets import any_gap, completeness_conditions
from villages.selectors import hamlet_completeness, land_figures, meetings_count


def _hamlets(*, division, start=None, end=None) -> int:
    return Hamlet.objects.in_subtree(division).count()


def _completeness(*, division, start=None, end=None) -> float:
    return hamlet_completeness(division=division)["percent"]


def _transferred_area(*, division, start=None, end=None):
    return land_figures(division=division)["transferred_area"]


def _transferred_share(*, division, start=None, end=None):
    return land_figures(division=division)["transferred_percent"]


def _area(area, _denominator) -> Decimal:
    """土地流转面积 as ``land_figures`` gives it: 亩, a Decimal."""
    return Decimal(area or 0)


def _share(transferred, contracted) -> Decimal:
    """流转面积占承包地 as ``land_figures`` gives it: transferred × 100 ÷ contracted to 0.1, 0 without plots."""
    return (100 * Decimal(transferred) / Decimal(contracted)).quantize(Decimal("0.1")) if contracted else ZERO


# ``land_figures``' areas as they stand: active contract plots (the household's division) and active
# transfers (the 屋场's division), from one UNION ALL.
registry.rollup_source(
    RollupSource(
        key="villages.land",
        from_sql=(
            "(SELECT h.division_id, p.area AS contracted, 0::numeric AS transferred FROM villages_contractplot p "
            "JOIN governance_household h ON h.id = p.household_id WHERE p.is_active "
            "UNION ALL SELECT w.division_id, 0, x.area FROM villages_landtransfer x "
            f"JOIN villages_hamlet w ON w.id = x.hamlet_id WHERE x.status = '{TransferStatus.ACTIVE}') t"
        ),
        measures={
            "contracted": "COALESCE(sum(t.contracted), 0)",
            "transferred": "COALESCE(sum(t.transferred), 0)",
        },
        triggers=(
            RollupTrigger(
                "villages_contractplot",
                division="h.division_id",
                joins="JOIN governance_household h ON h.id = r.household_id",
            ),
            RollupTrigger(
                "villages_landtransfer", division="w.division_id", joins="JOIN villages_hamlet w ON w.id = r.hamlet_id"
            ),
            RollupTrigger("governance_household", division="r.division_id"),
            RollupTrigger("villages_hamlet", division="r.division_id"),
        ),
    )
)


def _meetings(*, division, start: datetime.date | None = None, end: datetime.date | None = None) -> int:
    today = timezone.localdate()
    start = start or today.replace(day=1)
    end = end or today
    return meetings_count(division=division, start=start, end=end)


def _hamlets_sql() -> str:
    """Each 屋场's division and whether it is complete, by the same conditions as ``hamlet_completeness``
    (compiled from the ORM, so the rule is written once), as a FROM item ``t``."""
    complete = ExpressionWrapper(~any_gap(completeness_conditions()), output_field=BooleanField())
    query = Hamlet.objects.annotate(complete=complete).values("division_id", "complete").order_by().query
    sql, params = query.sql_with_params()
    return f"({connection.ops.compose_sql(sql, params)}) t"


def _percent(complete, total) -> float | None:
    """三屋同治完整率 as ``hamlet_completeness`` gives it: one decimal; ``None`` (无数据) without 屋场."""
    return round(100 * int(complete) / int(total), 1) if total else None


# How things stand (current posts: recomputed daily too). A 屋场's completeness changes with its
# division's bodies, their posts and the political status of the people holding them.
registry.rollup_source(
    RollupSource(
        key="villages.completeness",
        from_sql=_hamlets_sql,
        measures={"hamlets": "count(*)", "complete": "count(*) FILTER (WHERE t.complete)"},
        triggers=(
            RollupTrigger("villages_hamlet"),
            RollupTrigger("governance_organization"),
            RollupTrigger(
                "governance_post",
                division="o.division_id",
                joins="JOIN governance_organization o ON o.id = r.organization_id",
            ),
            RollupTrigger(
                "governance_person",
                division="o.division_id",
                joins=(
                    "JOIN governance_post p ON p.person_id = r.id "
                    "JOIN governance_organization o ON o.id = p.organization_id"
                ),
            ),
        ),
        volatile=True,
    )
)

# 屋场会 per division (the 屋场's) and month held (``meetings_count``'s rows).
registry.rollup_source(
    RollupSource(
        key="villages.meetings",
        from_sql="villages_hamletmeeting t JOIN villages_hamlet h ON h.id = t.hamlet_id",
        division="h.division_id",
        day_column="t.held_on",
        measures={"meetings": "count(*)"},
        triggers=(
            RollupTrigger(
                "villages_hamletmeeting",
                division="h.division_id",
                day="r.held_on",
                joins="JOIN villages_hamlet h ON h.id = r.hamlet_id",
            ),
            RollupTrigger(
                "villages_hamlet",
                division="r.division_id",
                day="m.held_on",
                joins="JOIN villages_hamletmeeting m ON m.hamlet_id = r.id",
            ),
        ),
    )
)

registry.indicator(
    Indicator(
        "villages.hamlets",
        _("屋场"),
        "organisation",
        _hamlets,
        _("个"),
        30,
        dated=False,
        rollup=Rollup("villages.completeness", "hamlets", kind=SNAPSHOT),
    )
)
registry.indicator(
    Indicator(
        "villages.completeness",
        _("三屋同治完整率"),
        "organisation",
        _completeness,
        "%",
        31,
        dated=False,
        charts=("by_child",),
        rollup=Rollup("villages.completeness", "complete", "hamlets", SNAPSHOT, _percent),
    )
)
registry.indicator(
    Indicator(
        "villages.transferred_area",
        _("土地流转面积"),
        "organisation",
        _transferred_area,
        _("亩"),
        32,
        dated=False,
        rollup=Rollup("villages.land", "transferred", kind=SNAPSHOT, finish=_area),
    )
)
registry.indicator(
    Indicator(
        "villages.transferred_share",
        _("流转面积占承包地"),
        "organisation",
        _transferred_share,
        "%",
        33,
        dated=False,
        rollup=Rollup("villages.land", "transferred", "contracted", SNAPSHOT, _share),
    )
)
registry.indicator(
    Indicator(
        "villages.meetings",
        _("屋场会（本月）"),
        "organisation",
        _meetings,
        _("次"),
        34,
        good=GOOD_UP,
        rollup=Rollup("villages.meetings", "meetings"),
    )
)
