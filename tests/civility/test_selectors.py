"""Customs counters, volunteer hours and the dashboard indicators: the right figure for a subtree and
period, in a number of queries that does not grow with the rows."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from civility.models import (
    BanquetAbstention,
    BanquetKind,
    CivilityUnit,
    Dissuasion,
    DissuasionOutcome,
    EntrySource,
    PlaceLocation,
    PointCategory,
    StationLevel,
    UnitKind,
)
from civility.selectors import customs_counters, volunteer_hours
from civility.services import RedemptionRequest, entry_reverse, points_record, points_redeem
from governance.registry import registry
from tests.civility.factories import (
    BanquetDeclarationFactory,
    PointRuleFactory,
    PracticeStationFactory,
    RewardItemFactory,
    ServiceActivityFactory,
    ShopFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    account_in,
)
from tests.factories import DivisionFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

YEAR = (datetime.date(2025, 1, 1), datetime.date(2026, 1, 1))
IN_YEAR = datetime.date(2025, 5, 20)
BEFORE = datetime.date(2024, 12, 31)

CIVILITY_INDICATORS = sorted(key for key in registry.indicators if key.startswith("civility."))
# Points figures default to the current month; the others are asked for a year.
PER_MONTH = {"civility.points_issued", "civility.points_redeemed"}


def figure(key: str, division, start=None, end=None):
    return registry.indicators[key].compute(division=division, start=start, end=end)


# --- the customs counters (the seed's 424 / 805 / 179) ------------------------------------------


def dissuasion(division, outcome, day=IN_YEAR):
    declaration = BanquetDeclarationFactory(
        household=HouseholdFactory(division=division), tables=40, is_flagged=True, violations=["tables"]
    )
    return Dissuasion.objects.create(declaration=declaration, outcome=outcome, occurred_on=day)


def funeral(division, day=IN_YEAR, **kwargs):
    values = {"kind": BanquetKind.FUNERAL, "is_simple": True, "is_flagged": False, "held_on": day, **kwargs}
    return BanquetDeclarationFactory(household=HouseholdFactory(division=division), **values)


def abstention(division, day=IN_YEAR):
    return BanquetAbstention.objects.create(
        person=PersonFactory(division=division), kind=BanquetKind.BIRTHDAY, occurred_on=day
    )


@pytest.fixture
def customs(divisions):
    v11, v12, v21 = divisions["v11"], divisions["v12"], divisions["v21"]
    dissuasion(v11, DissuasionOutcome.DISSUADED)
    dissuasion(v12, DissuasionOutcome.SCALED_DOWN)
    dissuasion(v11, DissuasionOutcome.HELD_ANYWAY)  # not dissuaded
    dissuasion(v11, DissuasionOutcome.DISSUADED, day=BEFORE)  # outside the period
    dissuasion(v21, DissuasionOutcome.DISSUADED)  # outside the subtree
    funeral(v11)
    funeral(v12)
    funeral(v11, is_simple=False)
    funeral(v11, tables=40, is_flagged=True, violations=["tables"])  # called simple, but over the caps
    funeral(v11, kind=BanquetKind.WEDDING)
    funeral(v11, held_on=BEFORE)
    funeral(v21)
    abstention(v11)
    abstention(v11)
    abstention(v12, day=BEFORE)
    abstention(v21)


def test_customs_counters_count_a_subtree_and_period(customs, divisions):
    assert customs_counters(division=divisions["t1"], start=YEAR[0], end=YEAR[1]) == {
        "dissuaded": 2,
        "no_occasion_dissuaded": 0,
        "simple_funerals": 2,
        "officials_abstained": 2,
    }
    assert customs_counters(division=divisions["v11"], start=YEAR[0], end=YEAR[1]) == {
        "dissuaded": 1,
        "no_occasion_dissuaded": 0,
        "simple_funerals": 1,
        "officials_abstained": 2,
    }
    assert customs_counters(division=divisions["district"]) == {
        "dissuaded": 4,
        "no_occasion_dissuaded": 0,
        "simple_funerals": 4,
        "officials_abstained": 4,
    }


def test_customs_indicators_give_the_counters(customs, divisions):
    assert figure("civility.dissuaded", divisions["t1"], *YEAR) == 2
    assert figure("civility.simple_funerals", divisions["t1"], *YEAR) == 2
    assert figure("civility.officials_abstained", divisions["t1"], *YEAR) == 2


# --- volunteers ----------------------------------------------------------------------------------


def activity(division, hours, participants: int, day=IN_YEAR, level=StationLevel.STATION):
    made = ServiceActivityFactory(
        team=VolunteerTeamFactory(station=PracticeStationFactory(division=division, level=level)),
        hours=Decimal(hours),
        held_on=day,
    )
    made.participants.add(*[VolunteerFactory(person=PersonFactory(division=division)) for _i in range(participants)])
    return made


def test_volunteer_hours_are_person_hours_of_a_subtree_and_period(divisions):
    activity(divisions["v11"], "2.5", 3)
    activity(divisions["v12"], "2", 1)
    activity(divisions["t1"], "4", 2, level=StationLevel.INSTITUTE)
    activity(divisions["v11"], "3", 0)
    activity(divisions["v11"], "9", 1, day=BEFORE)
    activity(divisions["v21"], "9", 1)

    assert volunteer_hours(division=divisions["t1"], start=YEAR[0], end=YEAR[1]) == Decimal("17.5")
    assert volunteer_hours(division=divisions["v11"], start=YEAR[0], end=YEAR[1]) == Decimal("7.5")
    assert figure("civility.volunteer_hours", divisions["t1"], *YEAR) == Decimal("17.5")
    assert figure("civility.volunteer_hours", divisions["district"]) == Decimal("35.5")


def test_station_indicator_counts_village_stations_of_the_subtree(divisions):
    PracticeStationFactory(division=divisions["district"], level=StationLevel.CENTRE)
    PracticeStationFactory(division=divisions["t1"], level=StationLevel.INSTITUTE)
    PracticeStationFactory(division=divisions["v11"])
    PracticeStationFactory(division=divisions["v12"])
    PracticeStationFactory(division=divisions["v21"])

    assert figure("civility.stations", divisions["t1"]) == 2
    assert figure("civility.stations", divisions["district"]) == 3


# --- points issued and redeemed this month -------------------------------------------------------


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def record(account, rule, key, day=None, **kwargs):
    entry, _created = points_record(
        account=account,
        rule=rule,
        occurred_on=day or this_month(),
        recorded_by=None,
        idempotency_key=key,
        **kwargs,
    )
    return entry


@pytest.fixture
def flow(divisions, officer):
    award = PointRuleFactory(points=20, division=divisions["district"])
    deduction = PointRuleFactory(points=-3, category=PointCategory.DEDUCTION, division=divisions["district"])
    mine = account_in(divisions["v11"])
    record(mine, award, "award")
    record(mine, award, "mistake", points=6)
    entry_reverse(account=mine, entry=mine.entries.get(idempotency_key="mistake"), by=officer, reason="录错户")
    record(mine, deduction, "litter")
    entry_reverse(account=mine, entry=mine.entries.get(idempotency_key="litter"), by=officer, reason="误扣")
    record(mine, award, "pending", source=EntrySource.SELF_REPORT)  # not confirmed: not issued
    record(mine, award, "last-month", day=this_month() - datetime.timedelta(days=1))
    item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"]), points_price=10)
    points_redeem(account=mine, shop=item.shop, lines=[RedemptionRequest(item, 1)], operator=None, idempotency_key="r")
    record(account_in(divisions["v21"]), award, "elsewhere", points=7)


def test_points_issued_this_month_count_awards_net_of_corrections(flow, divisions):
    # 20 awarded; 6 awarded then taken back; a deduction and its reversal issue nothing.
    assert figure("civility.points_issued", divisions["t1"]) == 20
    assert figure("civility.points_issued", divisions["district"]) == 27


def test_points_redeemed_this_month_is_the_shops_takings(flow, divisions):
    assert figure("civility.points_redeemed", divisions["t1"]) == 10
    assert figure("civility.points_redeemed", divisions["t2"]) == 0


def test_points_indicators_take_an_explicit_period(flow, divisions):
    # Indicators take inclusive dates: last month is its first day to its last.
    last_day = this_month() - datetime.timedelta(days=1)
    assert figure("civility.points_issued", divisions["t1"], last_day.replace(day=1), last_day) == 20
    assert figure("civility.points_redeemed", divisions["t1"], last_day.replace(day=1), last_day) == 0


# --- query counts --------------------------------------------------------------------------------


def grow(divisions, n: int) -> None:
    """``n`` more rows of everything the indicators read, in village v11."""
    v11 = divisions["v11"]
    award = PointRuleFactory(code="GROW", points=5, division=divisions["district"])
    item = RewardItemFactory(shop=ShopFactory(division=v11), points_price=5)
    for _i in range(n):
        account = account_in(v11)
        record(account, award, "grow")
        points_redeem(
            account=account,
            shop=item.shop,
            lines=[RedemptionRequest(item, 1)],
            operator=None,
            idempotency_key=f"g{account.pk}",
        )
        record(account, award, "grow-again")
        dissuasion(v11, DissuasionOutcome.DISSUADED)
        funeral(v11)
        abstention(v11)
        activity(v11, "2", 2)
        grow_issue16(divisions)


def grow_issue16(divisions) -> None:
    """One more of each row issue 16's indicators read: a 无事酒 dissuaded, an awarded 文明单元 and a
    located 屋场 within 1.2 km of v11's station (with, the first time, the station and one 屋场 beyond)."""
    v11 = divisions["v11"]
    declaration = BanquetDeclarationFactory(household=HouseholdFactory(division=v11), kind=BanquetKind.NO_OCCASION)
    Dissuasion.objects.create(
        declaration=declaration, kind="no_occasion", outcome=DissuasionOutcome.DISSUADED, occurred_on=IN_YEAR
    )
    kind, _created = UnitKind.objects.get_or_create(
        division=divisions["district"], code="village", defaults={"name": "文明村", "level": "village"}
    )
    n = CivilityUnit.objects.count() + PlaceLocation.objects.count()
    CivilityUnit.objects.create(kind=kind, division=v11, name=f"单元{n}", applied_on=IN_YEAR, status="awarded")
    if not PlaceLocation.objects.exists():
        PracticeStationFactory(division=v11, latitude=Decimal("27.7"), longitude=Decimal("112"))
        far = DivisionFactory(code=f"{v11.code}900", name="远屋场", level="hamlet", parent=v11)
        PlaceLocation.objects.create(division=far, latitude=Decimal("27.8"), longitude=Decimal("112"))
    near = DivisionFactory(code=f"{v11.code}{n + 1:03d}", name=f"屋场{n}", level="hamlet", parent=v11)
    PlaceLocation.objects.create(division=near, latitude=Decimal("27.701"), longitude=Decimal("112"))


@pytest.mark.parametrize("key", CIVILITY_INDICATORS)
def test_indicator_query_count_does_not_grow_with_rows(divisions, key):
    period = () if key in PER_MONTH else YEAR
    grow(divisions, 3)
    with CaptureQueriesContext(connection) as few:
        small = figure(key, divisions["t1"], *period)
    grow(divisions, 27)
    with CaptureQueriesContext(connection) as many:
        large = figure(key, divisions["t1"], *period)

    assert large > small
    assert len(many) == len(few)
