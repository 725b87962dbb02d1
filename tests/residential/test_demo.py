import datetime
import io

import pytest
from django.db.models import F

from governance.models import Division, Household, Person, Post
from governance.registry import registry
from residential.models import Compound, OwnersCommittee, Petition, RedBlackList
from residential.selectors import committee_compliance, petition_yoy

pytestmark = pytest.mark.django_db

STEPS = ["governance.divisions", "governance.households", "governance.organizations"]


def run_steps():
    steps = [s for s in registry.ordered_demo_steps() if s.name in STEPS or s.name.startswith("residential.")]
    for step in steps:
        step.func(stdout=io.StringIO(), options={"households": 2000})


def counts():
    return {
        "compounds": Compound.objects.count(),
        "committees": OwnersCommittee.objects.count(),
        "petitions": Petition.objects.count(),
        "in_compounds": Household.objects.filter(division__level="compound").count(),
        "lists": RedBlackList.objects.count(),
    }


def test_seed_demo_gives_171_compounds_failing_committees_and_minus_48_percent():
    run_steps()
    district = Division.objects.get(code="431302")
    assert Compound.objects.in_subtree(district).star().count() == 171
    assert Division.objects.filter(level="compound").count() == 171
    assert Household.objects.filter(division__level="compound").exists()
    # people moved with their households
    assert (
        not Person.objects.filter(household_membership__household__division__level="compound")
        .exclude(division__level="compound")
        .exists()
    )

    members = Post.objects.filter(organization__kind="owners_committee")
    assert members.exists()
    assert not members.exclude(person__household_membership__household__division=F("organization__division")).exists()

    every = list(committee_compliance(division=district))
    failing = list(committee_compliance(division=district, only_failing=True))
    assert failing and len(failing) < len(every)
    assert {c.pk for c in failing} == {c.pk for c in every if c.party_count * 2 < c.member_count}

    yoy = petition_yoy(division=district, start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
    assert (yoy.current, yoy.previous, yoy.change_pct) == (130, 250, -48.0)
    assert RedBlackList.objects.filter(published_at__isnull=False).count() == 2
    assert all(lst.entries.filter(side="red").exists() for lst in RedBlackList.objects.all())

    before = counts()
    run_steps()
    assert counts() == before
