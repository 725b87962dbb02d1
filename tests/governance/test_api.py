import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance.models import Division, DivisionLevel, Household, HouseholdMember, Organization, Person, Post, Role
from governance.services import ERR_HEAD_NOT_MEMBER, api_key_create, api_key_revoke
from tests.api_mixin import ReadAPITests, WritableAPITests, assert_error_body
from tests.auth import verified_login
from tests.factories import (
    DivisionFactory,
    HouseholdFactory,
    OrganizationFactory,
    PersonFactory,
    PostFactory,
    make_id_number,
    user_with_role,
)

PEOPLE_URL = "api:governance-api:person-list"
HOUSEHOLDS_URL = "api:governance-api:household-list"


class TestDivisionAPI(ReadAPITests):
    url_name = "api:governance-api:division-list"
    model = Division

    def make(self, division):
        return DivisionFactory(level=DivisionLevel.HAMLET, parent=division)

    def test_divisions_are_read_only_even_for_district_admin(self, district_admin, divisions):
        api = APIClient()
        verified_login(api, district_admin)
        data = {"code": "431302001001099", "name": "新屋场", "level": "hamlet", "parent": divisions["v11"].code}
        assert_error_body(api.post(self.list_url(), data, format="json"), 405)
        assert not Division.objects.filter(code="431302001001099").exists()


class TestPersonAPI(WritableAPITests):
    url_name = PEOPLE_URL
    model = Person
    bad_field = "id_number"

    def make(self, division):
        return PersonFactory(division=division)

    def create_data(self, divisions):
        return {
            "name": "李四",
            "id_number": make_id_number(),
            "phone": "13800000000",
            "division": divisions["v11"].code,
        }

    def update_data(self, obj, divisions):
        return {"name": "王五", "political_status": "party_member"}

    def bad_data(self, divisions):
        return {
            "name": "李四",
            "id_number": _with_wrong_check_char(make_id_number()),
            "division": divisions["v11"].code,
        }


class TestHouseholdAPI(WritableAPITests):
    url_name = HOUSEHOLDS_URL
    model = Household
    bad_field = "head"

    def make(self, division):
        return HouseholdFactory(division=division, with_head=True)

    def create_data(self, divisions):
        head, spouse = PersonFactory.create_batch(2, division=divisions["v11"])
        return {
            "number": "H-NEW-1",
            "address": "1号",
            "division": divisions["v11"].code,
            "head": head.pk,
            "members": [{"person": head.pk, "relation": "head"}, {"person": spouse.pk, "relation": "spouse"}],
        }

    def update_data(self, obj, divisions):
        return {"address": "新地址 8 号"}

    def bad_data(self, divisions):
        outsider = PersonFactory(division=divisions["v11"])
        return {"number": "H-BAD-1", "division": divisions["v11"].code, "head": outsider.pk, "members": []}


class TestOrganizationAPI(WritableAPITests):
    url_name = "api:governance-api:organization-list"
    model = Organization
    bad_field = "uscc"

    def make(self, division):
        return OrganizationFactory(division=division)

    def create_data(self, divisions):
        return {"kind": "council", "name": "屋场理事会", "division": divisions["v11"].code}

    def update_data(self, obj, divisions):
        return {"name": "改名后的理事会", "is_active": False}

    def bad_data(self, divisions):
        return {"kind": "council", "name": "理事会", "division": divisions["v11"].code, "uscc": "123"}


class TestPostAPI(WritableAPITests):
    url_name = "api:governance-api:post-list"
    model = Post
    bad_field = "person"

    def make(self, division):
        return PostFactory(organization=OrganizationFactory(division=division), person=PersonFactory(division=division))

    def create_data(self, divisions):
        organization = OrganizationFactory(division=divisions["v11"])
        person = PersonFactory(division=divisions["v11"])
        return {"organization": organization.pk, "person": person.pk, "title": "书记", "is_head": True}

    def update_data(self, obj, divisions):
        return {"title": "副书记", "start_date": datetime.date(2024, 1, 1)}

    def bad_data(self, divisions):
        organization = OrganizationFactory(division=divisions["v11"])
        stranger = PersonFactory(division=divisions["v21"])  # out of the caller's scope
        return {"organization": organization.pk, "person": stranger.pk, "title": "委员"}


def _with_wrong_check_char(id_number: str) -> str:
    return id_number[:17] + ("1" if id_number[17] != "1" else "2")


# --- API keys ---------------------------------------------------------------------------------


def _key_client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client


def test_api_key_scoped_to_township_sees_only_its_people(divisions):
    inside = PersonFactory(division=divisions["v12"])
    PersonFactory(division=divisions["v21"])
    _key, raw = api_key_create(name="12345热线", role=Role.API_CLIENT, division=divisions["t1"])
    response = _key_client(raw).get(reverse(PEOPLE_URL))
    assert response.status_code == 200, response.content
    assert [row["id"] for row in response.json()["results"]] == [inside.pk]


def test_revoked_api_key_is_401_with_the_error_body(divisions):
    key, raw = api_key_create(name="信访系统", role=Role.API_CLIENT, division=divisions["t1"])
    api_key_revoke(key=key)
    assert_error_body(_key_client(raw).get(reverse(PEOPLE_URL)), 401)


def test_expired_api_key_is_401(divisions):
    yesterday = timezone.now() - datetime.timedelta(days=1)
    _key, raw = api_key_create(name="网格平台", role=Role.API_CLIENT, division=divisions["t1"], expires_at=yesterday)
    assert_error_body(_key_client(raw).get(reverse(PEOPLE_URL)), 401)


def test_wrong_api_key_secret_is_401(divisions):
    _key, raw = api_key_create(name="公安", role=Role.API_CLIENT, division=divisions["t1"])
    assert_error_body(_key_client(raw[:-2] + "zz").get(reverse(PEOPLE_URL)), 401)


def test_api_key_client_cannot_write(divisions):
    _key, raw = api_key_create(name="只读系统", role=Role.API_CLIENT, division=divisions["t1"])
    data = {"name": "李四", "division": divisions["v11"].code}
    assert_error_body(_key_client(raw).post(reverse(PEOPLE_URL), data, format="json"), 403)
    assert not Person.objects.exists()


# --- Personal data ----------------------------------------------------------------------------


@pytest.fixture
def resident(divisions):
    return PersonFactory(division=divisions["v11"], id_number="430102199001011237", phone="13812345678")


def _people_rows(user) -> list[dict]:
    client = APIClient()
    verified_login(client, user)
    response = client.get(reverse(PEOPLE_URL))
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_community_officer_sees_masked_id_number_and_phone(officer, resident):
    [row] = _people_rows(officer)
    assert row["id_number"] == "430102********1237"
    assert row["phone"] == "138****5678"
    assert row["birth_date"] is None


@pytest.mark.parametrize(("role", "where"), [(Role.POLICE, "t1"), (Role.DISTRICT_ADMIN, "district")])
def test_police_and_district_admin_see_full_personal_data(divisions, resident, role, where):
    [row] = _people_rows(user_with_role(role, divisions[where]))
    assert row["id_number"] == "430102199001011237"
    assert row["phone"] == "13812345678"
    assert row["birth_date"] == "1990-01-01"


# --- Households -------------------------------------------------------------------------------


@pytest.fixture
def api(officer):
    client = APIClient()
    verified_login(client, officer)
    return client


def test_household_head_who_is_not_a_member_is_400_and_nothing_is_written(api, divisions):
    head, child = PersonFactory.create_batch(2, division=divisions["v11"])
    data = {
        "number": "H-1",
        "division": divisions["v11"].code,
        "head": head.pk,
        "members": [{"person": child.pk, "relation": "child"}],
    }
    body = assert_error_body(api.post(reverse(HOUSEHOLDS_URL), data, format="json"), 400, "head")
    assert body["errors"]["head"][0]["code"] == ERR_HEAD_NOT_MEMBER
    assert not Household.objects.exists()
    assert not HouseholdMember.objects.exists()


def test_household_without_head_can_be_created(api, divisions):
    data = {"number": "H-2", "division": divisions["v11"].code}
    response = api.post(reverse(HOUSEHOLDS_URL), data, format="json")
    assert response.status_code == 201, response.content
    assert Household.objects.get(number="H-2").head is None


def test_household_create_makes_the_head_a_head_member(api, divisions):
    head, spouse = PersonFactory.create_batch(2, division=divisions["v11"])
    data = {
        "number": "H-3",
        "division": divisions["v11"].code,
        "head": head.pk,
        "members": [{"person": head.pk, "relation": "other"}, {"person": spouse.pk, "relation": "spouse"}],
    }
    response = api.post(reverse(HOUSEHOLDS_URL), data, format="json")
    assert response.status_code == 201, response.content
    relations = {m["person"]: m["relation"] for m in response.json()["members"]}
    assert relations == {head.pk: "head", spouse.pk: "spouse"}


# --- Bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "李四", "division": 123}, "division"),
        ({"name": "李四", "division": ["431302001001"]}, "division"),
        ({"name": "李四", "division": "431302001001", "political_status": "x"}, "political_status"),
        ({"name": "李四", "division": "431302001001", "phone": "12345"}, "phone"),
        ({"division": "431302001001"}, "name"),
    ],
)
def test_wrong_type_or_value_in_body_is_400_naming_the_field(api, divisions, body, field):
    assert_error_body(api.post(reverse(PEOPLE_URL), body, format="json"), 400, field)
    assert not Person.objects.exists()


def test_division_code_out_of_scope_is_400_naming_division(api, divisions):
    body = {"name": "李四", "division": divisions["v21"].code}
    assert_error_body(api.post(reverse(PEOPLE_URL), body, format="json"), 400, "division")
    assert not Person.objects.exists()


def test_moving_a_person_out_of_scope_is_400(api, divisions):
    person = PersonFactory(division=divisions["v11"])
    response = api.patch(reverse("api:governance-api:person-detail", args=[person.pk]), {"division": "431302002001"})
    assert_error_body(response, 400, "division")
    person.refresh_from_db()
    assert person.division == divisions["v11"]


def test_malformed_json_is_400_with_the_error_body(api, divisions):
    response = api.generic("POST", reverse(PEOPLE_URL), "{not json", content_type="application/json")
    assert_error_body(response, 400)


def test_bad_filter_value_is_400(api, divisions):
    assert_error_body(api.get(reverse(PEOPLE_URL), {"division_id": "abc"}), 400, "division_id")


# --- Pagination, root, schema, docs -----------------------------------------------------------


def test_page_size_is_capped(api, divisions, settings):
    settings.API_MAX_PAGE_SIZE = 5
    PersonFactory.create_batch(7, division=divisions["v11"])
    body = api.get(reverse(PEOPLE_URL), {"page_size": 1000}).json()
    assert body["count"] == 7
    assert len(body["results"]) == 5
    assert body["next"]


def test_page_size_param_is_honoured(api, divisions):
    PersonFactory.create_batch(3, division=divisions["v11"])
    body = api.get(reverse(PEOPLE_URL), {"page_size": 2}).json()
    assert len(body["results"]) == 2


def test_page_past_the_end_is_404_with_the_error_body(api, divisions):
    assert_error_body(api.get(reverse(PEOPLE_URL), {"page": 99}), 404)


def test_api_root_lists_governance_resources(api):
    response = api.get(reverse("api:root"))
    assert response.status_code == 200
    resources = response.json()["governance"]
    assert set(resources) >= {"divisions", "people", "households", "organizations", "posts"}
    assert resources["people"].endswith("/api/v1/governance/people/")


def test_schema_is_openapi_3(client):
    response = client.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/governance/people/" in schema["paths"]
    assert "ApiKeyAuth" in schema["components"]["securitySchemes"]


def test_docs_render_with_local_assets_only(client):
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "https://" not in html and "http://cdn" not in html
    assert "/static/drf_spectacular_sidecar/" in html


# --- Filters ----------------------------------------------------------------------------------


@pytest.fixture
def township_api(divisions):
    client = APIClient()
    verified_login(client, user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"]))
    return client


def _ids(client, params, url=PEOPLE_URL) -> set[int]:
    response = client.get(reverse(url), params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_filter_by_division_code_and_id(township_api, divisions):
    a = PersonFactory(division=divisions["v11"])
    PersonFactory(division=divisions["v12"])
    assert _ids(township_api, {"division": "431302001001"}) == {a.pk}
    assert _ids(township_api, {"division_id": divisions["v11"].pk}) == {a.pk}


def test_filter_within_takes_the_subtree_but_never_widens_scope(township_api, divisions):
    hamlet = DivisionFactory(code="431302001001001", level=DivisionLevel.HAMLET, parent=divisions["v11"])
    a = PersonFactory(division=divisions["v11"])
    b = PersonFactory(division=hamlet)
    PersonFactory(division=divisions["v12"])
    PersonFactory(division=divisions["v21"])
    assert _ids(township_api, {"within": "431302001001"}) == {a.pk, b.pk}
    assert _ids(township_api, {"within": "431302"}) == set(
        Person.objects.in_subtree(divisions["t1"]).values_list("pk", flat=True)
    )
    assert _ids(township_api, {"within": "431302002"}) == set()
    assert _ids(township_api, {"within": "nowhere"}) == set()


def test_filter_q_by_name_and_whole_id_number(township_api, divisions):
    a = PersonFactory(division=divisions["v11"], name="刘备", id_number="430102199001011237")
    PersonFactory(division=divisions["v11"], name="关羽")
    assert _ids(township_api, {"q": "刘"}) == {a.pk}
    assert _ids(township_api, {"q": "430102199001011237"}) == {a.pk}
    assert _ids(township_api, {"q": "4301021990"}) == set()  # no fishing by fragments


def test_filter_party_member_and_political_status(township_api, divisions):
    member = PersonFactory(division=divisions["v11"], political_status="party_member")
    PersonFactory(division=divisions["v11"], political_status="masses")
    assert _ids(township_api, {"party_member": "true"}) == {member.pk}
    assert _ids(township_api, {"political_status": "party_member"}) == {member.pk}


def test_post_filters_follow_the_organization_division(township_api, divisions):
    post = PostFactory(
        organization=OrganizationFactory(division=divisions["v11"]), person=PersonFactory(division=divisions["v11"])
    )
    PostFactory(
        organization=OrganizationFactory(division=divisions["v12"]), person=PersonFactory(division=divisions["v12"])
    )
    url = "api:governance-api:post-list"
    assert _ids(township_api, {"division": "431302001001"}, url) == {post.pk}
    assert _ids(township_api, {"within": "431302001001"}, url) == {post.pk}
    assert _ids(township_api, {"q": post.person.name}, url) == {post.pk}


def test_household_filters(township_api, divisions):
    household = HouseholdFactory(division=divisions["v11"], with_head=True, address="幸福路 1 号")
    HouseholdFactory(division=divisions["v12"], with_head=True)
    assert _ids(township_api, {"division": "431302001001"}, HOUSEHOLDS_URL) == {household.pk}
    assert _ids(township_api, {"q": "幸福路"}, HOUSEHOLDS_URL) == {household.pk}
    assert _ids(township_api, {"q": household.head.name}, HOUSEHOLDS_URL) == {household.pk}


def test_model_constraint_error_is_reported_as_non_field_errors(api, divisions):
    data = {
        "organization": OrganizationFactory(division=divisions["v11"]).pk,
        "person": PersonFactory(division=divisions["v11"]).pk,
        "title": "委员",
        "start_date": "2024-05-01",
        "end_date": "2024-04-01",
    }
    assert_error_body(api.post(reverse("api:governance-api:post-list"), data, format="json"), 400, "non_field_errors")
    assert not Post.objects.exists()


def test_duplicate_organization_is_400(api, divisions):
    OrganizationFactory(division=divisions["v11"], kind="council", name="理事会")
    data = {"kind": "council", "name": "理事会", "division": divisions["v11"].code}
    response = api.post(reverse("api:governance-api:organization-list"), data, format="json")
    assert_error_body(response, 400, "non_field_errors")
    assert Organization.objects.count() == 1


def test_bad_nested_member_is_named_by_its_path(api, divisions):
    head = PersonFactory(division=divisions["v11"])
    data = {
        "number": "H-9",
        "division": divisions["v11"].code,
        "head": head.pk,
        "members": [{"person": head.pk, "relation": "head"}, {"person": 999999, "relation": "child"}],
    }
    assert_error_body(api.post(reverse(HOUSEHOLDS_URL), data, format="json"), 400, "members.1.person")
    assert not Household.objects.exists()


def test_person_already_in_another_household_is_400(api, divisions):
    other = HouseholdFactory(division=divisions["v11"], with_head=True)
    data = {
        "number": "H-10",
        "division": divisions["v11"].code,
        "head": other.head.pk,
        "members": [{"person": other.head.pk, "relation": "head"}],
    }
    assert_error_body(api.post(reverse(HOUSEHOLDS_URL), data, format="json"), 400, "members")
    assert not Household.objects.filter(number="H-10").exists()


def test_nested_list_of_wrong_type_is_named_by_the_field(api, divisions):
    data = {"number": "H-11", "division": divisions["v11"].code, "members": "not a list"}
    body = assert_error_body(api.post(reverse(HOUSEHOLDS_URL), data, format="json"), 400, "members")
    assert set(body["errors"]) == {"members"}
