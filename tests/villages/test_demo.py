import io

import pytest
from django.core.management import call_command

from governance.models import Division, DivisionLevel, Household
from villages.demo import HAMLET_TOTAL, INCOMPLETE_TOTAL, counts_per_village
from villages.models import Hamlet, LandTransfer, ShareHolding
from villages.selectors import hamlet_completeness

pytestmark = pytest.mark.django_db

STEPS = [
    "governance.divisions",
    "governance.households",
    "governance.organizations",
    "villages.hamlets",
    "villages.households",
    "villages.land",
    "villages.transfers",
    "villages.meetings",
]


def seed() -> None:
    args = ["seed_demo", "--households", "400"]
    for step in STEPS:
        args += ["--only", step]
    call_command(*args, stdout=io.StringIO())


def test_spread_sums_to_1042_over_144_villages():
    counts = counts_per_village(144)
    assert sum(counts) == HAMLET_TOTAL and len(counts) == 144 and min(counts) >= 7


def test_seed_demo_makes_1042_hamlets_with_the_deliberately_incomplete_listed_and_is_idempotent():
    seed()
    root = Division.objects.get(code="431302")
    first = (
        Hamlet.objects.count(),
        ShareHolding.objects.count(),
        LandTransfer.objects.count(),
        Household.objects.count(),
    )
    seed()
    assert Division.objects.filter(level=DivisionLevel.VILLAGE).count() == 144
    assert Hamlet.objects.count() == HAMLET_TOTAL
    assert (
        Hamlet.objects.count(),
        ShareHolding.objects.count(),
        LandTransfer.objects.count(),
        Household.objects.count(),
    ) == first
    summary = hamlet_completeness(division=root)
    assert summary["total"] - summary["complete"] == INCOMPLETE_TOTAL
    assert len(list(summary["incomplete"])) == INCOMPLETE_TOTAL
    # No village household is left outside a 屋场.
    assert not Household.objects.filter(division__level=DivisionLevel.VILLAGE).exists()
    assert ShareHolding.objects.filter(valid_to__isnull=False).exists()
