"""The points ledger: append-only by database trigger, hash chain, caps, reversals, concurrency."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.db.models import Sum

from civility.models import EntrySource, EntryStatus, PointAccount, PointEntry, Redemption, RewardItem
from civility.services import (
    ERR_ALREADY_REVERSED,
    ERR_EVIDENCE_REQUIRED,
    ERR_INSUFFICIENT_BALANCE,
    ERR_INSUFFICIENT_STOCK,
    ERR_NOT_PENDING,
    ERR_REVERSE_OTHER_ACCOUNT,
    ERR_REVERSE_REVERSAL,
    ERR_RULE_CAP,
    ERR_RULE_INACTIVE,
    RedemptionRequest,
    entry_confirm,
    entry_reverse,
    ledger_verify,
    points_record,
    points_redeem,
)
from tests.civility.factories import PointRuleFactory, RewardItemFactory, ShopFactory, account_in
from tests.errors import codes
from tests.factories import tree

JUNE = datetime.date(2025, 6, 15)


def record(account, rule, key, **kwargs):
    return points_record(
        account=account,
        rule=rule,
        occurred_on=kwargs.pop("occurred_on", JUNE),
        recorded_by=None,
        idempotency_key=key,
        **kwargs,
    )


@pytest.mark.django_db
class TestRecording:
    def test_confirmed_entry_moves_balance_and_chains_hash(self, divisions):
        account = account_in(divisions["v11"])
        rule = PointRuleFactory(points=5, division=divisions["district"])
        first, _ = record(account, rule, "a")
        second, _ = record(account, rule, "b")
        account.refresh_from_db()
        assert account.balance == 10 == PointEntry.objects.filter(account=account).aggregate(s=Sum("points"))["s"]
        assert second.prev_hash == first.hash and second.seq == 2 and account.last_hash == second.hash
        assert ledger_verify() == []

    def test_same_idempotency_key_twice_records_once(self, divisions):
        account = account_in(divisions["v11"])
        rule = PointRuleFactory(division=divisions["district"])
        first, created = record(account, rule, "visit-1")
        again, created_again = record(account, rule, "visit-1")
        assert created and not created_again and first.pk == again.pk
        assert PointEntry.objects.filter(account=account).count() == 1

    def test_rule_over_monthly_cap_is_refused_and_nothing_written(self, divisions):
        account = account_in(divisions["v11"])
        rule = PointRuleFactory(points=5, monthly_cap=10, division=divisions["district"])
        record(account, rule, "1")
        record(account, rule, "2")
        with pytest.raises(ValidationError) as exc:
            record(account, rule, "3")
        assert codes(exc, "rule") == [ERR_RULE_CAP]
        assert PointEntry.objects.filter(account=account).count() == 2
        # the next month starts afresh
        record(account, rule, "4", occurred_on=datetime.date(2025, 7, 1))

    def test_points_on_inactive_rule_are_refused(self, divisions):
        account = account_in(divisions["v11"])
        expired = PointRuleFactory(division=divisions["district"], active_to=datetime.date(2025, 1, 31))
        switched_off = PointRuleFactory(division=divisions["district"], is_active=False)
        for rule in (expired, switched_off):
            with pytest.raises(ValidationError) as exc:
                record(account, rule, f"x{rule.pk}")
            assert codes(exc, "rule") == [ERR_RULE_INACTIVE]
        assert not PointEntry.objects.filter(account=account).exists()

    def test_rule_requiring_evidence_refuses_entry_without_it(self, divisions):
        account = account_in(divisions["v11"])
        rule = PointRuleFactory(division=divisions["district"], evidence_required=True)
        with pytest.raises(ValidationError) as exc:
            record(account, rule, "e")
        assert codes(exc, "evidence") == [ERR_EVIDENCE_REQUIRED]
        record(account, rule, "e", evidence="照片 2025-06-15-01")

    def test_self_report_waits_for_confirmation_before_counting(self, divisions, officer):
        account = account_in(divisions["v11"])
        rule = PointRuleFactory(points=8, division=divisions["district"])
        entry, _ = record(account, rule, "self", source=EntrySource.SELF_REPORT)
        account.refresh_from_db()
        assert entry.status == EntryStatus.PENDING and account.balance == 0
        entry_confirm(entry=entry, by=officer)
        account.refresh_from_db()
        assert account.balance == 8
        with pytest.raises(ValidationError) as exc:
            entry_confirm(entry=entry, by=officer)
        assert codes(exc, "status") == [ERR_NOT_PENDING]
        assert ledger_verify() == []


@pytest.mark.django_db
class TestReversal:
    def test_reversal_points_at_the_entry_and_cancels_it(self, divisions, officer):
        account = account_in(divisions["v11"])
        entry, _ = record(account, PointRuleFactory(points=6, division=divisions["district"]), "r")
        reversal = entry_reverse(account=account, entry=entry, by=officer, reason="录错户")
        account.refresh_from_db()
        assert reversal.reverses == entry and reversal.points == -6 and account.balance == 0

    def test_reversal_of_a_reversal_or_twice_or_of_another_account_is_refused(self, divisions, officer):
        account = account_in(divisions["v11"])
        other = account_in(divisions["v11"])
        entry, _ = record(account, PointRuleFactory(points=6, division=divisions["district"]), "r")
        reversal = entry_reverse(account=account, entry=entry, by=officer, reason="录错")
        before = PointEntry.objects.count()
        for target, acc, code in (
            (reversal, account, ERR_REVERSE_REVERSAL),
            (entry, account, ERR_ALREADY_REVERSED),
            (entry, other, ERR_REVERSE_OTHER_ACCOUNT),
        ):
            with pytest.raises(ValidationError) as exc:
                entry_reverse(account=acc, entry=target, by=officer, reason="再冲")
            assert codes(exc, "reverses") == [code]
        assert PointEntry.objects.count() == before


@pytest.mark.django_db
class TestAppendOnly:
    def test_raw_sql_update_of_amount_fails(self, divisions):
        account = account_in(divisions["v11"], balance=50)
        entry = account.entries.get()
        with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE civility_pointentry SET points = 500 WHERE id = %s", [entry.pk])
        entry.refresh_from_db()
        assert entry.points == 50

    def test_raw_sql_delete_fails(self, divisions):
        account = account_in(divisions["v11"], balance=50)
        with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM civility_pointentry WHERE account_id = %s", [account.pk])
        assert account.entries.count() == 1

    def test_orm_update_of_a_confirmed_entry_status_fails(self, divisions):
        account = account_in(divisions["v11"], balance=50)
        with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
            PointEntry.objects.filter(account=account).update(status=EntryStatus.PENDING)
        assert account.entries.get().status == EntryStatus.CONFIRMED

    def test_ledger_verify_detects_a_tampered_hash(self, divisions):
        account = account_in(divisions["v11"], balance=50)
        call_command("ledger_verify")
        with transaction.atomic(), connection.cursor() as cursor:
            # Only a superuser switching triggers off can do this — exactly what the nightly check is for.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("UPDATE civility_pointentry SET points = 5000 WHERE account_id = %s", [account.pk])
        problems = ledger_verify()
        assert {(p["account"], p["problem"]) for p in problems} >= {(account.pk, "hash"), (account.pk, "balance")}
        with pytest.raises(CommandError):
            call_command("ledger_verify")


@pytest.mark.django_db
class TestRedemption:
    def test_redemption_writes_negative_entry_and_decrements_stock(self, divisions, officer):
        account = account_in(divisions["v11"], balance=100)
        item = RewardItemFactory(
            shop=ShopFactory(division=divisions["v11"], operators=[officer]), points_price=30, stock=5
        )
        redemption, created = points_redeem(
            account=account, shop=item.shop, lines=[RedemptionRequest(item, 2)], operator=officer, idempotency_key="k1"
        )
        account.refresh_from_db()
        item.refresh_from_db()
        assert created and redemption.points == 60 and account.balance == 40 and item.stock == 3
        assert redemption.entry.points == -60 and redemption.entry.source == EntrySource.REDEMPTION

    def test_same_key_twice_creates_one_redemption(self, divisions, officer):
        account = account_in(divisions["v11"], balance=100)
        item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"], operators=[officer]))
        args = {"account": account, "shop": item.shop, "lines": [RedemptionRequest(item, 1)], "operator": officer}
        first, _ = points_redeem(**args, idempotency_key="same")
        second, created = points_redeem(**args, idempotency_key="same")
        assert first.pk == second.pk and not created and Redemption.objects.count() == 1

    def test_beyond_balance_or_stock_is_refused_and_nothing_written(self, divisions, officer):
        account = account_in(divisions["v11"], balance=25)
        shop = ShopFactory(division=divisions["v11"], operators=[officer])
        dear = RewardItemFactory(shop=shop, points_price=30, stock=5)
        scarce = RewardItemFactory(shop=shop, points_price=5, stock=1)
        for line, code in (
            (RedemptionRequest(dear, 1), ERR_INSUFFICIENT_BALANCE),
            (RedemptionRequest(scarce, 2), ERR_INSUFFICIENT_STOCK),
        ):
            with pytest.raises(ValidationError) as exc:
                points_redeem(account=account, shop=shop, lines=[line], operator=officer, idempotency_key=code)
            assert codes(exc, "lines") == [code]
        account.refresh_from_db()
        assert account.balance == 25 and account.entries.count() == 1 and not Redemption.objects.exists()
        assert RewardItem.objects.get(pk=scarce.pk).stock == 1


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_redemptions_never_overdraw():
    divisions = tree()
    account = account_in(divisions["v11"], balance=100)
    item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"]), points_price=10, stock=1000)
    attempts = 200
    # The PostgreSQL server is shared: 16 threads, each with its own connection, run 200 attempts
    # released together by a barrier; each closes its connection at the end.
    workers = 16
    barrier = threading.Barrier(workers)
    results: list[str] = []
    lock = threading.Lock()

    def worker(numbers: range) -> None:
        try:
            barrier.wait()
            for n in numbers:
                try:
                    points_redeem(
                        account=PointAccount(pk=account.pk),
                        shop=item.shop,
                        lines=[RedemptionRequest(RewardItem.objects.get(pk=item.pk), 1)],
                        operator=None,
                        idempotency_key=f"concurrent-{n}",
                    )
                    outcome = "ok"
                except ValidationError as exc:
                    outcome = exc.error_dict["lines"][0].code
                with lock:
                    results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(range(w, attempts, workers),)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert results.count("ok") == 10
    assert results.count(ERR_INSUFFICIENT_BALANCE) == attempts - 10
    account.refresh_from_db()
    assert account.balance == 0
    assert account.entries.aggregate(s=Sum("points"))["s"] == 0
    running = 0
    for points in account.entries.order_by("seq").values_list("points", flat=True):
        running += points
        assert running >= 0
    assert Redemption.objects.count() == 10
    assert RewardItem.objects.get(pk=item.pk).stock == 990
    assert ledger_verify() == []


@pytest.mark.django_db
def test_points_for_a_day_after_today_are_refused_and_nothing_written(divisions):
    """Points are for what has happened: an entry dated tomorrow (Asia/Shanghai) would count as
    confirmed before the act (a trial found the API accepting 2030-01-01)."""
    from django.utils import timezone

    account = account_in(divisions["v11"])
    rule = PointRuleFactory(code="FUT", points=5, division=divisions["v11"])
    for day in (timezone.localdate() + datetime.timedelta(days=1), datetime.date(2030, 1, 1)):
        with pytest.raises(ValidationError) as error:
            points_record(
                account=account,
                rule=rule,
                occurred_on=day,
                recorded_by=None,
                source=EntrySource.MANUAL,
                idempotency_key=f"future-{day}",
            )
        assert "发生日期不能晚于今天" in error.value.message_dict["occurred_on"][0]
    assert not PointEntry.objects.filter(account=account).exists()
    entry, created = points_record(
        account=account,
        rule=rule,
        occurred_on=timezone.localdate(),
        recorded_by=None,
        source=EntrySource.MANUAL,
        idempotency_key="today",
    )
    assert created and entry.points == 5
