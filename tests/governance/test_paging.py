"""Big lists count and page without a full ``COUNT(*)`` (issue 12 item 3): the planner's estimate
above ``EXACT_COUNT_LIMIT``, written 约 N in the admin; pages read by key; every row reachable
however low the estimate; the same number of queries for 3 and 30 rows."""

from __future__ import annotations

import datetime

import pytest
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civility.admin import PointEntryAdmin
from civility.models import PointEntry
from governance import paging
from governance.admin_site import BigTableAdminMixin
from governance.models import Person
from governance.paging import EstimatedCountPaginator
from tests.auth import verified_login
from tests.civility.factories import PointRuleFactory, account_in
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:civility_pointentry_changelist"


def _people(division, count: int) -> list[int]:
    return [PersonFactory(division=division).pk for _ in range(count)]


def test_a_small_list_is_counted_exactly(divisions):
    _people(divisions["v11"], 12)
    paginator = EstimatedCountPaginator(Person.objects.order_by("pk"), 5)
    assert paginator.count == 12 and not paginator.estimated
    assert paginator.num_pages == 3
    assert paginator.page(3).has_next() is False and len(paginator.page(3)) == 2


def test_above_the_limit_the_count_is_an_estimate_and_every_row_stays_reachable(divisions, monkeypatch):
    ids = _people(divisions["v11"], 12)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_limit", 3)
    monkeypatch.setattr(paging, "planner_rows", lambda queryset: 1)  # a planner far too low
    paginator = EstimatedCountPaginator(Person.objects.order_by("pk"), 5)
    assert paginator.estimated is False and paginator.count == 4 and paginator.estimated
    seen, number = [], 1
    while True:
        page = paginator.page(number)
        seen += [person.pk for person in page]
        if not page.has_next():
            break
        number += 1
    assert seen == sorted(ids) and number == 3
    with pytest.raises(EmptyPage):
        paginator.page(4)
    with pytest.raises(PageNotAnInteger):
        paginator.page("abc")
    with pytest.raises(EmptyPage):
        paginator.page(0)


def test_a_page_is_read_by_key_then_with_its_related_rows_in_the_list_order(divisions):
    ids = _people(divisions["v11"], 9)
    paginator = EstimatedCountPaginator(Person.objects.select_related("division").order_by("-pk"), 4)
    assert paginator.count == 9  # the planner and a capped count, once
    with CaptureQueriesContext(connection) as queries:
        rows = list(paginator.page(2))
    assert [row.pk for row in rows] == sorted(ids, reverse=True)[4:8]
    assert rows[0].division == divisions["v11"]  # loaded with the page, no query of its own
    assert len(queries) == 2


def test_the_planner_is_asked_for_nothing_on_an_empty_queryset(divisions):
    paginator = EstimatedCountPaginator(Person.objects.none(), 5)
    assert paginator.count == 0 and list(paginator.page(1)) == []


def test_the_big_admins_use_the_estimating_paginator():
    from django.contrib import admin

    from governance.models import Household
    from security.models import Dispute

    for model in (PointEntry, Person, Household, Dispute):
        model_admin = admin.site._registry[model]
        assert isinstance(model_admin, BigTableAdminMixin), model
        assert model_admin.paginator is EstimatedCountPaginator and model_admin.show_full_result_count is False


def _entries(division, count: int) -> None:
    rule = PointRuleFactory(code="PG", points=1, division=division)
    account = account_in(division)
    from civility.services import points_record

    for n in range(count):
        points_record(
            account=account, rule=rule, occurred_on=datetime.date(2025, 6, 1), recorded_by=None, idempotency_key=f"p{n}"
        )


def test_ledger_changelist_takes_as_many_queries_for_3_as_for_30_entries(client, divisions, district_admin):
    verified_login(client, district_admin)
    _entries(divisions["v11"], 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse(CHANGELIST)).status_code == 200
    _entries(divisions["v12"], 27)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].result_count == 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert not any("COUNT(*)" in q["sql"] and "LIMIT" not in q["sql"] for q in many.captured_queries)


def test_ledger_changelist_writes_an_estimate_as_such_and_reaches_deep_pages(
    client, divisions, district_admin, monkeypatch
):
    verified_login(client, district_admin)
    _entries(divisions["v11"], 30)
    monkeypatch.setattr(EstimatedCountPaginator, "exact_limit", 15)
    monkeypatch.setattr(PointEntryAdmin, "list_per_page", 10)
    response = client.get(reverse(CHANGELIST))
    assert response.context["cl"].paginator.estimated
    assert "约" in response.content.decode()
    expected = list(PointEntry.objects.order_by("account_id", "seq").values_list("pk", flat=True))
    last = client.get(reverse(CHANGELIST), {"p": 3})
    assert [entry.pk for entry in last.context["cl"].result_list] == expected[20:30]
    # Past the last row: Django's answer to a bad page (back to the list with ?e=1), never a 500.
    assert client.get(reverse(CHANGELIST), {"p": 9}).status_code == 302


def test_ledger_changelist_of_another_township_neither_lists_nor_opens_the_entry(client, divisions):
    from tests.factories import user_with_role

    _entries(divisions["v11"], 2)
    verified_login(client, user_with_role("district_admin", divisions["t2"], username="admin_t2"))
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200 and response.context["cl"].result_count == 0
    entry = PointEntry.objects.first()
    assert client.get(reverse("admin:civility_pointentry_change", args=[entry.pk])).status_code == 404
