"""What the civility models declare: how far up the tree their rows are seen."""

from __future__ import annotations

import datetime

import pytest

from civility.models import PointRule, RankingMonth, VillageRule
from tests.civility.factories import PointRuleFactory, VillageRuleFactory

pytestmark = pytest.mark.django_db


def test_rules_caps_and_runs_issued_above_a_village_are_seen_there_but_not_a_neighbours(officer, divisions):
    district_rule = PointRuleFactory(division=divisions["district"])
    township_rule = PointRuleFactory(division=divisions["t1"])
    own_rule = PointRuleFactory(division=divisions["v11"])
    PointRuleFactory(division=divisions["v12"])
    PointRuleFactory(division=divisions["t2"])
    township_caps = VillageRuleFactory(division=divisions["t1"])
    VillageRuleFactory(division=divisions["v12"])
    district_run = RankingMonth.objects.create(division=divisions["district"], month=datetime.date(2025, 6, 1))
    RankingMonth.objects.create(division=divisions["t2"], month=datetime.date(2025, 6, 1))

    assert set(PointRule.objects.for_user(officer)) == {district_rule, township_rule, own_rule}
    assert list(VillageRule.objects.for_user(officer)) == [township_caps]
    assert list(RankingMonth.objects.for_user(officer)) == [district_run]
