"""Bad input never answers 500 (NUL characters, absurd nesting, optional fields left out), the API
root lists only what the caller may open, an API key's "last used" is bookkeeping outside the audit
trail, and the schema says what the API really answers."""

import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from governance.api.parsers import ERR_NULL_CHARACTER, ERR_TOO_DEEP, MAX_DEPTH
from governance.models import ApiKey, Division, Person, Role
from governance.services import api_key_create
from tests.api_mixin import assert_error_body
from tests.auth import verified_login
from tests.factories import PersonFactory, user_with_role

PEOPLE_URL = "api:governance-api:person-list"


@pytest.fixture
def api(district_admin):
    client = APIClient()
    verified_login(client, district_admin)
    return client


def _codes(body: dict, field: str) -> list[str]:
    return [error["code"] for error in body["errors"][field]]


def test_nul_in_a_related_code_is_400_on_the_field_and_writes_nothing(api, divisions):
    data = {"name": "李四", "division": divisions["v11"].code + "\x00"}
    body = assert_error_body(api.post(reverse(PEOPLE_URL), data, format="json"), 400, "division")
    assert _codes(body, "division") == [ERR_NULL_CHARACTER]
    assert not Person.objects.exists()


def test_nul_in_a_patch_is_400_and_changes_nothing(api, divisions):
    person = PersonFactory(division=divisions["v11"], name="张三")
    url = reverse("api:governance-api:person-detail", args=[person.pk])
    assert_error_body(api.patch(url, {"name": "王\x00五"}, format="json"), 400, "name")
    person.refresh_from_db()
    assert person.name == "张三"


def test_nul_deep_in_a_body_or_in_a_key_is_named_by_its_path(api, divisions):
    body = assert_error_body(
        api.post(reverse(PEOPLE_URL), {"name": "李四", "extra": [{"note": "a\x00"}]}, format="json"), 400
    )
    assert _codes(body, "extra.0.note") == [ERR_NULL_CHARACTER]
    body = assert_error_body(api.post(reverse(PEOPLE_URL), {"na\x00me": "李四"}, format="json"), 400)
    assert _codes(body, "non_field_errors") == [ERR_NULL_CHARACTER]


def test_nul_in_a_form_body_is_400_on_the_field(api, divisions):
    response = api.post(reverse(PEOPLE_URL), {"name": "李四", "division": "431302\x00"}, format="multipart")
    assert _codes(assert_error_body(response, 400, "division"), "division") == [ERR_NULL_CHARACTER]
    response = api.post(
        reverse(PEOPLE_URL), "name=%E6%9D%8E&division=431302%00", content_type="application/x-www-form-urlencoded"
    )
    assert_error_body(response, 400, "division")
    assert not Person.objects.exists()


@pytest.mark.parametrize("query", [{"division": "4313\x00"}, {"within": "4313\x00"}, {"q": "\x00"}])
def test_nul_in_a_query_string_is_400(api, divisions, query):
    assert_error_body(api.get(reverse(PEOPLE_URL), query), 400)


def test_deeply_nested_json_is_400_not_a_recursion_error(api, divisions):
    for depth in (MAX_DEPTH + 2, 2000, 100_000):
        payload = "[" * depth + "]" * depth
        response = api.post(reverse(PEOPLE_URL), payload, content_type="application/json")
        body = assert_error_body(response, 400)
        assert body["code"] == ERR_TOO_DEEP
    assert not Person.objects.exists()


def test_json_within_the_depth_limit_is_read(api, divisions):
    nested: list = []
    for _ in range(MAX_DEPTH - 2):
        nested = [nested]
    response = api.post(
        reverse(PEOPLE_URL), json.dumps({"name": "李四", "extra": nested}), content_type="application/json"
    )
    assert response.status_code != 400 or "extra" not in response.json()["errors"]


def test_api_root_lists_integrity_only_to_discipline_staff(divisions, district_admin):
    client = APIClient()
    verified_login(client, district_admin)
    assert "integrity" not in client.get(reverse("api:root")).json()
    verified_login(client, user_with_role(Role.DISCIPLINE_INSPECTOR, divisions["district"]))
    assert "clues" in client.get(reverse("api:root")).json()["integrity"]


def test_api_root_lists_nothing_to_anonymous_callers(db):
    assert APIClient().get(reverse("api:root")).json() == {}


def _key_client(divisions, role=Role.API_CLIENT):
    key, plain = api_key_create(name=f"热线-{role}", role=role, division=divisions["district"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return key, client


def test_an_answered_request_touches_last_used_without_an_audit_row(divisions):
    key, client = _key_client(divisions)
    events = ApiKey.pgh_event_model.objects.filter(pgh_obj_id=key.pk)
    before = events.count()
    assert client.get(reverse(PEOPLE_URL)).status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert events.count() == before


@pytest.mark.parametrize("method", ["post", "get_integrity"])
def test_a_refused_request_does_not_touch_last_used(divisions, method):
    key, client = _key_client(divisions)
    if method == "post":  # an API client may read people, not register them
        response = client.post(reverse(PEOPLE_URL), {"name": "李四", "division": "431302"}, format="json")
    else:
        response = client.get("/api/v1/integrity/clues/")
    assert response.status_code in (403, 404)
    key.refresh_from_db()
    assert key.last_used_at is None


def _schema(client) -> dict:
    return client.get(reverse("api-schema"), {"format": "json"}).json()["components"]["schemas"]


def test_schema_says_null_where_the_api_answers_null(client, db):
    schemas = _schema(client)
    assert schemas["Division"]["properties"]["parent_id"].get("nullable") is True
    assert schemas["Person"]["properties"]["birth_date"].get("nullable") is True
    assert schemas["PointEntry"]["properties"]["reverses"].get("nullable") is True
    assert schemas["PatrolLog"]["properties"]["dispute_number"].get("nullable") is True
    # Labels are strings, never the choice's enum.
    assert schemas["DisputeDetail"]["properties"]["risk_level_display"]["type"] == "string"
    assert Division  # the model the schema describes


def test_an_unrouted_api_path_answers_the_error_body_not_html(api):
    response = api.get("/api/v1/governance/people/1.5e-3/")
    assert response["Content-Type"].startswith("application/json")
    assert_error_body(response, 404)


def test_a_patch_answers_the_whole_object_with_read_only_defaults(api, divisions):
    from tests.factories import HouseholdFactory

    household = HouseholdFactory(division=divisions["v11"], head=None)
    url = reverse("api:governance-api:household-detail", args=[household.pk])
    response = api.patch(url, {"address": "新地址"}, format="json")
    assert response.status_code == 200, response.content
    assert "head_name" in response.json()


def test_every_operation_documents_the_error_body(client, db):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert {"400", "401", "403", "404", "429"} <= set(operation["responses"]), (method, path)
