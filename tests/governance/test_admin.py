import pytest
from django.conf import settings
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.admin import ERR_HEAD_RELATION
from governance.masking import mask_id_number, mask_phone
from governance.models import ApiKey, Division, DivisionLevel, Household, HouseholdMember, Person, Relation
from governance.services import ERR_HEAD_NOT_MEMBER, api_key_create
from tests.auth import verified_login
from tests.factories import HouseholdFactory, OrganizationFactory, PersonFactory, make_id_number

pytestmark = pytest.mark.django_db


def url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def test_admin_site_is_titled_with_the_portal_title():
    assert admin.site.site_header == settings.PORTAL_TITLE
    assert admin.site.site_title == settings.PORTAL_TITLE


# --- scope ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["change", "history", "delete"])
def test_officer_gets_404_for_other_village_person_and_household(client, officer, divisions, view):
    person = PersonFactory(division=divisions["v21"])
    household = HouseholdFactory(division=divisions["v21"], with_head=True)
    verified_login(client, officer)

    assert client.get(url(f"governance_person_{view}", person.pk)).status_code == 404
    assert client.get(url(f"governance_household_{view}", household.pk)).status_code == 404


def test_officer_reaches_own_village_person(client, officer, divisions):
    person = PersonFactory(division=divisions["v11"])
    verified_login(client, officer)

    assert client.get(url("governance_person_change", person.pk)).status_code == 200
    assert client.get(url("governance_person_history", person.pk)).status_code == 200


def test_officer_changelists_show_only_own_village_rows(client, officer, divisions):
    mine = PersonFactory(division=divisions["v11"])
    PersonFactory(division=divisions["v21"])
    my_household = HouseholdFactory(division=divisions["v11"])
    HouseholdFactory(division=divisions["v21"])
    verified_login(client, officer)

    people = client.get(url("governance_person_changelist")).context["cl"].result_list
    households = client.get(url("governance_household_changelist")).context["cl"].result_list

    assert list(people) == [mine]
    assert list(households) == [my_household]


def test_officer_is_offered_only_in_scope_divisions_on_the_person_form(client, officer, divisions):
    verified_login(client, officer)

    form = client.get(url("governance_person_add")).context["adminform"].form

    assert set(form.fields["division"].queryset) == {divisions["v11"]}


def test_officer_cannot_save_a_person_into_another_village(client, officer, divisions):
    verified_login(client, officer)

    response = client.post(
        url("governance_person_add"),
        {
            "name": "李四",
            "id_number": make_id_number(),
            "phone": "",
            "political_status": "masses",
            "division": divisions["v21"].pk,
            "note": "",
        },
    )

    assert response.status_code == 200
    assert "division" in response.context["adminform"].form.errors
    assert not Person.objects.exists()


def test_autocomplete_lists_only_in_scope_people(client, officer, divisions):
    mine = PersonFactory(division=divisions["v11"], name="王在内")
    PersonFactory(division=divisions["v21"], name="王在外")
    verified_login(client, officer)

    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "governance", "model_name": "household", "field_name": "head", "term": "王"},
    )

    assert [r["id"] for r in response.json()["results"]] == [str(mine.pk)]


# --- personal data -------------------------------------------------------------------------------


def test_person_list_masks_numbers_for_user_without_permission(client, officer, divisions):
    person = PersonFactory(division=divisions["v11"])
    verified_login(client, officer)

    content = client.get(url("governance_person_changelist")).content.decode()

    assert mask_id_number(person.id_number) in content
    assert mask_phone(person.phone) in content
    assert person.id_number not in content
    assert person.phone not in content


def test_person_list_shows_full_numbers_to_district_admin(client, district_admin, divisions):
    person = PersonFactory(division=divisions["v11"])
    verified_login(client, district_admin)

    content = client.get(url("governance_person_changelist")).content.decode()

    assert person.id_number in content
    assert person.phone in content


def test_person_change_form_hides_full_numbers_without_permission(client, officer, divisions):
    person = PersonFactory(division=divisions["v11"])
    verified_login(client, officer)

    response = client.get(url("governance_person_change", person.pk))
    content = response.content.decode()

    assert "id_number" not in response.context["adminform"].form.fields
    assert mask_id_number(person.id_number) in content
    assert person.id_number not in content
    assert person.phone not in content


def test_person_history_masks_numbers_without_permission(client, officer, divisions):
    person = PersonFactory(division=divisions["v11"])
    verified_login(client, officer)

    content = client.get(url("governance_person_history", person.pk)).content.decode()

    assert mask_id_number(person.id_number) in content
    assert person.id_number not in content


def test_person_search_matches_a_whole_id_number_only(client, district_admin, divisions):
    person = PersonFactory(division=divisions["v11"])
    PersonFactory(division=divisions["v11"])
    verified_login(client, district_admin)

    whole = client.get(url("governance_person_changelist"), {"q": person.id_number}).context["cl"].result_list
    fragment = client.get(url("governance_person_changelist"), {"q": person.id_number[:10]}).context["cl"].result_list

    assert list(whole) == [person]
    assert list(fragment) == []


# --- households ----------------------------------------------------------------------------------


def household_post(division, head, members, number="H0001"):
    data = {
        "number": number,
        "address": "1号",
        "division": division.pk,
        "head": head.pk if head else "",
        "members-TOTAL_FORMS": str(len(members)),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    for i, (person, relation) in enumerate(members):
        data[f"members-{i}-person"] = person.pk
        data[f"members-{i}-relation"] = relation
    return data


def member_errors(response):
    formset = response.context["inline_admin_formsets"][0].formset
    return [error.code for error in formset.non_form_errors().as_data()]


def test_household_with_head_who_is_not_a_member_is_refused_and_nothing_written(client, officer, divisions):
    head = PersonFactory(division=divisions["v11"])
    spouse = PersonFactory(division=divisions["v11"])
    verified_login(client, officer)

    response = client.post(
        url("governance_household_add"), household_post(divisions["v11"], head, [(spouse, "spouse")])
    )

    assert response.status_code == 200
    assert member_errors(response) == [ERR_HEAD_NOT_MEMBER]
    assert "户主" in response.content.decode()
    assert not Household.objects.exists()
    assert not HouseholdMember.objects.exists()


def test_household_change_to_a_non_member_head_writes_nothing(client, officer, divisions):
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    old_head = household.head
    outsider = PersonFactory(division=divisions["v11"])
    verified_login(client, officer)
    data = household_post(divisions["v11"], outsider, [], number=household.number)
    member = household.members.get()
    data.update(
        {
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "1",
            "members-0-id": member.pk,
            "members-0-household": household.pk,
            "members-0-person": old_head.pk,
            "members-0-relation": "head",
        }
    )

    response = client.post(url("governance_household_change", household.pk), data)

    assert member_errors(response) == [ERR_HEAD_NOT_MEMBER]
    household.refresh_from_db()
    assert household.head == old_head


def test_household_head_must_have_the_head_relation(client, officer, divisions):
    head = PersonFactory(division=divisions["v11"])
    verified_login(client, officer)

    response = client.post(url("governance_household_add"), household_post(divisions["v11"], head, [(head, "spouse")]))

    assert member_errors(response) == [ERR_HEAD_RELATION]
    assert not Household.objects.exists()


def test_household_with_its_head_among_members_is_saved(client, officer, divisions):
    head = PersonFactory(division=divisions["v11"])
    spouse = PersonFactory(division=divisions["v11"])
    verified_login(client, officer)

    response = client.post(
        url("governance_household_add"),
        household_post(divisions["v11"], head, [(head, Relation.HEAD), (spouse, Relation.SPOUSE)]),
    )

    assert response.status_code == 302
    household = Household.objects.get()
    assert household.head == head
    assert set(household.members.values_list("person_id", "relation")) == {
        (head.pk, Relation.HEAD),
        (spouse.pk, Relation.SPOUSE),
    }


# --- divisions, API keys -------------------------------------------------------------------------


def test_district_admin_cannot_add_a_root_division(client, district_admin):
    verified_login(client, district_admin)

    response = client.post(
        url("governance_division_add"), {"code": "999999", "name": "外区", "level": "district", "sort_order": 0}
    )

    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert not Division.objects.filter(code="999999").exists()


def test_division_admin_checks_the_level_order(client, district_admin, divisions):
    verified_login(client, district_admin)

    response = client.post(
        url("governance_division_add"),
        {
            "code": "431302001001001",
            "name": "错层",
            "level": DivisionLevel.TOWNSHIP,
            "parent": divisions["v11"].pk,
            "sort_order": 0,
            "is_active": "on",
        },
    )

    assert response.status_code == 200
    assert not Division.objects.filter(code="431302001001001").exists()


def test_api_keys_cannot_be_added_in_the_admin_and_can_be_revoked(client, district_admin, divisions):
    key, _plain = api_key_create(name="12345热线", role="api_client", division=divisions["district"])
    verified_login(client, district_admin)

    assert client.get(url("governance_apikey_add")).status_code == 403
    response = client.post(
        url("governance_apikey_changelist"), {"action": "revoke", admin.helpers.ACTION_CHECKBOX_NAME: [key.pk]}
    )

    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert not ApiKey.objects.usable().exists()


def test_api_key_expiry_is_set_in_the_admin_and_ends_the_key(client, district_admin, divisions):
    from django.utils import timezone

    from governance.services import api_key_authenticate

    key, plain = api_key_create(name="公安", role="police", division=divisions["t1"])
    verified_login(client, district_admin)

    response = client.post(
        url("governance_apikey_change", key.pk), {"expires_at_0": "2020-01-01", "expires_at_1": "00:00:00"}
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    key.refresh_from_db()
    assert timezone.localtime(key.expires_at).isoformat() == "2020-01-01T00:00:00+08:00"  # Asia/Shanghai
    assert api_key_authenticate(plain) is None


def test_officer_cannot_reach_the_user_admin(client, officer):
    verified_login(client, officer)

    assert client.get(url("governance_user_changelist")).status_code == 403


def test_district_admin_does_not_see_accounts_of_another_district(client, district_admin, divisions):
    from tests.factories import DivisionFactory, user_with_role

    other = user_with_role("community_officer", DivisionFactory(code="431381001001"), username="elsewhere")
    verified_login(client, district_admin)

    assert client.get(url("governance_user_change", other.pk)).status_code == 404
    assert client.get(url("governance_user_change", district_admin.pk)).status_code == 200


# --- history -------------------------------------------------------------------------------------


def test_history_lists_insert_and_update_by_the_editing_user(client, district_admin, divisions):
    verified_login(client, district_admin)
    data = {
        "name": "赵六",
        "id_number": make_id_number(),
        "phone": "13800000001",
        "political_status": "masses",
        "division": divisions["v11"].pk,
        "note": "",
    }
    assert client.post(url("governance_person_add"), data).status_code == 302
    person = Person.objects.get(name="赵六")
    assert client.post(url("governance_person_change", person.pk), {**data, "name": "赵六六"}).status_code == 302

    response = client.get(url("governance_person_history", person.pk))

    rows = response.context["rows"]
    assert [str(row["label"]) for row in rows] == ["修改", "新增"]
    assert {row["user"] for row in rows} == {district_admin.username}
    assert any(change["new"] == "赵六六" for change in rows[0]["changes"])
    assert "变更历史" in response.content.decode()


# --- query counts --------------------------------------------------------------------------------


def make_rows(model: str, n: int, divisions) -> None:
    village = divisions["v11"]
    for _ in range(n):
        if model == "person":
            PersonFactory(division=village)
        elif model == "household":
            HouseholdFactory(division=village, with_head=True)
        elif model == "organization":
            OrganizationFactory(division=village)
        elif model == "division":
            Division.objects.create(
                code=f"{village.code}{Division.objects.count():03d}",
                name="屋场",
                level=DivisionLevel.HAMLET,
                parent=village,
            )


@pytest.mark.parametrize("model", ["person", "household", "division", "organization"])
def test_changelist_query_count_does_not_grow_with_rows(client, district_admin, divisions, model):
    verified_login(client, district_admin)
    changelist = url(f"governance_{model}_changelist")
    make_rows(model, 3, divisions)
    client.get(changelist)  # warm the content-type and permission caches

    with CaptureQueriesContext(connection) as few:
        assert client.get(changelist).status_code == 200
    make_rows(model, 27, divisions)
    with CaptureQueriesContext(connection) as many:
        response = client.get(changelist)

    assert response.context["cl"].result_count >= 30
    assert len(many) == len(few)
