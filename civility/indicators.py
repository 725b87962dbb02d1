"""What civility adds to the leaders' dashboard."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility import rollup_sources  # noqa: F401  (declares the customs and volunteer-hours sources)
from civility.choices import EntrySource, EntryStatus, StationLevel, UnitStatus
from civility.models import PracticeStation
from civility.selectors import customs_counters, points_flow, service_circle, units_by_level, volunteer_hours
from governance.dates import month_start
from governance.registry import GOOD_UP, SNAPSHOT, Indicator, Rollup, RollupSource, RollupTrigger, registry


def _this_month(start, end) -> tuple[datetime.date, datetime.date | None]:
    if start is None and end is None:
        return month_start(timezone.localdate()), None
    return start, _after(end)


def _after(end: datetime.date | None) -> datetime.date | None:
    """Indicators take inclusive dates (as the dashboard's periods are); the selectors here stop before ``end``."""
    return end + datetime.timedelta(days=1) if end is not None else None


def _issued(*, division, start=None, end=None) -> int:
    return points_flow(division=division, start=_this_month(start, end)[0], end=_after(end))["issued"]


def _redeemed(*, division, start=None, end=None) -> int:
    return points_flow(division=division, start=_this_month(start, end)[0], end=_after(end))["redeemed"]


def _dissuaded(*, division, start=None, end=None) -> int:
    return customs_counters(division=division, start=start, end=_after(end))["dissuaded"]


def _simple_funerals(*, division, start=None, end=None) -> int:
    return customs_counters(division=division, start=start, end=_after(end))["simple_funerals"]


def _abstained(*, division, start=None, end=None) -> int:
    return customs_counters(division=division, start=start, end=_after(end))["officials_abstained"]


def _hours(*, division, start=None, end=None):
    return volunteer_hours(division=division, start=start, end=_after(end))


def _hours_total(hours, _denominator) -> Decimal:
    """志愿服务时长 as ``volunteer_hours`` gives it: a Decimal of hours (one decimal place)."""
    return Decimal(hours or 0).quantize(Decimal("0.1"))


def _stations(*, division, start=None, end=None) -> int:
    return PracticeStation.objects.in_subtree(division).filter(level=StationLevel.STATION).count()


_ENTRY_JOINS = (
    "JOIN civility_pointaccount a ON a.id = r.account_id JOIN governance_household h ON h.id = a.household_id"
)
# ``points_flow`` per division (the household's) and month of ``occurred_on``. A household moving to
# another division marks its entries' months in both.
registry.rollup_source(
    RollupSource(
        key="civility.points",
        from_sql=(
            "civility_pointentry t JOIN civility_pointaccount a ON a.id = t.account_id "
            "JOIN governance_household h ON h.id = a.household_id"
        ),
        division="h.division_id",
        day_column="t.occurred_on",
        where=f"t.status = '{EntryStatus.CONFIRMED}'",
        measures={
            "issued": (
                "COALESCE(sum(t.points) FILTER (WHERE (t.points > 0 AND t.source NOT IN "
                f"('{EntrySource.REDEMPTION}', '{EntrySource.REVERSAL}')) OR "
                f"(t.points < 0 AND t.source = '{EntrySource.REVERSAL}')), 0)"
            ),
            "redeemed": f"-COALESCE(sum(t.points) FILTER (WHERE t.source = '{EntrySource.REDEMPTION}'), 0)",
        },
        triggers=(
            RollupTrigger("civility_pointentry", division="h.division_id", day="r.occurred_on", joins=_ENTRY_JOINS),
            RollupTrigger(
                "governance_household",
                division="r.division_id",
                day="e.occurred_on",
                joins=(
                    "JOIN civility_pointaccount a ON a.household_id = r.id "
                    "JOIN civility_pointentry e ON e.account_id = a.id"
                ),
            ),
        ),
    )
)
# 新时代文明实践站 as they stand (stations only, not centres or institutes).
registry.rollup_source(
    RollupSource(
        key="civility.stations",
        from_sql="civility_practicestation t",
        where=f"t.level = '{StationLevel.STATION}'",
        measures={"stations": "count(*)"},
        triggers=(RollupTrigger("civility_practicestation"),),
    )
)
# 已命名文明单元 as they stand (``units_by_level``'s awarded column, every level).
registry.rollup_source(
    RollupSource(
        key="civility.units",
        from_sql="civility_civilityunit t",
        measures={"awarded": f"count(*) FILTER (WHERE t.status = '{UnitStatus.AWARDED}')"},
        triggers=(RollupTrigger("civility_civilityunit"),),
    )
)
ROLLUPS = {
    "civility.points_issued": Rollup("civility.points", "issued"),
    "civility.points_redeemed": Rollup("civility.points", "redeemed"),
    "civility.dissuaded": Rollup("civility.dissuasions", "dissuaded"),
    "civility.no_occasion_dissuaded": Rollup("civility.dissuasions", "no_occasion"),
    "civility.simple_funerals": Rollup("civility.simple_funerals", "simple_funerals"),
    "civility.officials_abstained": Rollup("civility.abstentions", "abstained"),
    "civility.volunteer_hours": Rollup("civility.volunteer_hours", "person_hours", finish=_hours_total),
    "civility.stations": Rollup("civility.stations", "stations", kind=SNAPSHOT),
}

for key, title, compute, unit, order in [
    ("civility.points_issued", _("本月发放积分"), _issued, _("分"), 60),
    ("civility.points_redeemed", _("本月兑换积分"), _redeemed, _("分"), 61),
    ("civility.dissuaded", _("劝阻无事酒、大操大办"), _dissuaded, _("起"), 62),
    ("civility.simple_funerals", _("丧事简办"), _simple_funerals, _("起"), 63),
    ("civility.officials_abstained", _("党员干部带头不办酒"), _abstained, _("人"), 64),
    ("civility.volunteer_hours", _("志愿服务时长"), _hours, _("小时"), 65),
    ("civility.stations", _("新时代文明实践站"), _stations, _("个"), 66),
]:
    # Stations are counted as they stand, not over a period.
    charts = ("by_child", "by_month") if key in ("civility.points_issued", "civility.points_redeemed") else ()
    registry.indicator(
        # More points issued and redeemed, dissuasions, simple funerals and service hours are all better.
        Indicator(
            key,
            title,
            "civility",
            compute,
            unit,
            order,
            dated=key != "civility.stations",
            charts=charts,
            good=GOOD_UP,
            rollup=ROLLUPS.get(key),
        )
    )


def _no_occasion(*, division, start=None, end=None) -> int:
    return customs_counters(division=division, start=start, end=_after(end))["no_occasion_dissuaded"]


def _circle_rate(*, division, start=None, end=None):
    """15 分钟服务圈覆盖率: located 屋场/小区 within 1.2 km straight-line of a 阵地 ÷ all located ones, %."""
    return service_circle(division=division).rate


def _circle_finish(covered, places) -> Decimal | None:
    """The rate as ``ServiceCircle.rate`` gives it: covered × 100 ÷ places to 0.1, None without places."""
    if not places:
        return None
    return (Decimal(covered) * 100 / Decimal(places)).quantize(Decimal("0.1"))


def _units_awarded(*, division, start=None, end=None) -> int:
    return sum(row[UnitStatus.AWARDED] for row in units_by_level(division=division))


registry.indicator(
    Indicator(
        "civility.no_occasion_dissuaded",
        _("劝阻“无事酒”"),
        "civility",
        _no_occasion,
        _("起"),
        67,
        good=GOOD_UP,
        rollup=ROLLUPS["civility.no_occasion_dissuaded"],
    )
)
registry.indicator(
    Indicator(
        "civility.service_circle_rate",
        _("15分钟服务圈覆盖率"),
        "civility",
        _circle_rate,
        "%",
        68,
        dated=False,
        good=GOOD_UP,
        rollup=Rollup("civility.service_circle", "covered", "places", SNAPSHOT, _circle_finish),
    )
)
registry.indicator(
    Indicator(
        "civility.units_awarded",
        _("已命名文明单元（8+N）"),
        "civility",
        _units_awarded,
        _("个"),
        69,
        dated=False,
        good=GOOD_UP,
        rollup=Rollup("civility.units", "awarded", kind=SNAPSHOT),
    )
)
