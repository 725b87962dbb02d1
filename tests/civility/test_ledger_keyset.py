"""``/api/v1/civility/entries/`` is keyset-paginated like the dispute list (issue 12 item 3): cursors,
no count, at most four queries a page, a deep page as cheap as the first, the caller's scope only."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from civility.models import PointEntry
from civility.services import points_record
from tests.api_mixin import assert_error_body
from tests.auth import verified_login
from tests.civility.factories import PointRuleFactory, account_in
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db
URL = reverse("api:civility-api:pointentry-list")


def _entries(division, count: int, day: int = 1) -> list[int]:
    rule = PointRuleFactory(code=f"K{division.code}", points=1, division=division)
    account = account_in(division)
    return [
        points_record(
            account=account,
            rule=rule,
            occurred_on=datetime.date(2025, 6, day + n % 20),
            recorded_by=None,
            idempotency_key=f"k{n}",
        )[0].pk
        for n in range(count)
    ]


@pytest.fixture
def api(divisions):
    client = APIClient()
    verified_login(client, user_with_role("community_officer", divisions["v11"], username="ledger_v11"))
    return client


def _walk(api, params: dict) -> tuple[list[int], list[int]]:
    """Every page from the first by its ``next`` link: the ids in order and, per page, the queries of
    the ledger itself (the rest — session, user, roles, scope, permissions — is the same for every
    request of the API)."""
    ids, counts, url, query = [], [], URL, params
    while url:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(url, query)
        assert response.status_code == 200, response.content
        body = response.json()
        assert "count" not in body and set(body) == {"next", "previous", "results"}
        ids += [row["id"] for row in body["results"]]
        counts.append(sum("civility_" in q["sql"] for q in queries.captured_queries))
        url, query = body["next"], None
    return ids, counts


def test_pages_walk_every_entry_in_scope_once_newest_first_one_ledger_query_a_page(api, divisions):
    mine = _entries(divisions["v11"], 30)
    _entries(divisions["v21"], 5)  # another township's
    ids, counts = _walk(api, {"page_size": 7})
    assert ids == sorted(mine, reverse=True)
    assert counts == [1] * 5  # the page and one row more, no COUNT


def test_ordering_by_date_walks_by_date_then_id(api, divisions):
    mine = _entries(divisions["v11"], 12)
    ids, _counts = _walk(api, {"page_size": 5, "ordering": "occurred_on"})
    dates = dict(PointEntry.objects.filter(pk__in=mine).values_list("pk", "occurred_on"))
    assert ids == sorted(mine, key=lambda pk: (dates[pk], pk))


def test_previous_link_goes_back_to_the_same_rows(api, divisions):
    _entries(divisions["v11"], 10)
    first = api.get(URL, {"page_size": 4}).json()
    second = api.get(first["next"]).json()
    back = api.get(second["previous"]).json()
    assert [row["id"] for row in back["results"]] == [row["id"] for row in first["results"]]


def test_a_deep_page_takes_the_queries_of_the_first(api, divisions):
    # At ten million rows the deep page is the same single index range read (bench_lists measures it).
    _entries(divisions["v11"], 30)
    with CaptureQueriesContext(connection) as first:
        body = api.get(URL, {"page_size": 2}).json()
    for _step in range(10):
        body = api.get(body["next"]).json()
    with CaptureQueriesContext(connection) as deep:
        assert api.get(body["next"]).status_code == 200
    assert len(deep) == len(first)
    assert sum("civility_" in q["sql"] for q in deep.captured_queries) == 1


@pytest.mark.parametrize("cursor", ["garbage", "cD1bIngiXQ==", "cD1bMSwgMl0="])
def test_a_bad_cursor_is_a_structured_404(api, divisions, cursor):
    _entries(divisions["v11"], 3)
    assert_error_body(api.get(URL, {"cursor": cursor}), 404)


def test_an_entry_of_another_township_is_not_found(api, divisions):
    other = _entries(divisions["v21"], 1)[0]
    assert_error_body(api.get(reverse("api:civility-api:pointentry-detail", args=[other])), 404)
    assert api.get(URL).json()["results"] == []


def test_the_schema_documents_cursors_and_no_count(admin_client):
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/civility/entries/"]["get"]
    names = {parameter["name"] for parameter in operation["parameters"]}
    assert "cursor" in names and "page" not in names
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "count" not in schema["components"]["schemas"][ref]["properties"]
