import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import DivisionLevel, Role
from tests.auth import verified_login
from tests.factories import DivisionFactory, HouseholdFactory, PersonFactory, user_with_role

PERSON_LIST = "governance:person-list"
HOUSEHOLD_LIST = "governance:household-list"


@pytest.fixture
def officer_client(client, officer):
    verified_login(client, officer)
    return client


def test_login_page_renders(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "登录" in html and 'name="password"' in html
    assert "https://" not in html  # no CDN


def test_login_with_password_goes_home(client, officer):
    response = client.post(reverse("login"), {"username": "officer_v11", "password": "pw-test-123"})
    assert response.status_code == 302
    assert response.url == reverse("home")


def test_logout_is_a_post(officer_client):
    response = officer_client.post(reverse("logout"))
    assert response.status_code == 302
    assert officer_client.get(reverse("home")).status_code == 302


@pytest.mark.parametrize("name", ["home", PERSON_LIST, HOUSEHOLD_LIST])
def test_anonymous_user_is_redirected_to_login(client, db, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_home_lists_the_users_roles_and_links(officer_client, officer):
    html = officer_client.get(reverse("home")).content.decode()
    assert "村（社区）干部" in html and "村11" in html
    assert reverse(PERSON_LIST) in html
    assert reverse(HOUSEHOLD_LIST) in html
    assert reverse("api-docs") not in html  # the API docs link is for district admins only
    assert "乡镇" not in html.split("我的角色")[1].split("常用功能")[0]


def test_home_shows_the_api_docs_link_to_district_admin(client, district_admin):
    verified_login(client, district_admin)
    html = client.get(reverse("home")).content.decode()
    assert "区级管理员" in html and reverse("api-docs") in html


def test_header_shows_title_and_logout_form(officer_client, settings):
    html = officer_client.get(reverse("home")).content.decode()
    assert settings.PORTAL_TITLE in html
    assert f'method="post" action="{reverse("logout")}"' in html
    assert "/static/css/portal.css" in html


def test_officer_sees_only_own_village_people(officer_client, divisions):
    mine = PersonFactory(division=divisions["v11"], name="本村人")
    PersonFactory(division=divisions["v21"], name="外村人")
    response = officer_client.get(reverse(PERSON_LIST))
    assert response.status_code == 200
    assert list(response.context["object_list"]) == [mine]
    assert "外村人" not in response.content.decode()


def test_officer_sees_only_own_village_households(officer_client, divisions):
    mine = HouseholdFactory(division=divisions["v11"], with_head=True)
    other = HouseholdFactory(division=divisions["v21"], with_head=True)
    response = officer_client.get(reverse(HOUSEHOLD_LIST))
    assert list(response.context["object_list"]) == [mine]
    assert other.number not in response.content.decode()


def test_officer_gets_404_for_other_village_person(officer_client, divisions):
    other = PersonFactory(division=divisions["v21"])
    assert officer_client.get(reverse("governance:person-detail", args=[other.pk])).status_code == 404


def test_officer_gets_404_for_other_village_household(officer_client, divisions):
    other = HouseholdFactory(division=divisions["v21"], with_head=True)
    assert officer_client.get(reverse("governance:household-detail", args=[other.pk])).status_code == 404


def test_person_detail_shows_household_and_masked_data(officer_client, divisions):
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    response = officer_client.get(reverse("governance:person-detail", args=[household.head.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert household.number in html and "户主" in html
    assert household.head.id_number not in html


def test_household_detail_lists_members(officer_client, divisions):
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    html = officer_client.get(reverse("governance:household-detail", args=[household.pk])).content.decode()
    assert household.head.name in html
    assert reverse("governance:person-detail", args=[household.head.pk]) in html
    assert household.head.id_number not in html


@pytest.fixture
def resident(divisions):
    return PersonFactory(division=divisions["v11"], id_number="430102199001011237", phone="13812345678")


def test_people_list_masks_personal_data_for_community_officer(officer_client, resident):
    html = officer_client.get(reverse(PERSON_LIST)).content.decode()
    assert "430102********1237" in html and "138****5678" in html
    assert "430102199001011237" not in html and "13812345678" not in html


def test_people_list_shows_personal_data_to_police(client, divisions, resident):
    verified_login(client, user_with_role(Role.POLICE, divisions["t1"]))
    html = client.get(reverse(PERSON_LIST)).content.decode()
    assert "430102199001011237" in html and "13812345678" in html


def test_shop_operator_without_people_permission_gets_403(client, divisions):
    verified_login(client, user_with_role(Role.SHOP_OPERATOR, divisions["v11"]))
    assert client.get(reverse(PERSON_LIST)).status_code == 403
    assert client.get(reverse(HOUSEHOLD_LIST)).status_code == 200


@pytest.mark.parametrize(
    ("name", "make"),
    [
        (PERSON_LIST, lambda d: PersonFactory(division=d)),
        (HOUSEHOLD_LIST, lambda d: HouseholdFactory(division=d, with_head=True)),
    ],
)
def test_list_page_query_count_does_not_grow_with_rows(officer_client, divisions, name, make):
    for _i in range(3):
        make(divisions["v11"])
    with CaptureQueriesContext(connection) as few:
        assert officer_client.get(reverse(name)).status_code == 200
    for _i in range(27):
        make(divisions["v11"])
    with CaptureQueriesContext(connection) as many:
        response = officer_client.get(reverse(name))
    assert len(response.context["object_list"]) == 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_people_list_is_paginated_by_50(officer_client, divisions):
    PersonFactory.create_batch(51, division=divisions["v11"])
    response = officer_client.get(reverse(PERSON_LIST))
    assert len(response.context["object_list"]) == 50
    assert officer_client.get(reverse(PERSON_LIST), {"page": 2}).context["object_list"].__len__() == 1


def test_filters_narrow_the_list(officer_client, divisions):
    member = PersonFactory(division=divisions["v11"], name="刘备", political_status="party_member")
    PersonFactory(division=divisions["v11"], name="关羽")
    assert list(officer_client.get(reverse(PERSON_LIST), {"q": "刘"}).context["object_list"]) == [member]
    response = officer_client.get(reverse(PERSON_LIST), {"party_member": "true"})
    assert list(response.context["object_list"]) == [member]


@pytest.mark.parametrize(
    "params",
    [
        {"party_member": "maybe"},
        {"page": "abc"},
        {"page": "999"},
        {"division_id": "abc"},
        {"political_status": "x"},
        {"within": "nowhere"},
    ],
)
@pytest.mark.parametrize("name", [PERSON_LIST, HOUSEHOLD_LIST])
def test_bad_filter_input_does_not_fail(officer_client, divisions, name, params):
    PersonFactory(division=divisions["v11"])
    assert officer_client.get(reverse(name), params).status_code == 200


def test_invalid_filter_shows_the_error_and_no_rows(officer_client, divisions):
    PersonFactory(division=divisions["v11"])
    response = officer_client.get(reverse(PERSON_LIST), {"division_id": "abc"})
    assert list(response.context["object_list"]) == []
    assert "筛选条件有误" in response.content.decode()


def _option_codes(response) -> list[str]:
    return [code for code in re.findall(r'<option value="([^"]*)"', response.content.decode()) if code]


def test_division_options_chain_township_village_hamlet(client, divisions):
    """What the dependent selects fetch, level by level, with the names htmx sends (``<field>_<i>``)."""
    hamlets = [
        DivisionFactory(
            code=f"431302001001{n:03d}", name=f"屋场{n}", level=DivisionLevel.HAMLET, parent=divisions["v11"]
        )
        for n in (1, 2)
    ]
    DivisionFactory(code="431302002001001", name="别处屋场", level=DivisionLevel.HAMLET, parent=divisions["v21"])
    verified_login(client, user_with_role("township_officer", divisions["t1"], username="officer_t1"))
    url = reverse("governance:division-options")

    villages = client.get(url, {"division_0": divisions["t1"].code})
    assert villages.status_code == 200
    assert _option_codes(villages) == [divisions["v11"].code, divisions["v12"].code]
    assert _option_codes(client.get(url, {"division_1": divisions["v11"].code})) == [h.code for h in hamlets]
    assert _option_codes(client.get(url, {"division_2": hamlets[0].code})) == []  # the bottom of the tree
    assert _option_codes(client.get(url, {"division_1": ""})) == []  # a level reset to blank empties the next
    # Another township's branch is not found, at any level.
    assert client.get(url, {"division_0": divisions["t2"].code}).status_code == 404
    assert client.get(url, {"division_1": divisions["v21"].code}).status_code == 404
