"""The banquet declaration form picks a household by search (htmx, or the form posted back without
JavaScript), never from a select of every household of the area (issue 14: 2,000 options, 1.8 s)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civility.models import BanquetDeclaration
from governance.models import Household
from tests.auth import verified_login
from tests.civility.factories import VillageRuleFactory
from tests.factories import HouseholdFactory

pytestmark = [pytest.mark.django_db]

OPTION_VALUE = re.compile(r'<option value="(\d+)"')


@pytest.fixture
def officer_client(client, officer):
    verified_login(client, officer)
    return client


def _households(division, count: int, prefix: str) -> list[Household]:
    return Household.objects.bulk_create(
        Household(number=f"{prefix}{division.code[-4:]}{n:04d}", address=f"{n}号", division=division)
        for n in range(count)
    )


def _form(household="", **extra) -> dict:
    return {
        "household": household,
        "kind": "wedding",
        "held_on": datetime.date.today().isoformat(),
        "tables": "5",
        "days": "1",
        "gift_money": "100",
        **extra,
    }


def _queries(client, url: str, params=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(ctx), response.content.decode()


def test_form_lists_no_household_and_costs_the_same_for_3_and_30(officer_client, divisions):
    url = reverse("civility:declaration-create")
    _households(divisions["v11"], 3, "A")
    few, page = _queries(officer_client, url)
    assert OPTION_VALUE.findall(page) == []
    assert 'name="household_q"' in page and "hx-get" in page
    _households(divisions["v11"], 30, "B")
    many, page = _queries(officer_client, url)
    assert OPTION_VALUE.findall(page) == []
    assert few == many


def test_search_offers_only_households_in_scope(officer_client, divisions):
    mine = _households(divisions["v11"], 3, "LX")
    _households(divisions["v21"], 3, "LX")  # another township
    count, text = _queries(
        officer_client, reverse("governance:household-options"), {"name": "household", "household_q": "LX"}
    )
    assert {int(pk) for pk in OPTION_VALUE.findall(text)} == {h.pk for h in mine}
    _households(divisions["v11"], 30, "LY")
    count_many, _text = _queries(
        officer_client, reverse("governance:household-options"), {"name": "household", "household_q": "L"}
    )
    assert count == count_many


def test_search_by_head_name(officer_client, divisions):
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    params = {"name": "household", "household_q": household.head.name}
    _count, text = _queries(officer_client, reverse("governance:household-options"), params)
    assert OPTION_VALUE.findall(text) == [str(household.pk)]


def test_empty_term_offers_nothing(officer_client, divisions):
    _households(divisions["v11"], 3, "Q")
    _count, text = _queries(officer_client, reverse("governance:household-options"), {"name": "household"})
    assert OPTION_VALUE.findall(text) == []
    assert "未找到" in text


def test_without_javascript_the_posted_term_comes_back_as_choices(officer_client, divisions):
    mine = _households(divisions["v11"], 2, "NJ")
    response = officer_client.post(reverse("civility:declaration-create"), _form(household_q="NJ"))
    assert response.status_code == 200
    assert "请先搜索并选择家庭户。" in response.content.decode()
    assert {int(pk) for pk in OPTION_VALUE.findall(response.content.decode())} == {h.pk for h in mine}
    assert not BanquetDeclaration.objects.exists()


def test_an_out_of_scope_household_is_refused_in_chinese(officer_client, divisions):
    other = _households(divisions["v21"], 1, "OT")[0]
    response = officer_client.post(reverse("civility:declaration-create"), _form(household=other.pk))
    assert response.status_code == 200
    assert "请选择您管辖范围内的家庭户。" in response.content.decode()
    assert not BanquetDeclaration.objects.exists()


def test_a_chosen_household_is_declared_and_kept_on_an_error(officer_client, divisions):
    VillageRuleFactory(division=divisions["v11"])
    household = _households(divisions["v11"], 1, "OK")[0]
    bad = officer_client.post(reverse("civility:declaration-create"), _form(household=household.pk, tables="-1"))
    assert OPTION_VALUE.findall(bad.content.decode()) == [str(household.pk)]  # still chosen
    response = officer_client.post(reverse("civility:declaration-create"), _form(household=household.pk))
    assert response.status_code == 302
    assert BanquetDeclaration.objects.get().household == household
