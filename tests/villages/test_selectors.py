import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import Organization, OrganizationKind, PoliticalStatus, Post
from tests.villages.factories import make_hamlet, make_household, make_operator, make_plot
from villages import selectors, services
from villages.models import Hamlet, TransferFrom

pytestmark = pytest.mark.django_db


def test_completeness_lists_hamlets_lacking_a_body_a_head_or_a_party_member(divisions):
    complete = make_hamlet(divisions["v11"])
    no_council = make_hamlet(divisions["v11"])
    Organization.objects.filter(division=no_council.division, kind=OrganizationKind.COUNCIL).update(is_active=False)
    headless = make_hamlet(divisions["v12"])
    Post.objects.filter(
        organization__division=headless.division, organization__kind=OrganizationKind.COOPERATIVE
    ).update(is_head=False)
    no_member = make_hamlet(divisions["v12"])
    masses = make_household(no_member).head
    assert masses.political_status == PoliticalStatus.MASSES
    Post.objects.filter(
        organization__division=no_member.division, organization__kind=OrganizationKind.PARTY_GROUP
    ).update(person=masses)

    summary = selectors.hamlet_completeness(division=divisions["t1"])

    flags = {h.pk: (h.lacks_body, h.lacks_head, h.lacks_party_member) for h in summary["incomplete"]}
    assert flags == {
        no_council.pk: (True, True, False),
        headless.pk: (False, True, False),
        no_member.pk: (False, False, True),
    }
    assert (summary["total"], summary["complete"]) == (4, 1)
    assert complete.pk not in flags


def test_completeness_is_a_constant_number_of_queries(divisions):
    for _i in range(3):
        make_hamlet(divisions["v11"], complete=False)
    with CaptureQueriesContext(connection) as few:
        list(selectors.hamlet_completeness(division=divisions["district"])["incomplete"])
    for _i in range(12):
        make_hamlet(divisions["v21"], complete=False)
    with CaptureQueriesContext(connection) as many:
        result = selectors.hamlet_completeness(division=divisions["district"])
        assert len(list(result["incomplete"])) == 15
    assert len(few) == len(many) == 2


def test_land_figures_count_transferred_area_and_consolidation(divisions, hamlet):
    household = make_household(hamlet)
    plots = [make_plot(household, "1.00"), make_plot(household, "1.00"), make_plot(household, "2.00")]
    services.land_transfer_create(
        hamlet=hamlet,
        operator=make_operator(divisions["v11"]),
        transferor=TransferFrom.HOUSEHOLD,
        household=household,
        plots=plots[:2],
        area=plots[0].area + plots[1].area,
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2030, 1, 1),
        annual_rent=1200,
    )
    figures = selectors.land_figures(division=divisions["v11"])
    assert figures["contracted_area"] == 4
    assert figures["transferred_area"] == 2
    assert figures["transferred_percent"] == 50
    assert str(figures["mean_plot_before"]) == "1.33"
    assert figures["mean_plot_after"] == 2  # two parcels: the consolidated one and the untransferred plot


def test_population_is_derived_from_the_hamlets_households(hamlet):
    make_household(hamlet)
    make_household(hamlet)
    row = selectors.hamlet_list(queryset=Hamlet.objects.filter(pk=hamlet.pk)).get()
    assert (row.household_count, row.population) == (2, 2)


def test_completeness_report_equals_the_summary_and_breakdown_in_three_queries(divisions):
    # The page's one-pass report (issue 14: 2.2 s) gives the figures of the two selectors it replaced.
    make_hamlet(divisions["v11"])
    for division in ("v11", "v12", "v21"):
        make_hamlet(divisions[division], complete=False)
    no_council = make_hamlet(divisions["v12"])
    Organization.objects.filter(division=no_council.division, kind=OrganizationKind.COUNCIL).update(is_active=False)
    for root in ("district", "t1", "v12"):
        division = divisions[root]
        with CaptureQueriesContext(connection) as queries:
            report = selectors.hamlet_completeness_report(division=division)
        assert len(queries) == 3
        summary = selectors.hamlet_completeness(division=division)
        flags = {h.pk: (h.lacks_body, h.lacks_head, h.lacks_party_member) for h in summary.pop("incomplete")}
        got = report["summary"]
        assert {h.pk: (h.lacks_body, h.lacks_head, h.lacks_party_member) for h in got.pop("incomplete")} == flags
        assert got == summary
        by_child = selectors.hamlet_completeness_by_child(division=division)
        assert report["children"] == by_child


def test_completeness_report_queries_do_not_grow_with_hamlets(divisions):
    for _i in range(3):
        make_hamlet(divisions["v11"], complete=False)
    with CaptureQueriesContext(connection) as few:
        selectors.hamlet_completeness_report(division=divisions["district"])
    for _i in range(27):
        make_hamlet(divisions["v21"], complete=False)
    with CaptureQueriesContext(connection) as many:
        report = selectors.hamlet_completeness_report(division=divisions["district"])
    assert len(report["summary"]["incomplete"]) == 30
    assert len(few) == len(many)
