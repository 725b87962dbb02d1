"""seed_demo's integrity steps reproduce the seed's figures from records, and run twice to the same counts."""

from decimal import Decimal
from io import StringIO

import pytest

from integrity.choices import ProjectLevel
from integrity.demo import seed_campaign, seed_clean_units, seed_projects
from integrity.models import Campaign, Clue, LivelihoodProject, UnitRule
from integrity.selectors import campaign_funnel

pytestmark = pytest.mark.django_db


def _seed():
    for step in (seed_campaign, seed_projects, seed_clean_units):
        step(stdout=StringIO(), options={})


def test_demo_campaign_reproduces_the_seed_funnel_and_is_idempotent(divisions):
    _seed()
    _seed()
    campaign = Campaign.objects.get()
    funnel = campaign_funnel(campaign=campaign, division=divisions["district"])
    assert (funnel.clues, funnel.handled, funnel.cases, funnel.sanctioned, funnel.detained) == (667, 602, 379, 306, 21)
    assert funnel.recovered == Decimal("17989600.00")
    assert funnel.matters_resolved == 109
    assert Clue.objects.count() == 667


def test_demo_livelihood_projects_have_the_seed_counts(divisions):
    _seed()
    assert LivelihoodProject.objects.filter(year=2024).count() == 17
    assert LivelihoodProject.objects.filter(year=2025, level=ProjectLevel.CCDI).count() == 16
    assert LivelihoodProject.objects.filter(year=2025, level=ProjectLevel.DISTRICT).count() == 5
    townships = divisions["district"].children.count()
    assert LivelihoodProject.objects.filter(year=2025, level=ProjectLevel.TOWNSHIP).count() == townships
    assert UnitRule.objects.filter(unit__organization__name="区教育局").count() > 20
