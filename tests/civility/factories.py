"""factory_boy factories of the civility app."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from civility.choices import EntrySource
from civility.models import (
    BanquetDeclaration,
    BanquetKind,
    PointAccount,
    PointCategory,
    PointRule,
    PracticeStation,
    RewardItem,
    ServiceActivity,
    Shop,
    StationLevel,
    VillageRule,
    Volunteer,
    VolunteerBrand,
    VolunteerTeam,
)
from civility.services import points_record
from tests.factories import DivisionFactory, HouseholdFactory, PersonFactory


class PointRuleFactory(DjangoModelFactory):
    class Meta:
        model = PointRule
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n:04d}")
    behaviour = factory.Sequence(lambda n: f"好人好事{n}")
    category = PointCategory.FILIAL
    points = 5
    division = factory.SubFactory(DivisionFactory)
    active_from = datetime.date(2024, 1, 1)


class PointAccountFactory(DjangoModelFactory):
    class Meta:
        model = PointAccount

    household = factory.SubFactory(HouseholdFactory)


def account_in(division, balance: int = 0, rule: PointRule | None = None) -> PointAccount:
    """An account of a new household in ``division``, funded with ``balance`` points (one confirmed entry)."""
    account = PointAccountFactory(household=HouseholdFactory(division=division, with_head=True))
    if balance:
        rule = rule or PointRuleFactory(code="FUND", points=1, division=division)
        points_record(
            account=account,
            rule=rule,
            occurred_on=datetime.date(2025, 6, 1),
            recorded_by=None,
            source=EntrySource.MANUAL,
            idempotency_key="fund",
            points=balance,
        )
        account.refresh_from_db()
    return account


class ShopFactory(DjangoModelFactory):
    class Meta:
        model = Shop
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"积分超市{n}")
    division = factory.SubFactory(DivisionFactory)

    @factory.post_generation
    def operators(self, create, extracted, **kwargs):
        """``ShopFactory(operators=[user])``: the users who may hand goods over at the shop."""
        if create and extracted:
            self.operators.add(*extracted)


class RewardItemFactory(DjangoModelFactory):
    class Meta:
        model = RewardItem

    shop = factory.SubFactory(ShopFactory)
    name = factory.Sequence(lambda n: f"洗衣粉{n}")
    points_price = 10
    stock = 100


class VillageRuleFactory(DjangoModelFactory):
    class Meta:
        model = VillageRule

    division = factory.SubFactory(DivisionFactory)
    gift_money_cap = 100
    tables_cap = 20
    days_cap = 1
    banned_kinds = [BanquetKind.NO_OCCASION]


class BanquetDeclarationFactory(DjangoModelFactory):
    class Meta:
        model = BanquetDeclaration

    household = factory.SubFactory(HouseholdFactory)
    kind = BanquetKind.WEDDING
    held_on = datetime.date(2025, 5, 1)
    tables = 10
    days = 1
    gift_money = 100


class PracticeStationFactory(DjangoModelFactory):
    class Meta:
        model = PracticeStation

    name = factory.Sequence(lambda n: f"文明实践站{n}")
    level = StationLevel.STATION
    division = factory.SubFactory(DivisionFactory)


class VolunteerTeamFactory(DjangoModelFactory):
    class Meta:
        model = VolunteerTeam

    name = factory.Sequence(lambda n: f"星连心服务队{n}")
    brand = VolunteerBrand.XINGLIANXIN
    station = factory.SubFactory(PracticeStationFactory)


class VolunteerFactory(DjangoModelFactory):
    class Meta:
        model = Volunteer

    person = factory.SubFactory(PersonFactory)


class ServiceActivityFactory(DjangoModelFactory):
    class Meta:
        model = ServiceActivity

    team = factory.SubFactory(VolunteerTeamFactory)
    held_on = datetime.date(2025, 6, 10)
    kind = "patrol"
    hours = 2
