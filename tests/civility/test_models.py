"""What the civility models declare: how far up the tree their rows are seen, and the audit trail of
their many-to-many links."""

from __future__ import annotations

import datetime

import pytest
from django.apps import apps

from civility.models import PointRule, RankingMonth, VillageRule
from tests.civility.factories import (
    PointRuleFactory,
    ServiceActivityFactory,
    ShopFactory,
    VillageRuleFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
)
from tests.factories import PersonFactory

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


def _events(link: str, **lookup) -> list[str]:
    model = apps.get_model("civility", f"{link}Event")
    return list(model.objects.filter(**lookup).order_by("pgh_id").values_list("pgh_label", flat=True))


def test_many_to_many_links_are_in_the_audit_trail(officer, divisions):
    shop = ShopFactory(division=divisions["v11"])
    shop.operators.add(officer)
    shop.operators.remove(officer)
    volunteer = VolunteerFactory(person=PersonFactory(division=divisions["v11"]))
    team = VolunteerTeamFactory()
    volunteer.teams.add(team)
    activity = ServiceActivityFactory(team=team)
    activity.participants.add(volunteer)

    assert _events("ShopOperatorLink", shop_id=shop.pk, user_id=officer.pk) == ["add", "remove"]
    assert _events("VolunteerTeamLink", volunteer_id=volunteer.pk, volunteerteam_id=team.pk) == ["add"]
    assert _events("ActivityParticipantLink", serviceactivity_id=activity.pk, volunteer_id=volunteer.pk) == ["add"]
