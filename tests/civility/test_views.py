"""Officers' and shop pages: scoped (404 outside), bad input shows the error and writes nothing."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civility.models import BanquetDeclaration, EntrySource, PointEntry, Redemption
from civility.services import points_record
from governance.models import DivisionLevel, Role
from tests.auth import verified_login
from tests.civility.factories import PointRuleFactory, RewardItemFactory, ShopFactory, VillageRuleFactory, account_in
from tests.factories import DivisionFactory, HouseholdFactory, user_with_role

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def officer_client(client, officer):
    verified_login(client, officer)
    return client


def test_batch_entry_records_one_entry_per_ticked_household(officer_client, divisions):
    rule = PointRuleFactory(code="HJ-9", points=3, division=divisions["district"])
    households = [HouseholdFactory(division=divisions["v11"], with_head=True) for _ in range(3)]
    response = officer_client.post(
        reverse("civility:batch-entry"),
        {
            "unit": divisions["v11"].code,
            "rule": "HJ-9",
            "occurred_on": "2025-06-02",
            "households": [h.pk for h in households[:2]],
            "batch_key": "b1",
        },
    )
    assert response.status_code == 302
    assert rule.entries.count() == 2


def test_batch_entry_over_cap_shows_error_and_writes_nothing(officer_client, divisions):
    PointRuleFactory(code="CAP", points=5, monthly_cap=4, division=divisions["district"])
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    response = officer_client.post(
        reverse("civility:batch-entry"),
        {"unit": divisions["v11"].code, "rule": "CAP", "occurred_on": "2025-06-02", "households": [household.pk]},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["rule"]
    assert not PointEntry.objects.exists()


def test_batch_entry_for_a_unit_outside_scope_is_404(officer_client, divisions):
    assert officer_client.get(reverse("civility:batch-entry"), {"unit": divisions["v21"].code}).status_code == 404
    # The same through the dependent selects, tampered.
    assert officer_client.get(reverse("civility:batch-entry"), {"unit_0": divisions["v21"].code}).status_code == 404


def test_batch_entry_unit_is_picked_level_by_level(client, divisions):
    hamlet = DivisionFactory(code="431302001001001", name="屋场甲", level=DivisionLevel.HAMLET, parent=divisions["v11"])
    household = HouseholdFactory(division=hamlet, with_head=True)
    verified_login(client, user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="officer_t1"))
    page = client.get(reverse("civility:batch-entry")).content.decode()
    assert "<legend>屋场／村（社区）</legend>" in page and 'name="unit_0"' in page and 'name="unit_2"' in page
    assert divisions["v21"].name not in page
    response = client.get(
        reverse("civility:batch-entry"),
        {"unit_0": divisions["t1"].code, "unit_1": divisions["v11"].code, "unit_2": hamlet.code},
    )
    assert response.context["unit"] == hamlet
    assert list(response.context["form"].fields["households"].queryset) == [household]
    assert f'value="{hamlet.code}" selected' in response.content.decode()  # the chain stays chosen


def test_wallet_outside_scope_is_404_inside_shows_balance(officer_client, divisions):
    inside = account_in(divisions["v11"], balance=42)
    outside = account_in(divisions["v21"], balance=7)
    response = officer_client.get(reverse("civility:wallet", args=[inside.household_id]))
    assert response.status_code == 200 and response.context["account"].balance == 42
    assert officer_client.get(reverse("civility:wallet", args=[outside.household_id])).status_code == 404


def test_pending_page_confirms_a_self_report_and_query_count_is_flat(officer_client, divisions):
    rule = PointRuleFactory(points=2, division=divisions["district"])

    def report(n):
        return points_record(
            account=account_in(divisions["v11"]),
            rule=rule,
            occurred_on=__import__("datetime").date(2025, 6, 2),
            recorded_by=None,
            source=EntrySource.SELF_REPORT,
            idempotency_key=f"s{n}",
        )[0]

    entries = [report(n) for n in range(3)]
    with CaptureQueriesContext(connection) as few:
        assert officer_client.get(reverse("civility:pending")).status_code == 200
    entries += [report(n) for n in range(3, 30)]
    with CaptureQueriesContext(connection) as many:
        officer_client.get(reverse("civility:pending"))
    assert len(few) == len(many)
    officer_client.post(reverse("civility:pending"), {"entry": entries[0].pk, "action": "confirm"})
    entries[0].refresh_from_db()
    assert entries[0].status == "confirmed"


def test_declaration_form_refuses_negative_tables(officer_client, divisions):
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    response = officer_client.post(
        reverse("civility:declaration-create"),
        {
            "household": household.pk,
            "kind": "wedding",
            "held_on": datetime.date.today().isoformat(),
            "tables": "-2",
            "days": 1,
            "gift_money": "100",
        },
    )
    assert response.status_code == 200 and "tables" in response.context["form"].errors
    assert not BanquetDeclaration.objects.exists()


def test_cap_check_reports_violations_and_hides_other_villages(officer_client, divisions):
    VillageRuleFactory(division=divisions["v11"], tables_cap=10)
    household = HouseholdFactory(division=divisions["v11"])
    response = officer_client.get(
        reverse("civility:declaration-check"),
        {"household": household.pk, "kind": "no_occasion", "tables": 12, "days": 1, "gift_money": 50},
    )
    assert response.json()["violations"] == ["banned_kind", "tables"]
    other = HouseholdFactory(division=divisions["v21"])
    assert officer_client.get(reverse("civility:declaration-check"), {"household": other.pk}).status_code == 404
    bad = officer_client.get(reverse("civility:declaration-check"), {"household": household.pk, "tables": "x"})
    assert bad.status_code == 400


@pytest.mark.parametrize("household", ["abc", "1.5", "-1"])
def test_cap_check_with_a_household_that_is_no_id_is_404(officer_client, divisions, household):
    response = officer_client.get(reverse("civility:declaration-check"), {"household": household})
    assert response.status_code == 404


@pytest.mark.parametrize("gift", ["NaN", "sNaN", "Infinity"])
def test_cap_check_with_a_gift_that_is_no_number_is_400(officer_client, divisions, gift):
    household = HouseholdFactory(division=divisions["v11"])
    response = officer_client.get(
        reverse("civility:declaration-check"), {"household": household.pk, "tables": 3, "gift_money": gift}
    )
    assert response.status_code == 400


@pytest.mark.parametrize("household", ["abc", "1.5"])
def test_shop_with_a_household_that_is_no_id_is_404(client, divisions, household):
    verified_login(client, user_with_role(Role.SHOP_OPERATOR, divisions["v11"]))
    assert client.get(reverse("civility:shop"), {"household": household}).status_code == 404


def test_shop_operator_redeems_once_per_key(client, divisions):
    operator = user_with_role(Role.SHOP_OPERATOR, divisions["v11"])
    verified_login(client, operator)
    account = account_in(divisions["v11"], balance=30)
    item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"], operators=[operator]), points_price=10)
    data = {"household": account.household_id, "item": item.pk, "quantity": 2, "idempotency_key": "page-1"}
    assert client.get(reverse("civility:shop"), {"household": account.household_id}).status_code == 200
    client.post(reverse("civility:shop"), data)
    client.post(reverse("civility:shop"), data)
    account.refresh_from_db()
    assert Redemption.objects.count() == 1 and account.balance == 10
    foreign = account_in(divisions["v21"], balance=30)
    response = client.post(
        reverse("civility:shop"), {**data, "household": foreign.household_id, "idempotency_key": "x"}
    )
    assert response.status_code == 404


def test_officer_without_shop_role_cannot_open_the_shop(officer_client):
    assert officer_client.get(reverse("civility:shop")).status_code == 403


def test_shop_page_offers_only_the_operators_own_shops_and_refuses_another(client, divisions):
    operator = user_with_role(Role.SHOP_OPERATOR, divisions["v11"])
    verified_login(client, operator)
    account = account_in(divisions["v11"], balance=30)
    own = ShopFactory(division=divisions["v11"], operators=[operator])
    neighbour = RewardItemFactory(shop=ShopFactory(division=divisions["v11"]), points_price=10)
    page = client.get(reverse("civility:shop"), {"household": account.household_id})
    assert list(page.context["shops"]) == [own]
    data = {"household": account.household_id, "item": neighbour.pk, "quantity": 1, "idempotency_key": "n-1"}
    response = client.post(reverse("civility:shop"), data, follow=True)
    assert neighbour.shop.name in " ".join(str(m) for m in response.context["messages"])
    account.refresh_from_db()
    assert not Redemption.objects.exists() and account.balance == 30
