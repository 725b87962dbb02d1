"""Services of customs reform (移风易俗), volunteers and the points shop's operators, called directly
(and the demo keeping its shop operator at its own shop)."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from civility.choices import ActivityKind
from civility.models import (
    BanquetDeclaration,
    BanquetKind,
    Dissuasion,
    DissuasionOutcome,
    EntrySource,
    PointEntry,
    Redemption,
    RewardItem,
    Shop,
)
from civility.services import (
    ERR_ACTIVITY_CONVERTED,
    ERR_BANQUET_NEGATIVE,
    ERR_DECLARATION_NOT_FLAGGED,
    ERR_NOT_SHOP_OPERATOR,
    ERR_RULE_INACTIVE,
    RULE_BANQUET_OVER_CAP,
    RULE_PATROL_HOUR,
    RULE_SIMPLE_FUNERAL,
    RULE_VOLUNTEER_HOUR,
    RedemptionRequest,
    activity_convert,
    banquet_declare,
    dissuasion_record,
    ledger_verify,
    points_redeem,
)
from civility.services.volunteers import hours_points_award
from governance.models import HouseholdMember, Relation, Role, RoleAssignment, User
from tests.civility.factories import (
    PointRuleFactory,
    RewardItemFactory,
    ServiceActivityFactory,
    ShopFactory,
    VillageRuleFactory,
    VolunteerFactory,
    account_in,
)
from tests.errors import codes
from tests.factories import HouseholdFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db

MAY = datetime.date(2025, 5, 10)


def declare(household, **kwargs):
    values = {"kind": BanquetKind.WEDDING, "held_on": MAY, "tables": 8, "days": 1, "gift_money": Decimal(100)}
    return banquet_declare(household=household, **{**values, **kwargs})


@pytest.fixture
def customs_rules(divisions):
    """The village's caps (10 tables, 1 day, 100 元, no 无事酒) and the two customs rules."""
    VillageRuleFactory(division=divisions["v11"], tables_cap=10, days_cap=1, gift_money_cap=100)
    return {
        "deduction": PointRuleFactory(code=RULE_BANQUET_OVER_CAP, points=-20, division=divisions["district"]),
        "reward": PointRuleFactory(code=RULE_SIMPLE_FUNERAL, points=20, division=divisions["district"]),
    }


@pytest.fixture
def home(divisions):
    return HouseholdFactory(division=divisions["v11"], with_head=True)


# --- banquet caps --------------------------------------------------------------------------------


def test_banquet_within_the_caps_is_not_flagged_and_cannot_be_dissuaded(customs_rules, home, officer):
    declaration = declare(home, tables=10, gift_money=Decimal(100))

    assert not declaration.is_flagged and declaration.violations == []
    with pytest.raises(ValidationError) as exc:
        dissuasion_record(
            declaration=declaration, outcome=DissuasionOutcome.HELD_ANYWAY, occurred_on=MAY, officer=officer
        )
    assert codes(exc, "declaration") == [ERR_DECLARATION_NOT_FLAGGED]
    assert not Dissuasion.objects.exists() and not PointEntry.objects.exists()


def test_banquet_over_each_cap_is_flagged_naming_every_broken_cap(customs_rules, home):
    declaration = declare(home, kind=BanquetKind.NO_OCCASION, tables=11, days=2, gift_money=Decimal("100.01"))

    declaration.refresh_from_db()
    assert declaration.is_flagged
    assert declaration.violations == ["banned_kind", "tables", "days", "gift_money"]
    assert not PointEntry.objects.exists()  # flagged, not yet punished: the officer dissuades first


def test_flagged_banquet_held_anyway_records_dissuasion_and_the_rule_driven_deduction(customs_rules, home, officer):
    declaration = declare(home, tables=30)

    dissuasion = dissuasion_record(
        declaration=declaration, outcome=DissuasionOutcome.HELD_ANYWAY, occurred_on=MAY, officer=officer
    )

    entry = dissuasion.entry
    assert entry.rule == customs_rules["deduction"] and entry.points == -20 and entry.source == EntrySource.BANQUET
    assert entry.account.household == home and entry.occurred_on == MAY
    home.point_account.refresh_from_db()
    assert home.point_account.balance == -20


@pytest.mark.parametrize("outcome", [DissuasionOutcome.DISSUADED, DissuasionOutcome.SCALED_DOWN])
def test_dissuaded_banquet_costs_nothing(customs_rules, home, officer, outcome):
    declaration = declare(home, tables=30)

    dissuasion = dissuasion_record(declaration=declaration, outcome=outcome, occurred_on=MAY, officer=officer)

    assert dissuasion.entry is None and not PointEntry.objects.exists()


def test_a_banquet_is_dissuaded_once(customs_rules, home, officer):
    declaration = declare(home, tables=30)
    dissuasion_record(declaration=declaration, outcome=DissuasionOutcome.HELD_ANYWAY, occurred_on=MAY, officer=officer)

    with pytest.raises(ValidationError):
        dissuasion_record(
            declaration=declaration, outcome=DissuasionOutcome.HELD_ANYWAY, occurred_on=MAY, officer=officer
        )
    assert Dissuasion.objects.count() == 1 and PointEntry.objects.count() == 1


def test_simple_funeral_within_the_caps_earns_the_reward_once(customs_rules, home, officer):
    declaration = declare(home, kind=BanquetKind.FUNERAL, tables=5, is_simple=True, declared_by=officer)

    entry = PointEntry.objects.get()
    assert entry.rule == customs_rules["reward"] and entry.points == 20 and entry.source == EntrySource.BANQUET
    assert entry.idempotency_key == f"banquet:{declaration.pk}" and entry.recorded_by == officer


@pytest.mark.parametrize(
    "kwargs",
    [
        {"kind": BanquetKind.FUNERAL, "is_simple": True, "tables": 30},  # simple in name, over the cap
        {"kind": BanquetKind.FUNERAL, "is_simple": False},
        {"kind": BanquetKind.WEDDING, "is_simple": True},
    ],
    ids=["over_cap", "not_simple", "not_a_funeral"],
)
def test_no_simple_funeral_reward_otherwise(customs_rules, home, kwargs):
    declare(home, **kwargs)

    assert not PointEntry.objects.exists()


@pytest.mark.parametrize("field", ["tables", "gift_money"])
def test_declaration_with_a_negative_figure_is_refused_and_nothing_written(customs_rules, home, field):
    with pytest.raises(ValidationError) as exc:
        declare(home, **{field: -1})

    assert codes(exc, field) == [ERR_BANQUET_NEGATIVE]
    assert not BanquetDeclaration.objects.exists() and not PointEntry.objects.exists()


# --- volunteer hours -----------------------------------------------------------------------------


@pytest.fixture
def hour_rule(divisions):
    return PointRuleFactory(code=RULE_VOLUNTEER_HOUR, points=2, monthly_cap=None, division=divisions["district"])


def member(household, relation=Relation.HEAD):
    person = PersonFactory(division=household.division)
    HouseholdMember.objects.create(household=household, person=person, relation=relation)
    return VolunteerFactory(person=person)


def test_activity_converts_hours_to_entries_per_household_once(hour_rule, divisions):
    one = HouseholdFactory(division=divisions["v11"])
    two = HouseholdFactory(division=divisions["v11"])
    activity = ServiceActivityFactory(hours=Decimal("2.5"), held_on=MAY)
    activity.participants.add(
        member(one),
        member(two),
        member(two, Relation.SPOUSE),
        VolunteerFactory(),  # the last has no household
    )

    assert activity_convert(activity=activity) == 2

    entries = {e.account.household_id: e for e in PointEntry.objects.select_related("account")}
    assert entries[one.pk].points == 5  # 2.5 h × 2 points
    assert entries[two.pk].points == 10  # two of its members served
    assert all(e.source == EntrySource.VOLUNTEER and e.occurred_on == MAY for e in entries.values())
    activity.refresh_from_db()
    assert activity.converted_at is not None


def test_household_at_the_hours_cap_gets_what_is_left_and_does_not_hold_up_the_others(divisions):
    rule = PointRuleFactory(code=RULE_VOLUNTEER_HOUR, points=2, monthly_cap=12, division=divisions["district"])
    busy = HouseholdFactory(division=divisions["v11"])
    other = HouseholdFactory(division=divisions["v11"])
    busy_volunteer, other_volunteer = member(busy), member(other)
    earlier = ServiceActivityFactory(hours=5, held_on=MAY)
    earlier.participants.add(busy_volunteer)
    activity_convert(activity=earlier)  # 10 of the 12
    activity = ServiceActivityFactory(hours=3, held_on=MAY)
    activity.participants.add(busy_volunteer, other_volunteer)

    assert activity_convert(activity=activity) == 2

    points = {
        e.account.household_id: e.points
        for e in PointEntry.objects.filter(rule=rule, idempotency_key__contains=f":{activity.pk}:")
    }
    assert points == {busy.pk: 2, other.pk: 6}
    full = ServiceActivityFactory(hours=1, held_on=MAY)
    full.participants.add(busy_volunteer)
    assert activity_convert(activity=full) == 0
    busy.point_account.refresh_from_db()
    assert busy.point_account.balance == 12


def test_converting_an_activity_twice_creates_nothing_more(hour_rule, divisions):
    activity = ServiceActivityFactory(hours=2, held_on=MAY)
    activity.participants.add(member(HouseholdFactory(division=divisions["v11"])))
    activity_convert(activity=activity)
    converted_at = type(activity).objects.get(pk=activity.pk).converted_at

    with pytest.raises(ValidationError) as exc:
        activity_convert(activity=activity)

    assert codes(exc, "activity") == [ERR_ACTIVITY_CONVERTED]
    assert PointEntry.objects.count() == 1
    assert type(activity).objects.get(pk=activity.pk).converted_at == converted_at


def test_activity_and_patrol_hours_share_one_rule_and_its_monthly_cap(divisions):
    """Issue 13: a patrol activity converts through ``hours_points_award`` — the patrol rule (XF-01),
    the same cap as the patrol logs' hours, the same ``activity:<id>:<household>`` key."""
    PointRuleFactory(code=RULE_VOLUNTEER_HOUR, points=1, division=divisions["district"])
    patrol = PointRuleFactory(code=RULE_PATROL_HOUR, points=3, monthly_cap=10, division=divisions["district"])
    home = HouseholdFactory(division=divisions["v11"])
    volunteer = member(home)
    # a patrol log of security's (through the registry's ``points.hours_award``) took 6 of May's 10
    assert (
        hours_points_award(persons=[volunteer.person], hours=Decimal(2), occurred_on=MAY, key="log:1", note="巡防") == 1
    )
    activity = ServiceActivityFactory(hours=Decimal("2.5"), held_on=MAY, kind=ActivityKind.PATROL)
    activity.participants.add(volunteer)

    assert activity_convert(activity=activity) == 1

    entry = PointEntry.objects.get(idempotency_key=f"activity:{activity.pk}:{home.pk}")
    assert (entry.rule_id, entry.points) == (patrol.pk, 4)  # 7.5 rounded down, cut to the 4 left
    assert entry.note == str(activity)
    # the same key through the shared rule writes nothing twice
    again = hours_points_award(
        persons=[volunteer.person], hours=Decimal(1), occurred_on=MAY, key=f"activity:{activity.pk}", note="x"
    )
    assert again == 0
    home.point_account.refresh_from_db()
    assert home.point_account.balance == 10


def test_converting_without_an_hours_rule_is_refused_naming_rule(divisions):
    activity = ServiceActivityFactory(hours=2, held_on=MAY)
    activity.participants.add(member(HouseholdFactory(division=divisions["v11"])))

    with pytest.raises(ValidationError) as exc:
        activity_convert(activity=activity)

    assert codes(exc, "rule") == [ERR_RULE_INACTIVE]
    assert not PointEntry.objects.exists()
    assert type(activity).objects.get(pk=activity.pk).converted_at is None


# --- the shop's own operators --------------------------------------------------------------------


def test_only_an_operator_of_the_shop_can_redeem_there(divisions):
    account = account_in(divisions["v11"], balance=50)
    mine = user_with_role(Role.SHOP_OPERATOR, divisions["v11"])
    neighbour = user_with_role(Role.SHOP_OPERATOR, divisions["v11"])
    item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"], operators=[mine]), points_price=10, stock=5)
    ShopFactory(division=divisions["v11"], operators=[neighbour])
    lines = [RedemptionRequest(item, 1)]

    with pytest.raises(ValidationError) as exc:
        points_redeem(account=account, shop=item.shop, lines=lines, operator=neighbour, idempotency_key="n")
    assert codes(exc, "shop") == [ERR_NOT_SHOP_OPERATOR]
    account.refresh_from_db()
    assert account.balance == 50 and not Redemption.objects.exists()
    assert RewardItem.objects.get(pk=item.pk).stock == 5

    redemption, created = points_redeem(
        account=account, shop=item.shop, lines=lines, operator=mine, idempotency_key="m"
    )
    assert created and redemption.operator == mine


def test_seed_demo_makes_the_demo_shop_operator_an_operator_of_its_villages_shop():
    steps = ["governance.divisions", "civility.shops", "governance.accounts", "civility.shop_operators"]
    for _run in range(2):  # idempotent
        call_command("seed_demo", *[arg for step in steps for arg in ("--only", step)], stdout=io.StringIO())

    operator = User.objects.get(username="demo_shop_operator")
    village = RoleAssignment.objects.get(user=operator, role=Role.SHOP_OPERATOR).division
    assert list(operator.point_shops.all()) == list(Shop.objects.filter(division=village)) != []
    assert Shop.operators.through.objects.count() == 1


def test_seed_demo_ledger_holds_its_hash_chain_and_balances():
    steps = ["governance.divisions", "governance.households", "civility.rules", "civility.ledger"]
    call_command(
        "seed_demo", "--households", "20", *[arg for step in steps for arg in ("--only", step)], stdout=io.StringIO()
    )

    assert PointEntry.objects.exists()
    assert ledger_verify() == []
