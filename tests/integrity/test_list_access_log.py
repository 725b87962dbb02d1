"""Every list of clues or cases shown — a page, an admin changelist, an API page — is one access-log
row (issue 19 item 8): which register, the ids on that page in order, the path with its filters;
set-based (one row per request, the same number of queries for 3 rows as for 30), scoped to the
viewer's discipline division, and only the rows the viewer could see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from integrity.choices import AccessAction, AccessTarget, AccessVia
from integrity.models import AccessLog
from tests.auth import verified_login
from tests.integrity.factories import ClueFactory, IntegrityCaseFactory

pytestmark = [pytest.mark.django_db]

CLUE_LISTS = [
    ("integrity:clue-list", AccessVia.PAGE),
    ("admin:integrity_clue_changelist", AccessVia.ADMIN),
    ("api:integrity-api:clue-list", AccessVia.API),
]
CASE_LISTS = [
    ("integrity:case-list", AccessVia.PAGE),
    ("admin:integrity_integritycase_changelist", AccessVia.ADMIN),
    ("api:integrity-api:case-list", AccessVia.API),
]


@pytest.fixture
def web(client, inspector):
    return verified_login(client, inspector)


@pytest.fixture
def api(inspector):
    return verified_login(APIClient(), inspector)


def _get(web, api, url_name, params=None):
    client = api if url_name.startswith("api:") else web
    response = client.get(reverse(url_name), params or {})
    assert response.status_code == 200, response.content[:300]
    return response


@pytest.mark.parametrize(
    ("url_name", "via", "target", "make"),
    [(u, v, AccessTarget.CLUE, ClueFactory) for u, v in CLUE_LISTS]
    + [(u, v, AccessTarget.CASE, IntegrityCaseFactory) for u, v in CASE_LISTS],
)
def test_a_list_is_one_row_with_the_ids_shown(web, api, divisions, inspector, url_name, via, target, make):
    mine = [make(division=divisions["v11"]), make(division=divisions["v12"])]
    outside = make(division=divisions["v21"])  # township t2: not the t1 inspector's
    _get(web, api, url_name)
    row = AccessLog.objects.get()
    assert (row.action, row.target, row.via, row.user, row.division) == (
        AccessAction.LIST,
        target,
        via,
        inspector,
        divisions["t1"],
    )
    assert sorted(row.row_ids) == sorted(obj.pk for obj in mine)
    assert outside.pk not in row.row_ids
    assert row.clue is None and row.case is None
    assert row.path == reverse(url_name)


@pytest.mark.parametrize(("url_name", "via"), CLUE_LISTS)
def test_the_log_keeps_the_filters_and_only_what_matched(web, api, divisions, url_name, via):
    hit = ClueFactory(division=divisions["v11"], number="XS-HIT-1")
    ClueFactory(division=divisions["v11"], number="XS-MISS-1")
    params = {"q": "XS-HIT"}  # the admin search and the filter set alike
    _get(web, api, url_name, params)
    row = AccessLog.objects.get()
    assert row.row_ids == [hit.pk]
    assert "XS-HIT" in row.path


@pytest.mark.parametrize(("url_name", "via"), CLUE_LISTS + CASE_LISTS)
def test_logging_a_list_costs_the_same_queries_for_3_and_30_rows(web, api, divisions, url_name, via):
    make = ClueFactory if "clue" in url_name else IntegrityCaseFactory
    for _i in range(3):
        make(division=divisions["v11"])
    with CaptureQueriesContext(connection) as few:
        _get(web, api, url_name)
    for _i in range(27):
        make(division=divisions["v12"])
    with CaptureQueriesContext(connection) as many:
        _get(web, api, url_name)
    assert len(many) == len(few)
    rows = list(AccessLog.objects.order_by("id"))
    assert len(rows) == 2  # one per request, never one per row
    assert len(rows[1].row_ids) == 30
    inserts = [q["sql"] for q in many.captured_queries if q["sql"].startswith('INSERT INTO "integrity_accesslog"')]
    assert len(inserts) == 1


def test_a_bad_filter_is_still_logged_with_no_rows(web, api, divisions):
    ClueFactory(division=divisions["v11"])
    response = web.get(reverse("integrity:clue-list"), {"received_after": "2025-13-40"})
    assert response.status_code == 200
    assert AccessLog.objects.get().row_ids == []
    bad = api.get(reverse("api:integrity-api:clue-list"), {"received_after": "not-a-date"})
    assert bad.status_code == 400
    assert AccessLog.objects.count() == 1  # a refused request showed nothing


def test_the_access_log_api_finds_the_lists_that_showed_a_clue(web, api, divisions, district_inspector):
    clue = ClueFactory(division=divisions["v11"])
    _get(web, api, "integrity:clue-list")
    _get(web, api, "integrity:case-list")
    listed = api.get(reverse("api:integrity-api:access-log-list"), {"listed_id": clue.pk}).json()["results"]
    assert [(row["action"], row["target"], row["row_ids"]) for row in listed] == [("list", "clue", [clue.pk])]
    # Bad input: a 400 naming the field, or nothing found; never a 500.
    for value in ("x", "1e30", "-1", "99999999999999999999999"):
        response = api.get(reverse("api:integrity-api:access-log-list"), {"listed_id": value})
        assert response.status_code in (200, 400), value
        if response.status_code == 200:
            assert response.json()["results"] == []


def test_list_rows_of_another_township_are_out_of_scope(divisions, inspector, district_inspector):
    from tests.factories import user_with_role

    other = user_with_role("discipline_inspector", divisions["t2"])
    ClueFactory(division=divisions["v21"])
    verified_login(APIClient(), other).get(reverse("api:integrity-api:clue-list"))
    row = AccessLog.objects.get()
    assert row.division == divisions["t2"]
    mine = verified_login(APIClient(), inspector).get(reverse("api:integrity-api:access-log-list")).json()
    assert row.pk not in [r["id"] for r in mine["results"]]
    district = verified_login(APIClient(), district_inspector).get(reverse("api:integrity-api:access-log-list"))
    assert row.pk in [r["id"] for r in district.json()["results"]]


@pytest.mark.parametrize(
    ("model_name", "field_name", "target", "make"),
    [
        ("sanction", "clue", AccessTarget.CLUE, ClueFactory),
        ("integritycase", "clues", AccessTarget.CLUE, ClueFactory),
    ],
)
def test_an_admin_dropdown_search_is_a_logged_list(web, divisions, model_name, field_name, target, make):
    """The admin's autocomplete of a clue field answers with clues: one list row, with their ids."""
    shown = make(division=divisions["v11"])
    response = web.get(
        reverse("admin:autocomplete"),
        {"app_label": "integrity", "model_name": model_name, "field_name": field_name, "term": ""},
    )
    assert response.status_code == 200, response.content[:300]
    assert str(shown.pk) in {item["id"] for item in response.json()["results"]}
    row = AccessLog.objects.get()
    assert (row.action, row.target, row.via) == (AccessAction.LIST, target, AccessVia.ADMIN)
    assert row.row_ids == [shown.pk]
