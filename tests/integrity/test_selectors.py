"""The funnel is computed live from records, for any subtree and date, in a constant number of queries."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.registry import registry
from integrity.choices import MeasureKind, SanctionKind
from integrity.selectors import campaign_funnel, clean_units_by_status, funnel_by_child, project_timeliness
from tests.integrity.factories import (
    CampaignFactory,
    CampaignMatterFactory,
    CleanUnitFactory,
    ClueFactory,
    IntegrityCaseFactory,
    LivelihoodProjectFactory,
    MeasureFactory,
    MilestoneFactory,
    RecoveryFactory,
    SanctionFactory,
)

pytestmark = pytest.mark.django_db


def _populate(campaign, division, n: int) -> None:
    for i in range(n):
        case = IntegrityCaseFactory(division=division, campaign=campaign)
        subject = case.subjects.get()
        SanctionFactory(case=case, subject=subject, kind=SanctionKind.PARTY_WARNING)
        SanctionFactory(case=case, subject=subject, kind=SanctionKind.GOV_DEMERIT)  # same person: counted once
        if i % 2 == 0:
            MeasureFactory(case=case, subject=subject, kind=MeasureKind.DETENTION)
        RecoveryFactory(case=case, amount=Decimal("100.10"))
        ClueFactory(division=division, campaign=campaign)  # a clue still undisposed
        CampaignMatterFactory(campaign=campaign, division=division)


def test_funnel_counts_each_step_from_the_records(divisions):
    campaign = CampaignFactory(division=divisions["district"])
    _populate(campaign, divisions["v11"], 3)
    clue = ClueFactory(division=divisions["v21"], campaign=campaign)
    SanctionFactory(case=None, clue=clue, subject=clue.subjects.get(), kind=SanctionKind.ORG_CRITICISM)
    CampaignMatterFactory(campaign=campaign, division=divisions["v21"], resolved_on=None)

    funnel = campaign_funnel(campaign=campaign, division=divisions["district"])

    assert funnel.clues == 3 + 3 + 1  # the cases' clues, the undisposed clues, v21's clue
    assert funnel.handled == 3 + 1
    assert funnel.cases == 3
    assert funnel.sanctioned == 3
    assert funnel.detained == 2
    assert funnel.recovered == Decimal("300.30")
    assert funnel.matters_resolved == 3


def test_funnel_of_a_subtree_and_a_date(divisions):
    campaign = CampaignFactory(division=divisions["district"])
    _populate(campaign, divisions["v11"], 2)
    _populate(campaign, divisions["v21"], 1)

    t2 = campaign_funnel(campaign=campaign, division=divisions["t2"])
    assert (t2.cases, t2.sanctioned, t2.recovered) == (1, 1, Decimal("100.10"))
    before = campaign_funnel(campaign=campaign, division=divisions["district"], on=datetime.date(2025, 1, 31))
    assert (before.clues, before.cases, before.sanctioned, before.recovered) == (6, 0, 0, Decimal("0.00"))
    by_child = funnel_by_child(campaign=campaign, division=divisions["district"])
    assert by_child[divisions["t1"].code].cases == 2 and by_child[divisions["t2"].code].cases == 1


def test_other_campaigns_records_are_not_counted(divisions):
    campaign, other = CampaignFactory(division=divisions["district"]), CampaignFactory(division=divisions["district"])
    _populate(other, divisions["v11"], 2)
    assert campaign_funnel(campaign=campaign, division=divisions["district"]).clues == 0


def test_funnel_query_count_does_not_grow_with_rows_or_depth(divisions):
    campaign = CampaignFactory(division=divisions["district"])
    _populate(campaign, divisions["v11"], 1)
    with CaptureQueriesContext(connection) as few:
        campaign_funnel(campaign=campaign, division=divisions["district"])
    _populate(campaign, divisions["v21"], 6)
    with CaptureQueriesContext(connection) as many:
        campaign_funnel(campaign=campaign, division=divisions["v21"])
    with CaptureQueriesContext(connection) as by_child:
        funnel_by_child(campaign=campaign, division=divisions["district"])
    assert len(few) == len(many) == len(by_child) == 6


def test_projects_on_time_and_late_and_clean_units_by_status(divisions):
    on_time = LivelihoodProjectFactory(division=divisions["v11"])
    MilestoneFactory(project=on_time, planned_on=datetime.date(2025, 3, 1), actual_on=datetime.date(2025, 2, 1))
    late = LivelihoodProjectFactory(division=divisions["v11"])
    MilestoneFactory(project=late, planned_on=datetime.date(2025, 3, 1))
    CleanUnitFactory(organization__division=divisions["v11"], status="model")
    CleanUnitFactory(organization__division=divisions["v21"], status="building")

    with CaptureQueriesContext(connection) as queries:
        timeliness = project_timeliness(division=divisions["district"], on=datetime.date(2025, 6, 1))
    assert timeliness == {"on_time": 1, "late": 1} and len(queries) == 1
    assert clean_units_by_status(division=divisions["t1"]) == {"building": 0, "standard": 0, "model": 1}


def test_dashboard_indicators_give_leaders_aggregate_numbers_only(divisions):
    campaign = CampaignFactory(division=divisions["district"])
    _populate(campaign, divisions["v11"], 2)
    figures = {
        key: indicator.compute(division=divisions["district"], start=None, end=None)
        for key, indicator in registry.indicators.items()
        if key.startswith("integrity.")
    }
    assert figures["integrity.funnel.cases"] == 2
    assert figures["integrity.funnel.recovered"] == Decimal("200.20")
    assert all(isinstance(value, int | Decimal) for value in figures.values())
    assert all(
        indicator.section == "integrity"
        for key, indicator in registry.indicators.items()
        if key.startswith("integrity.")
    )
