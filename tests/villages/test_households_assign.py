"""划入屋场 (issue 13 item 4): the officers' page and the 家庭户 admin move households only through
``hamlet_households_assign`` (members follow, shares are recomputed); the admin's division field is
read-only once a household exists."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Household, HouseholdMember, Person
from tests.auth import verified_login
from tests.factories import HouseholdFactory, user_with_role
from tests.villages.factories import make_hamlet, make_household, make_plot
from villages.models import ShareHolding

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def officer_client(client, officer):
    verified_login(client, officer)
    return client


def _village_household(village, **kwargs) -> Household:
    return HouseholdFactory(division=village, with_head=True, **kwargs)


def test_page_offers_the_villages_households_not_yet_in_a_hamlet(officer_client, hamlet, divisions):
    free = _village_household(divisions["v11"])
    inside = make_household(hamlet)
    elsewhere = _village_household(divisions["v12"])
    response = officer_client.get(reverse("villages:households-assign", args=[hamlet.pk]))
    assert response.status_code == 200
    numbers = [h.number for h in response.context["candidates"]]
    assert free.number in numbers
    assert inside.number not in numbers and elsewhere.number not in numbers


def test_search_finds_a_household_by_a_members_name(officer_client, hamlet, divisions):
    household = _village_household(divisions["v11"])
    head = Person.objects.get(pk=HouseholdMember.objects.get(household=household).person_id)
    _village_household(divisions["v11"])
    response = officer_client.get(reverse("villages:households-assign", args=[hamlet.pk]), {"q": head.name})
    assert [h.pk for h in response.context["candidates"]] == [household.pk]


def test_assigning_moves_households_members_and_recomputes_shares(officer_client, hamlet, divisions):
    first, second = _village_household(divisions["v11"]), _village_household(divisions["v11"])
    make_plot(first, "2.00")
    assert not ShareHolding.objects.filter(household=first).exists()
    response = officer_client.post(
        reverse("villages:households-assign", args=[hamlet.pk]), {"households": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    assert set(Household.objects.filter(pk__in=[first.pk, second.pk]).values_list("division_id", flat=True)) == {
        hamlet.division_id
    }
    members = HouseholdMember.objects.filter(household__in=[first, second]).values_list(
        "person__division_id", flat=True
    )
    assert set(members) == {hamlet.division_id}
    holding = ShareHolding.objects.current().get(household=first)
    assert holding.contracted_area == 2 and holding.shares == 2
    page = officer_client.get(reverse("villages:hamlet-detail", args=[hamlet.pk])).content.decode()
    assert first.number in page and second.number in page


def test_household_of_another_hamlet_is_refused_in_chinese_and_nothing_moves(officer_client, hamlet, divisions):
    other = make_hamlet(divisions["v11"])
    taken = make_household(other)
    free = _village_household(divisions["v11"])
    response = officer_client.post(
        reverse("villages:households-assign", args=[hamlet.pk]), {"households": [free.pk, taken.pk]}
    )
    assert response.status_code == 400
    assert f"已属于屋场“{other.division.name}”" in response.context["form"].errors["households"][0]
    free.refresh_from_db()
    assert free.division_id == divisions["v11"].pk


@pytest.mark.parametrize("posted", [[], ["x"], ["999999"]])
def test_bad_or_empty_choice_is_a_chinese_form_error(officer_client, hamlet, divisions, posted):
    free = _village_household(divisions["v11"])
    response = officer_client.post(reverse("villages:households-assign", args=[hamlet.pk]), {"households": posted})
    assert response.status_code == 400
    assert response.context["form"].errors["households"]
    free.refresh_from_db()
    assert free.division_id == divisions["v11"].pk


def test_household_of_another_village_is_not_a_valid_choice(officer_client, hamlet, divisions):
    stranger = _village_household(divisions["v12"])
    response = officer_client.post(
        reverse("villages:households-assign", args=[hamlet.pk]), {"households": [stranger.pk]}
    )
    assert response.status_code == 400
    assert "不在本村或不在您的管辖范围内" in response.content.decode()
    stranger.refresh_from_db()
    assert stranger.division_id == divisions["v12"].pk


def test_hamlet_out_of_scope_is_404_and_nothing_moves(officer_client, other_hamlet, divisions):
    household = _village_household(divisions["v21"])
    url = reverse("villages:households-assign", args=[other_hamlet.pk])
    assert officer_client.get(url).status_code == 404
    assert officer_client.post(url, {"households": [household.pk]}).status_code == 404
    household.refresh_from_db()
    assert household.division_id == divisions["v21"].pk


def test_page_query_count_does_not_grow_with_rows(officer_client, hamlet, divisions):
    for _i in range(3):
        _village_household(divisions["v11"])
    url = reverse("villages:households-assign", args=[hamlet.pk])
    with CaptureQueriesContext(connection) as few:
        assert len(officer_client.get(url).context["candidates"]) == 3
    for _i in range(27):
        _village_household(divisions["v11"])
    with CaptureQueriesContext(connection) as many:
        assert len(officer_client.get(url).context["candidates"]) == 30
    assert len(many) == len(few)
    with CaptureQueriesContext(connection) as searched:
        officer_client.get(url, {"q": "H"})
    assert len(searched) == len(few)


# --- admin -------------------------------------------------------------------------------------------


def test_admin_cannot_change_a_households_division_by_the_form(client, officer, hamlet, divisions):
    household = _village_household(divisions["v11"])
    verified_login(client, officer)
    url = reverse("admin:governance_household_change", args=[household.pk])
    response = client.get(url)
    assert "division" not in response.context["adminform"].form.fields
    form = response.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data.update({"division": hamlet.division_id, "number": household.number})
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        data.update({f"{management.prefix}-{k}": v for k, v in management.initial.items()})
        for inline in formset.formset.forms:
            for name, value in inline.initial.items():
                data[f"{inline.prefix}-{name}"] = value if value is not None else ""
            data[f"{inline.prefix}-id"] = inline.instance.pk or ""
    client.post(url, data)
    household.refresh_from_db()
    assert household.division_id == divisions["v11"].pk


def test_admin_action_assigns_through_the_service(client, officer, hamlet, divisions):
    household = _village_household(divisions["v11"])
    make_plot(household, "1.00")
    verified_login(client, officer)
    url = reverse("admin:governance_household_changelist")
    base = {"action": "households_assign_to_hamlet", "_selected_action": [household.pk]}
    response = client.post(url, base)
    assert response.status_code == 200
    assert list(response.context["form"].fields["hamlet"].queryset) == [hamlet]
    response = client.post(url, {**base, "apply": "1", "hamlet": hamlet.pk})
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.division_id == hamlet.division_id
    assert ShareHolding.objects.current().filter(household=household).count() == 1
    member = HouseholdMember.objects.filter(household=household).first()
    assert member.person.division_id == hamlet.division_id


def test_admin_action_refuses_a_hamlet_of_another_village(client, hamlet, divisions):
    household = _village_household(divisions["v12"])
    verified_login(client, user_with_role("township_officer", divisions["t1"], username="officer_t1"))
    response = client.post(
        reverse("admin:governance_household_changelist"),
        {
            "action": "households_assign_to_hamlet",
            "_selected_action": [household.pk],
            "apply": "1",
            "hamlet": hamlet.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["hamlet"]
    household.refresh_from_db()
    assert household.division_id == divisions["v12"].pk


def test_admin_action_releases_a_household_from_its_hamlet(client, officer, hamlet):
    household = make_household(hamlet)
    verified_login(client, officer)
    response = client.post(
        reverse("admin:governance_household_changelist"),
        {"action": "households_release_from_hamlet", "_selected_action": [household.pk]},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.division_id == hamlet.division.parent_id


# --- the API and the import cannot move a household either ---------------------------------------


def test_api_update_of_a_households_division_is_400_naming_the_field(officer, hamlet, divisions):
    from rest_framework.test import APIClient

    from governance.services import ERR_HOUSEHOLD_DIVISION_MOVE
    from tests.api_mixin import assert_error_body

    household = _village_household(divisions["v11"])
    api = APIClient()
    verified_login(api, officer)
    url = reverse("api:governance-api:household-detail", args=[household.pk])
    body = assert_error_body(api.patch(url, {"division": hamlet.division.code}, format="json"), 400, "division")
    assert body["errors"]["division"][0]["code"] == ERR_HOUSEHOLD_DIVISION_MOVE
    household.refresh_from_db()
    assert household.division_id == divisions["v11"].pk
    assert api.patch(url, {"address": "新址1号"}, format="json").status_code == 200


def test_import_cannot_move_an_existing_household(officer, hamlet, divisions):
    from governance.resources import HouseholdResource
    from tests.governance.test_import import HOUSEHOLD_HEADERS, dataset

    household = _village_household(divisions["v11"])
    head = Person.objects.get(pk=household.head_id)
    rows = [[household.number, household.address, hamlet.division.code, head.id_number]]
    result = HouseholdResource(user=officer).import_data(dataset(HOUSEHOLD_HEADERS, rows), dry_run=False)
    assert not result.has_errors() and result.has_validation_errors()
    assert "划入屋场" in str(result.invalid_rows[0].error)
    household.refresh_from_db()
    assert household.division_id == divisions["v11"].pk


def test_choosing_only_households_already_in_the_hamlet_says_so_not_zero_moved(officer_client, hamlet):
    """A trial found "已将 0 户划入本屋场" when every chosen household was already there."""
    already = make_household(hamlet)
    response = officer_client.post(
        reverse("villages:households-assign", args=[hamlet.pk]), {"households": [already.pk]}, follow=True
    )
    page = response.content.decode()
    assert "所选家庭户已在本屋场，没有需要划入的。" in page
    assert "已将 0 户" not in page
