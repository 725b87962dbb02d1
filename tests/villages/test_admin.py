import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Organization
from tests.auth import verified_login
from tests.villages.factories import make_hamlet, make_household, make_plot
from villages.models import ContractPlot, Hamlet, ShareHolding

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


@pytest.mark.parametrize("view", ["change", "history"])
def test_officer_gets_404_for_another_villages_hamlet_in_admin(client, officer, other_hamlet, view):
    verified_login(client, officer)
    assert client.get(url(f"villages_hamlet_{view}", other_hamlet.pk)).status_code == 404


def test_officer_changelist_shows_only_own_hamlets(client, officer, hamlet, other_hamlet):
    verified_login(client, officer)
    assert list(client.get(url("villages_hamlet_changelist")).context["cl"].result_list) == [hamlet]


def test_officer_edits_own_hamlet_with_its_bodies_inline(client, officer, hamlet):
    verified_login(client, officer)
    response = client.get(url("villages_hamlet_change", hamlet.pk))
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert {f.instance.kind for f in formset.forms} == {"party_group", "council", "cooperative"}


def test_admin_adds_a_hamlet_with_its_node_and_bodies(client, officer, divisions):
    verified_login(client, officer)
    response = client.post(
        url("villages_hamlet_add"),
        {"village": divisions["v11"].pk, "code": "431302001001777", "name": "新塘屋场", "note": ""},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    hamlet = Hamlet.objects.get(division__code="431302001001777")
    assert Organization.objects.filter(division=hamlet.division).count() == 3


def test_admin_cannot_add_a_hamlet_to_another_village(client, officer, divisions):
    verified_login(client, officer)
    response = client.post(
        url("villages_hamlet_add"),
        {"village": divisions["v21"].pk, "code": "431302002001777", "name": "越界", "note": ""},
    )
    assert response.status_code == 200
    assert "village" in response.context["adminform"].form.errors
    assert not Hamlet.objects.exists()


def test_completeness_filter_and_report_in_admin(client, officer, hamlet, divisions):
    bare = make_hamlet(divisions["v11"], complete=False)
    verified_login(client, officer)
    rows = client.get(url("villages_hamlet_changelist"), {"completeness": "lacks_head"}).context["cl"].result_list
    assert list(rows) == [bare]
    report = client.get(url("villages_hamlet_completeness"))
    assert [h.pk for h in report.context["summary"]["incomplete"]] == [bare.pk]


@pytest.mark.parametrize("code", ["431302002", "999999"])
def test_completeness_report_in_admin_of_a_division_out_of_scope_or_unknown_is_404(client, officer, code):
    verified_login(client, officer)
    assert client.get(url("villages_hamlet_completeness"), {"within": code}).status_code == 404


def test_share_register_is_read_only_in_admin(client, district_admin, hamlet):
    plot = make_plot(make_household(hamlet))
    holding = ShareHolding.objects.get(household=plot.household)
    verified_login(client, district_admin)
    client.post(url("villages_shareholding_change", holding.pk), {"shares": "99"})
    holding.refresh_from_db()
    assert holding.shares != 99
    assert client.get(url("villages_shareholding_add")).status_code == 403


def test_plot_area_change_in_admin_keeps_the_old_share_version(client, officer, hamlet):
    plot = make_plot(make_household(hamlet), "1.00")
    verified_login(client, officer)
    response = client.post(
        url("villages_contractplot_change", plot.pk),
        {
            "household": plot.household_id,
            "contract_number": plot.contract_number,
            "area": "2.00",
            "location": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert ShareHolding.objects.filter(household=plot.household).count() == 2
    assert ContractPlot.objects.get(pk=plot.pk).area == 2


@pytest.mark.parametrize("name", ["villages_hamlet_changelist", "villages_contractplot_changelist"])
def test_changelist_query_count_does_not_grow_with_rows(client, district_admin, divisions, name):
    def add(n):
        for _i in range(n):
            make_plot(make_household(make_hamlet(divisions["v11"])))

    verified_login(client, district_admin)
    add(3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(name)).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(name))
    assert response.context["cl"].result_count == 30
    assert len(many) == len(few)
