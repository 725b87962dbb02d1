"""The civility API: scoped lists, 404 outside the scope, bad input naming the field, the
Idempotency-Key header, no edits or deletes of the ledger, constant query counts."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from civility.api.views import ERR_IDEMPOTENCY_KEY_MISSING
from civility.models import BanquetDeclaration, MonthlyRanking, PointAccount, PointEntry, Redemption, RewardItem
from civility.services import (
    ERR_IDEMPOTENCY_CONFLICT,
    ERR_INSUFFICIENT_BALANCE,
    ERR_NOT_SHOP_OPERATOR,
    ERR_RULE_CAP,
    points_record,
    ranking_compute,
    ranking_publish,
)
from governance.api.errors import ERR_INVALID
from governance.models import Role
from tests.api_mixin import ReadAPITests, assert_error_body
from tests.civility.factories import (
    BanquetDeclarationFactory,
    PointRuleFactory,
    RewardItemFactory,
    ShopFactory,
    VillageRuleFactory,
    account_in,
)
from tests.factories import HouseholdFactory, user_with_role


class TestAccountAPI(ReadAPITests):
    url_name = "api:civility-api:pointaccount-list"
    model = PointAccount

    def make(self, division):
        return account_in(division, balance=20)


class TestEntryAPI(ReadAPITests):
    url_name = "api:civility-api:pointentry-list"
    model = PointEntry

    def make(self, division):
        return account_in(division, balance=20).entries.get()

    def test_officer_records_points_by_rule_and_key(self, api, divisions):
        account = account_in(divisions["v11"])
        rule = PointRuleFactory(code="HJ", points=3, division=divisions["district"])
        data = {"account": account.pk, "rule": "HJ", "occurred_on": "2025-06-03"}
        first = api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="visit-7")
        again = api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="visit-7")
        assert first.status_code == 201, first.json()
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        account.refresh_from_db()
        assert account.balance == 3 and rule.entries.count() == 1

    def test_over_cap_is_400_naming_rule_and_nothing_written(self, api, divisions):
        account = account_in(divisions["v11"])
        PointRuleFactory(code="CAP", points=5, monthly_cap=5, division=divisions["district"])
        data = {"account": account.pk, "rule": "CAP", "occurred_on": "2025-06-03"}
        assert api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="1").status_code == 201
        body = assert_error_body(api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="2"), 400, "rule")
        assert body["errors"]["rule"][0]["code"] == ERR_RULE_CAP
        assert account.entries.count() == 1

    def test_same_key_for_another_rule_is_409_naming_the_key(self, api, divisions):
        account = account_in(divisions["v11"])
        for code in ("A", "B"):
            PointRuleFactory(code=code, division=divisions["district"])
        data = {"account": account.pk, "rule": "A", "occurred_on": "2025-06-03"}
        assert api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
        response = api.post(self.list_url(), {**data, "rule": "B"}, format="json", HTTP_IDEMPOTENCY_KEY="k")
        body = assert_error_body(response, 409, "idempotency_key")
        assert body["code"] == ERR_IDEMPOTENCY_CONFLICT
        assert body["errors"]["idempotency_key"][0]["code"] == ERR_IDEMPOTENCY_CONFLICT
        assert account.entries.count() == 1

    def test_rule_of_another_village_is_refused_naming_rule(self, api, divisions):
        account = account_in(divisions["v11"])
        PointRuleFactory(code="V21", division=divisions["v21"])
        data = {"account": account.pk, "rule": "V21", "occurred_on": "2025-06-03"}
        assert_error_body(api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="x"), 400, "rule")
        assert not account.entries.exists()

    def test_account_outside_scope_is_refused_naming_account(self, api, divisions):
        outside = account_in(divisions["v21"])
        PointRuleFactory(code="R", division=divisions["district"])
        data = {"account": outside.pk, "rule": "R", "occurred_on": "2025-06-03"}
        assert_error_body(api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="x"), 400, "account")
        assert not outside.entries.exists()

    def test_missing_key_is_400(self, api, divisions):
        account = account_in(divisions["v11"])
        PointRuleFactory(code="R", division=divisions["district"])
        body = assert_error_body(
            api.post(self.list_url(), {"account": account.pk, "rule": "R", "occurred_on": "2025-06-03"}, format="json"),
            400,
            "idempotency_key",
        )
        assert body["errors"]["idempotency_key"][0]["code"] == ERR_IDEMPOTENCY_KEY_MISSING

    def test_entries_cannot_be_edited_or_deleted(self, api, divisions):
        entry = self.make(divisions["v11"])
        assert api.patch(self.detail_url(entry), {"points": 999}, format="json").status_code in (403, 405)
        assert api.delete(self.detail_url(entry)).status_code in (403, 405)
        entry.refresh_from_db()
        assert entry.points == 20

    def test_reversal_through_the_api(self, api, divisions):
        entry = self.make(divisions["v11"])
        response = api.post(
            self.list_url(), {"account": entry.account_id, "reverses": entry.pk, "reason": "录错"}, format="json"
        )
        assert response.status_code == 201, response.content
        assert response.json()["points"] == -20


class TestRedemptionAPI(ReadAPITests):
    url_name = "api:civility-api:redemption-list"
    model = Redemption
    role = Role.SHOP_OPERATOR

    def make(self, division):
        from civility.services import RedemptionRequest, points_redeem

        account = account_in(division, balance=50)
        item = RewardItemFactory(shop=ShopFactory(division=division))
        redemption, _ = points_redeem(
            account=account,
            shop=item.shop,
            lines=[RedemptionRequest(item, 1)],
            operator=None,
            idempotency_key=f"k{account.pk}",
        )
        return redemption

    def test_same_idempotency_key_twice_creates_one_redemption(self, api, user, divisions):
        account = account_in(divisions["v11"], balance=50)
        item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"], operators=[user]), points_price=10)
        data = {"account": account.pk, "shop": item.shop_id, "lines": [{"item": item.pk, "quantity": 2}]}
        first = api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="till-1")
        second = api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="till-1")
        assert first.status_code == 201, first.json()
        assert second.status_code == 200 and second.json()["id"] == first.json()["id"]
        account.refresh_from_db()
        assert account.balance == 30 and Redemption.objects.count() == 1

    def test_same_key_for_another_account_is_409(self, api, user, divisions):
        item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"], operators=[user]), points_price=10)
        for n, account in enumerate([account_in(divisions["v11"], balance=50) for _ in range(2)]):
            data = {"account": account.pk, "shop": item.shop_id, "lines": [{"item": item.pk, "quantity": 1}]}
            response = api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="dup")
            assert response.status_code == (201 if n == 0 else 409)
        assert Redemption.objects.count() == 1

    def test_same_key_for_other_goods_is_409_and_nothing_more_is_spent(self, api, user, divisions):
        account = account_in(divisions["v11"], balance=50)
        shop = ShopFactory(division=divisions["v11"], operators=[user])
        soap, towel = (RewardItemFactory(shop=shop, points_price=5) for _ in range(2))
        data = {"account": account.pk, "shop": shop.pk, "lines": [{"item": soap.pk, "quantity": 1}]}
        assert api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="k-5").status_code == 201
        for lines in ([{"item": soap.pk, "quantity": 2}], [{"item": towel.pk, "quantity": 1}]):
            response = api.post(self.list_url(), {**data, "lines": lines}, format="json", HTTP_IDEMPOTENCY_KEY="k-5")
            assert_error_body(response, 409, "idempotency_key")
        account.refresh_from_db()
        assert account.balance == 45 and Redemption.objects.count() == 1

    def test_without_key_or_beyond_balance_is_400_and_nothing_written(self, api, user, divisions):
        account = account_in(divisions["v11"], balance=5)
        item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"], operators=[user]), points_price=10)
        data = {"account": account.pk, "shop": item.shop_id, "lines": [{"item": item.pk, "quantity": 1}]}
        assert_error_body(api.post(self.list_url(), data, format="json"), 400, "Idempotency-Key")
        body = assert_error_body(api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="k"), 400, "lines")
        assert body["code"] == ERR_INVALID and body["errors"]["lines"][0]["code"] == ERR_INSUFFICIENT_BALANCE
        bad = {**data, "lines": [{"item": item.pk, "quantity": -1}]}
        assert_error_body(
            api.post(self.list_url(), bad, format="json", HTTP_IDEMPOTENCY_KEY="k2"), 400, "lines.0.quantity"
        )
        assert not Redemption.objects.exists() and account.entries.count() == 1

    def test_operator_of_another_shop_in_the_village_is_400_naming_shop(self, api, user, divisions):
        account = account_in(divisions["v11"], balance=50)
        RewardItemFactory(shop=ShopFactory(division=divisions["v11"], operators=[user]))
        neighbour = RewardItemFactory(shop=ShopFactory(division=divisions["v11"]), points_price=10)
        data = {"account": account.pk, "shop": neighbour.shop_id, "lines": [{"item": neighbour.pk, "quantity": 1}]}
        body = assert_error_body(api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="n"), 400, "shop")
        assert body["errors"]["shop"][0]["code"] == ERR_NOT_SHOP_OPERATOR
        account.refresh_from_db()
        assert not Redemption.objects.exists() and account.balance == 50
        assert RewardItem.objects.get(pk=neighbour.pk).stock == neighbour.stock

    def test_item_of_a_shop_outside_scope_is_refused(self, api, divisions):
        account = account_in(divisions["v11"], balance=50)
        foreign = RewardItemFactory(shop=ShopFactory(division=divisions["v21"]))
        data = {"account": account.pk, "shop": foreign.shop_id, "lines": [{"item": foreign.pk, "quantity": 1}]}
        assert_error_body(api.post(self.list_url(), data, format="json", HTTP_IDEMPOTENCY_KEY="f"), 400, "shop")
        assert not Redemption.objects.exists()


class TestRankingAPI(ReadAPITests):
    url_name = "api:civility-api:monthlyranking-list"
    model = MonthlyRanking

    def make(self, division):
        account_in(division, balance=10)
        ranking_compute(month=datetime.date(2025, 6, 1), division=division.parent.parent)
        return MonthlyRanking.objects.filter(household__division=division).order_by("-id").first()

    def test_filter_by_month_and_level(self, api, divisions):
        self.make(divisions["v11"])
        response = api.get(self.list_url(), {"month": "2025-06", "level": "village"})
        assert response.status_code == 200 and response.json()["count"] == 1
        assert api.get(self.list_url(), {"month": "bad"}).json()["count"] == 0

    @staticmethod
    def board(api, kind: str, **params):
        return api.get(reverse(f"api:civility-api:monthlyranking-{kind}"), params)

    def test_red_and_black_lists_of_a_villages_latest_published_month(self, api, divisions):
        penalty = PointRuleFactory(points=-1, division=divisions["district"])
        best, middling, worst = (account_in(divisions["v11"], balance=n) for n in (30, 20, 10))
        account_in(divisions["v21"], balance=99)  # another village: on neither of v11's lists
        points_record(
            account=worst,
            rule=penalty,
            occurred_on=datetime.date(2025, 6, 9),
            recorded_by=None,
            idempotency_key="litter",
            points=-12,
        )
        ranking_publish(run=ranking_compute(month=datetime.date(2025, 6, 1)), by=None)
        village = divisions["v11"].code

        red = self.board(api, "red-list", within=village, top=2)
        black = self.board(api, "black-list", within=village, month="2025-06", threshold=10)

        assert red.status_code == 200, red.content
        assert [(r["household"], r["rank"]) for r in red.json()["results"]] == [
            (best.household_id, 1),
            (middling.household_id, 2),
        ]
        assert [r["household"] for r in black.json()["results"]] == [worst.household_id]

    def test_boards_show_published_months_only(self, api, divisions):
        account_in(divisions["v11"], balance=30)
        ranking_compute(month=datetime.date(2025, 6, 1))

        response = self.board(api, "red-list", within=divisions["v11"].code)

        assert response.status_code == 200 and response.json()["count"] == 0

    def test_board_of_a_village_outside_scope_is_404_and_bad_queries_400(self, api, divisions):
        assert_error_body(self.board(api, "red-list", within=divisions["v21"].code), 404)
        assert_error_body(self.board(api, "black-list"), 400, "within")
        assert_error_body(self.board(api, "red-list", within=divisions["v11"].code, month="June"), 400, "month")


class TestDeclarationAPI(ReadAPITests):
    url_name = "api:civility-api:banquetdeclaration-list"
    model = BanquetDeclaration

    def make(self, division):
        return BanquetDeclarationFactory(household=HouseholdFactory(division=division))

    def test_declaration_over_cap_is_flagged(self, api, divisions):
        VillageRuleFactory(division=divisions["v11"], tables_cap=10)
        household = HouseholdFactory(division=divisions["v11"])
        data = {
            "household": household.pk,
            "kind": "wedding",
            "held_on": datetime.date.today().isoformat(),
            "tables": 30,
            "days": 1,
            "gift_money": "100",
        }
        response = api.post(self.list_url(), data, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["is_flagged"] and response.json()["violations"] == ["tables"]

    def test_days_left_out_is_the_models_default_not_a_500(self, api, divisions):
        household = HouseholdFactory(division=divisions["v11"])
        data = {
            "household": household.pk,
            "kind": "wedding",
            "held_on": datetime.date.today().isoformat(),
            "tables": 3,
            "gift_money": "0",
        }
        response = api.post(self.list_url(), data, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["days"] == BanquetDeclaration._meta.get_field("days").default

    def test_negative_tables_is_400_naming_tables(self, api, divisions):
        household = HouseholdFactory(division=divisions["v11"])
        data = {
            "household": household.pk,
            "kind": "wedding",
            "held_on": datetime.date.today().isoformat(),
            "tables": -3,
        }
        assert_error_body(api.post(self.list_url(), data, format="json"), 400, "tables")
        assert not BanquetDeclaration.objects.exists()


@pytest.mark.django_db
def test_ranking_compute_query_count_does_not_grow_with_households(divisions):
    for _i in range(3):
        account_in(divisions["v11"], balance=5)
    ranking_compute(month=datetime.date(2025, 6, 1))
    with CaptureQueriesContext(connection) as few:
        ranking_compute(month=datetime.date(2025, 6, 1))
    for _i in range(27):
        account_in(divisions["v12"], balance=5)
    with CaptureQueriesContext(connection) as many:
        ranking_compute(month=datetime.date(2025, 6, 1))
    assert len(few) == len(many)


@pytest.mark.django_db
def test_api_client_cannot_write(divisions):
    user = user_with_role(Role.API_CLIENT, divisions["district"])
    client = APIClient()
    client.force_authenticate(user)
    account = account_in(divisions["v11"])
    PointRuleFactory(code="R", division=divisions["district"])
    response = client.post(
        reverse("api:civility-api:pointentry-list"),
        {"account": account.pk, "rule": "R", "occurred_on": "2025-06-03"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="x",
    )
    assert_error_body(response, 403)
    assert not account.entries.exists()
