"""Issue 14 for civility: the officers' list of banquet declarations (scoped, filtered, coming ones
first), declarations that refuse 0 tables and dates out of range (form and API), and the shop's lookup
by part of a name or household number."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from civility.errors import ERR_BANQUET_DATE, ERR_BANQUET_TABLES
from civility.models import BanquetDeclaration
from governance.models import Role
from tests.auth import verified_login
from tests.civility.factories import BanquetDeclarationFactory
from tests.factories import HouseholdFactory, PersonFactory, user_with_role

pytestmark = [pytest.mark.django_db]
TODAY = timezone.localdate()


@pytest.fixture
def officer_client(client, officer):
    verified_login(client, officer)
    return client


def _declare(division, **kwargs):
    return BanquetDeclarationFactory(household=HouseholdFactory(division=division, with_head=True), **kwargs)


def test_declaration_list_is_scoped_and_puts_coming_banquets_first(officer_client, divisions):
    past = _declare(divisions["v11"], held_on=TODAY - datetime.timedelta(days=30))
    later = _declare(divisions["v11"], held_on=TODAY + datetime.timedelta(days=20))
    sooner = _declare(divisions["v11"], held_on=TODAY + datetime.timedelta(days=3))
    _declare(divisions["v21"], held_on=TODAY)
    listed = list(officer_client.get(reverse("civility:declaration-list")).context["object_list"])
    assert listed == [sooner, later, past]


def test_declaration_list_filters_and_refuses_bad_input_in_chinese(officer_client, divisions):
    flagged = _declare(divisions["v11"], is_flagged=True, violations=["tables"])
    _declare(divisions["v11"])
    response = officer_client.get(reverse("civility:declaration-list"), {"flagged": "true"})
    assert list(response.context["object_list"]) == [flagged]
    response = officer_client.get(reverse("civility:declaration-list"), {"held_after": "明天"})
    assert response.status_code == 200 and "筛选条件有误" in response.content.decode()
    assert list(response.context["object_list"]) == []


def test_declaration_list_out_of_scope_filter_is_404_or_empty(officer_client, divisions):
    response = officer_client.get(reverse("civility:declaration-list"), {"within": divisions["v21"].code})
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert list(response.context["object_list"]) == []


def test_declaration_list_takes_as_many_queries_for_3_as_for_30(officer_client, divisions):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert officer_client.get(reverse("civility:declaration-list")).status_code == 200
        return len(captured)

    for _ in range(3):
        _declare(divisions["v11"])
    few = queries()
    for _ in range(27):
        _declare(divisions["v12"])
    assert queries() == few


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("tables", 0, ERR_BANQUET_TABLES),
        ("held_on", (TODAY + datetime.timedelta(days=400)).isoformat(), ERR_BANQUET_DATE),
        ("held_on", "1925-05-01", ERR_BANQUET_DATE),
    ],
)
def test_declaration_out_of_range_is_refused_on_the_form_and_the_api(client, officer, divisions, field, value, code):
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    data = {"household": household.pk, "kind": "wedding", "held_on": TODAY.isoformat(), "tables": 5, "days": 1}
    data = {**data, "gift_money": "100", field: value}
    api = APIClient()
    api.force_authenticate(officer)
    response = api.post("/api/v1/civility/declarations/", data, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][field][0]["code"] == code
    verified_login(client, officer)
    response = client.post(reverse("civility:declaration-create"), {k: str(v) for k, v in data.items()})
    errors = response.context["form"].errors[field]
    assert any(("桌" in e) or ("日期" in e) for e in errors), errors
    assert not BanquetDeclaration.objects.exists()


def test_shop_finds_a_household_by_part_of_a_name_or_of_its_number(client, divisions):
    verified_login(client, user_with_role(Role.SHOP_OPERATOR, divisions["v11"], username="shop_find"))
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    household.head.name = "欧阳建国"
    household.head.save()
    other = HouseholdFactory(division=divisions["v21"], with_head=True)
    other.head.name = "欧阳建华"
    other.head.save()
    for q in ("建国", "欧阳", household.number[-4:]):
        found = client.get(reverse("civility:shop"), {"q": q}).context["households"]
        assert household in found and other not in found, q
    member = PersonFactory(division=divisions["v11"], name="司马·小红")
    household.members.create(person=member, relation="child")
    assert household in client.get(reverse("civility:shop"), {"q": "小红"}).context["households"]
    assert client.get(reverse("civility:shop"), {"q": "   "}).context["households"] == []


def test_declaration_form_lists_households_in_as_many_queries_for_3_as_for_30(officer_client, divisions):
    """The household dropdown's labels name the head: read in the same query, not one per option."""

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert officer_client.get(reverse("civility:declaration-create")).status_code == 200
        return len(captured)

    for _ in range(3):
        HouseholdFactory(division=divisions["v11"], with_head=True)
    few = queries()
    for _ in range(27):
        HouseholdFactory(division=divisions["v11"], with_head=True)
    assert queries() == few
