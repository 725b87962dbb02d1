"""Writes of the points ledger. Every ledger write locks the account row first
(``select_for_update``), so the entry's sequence, its hash chain and the cached balance are always
written together and concurrent writers queue instead of overdrawing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connection, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.choices import GENESIS_HASH, EntrySource, EntryStatus
from civility.errors import (
    ERR_ALREADY_REVERSED,
    ERR_EVIDENCE_REQUIRED,
    ERR_INSUFFICIENT_BALANCE,
    ERR_NOT_PENDING,
    ERR_REVERSE_OTHER_ACCOUNT,
    ERR_REVERSE_REVERSAL,
    ERR_REVERSE_UNCONFIRMED,
    ERR_RULE_CAP,
    ERR_RULE_INACTIVE,
    field_error,
    idempotency_conflict,
)
from civility.models import ENTRY_HASH_SQL, PointAccount, PointEntry, PointRule
from civility.partitions import MODULUS as PARTITION_MODULUS
from civility.partitions import LedgerPartition, ledger_partitions
from civility.services.corrections import late_correction_record
from civility.services.notices import entry_pending_notify
from governance.dates import ERR_DATE_IN_FUTURE
from governance.models import Household, User


def point_rule_by_code(code: str) -> PointRule | None:
    """The rule with ``code`` (the customs-reform and volunteer rules are found by code), or ``None``."""
    return PointRule.objects.filter(code=code).first()


def accounts_ensure(*, households: Iterable[Household] | None = None) -> int:
    """Open a wallet for every household (or every one of ``households``) that has none: bulk and
    idempotent. Returns how many were opened; raises nothing."""
    queryset = (
        Household.objects.all() if households is None else Household.objects.filter(pk__in=[h.pk for h in households])
    )
    missing = queryset.filter(point_account__isnull=True).values_list("pk", flat=True)
    created = PointAccount.objects.bulk_create(
        [PointAccount(household_id=pk) for pk in missing.iterator()], batch_size=2000, ignore_conflicts=True
    )
    return len(created)


def account_for(household: Household) -> PointAccount:
    """The household's wallet, opened on first use."""
    account, _created = PointAccount.objects.get_or_create(household=household)
    return account


def account_lock(account: PointAccount) -> PointAccount:
    """The account re-read under ``SELECT … FOR UPDATE`` (call inside a transaction)."""
    return PointAccount.objects.select_for_update().get(pk=account.pk)


def entry_append(
    account: PointAccount,
    *,
    points: int,
    occurred_on: datetime.date,
    source: str,
    idempotency_key: str,
    rule: PointRule | None = None,
    status: str = EntryStatus.CONFIRMED,
    reverses: PointEntry | None = None,
    recorded_by: User | None = None,
    note: str = "",
    evidence: str = "",
) -> PointEntry:
    """Append to a locked account (``account_lock``): next sequence number, hash chained to the
    previous entry, and the cached balance moved in the same transaction when the entry counts
    (confirmed). Raises ``ValidationError`` from the entry's own checks (``full_clean``)."""
    seq = account.entry_count + 1
    entry = PointEntry(
        account=account,
        seq=seq,
        rule=rule,
        points=points,
        occurred_on=occurred_on,
        source=source,
        status=status,
        idempotency_key=idempotency_key,
        reverses=reverses,
        recorded_by=recorded_by,
        confirmed_by=recorded_by if status == EntryStatus.CONFIRMED else None,
        confirmed_at=timezone.now() if status == EntryStatus.CONFIRMED else None,
        note=note,
        evidence=evidence,
        prev_hash=account.last_hash,
    )
    entry.hash = entry.compute_hash()
    entry.full_clean()
    entry.save()
    account.entry_count = seq
    account.last_hash = entry.hash
    fields = ["entry_count", "last_hash"]
    if status == EntryStatus.CONFIRMED:
        account.balance += points
        fields.append("balance")
    account.save(update_fields=fields)
    if status == EntryStatus.CONFIRMED:
        late_correction_record(entry)
    return entry


def rule_cap_used(account: PointAccount, rule: PointRule, occurred_on: datetime.date) -> int:
    """Points already recorded (pending or confirmed) under ``rule`` for the account in ``occurred_on``'s
    month (signed: a deduction rule gives a negative sum)."""
    return (
        PointEntry.objects.filter(account=account, rule=rule, status__in=[EntryStatus.PENDING, EntryStatus.CONFIRMED])
        .in_month(occurred_on)
        .aggregate(total=Sum("points"))["total"]
        or 0
    )


def _check_rule(account: PointAccount, rule: PointRule, occurred_on: datetime.date, points: int) -> None:
    if not rule.is_active_on(occurred_on):
        raise field_error(
            "rule", _("积分规则“%(rule)s”在 %(day)s 未生效。"), ERR_RULE_INACTIVE, rule=rule.code, day=occurred_on
        )
    if rule.monthly_cap is not None:
        used = rule_cap_used(account, rule, occurred_on)
        if abs(used + points) > rule.monthly_cap:
            raise field_error(
                "rule",
                _("规则“%(rule)s”本月已记 %(used)s 分，再记将超过每户每月上限 %(cap)s 分。"),
                ERR_RULE_CAP,
                rule=rule.code,
                used=abs(used),
                cap=rule.monthly_cap,
            )


@transaction.atomic
def points_record(
    *,
    account: PointAccount,
    rule: PointRule,
    occurred_on: datetime.date,
    recorded_by: User | None,
    source: str = EntrySource.VISIT,
    idempotency_key: str,
    note: str = "",
    evidence: str = "",
    points: int | None = None,
) -> tuple[PointEntry, bool]:
    """Record points by a rule (``points`` overrides the rule's amount, e.g. hours × rate). A
    self-report waits for an officer's confirmation. Returns ``(entry, created)``: the same key twice
    returns the first entry with ``created=False``.

    Raises ``IdempotencyConflict`` (on ``idempotency_key``) when the key was used with another rule,
    and ``ValidationError`` on ``occurred_on`` (``ERR_DATE_IN_FUTURE``: after today, Asia/Shanghai),
    ``evidence`` (``ERR_EVIDENCE_REQUIRED``) or ``rule``
    (``ERR_RULE_INACTIVE``, ``ERR_RULE_CAP``: over the rule's monthly cap for the household)."""
    account = account_lock(account)
    existing = PointEntry.objects.filter(account=account, idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.rule_id != rule.pk:
            raise idempotency_conflict()
        return existing, False
    amount = rule.points if points is None else points
    if occurred_on > timezone.localdate():  # points are for what has happened (Asia/Shanghai)
        raise field_error("occurred_on", _("发生日期不能晚于今天。"), ERR_DATE_IN_FUTURE)
    if rule.evidence_required and not evidence.strip():
        raise field_error("evidence", _("规则“%(rule)s”须提供佐证材料。"), ERR_EVIDENCE_REQUIRED, rule=rule.code)
    _check_rule(account, rule, occurred_on, amount)
    status = EntryStatus.PENDING if source == EntrySource.SELF_REPORT else EntryStatus.CONFIRMED
    entry = entry_append(
        account,
        points=amount,
        occurred_on=occurred_on,
        source=source,
        idempotency_key=idempotency_key,
        rule=rule,
        status=status,
        recorded_by=recorded_by,
        note=note,
        evidence=evidence,
    )
    if status == EntryStatus.PENDING:
        entry_pending_notify(entry)
    return entry, True


@transaction.atomic
def points_batch_record(
    *,
    households: Sequence[Household],
    rule: PointRule,
    occurred_on: datetime.date,
    recorded_by: User,
    batch_key: str,
    evidence: str = "",
) -> list[PointEntry]:
    """Officers' quick batch entry for a 屋场: one entry per household (key
    ``batch:<batch_key>:<household id>``), all or nothing. Raises what ``points_record`` raises, for
    the first household that fails; then nothing is written."""
    accounts = {a.household_id: a for a in PointAccount.objects.filter(household__in=households)}
    entries = []
    for household in households:
        account = accounts.get(household.pk) or account_for(household)
        entry, _created = points_record(
            account=account,
            rule=rule,
            occurred_on=occurred_on,
            recorded_by=recorded_by,
            source=EntrySource.VISIT,
            idempotency_key=f"batch:{batch_key}:{household.pk}",
            evidence=evidence,
        )
        entries.append(entry)
    return entries


@transaction.atomic
def entry_confirm(*, entry: PointEntry, by: User, accept: bool = True) -> PointEntry:
    """An officer confirms (or rejects) a self-reported entry; a confirmed entry moves the balance and,
    when its month's ranking is already published, is recorded as 补录 to that month
    (``late_correction_record``).
    Raises ``ValidationError`` on ``status`` (``ERR_NOT_PENDING``) for an entry already dealt with."""
    account = account_lock(entry.account)
    entry = PointEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != EntryStatus.PENDING:
        raise field_error("status", _("只有待确认的流水可以确认或驳回。"), ERR_NOT_PENDING)
    entry.status = EntryStatus.CONFIRMED if accept else EntryStatus.REJECTED
    entry.confirmed_by = by
    entry.confirmed_at = timezone.now()
    entry.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    if accept:
        account.balance += entry.points
        account.save(update_fields=["balance"])
        # Confirmed after its month's ranking was published: 补录 to that month, never lost.
        late_correction_record(entry)
    return entry


@transaction.atomic
def entry_reverse(
    *, account: PointAccount, entry: PointEntry, by: User, reason: str, idempotency_key: str | None = None
) -> PointEntry:
    """Correct a confirmed entry by a new entry of the opposite amount that points at it (dated today).

    Raises ``ValidationError`` on ``reverses``: ``ERR_REVERSE_OTHER_ACCOUNT``, ``ERR_REVERSE_REVERSAL``
    (a reversal or a redemption), ``ERR_REVERSE_UNCONFIRMED``, ``ERR_ALREADY_REVERSED`` or
    ``ERR_INSUFFICIENT_BALANCE`` (the balance would go below zero)."""
    account = account_lock(account)
    if entry.account_id != account.pk:
        raise field_error("reverses", _("不能冲正其他账户的流水。"), ERR_REVERSE_OTHER_ACCOUNT)
    if entry.reverses_id is not None:
        raise field_error("reverses", _("冲正流水不能再被冲正。"), ERR_REVERSE_REVERSAL)
    if entry.source == EntrySource.REDEMPTION:
        raise field_error("reverses", _("兑换流水不能冲正。"), ERR_REVERSE_REVERSAL)
    if entry.status != EntryStatus.CONFIRMED:
        raise field_error("reverses", _("只有已确认的流水可以冲正。"), ERR_REVERSE_UNCONFIRMED)
    if PointEntry.objects.filter(reverses=entry).exists():
        raise field_error("reverses", _("该流水已被冲正。"), ERR_ALREADY_REVERSED)
    if account.balance - entry.points < 0:
        raise field_error(
            "reverses",
            _("冲正后余额将为负数（当前余额 %(balance)s）。"),
            ERR_INSUFFICIENT_BALANCE,
            balance=account.balance,
        )
    return entry_append(
        account,
        points=-entry.points,
        occurred_on=timezone.localdate(),
        source=EntrySource.REVERSAL,
        idempotency_key=idempotency_key or f"reversal:{entry.pk}",
        rule=entry.rule,
        reverses=entry,
        recorded_by=by,
        note=reason[:200],
    )


# The accounts of households in a subtree (``%(root)s``: a division's path followed by ``%``).
_ACCOUNTS_IN = """
    SELECT a.id FROM civility_pointaccount a
    JOIN governance_household h ON h.id = a.household_id
    JOIN governance_division d ON d.id = h.division_id
    WHERE d.path LIKE %(root)s
"""


def ledger_verify(*, root: Any = None, partition: LedgerPartition | None = None) -> list[dict[str, Any]]:
    """Every break of the ledger, in two queries: an entry whose hash does not match its fields, whose
    ``prev_hash`` is not its predecessor's hash or whose sequence has a gap
    (``{"entry", "account", "seq", "problem": "hash" | "chain" | "sequence"}``); an account whose
    cached balance, count or last hash disagrees with its entries (``{"account", "problem": "balance",
    "cached", "entries", "count", "entry_count"}``). ``root`` (a ``Division``): only the accounts of
    households in its subtree (one district's share of the nightly check, ``governance.fanout``).
    ``partition`` (``civility.partitions.ledger_partition("p03")``): only that hash partition's entries
    — attached, or detached to ``archive`` — and the accounts whose ``account_id`` hashes to it; an
    account's whole chain is in one partition (migration ``civility.0008``), so the partitions' results
    together are the whole ledger's (``ledger_verify_partitions``). An empty list means the ledger
    holds; raises nothing."""
    problems: list[dict[str, Any]] = []
    params: dict[str, Any] = {"genesis": GENESIS_HASH, "root": root.path + "%" if root is not None else None}
    table = partition.table if partition is not None else "civility_pointentry"
    entries_in = f"WHERE e.account_id IN ({_ACCOUNTS_IN})" if root is not None else ""
    accounts_in = f"AND a.id IN ({_ACCOUNTS_IN})" if root is not None else ""
    if partition is not None:
        # The accounts PostgreSQL routes to this partition (the same hash as the table's key).
        params.update(modulus=PARTITION_MODULUS, remainder=partition.remainder)
        accounts_in += (
            " AND satisfies_hash_partition('civility_pointentry'::regclass, %(modulus)s, %(remainder)s, a.id)"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id, account_id, seq, problem FROM (
                SELECT e.id, e.account_id, e.seq,
                    CASE WHEN e.hash <> {ENTRY_HASH_SQL.format(t="e")} THEN 'hash'
                         WHEN e.prev_hash <> COALESCE(LAG(e.hash) OVER w, %(genesis)s) THEN 'chain'
                         WHEN e.seq <> ROW_NUMBER() OVER w THEN 'sequence'
                    END AS problem
                FROM {table} e
                {entries_in}
                WINDOW w AS (PARTITION BY e.account_id ORDER BY e.seq)
            ) checked WHERE problem IS NOT NULL ORDER BY account_id, seq
            """,
            params,
        )
        problems += [{"entry": r[0], "account": r[1], "seq": r[2], "problem": r[3]} for r in cursor.fetchall()]
        cursor.execute(
            f"""
            SELECT a.id, a.balance, COALESCE(s.balance, 0), a.entry_count, COALESCE(s.n, 0)
            FROM civility_pointaccount a
            LEFT JOIN (
                SELECT account_id, SUM(points) FILTER (WHERE status = 'confirmed') AS balance, COUNT(*) AS n,
                       (array_agg(hash ORDER BY seq DESC))[1] AS last_hash
                FROM {table} e {entries_in} GROUP BY account_id
            ) s ON s.account_id = a.id
            WHERE (a.balance <> COALESCE(s.balance, 0) OR a.entry_count <> COALESCE(s.n, 0)
               OR a.last_hash <> COALESCE(s.last_hash, %(genesis)s)) {accounts_in}
            ORDER BY a.id
            """,
            params,
        )
        problems += [
            {"account": r[0], "problem": "balance", "cached": r[1], "entries": r[2], "count": r[3], "entry_count": r[4]}
            for r in cursor.fetchall()
        ]
    return problems


def _partition_verify(partition: LedgerPartition, root: Any) -> list[dict[str, Any]]:
    """``ledger_verify`` of one partition on this thread's own connection, closed after."""
    try:
        return ledger_verify(root=root, partition=partition)
    finally:
        connection.close()


def ledger_verify_partitions(
    *, root: Any = None, partitions: Sequence[LedgerPartition] | None = None, jobs: int = 2
) -> list[dict[str, Any]]:
    """``ledger_verify`` partition by partition (``partitions``, default every attached one), ``jobs`` at
    a time, each on its own database connection (``jobs=1``: one after another on this connection,
    which sees this transaction's rows). The same problems as the whole ledger's ``ledger_verify``, in
    the same order (entries by account and seq, then accounts). Raises nothing."""
    chosen = list(partitions if partitions is not None else ledger_partitions())
    if jobs <= 1:
        results = [ledger_verify(root=root, partition=partition) for partition in chosen]
    else:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            results = list(pool.map(lambda partition: _partition_verify(partition, root), chosen))
    found = [problem for result in results for problem in result]
    entries = sorted((p for p in found if "entry" in p), key=lambda p: (p["account"], p["seq"]))
    accounts = sorted((p for p in found if "entry" not in p), key=lambda p: p["account"])
    return entries + accounts
