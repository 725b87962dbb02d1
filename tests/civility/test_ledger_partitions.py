"""The points ledger partitioned by hash of account_id (issue 18 item 4, migration ``civility.0008``): 16
partitions, every money-safety rule still refused by the database, the composite foreign keys into
entries, per-partition verify (attached and detached), and the migration both ways on data."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from civility.choices import DissuasionOutcome, EntryStatus
from civility.models import Dissuasion, PointEntry, RankingCorrection, RankingMonth
from civility.partitions import (
    LedgerPartitionError,
    ledger_partition,
    ledger_partition_attach,
    ledger_partition_detach,
    ledger_partitioned,
    ledger_partitions,
)
from civility.services import (
    RedemptionRequest,
    entry_reverse,
    ledger_verify,
    ledger_verify_partitions,
    points_record,
    points_redeem,
)
from tests.civility.factories import (
    BanquetDeclarationFactory,
    PointRuleFactory,
    RewardItemFactory,
    ShopFactory,
    account_in,
)

JUNE = datetime.date(2025, 6, 15)
ROW_TRIGGERS = {
    "pgtrigger_point_entry_no_delete_68939",
    "pgtrigger_point_entry_read_only_a0a43",
    "pgtrigger_point_entry_status_once_be5f9",
    "pgtrigger_insert_insert_3a97b",
    "pgtrigger_update_update_74cb2",
}


def _home(entry_id: int) -> str:
    """The partition a ledger entry is stored in."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM civility_pointentry WHERE id = %s", [entry_id])
        return cursor.fetchone()[0]


def _refused(sql: str, params: list, match: str) -> None:
    """``sql`` fails in the database (deferred foreign keys checked at once), and nothing is kept."""
    with pytest.raises(DatabaseError, match=match), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def _raw_entry_sql(**overrides) -> tuple[str, list]:
    """An INSERT of one entry, bypassing the services (its hash need not be right: the rules tested here
    are the database's)."""
    row = {
        "account_id": None,
        "seq": 99,
        "points": 5,
        "occurred_on": JUNE,
        "source": "visit",
        "status": "confirmed",
        "idempotency_key": "raw",
        "note": "",
        "evidence": "",
        "prev_hash": "0" * 64,
        "hash": "0" * 64,
        "reverses_id": None,
    } | overrides
    columns = ", ".join(row)
    return (
        f"INSERT INTO civility_pointentry ({columns}, created_at) VALUES ({', '.join(['%s'] * len(row))}, now())",
        list(row.values()),
    )


@pytest.fixture
def rule(divisions):
    return PointRuleFactory(points=6, division=divisions["district"])


def _record(account, rule, key: str) -> PointEntry:
    entry, _created = points_record(account=account, rule=rule, occurred_on=JUNE, recorded_by=None, idempotency_key=key)
    return entry


def test_the_ledger_is_hash_partitioned_by_account_in_16_partitions(db):
    assert ledger_partitioned()
    assert [p.name for p in ledger_partitions()] == [f"civility_pointentry_p{n:02d}" for n in range(16)]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_partkeydef('civility_pointentry'::regclass)")
        assert cursor.fetchone()[0] == "HASH (account_id)"
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'civility_pointentry_pkey'")
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, account_id)"
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'civility_pointentry'::regclass AND contype IN ('u', 'c')"
        )
        constraints = dict(cursor.fetchall())
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'civility_pointentry_p07'::regclass AND NOT tgisinternal"
        )
        cloned = {name for (name,) in cursor.fetchall()}
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'civility_pointentry'::regclass "
            "AND NOT tgisinternal AND tgparentid = 0"
        )
        on_parent = {name for (name,) in cursor.fetchall()}
    assert constraints["point_entry_seq"] == "UNIQUE (account_id, seq)"
    assert constraints["point_entry_idempotency"] == "UNIQUE (account_id, idempotency_key)"
    assert constraints["point_entry_one_reversal"] == "UNIQUE (account_id, reverses_id)"
    assert constraints["point_entry_points_nonzero"] == "CHECK ((NOT (points = 0)))"
    # pgtrigger finds every trigger on the parent as it compiled it (hash comment kept); the row
    # triggers are cloned onto every partition.
    for trigger in PointEntry._meta.triggers:
        assert trigger.get_installation_status(PointEntry) == ("INSTALLED", True)
    assert cloned == ROW_TRIGGERS
    # … and the roll-up dirty-marking statement triggers (insert, update, delete) stay on the parent.
    rollup = on_parent - ROW_TRIGGERS
    assert on_parent >= ROW_TRIGGERS and len(rollup) == 3 and all(n.startswith("rollup_dirty_") for n in rollup)


def test_an_accounts_entries_all_live_in_one_partition(divisions, rule, officer):
    accounts = [account_in(divisions["v11"]) for _ in range(6)]
    for account in accounts:
        for key in "abc":
            _record(account, rule, key)
    entry = account.entries.first()
    entry_reverse(account=account, entry=entry, by=officer, reason="录错")
    homes = {a.pk: {_home(e.pk) for e in a.entries.all()} for a in accounts}
    assert all(len(tables) == 1 for tables in homes.values())
    assert {next(iter(tables)) for tables in homes.values()} <= {p.name for p in ledger_partitions()}
    assert PointEntry.objects.get(reverses=entry).account_id == account.pk
    assert entry.reversed_by.get().points == -6


@pytest.mark.django_db
class TestTheDatabaseStillRefuses:
    def test_delete_and_update_of_an_amount(self, divisions, rule):
        entry = _record(account_in(divisions["v11"]), rule, "a")
        _refused("DELETE FROM civility_pointentry WHERE id = %s", [entry.pk], "pgtrigger")
        _refused("UPDATE civility_pointentry SET points = 500 WHERE id = %s", [entry.pk], "pgtrigger")
        _refused(f"DELETE FROM {_home(entry.pk)} WHERE id = %s", [entry.pk], "pgtrigger")  # the partition too
        entry.refresh_from_db()
        assert entry.points == 6

    def test_a_status_changed_twice(self, divisions, rule):
        entry = _record(account_in(divisions["v11"]), rule, "a")
        assert entry.status == EntryStatus.CONFIRMED
        _refused("UPDATE civility_pointentry SET status = 'rejected' WHERE id = %s", [entry.pk], "pgtrigger")

    def test_a_duplicate_seq_or_idempotency_key(self, divisions, rule):
        account = account_in(divisions["v11"])
        _record(account, rule, "a")
        _refused(*_raw_entry_sql(account_id=account.pk, seq=1, idempotency_key="other"), r"Key \(account_id, seq\)")
        _refused(
            *_raw_entry_sql(account_id=account.pk, seq=2, idempotency_key="a"), r"Key \(account_id, idempotency_key\)"
        )
        assert account.entries.count() == 1

    def test_a_second_reversal_of_one_entry(self, divisions, rule, officer):
        account = account_in(divisions["v11"])
        entry = _record(account, rule, "a")
        entry_reverse(account=account, entry=entry, by=officer, reason="录错")
        sql = _raw_entry_sql(account_id=account.pk, seq=3, points=-6, idempotency_key="again", reverses_id=entry.pk)
        _refused(*sql, r"Key \(account_id, reverses_id\)")

    def test_a_reversal_across_accounts(self, divisions, rule):
        entry = _record(account_in(divisions["v11"]), rule, "a")
        other = account_in(divisions["v11"])
        sql = _raw_entry_sql(account_id=other.pk, seq=1, points=-6, idempotency_key="x", reverses_id=entry.pk)
        _refused(*sql, "point_entry_reverses_same_account")
        assert not PointEntry.objects.filter(reverses=entry).exists()

    def test_a_redemption_of_an_entry_of_another_account_or_of_none(self, divisions, officer):
        account = account_in(divisions["v11"], balance=100)
        other = account_in(divisions["v11"], balance=100)
        item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"], operators=[officer]), points_price=30)
        redemption, _created = points_redeem(
            account=account, shop=item.shop, lines=[RedemptionRequest(item, 1)], operator=officer, idempotency_key="k"
        )
        update = "UPDATE civility_redemption SET {} WHERE id = %s"
        _refused(update.format("account_id = %s"), [other.pk, redemption.pk], "redemption_entry_same_account")
        _refused(update.format("entry_id = %s"), [10**12, redemption.pk], "redemption_entry_same_account")

    def test_a_dissuasion_or_correction_naming_another_account_or_no_entry(self, divisions, rule):
        account = account_in(divisions["v11"])
        other = account_in(divisions["v11"])
        entry = _record(account, rule, "a")
        declaration = BanquetDeclarationFactory(household=account.household)
        with pytest.raises(IntegrityError, match="dissuasion_entry_account"), transaction.atomic():
            Dissuasion.objects.create(
                declaration=declaration,
                outcome=DissuasionOutcome.HELD_ANYWAY,
                occurred_on=JUNE,
                entry=entry,
                entry_account=other,
            )
            connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        # The composite key is MATCH SIMPLE: an entry without its account is refused by a check instead.
        with pytest.raises(IntegrityError, match="dissuasion_entry_with_account"), transaction.atomic():
            Dissuasion.objects.create(
                declaration=declaration, outcome=DissuasionOutcome.HELD_ANYWAY, occurred_on=JUNE, entry=entry
            )
        run = RankingMonth.objects.create(division=divisions["district"], month=JUNE.replace(day=1))
        for entry_id, entry_account in ((entry.pk, other), (10**12, account)):
            with pytest.raises(IntegrityError, match="ranking_correction_entry_account"), transaction.atomic():
                RankingCorrection.objects.create(
                    ranking_month=run,
                    household=account.household,
                    entry_id=entry_id,
                    entry_account=entry_account,
                    points=6,
                )
                connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        correct = RankingCorrection.objects.create(
            ranking_month=run, household=account.household, entry=entry, entry_account=account, points=6
        )
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")
        assert entry.corrections.get() == correct


@pytest.mark.django_db
class TestVerifyByPartition:
    def test_a_tampered_entry_is_found_by_its_partition_alone(self, divisions, rule):
        accounts = [account_in(divisions["v11"]) for _ in range(8)]
        for account in accounts:
            _record(account, rule, "a")
            _record(account, rule, "b")
        victim = accounts[3]
        home = ledger_partition(_home(victim.entries.first().pk))
        assert ledger_verify(partition=home) == [] == ledger_verify_partitions(jobs=1)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute("UPDATE civility_pointentry SET points = 600 WHERE account_id = %s AND seq = 1", [victim.pk])
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        found = ledger_verify(partition=home)
        assert {(p["account"], p["problem"]) for p in found} == {(victim.pk, "hash"), (victim.pk, "balance")}
        others = [p for p in ledger_partitions() if p.name != home.name]
        assert all(ledger_verify(partition=p) == [] for p in others)
        # Partition by partition gives what the whole ledger's verify gives, in the same order.
        assert ledger_verify_partitions(jobs=1) == ledger_verify()
        with pytest.raises(CommandError):
            call_command("ledger_verify", "--partition", home.name[-3:], "--jobs", "1", stdout=StringIO())
        call_command("ledger_verify", "--partition", others[0].name, "--jobs", "1", stdout=StringIO())

    def test_an_unknown_partition_name_is_refused(self, db):
        for name in ("p16", "civility_pointentry", "security_disputeevent_p03", "archive.p03"):
            with pytest.raises(LedgerPartitionError):
                ledger_partition(name)

    def test_a_detached_partition_verifies_alone_and_refuses_its_accounts_new_entries(self, divisions, rule):
        account = account_in(divisions["v11"])
        _record(account, rule, "a")
        _record(account, rule, "b")
        name = _home(account.entries.first().pk)
        connection.cursor().execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending checks before ALTER TABLE
        archived = ledger_partition_detach(name)
        assert archived["table"] == f"archive.{name}" and archived["rows"] >= 2
        assert not account.entries.exists()  # gone from the ledger with its partition
        partition = ledger_partition(archived["table"])
        assert not partition.attached and ledger_verify(partition=partition) == []
        with connection.cursor() as cursor:  # the archived copy keeps its append-only trigger
            with pytest.raises(DatabaseError, match="pgtrigger"), transaction.atomic():
                cursor.execute(f"DELETE FROM {archived['table']}")
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(f"UPDATE {archived['table']} SET points = 60 WHERE account_id = %s", [account.pk])
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        assert {p["problem"] for p in ledger_verify(partition=partition)} == {"hash", "balance"}
        with pytest.raises(DatabaseError, match="no partition"), transaction.atomic():
            _record(account, rule, "c")
        assert ledger_partition_attach(name) == name
        assert account.entries.count() == 2 and ledger_partition(name).attached


@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_backwards_and_forwards_on_data_and_parallel_verify_sees_it(divisions, rule, officer):
    accounts = [account_in(divisions["v11"]) for _ in range(5)]
    for account in accounts:
        entry = _record(account, rule, "a")
        _record(account, rule, "b")
    entry_reverse(account=account, entry=entry, by=officer, reason="录错")

    def snapshot():
        with connection.cursor() as cursor:
            cursor.execute("SELECT md5(string_agg(e::text, ',' ORDER BY id)), count(*) FROM civility_pointentry e")
            return cursor.fetchone()

    before = snapshot()
    executor = MigrationExecutor(connection)
    try:
        executor.migrate([("civility", "0007_civilized_family_proposer_publisher")])
        assert not ledger_partitioned()
        assert snapshot() == before and ledger_verify() == []
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate([("civility", "0008_pointentry_partitioned_by_account")])
    assert ledger_partitioned() and snapshot() == before and ledger_verify_partitions(jobs=1) == []
    # The identity sequence carried on: a new entry gets a new id.
    assert _record(accounts[0], rule, "c").pk > PointEntry.objects.exclude(idempotency_key="c").order_by("-pk")[0].pk
    # Committed rows: two partitions at a time on their own connections find what the whole verify finds.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("UPDATE civility_pointentry SET points = 60 WHERE account_id = %s AND seq = 2", [accounts[2].pk])
    found = ledger_verify_partitions(jobs=2)
    assert found == ledger_verify() and {p["problem"] for p in found} == {"hash", "balance"}
