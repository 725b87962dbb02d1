"""Writes of the civility app. Every ledger write locks the account row first
(``select_for_update``), so the entry's sequence, its hash chain and the cached balance are always
written together and concurrent writers queue instead of overdrawing."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.models import (
    DISSUADED_OUTCOMES,
    RANKING_LEVEL_DIVISIONS,
    BanquetDeclaration,
    BanquetKind,
    BanquetServiceTeam,
    CivilizedFamily,
    Dissuasion,
    DissuasionOutcome,
    EntrySource,
    EntryStatus,
    FamilyStatus,
    PointAccount,
    PointEntry,
    PointRule,
    RankingMonth,
    RankingStatus,
    Redemption,
    RedemptionLine,
    RewardItem,
    ServiceActivity,
    Shop,
    VillageRule,
)
from governance.models import Division, Household, HouseholdMember, User

ERR_RULE_INACTIVE = "point_rule_inactive"
ERR_RULE_CAP = "point_rule_monthly_cap"
ERR_EVIDENCE_REQUIRED = "point_evidence_required"
ERR_INSUFFICIENT_BALANCE = "points_insufficient_balance"
ERR_INSUFFICIENT_STOCK = "reward_insufficient_stock"
ERR_ITEM_NOT_IN_SHOP = "reward_item_not_in_shop"
ERR_EMPTY_REDEMPTION = "redemption_empty"
ERR_REVERSE_REVERSAL = "reverse_reversal"
ERR_REVERSE_OTHER_ACCOUNT = "reverse_other_account"
ERR_ALREADY_REVERSED = "entry_already_reversed"
ERR_REVERSE_UNCONFIRMED = "reverse_unconfirmed"
ERR_NOT_PENDING = "entry_not_pending"
ERR_RANKING_PUBLISHED = "ranking_month_published"
ERR_BANQUET_NO_RULE = "banquet_no_village_rule"
ERR_ACTIVITY_CONVERTED = "activity_already_converted"
ERR_IDEMPOTENCY_CONFLICT = "idempotency_conflict"
ERR_SHOP_INACTIVE = "shop_inactive"
ERR_NOT_SHOP_OPERATOR = "shop_operator_not_assigned"
ERR_DECLARATION_NOT_FLAGGED = "declaration_not_flagged"
ERR_BANQUET_NEGATIVE = "banquet_negative"

# Rule codes the customs-reform and volunteer services use (created by seed_demo, editable in the admin).
RULE_BANQUET_OVER_CAP = "YF-01"
RULE_SIMPLE_FUNERAL = "YF-02"
RULE_VOLUNTEER_HOUR = "ZY-01"


class IdempotencyConflict(Exception):
    """The idempotency key was already used for a different request."""


def _error(field: str, message, code: str, **params) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def month_bounds(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = month.replace(day=1)
    return start, (start + datetime.timedelta(days=32)).replace(day=1)


# ---------------------------------------------------------------- accounts and entries


def accounts_ensure(*, households: Iterable[Household] | None = None) -> int:
    """Open a wallet for every household that has none (bulk; idempotent). Returns how many were opened."""
    queryset = (
        Household.objects.all() if households is None else Household.objects.filter(pk__in=[h.pk for h in households])
    )
    missing = queryset.filter(point_account__isnull=True).values_list("pk", flat=True)
    created = PointAccount.objects.bulk_create(
        [PointAccount(household_id=pk) for pk in missing.iterator()], batch_size=2000, ignore_conflicts=True
    )
    return len(created)


def account_for(household: Household) -> PointAccount:
    account, _created = PointAccount.objects.get_or_create(household=household)
    return account


def _lock(account: PointAccount) -> PointAccount:
    return PointAccount.objects.select_for_update().get(pk=account.pk)


def _append(
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
    """Append to a locked account: next sequence number, hash chained to the previous entry, and the
    cached balance moved in the same transaction when the entry counts (confirmed)."""
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
    return entry


def _cap_used(account: PointAccount, rule: PointRule, occurred_on: datetime.date) -> int:
    """Points already recorded (pending or confirmed) under ``rule`` for the account in the month."""
    start, end = month_bounds(occurred_on)
    return (
        PointEntry.objects.filter(
            account=account,
            rule=rule,
            occurred_on__gte=start,
            occurred_on__lt=end,
            status__in=[EntryStatus.PENDING, EntryStatus.CONFIRMED],
        ).aggregate(total=Sum("points"))["total"]
        or 0
    )


def _check_rule(account: PointAccount, rule: PointRule, occurred_on: datetime.date, points: int) -> None:
    if not rule.is_active_on(occurred_on):
        raise _error(
            "rule", _("积分规则“%(rule)s”在 %(day)s 未生效。"), ERR_RULE_INACTIVE, rule=rule.code, day=occurred_on
        )
    if rule.monthly_cap is not None:
        used = _cap_used(account, rule, occurred_on)
        if abs(used + points) > rule.monthly_cap:
            raise _error(
                "rule",
                _("规则“%(rule)s”本月已记 %(used)s 分，再记将超过每户每月上限 %(cap)s 分。"),
                ERR_RULE_CAP,
                rule=rule.code,
                used=abs(used),
                cap=rule.monthly_cap,
            )


def _existing(account: PointAccount, key: str) -> PointEntry | None:
    return PointEntry.objects.filter(account=account, idempotency_key=key).first()


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
    """Record points by a rule. A self-report waits for an officer's confirmation. The same key twice
    returns the first entry (created=False). Refuses an inactive rule, a missing required evidence
    and anything over the rule's monthly cap for the household."""
    account = _lock(account)
    existing = _existing(account, idempotency_key)
    if existing is not None:
        if existing.rule_id != rule.pk:
            raise IdempotencyConflict(idempotency_key)
        return existing, False
    amount = rule.points if points is None else points
    if rule.evidence_required and not evidence.strip():
        raise _error("evidence", _("规则“%(rule)s”须提供佐证材料。"), ERR_EVIDENCE_REQUIRED, rule=rule.code)
    _check_rule(account, rule, occurred_on, amount)
    status = EntryStatus.PENDING if source == EntrySource.SELF_REPORT else EntryStatus.CONFIRMED
    entry = _append(
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
    """Officers' quick batch entry for a 屋场: one entry per household, all or nothing."""
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
    """An officer confirms (or rejects) a self-reported entry; a confirmed entry moves the balance."""
    account = _lock(entry.account)
    entry = PointEntry.objects.select_for_update().get(pk=entry.pk)
    if entry.status != EntryStatus.PENDING:
        raise _error("status", _("只有待确认的流水可以确认或驳回。"), ERR_NOT_PENDING)
    entry.status = EntryStatus.CONFIRMED if accept else EntryStatus.REJECTED
    entry.confirmed_by = by
    entry.confirmed_at = timezone.now()
    entry.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    if accept:
        account.balance += entry.points
        account.save(update_fields=["balance"])
    return entry


@transaction.atomic
def entry_reverse(
    *, account: PointAccount, entry: PointEntry, by: User, reason: str, idempotency_key: str | None = None
) -> PointEntry:
    """Correct a confirmed entry by a new entry of the opposite amount that points at it."""
    account = _lock(account)
    if entry.account_id != account.pk:
        raise _error("reverses", _("不能冲正其他账户的流水。"), ERR_REVERSE_OTHER_ACCOUNT)
    if entry.reverses_id is not None:
        raise _error("reverses", _("冲正流水不能再被冲正。"), ERR_REVERSE_REVERSAL)
    if entry.source == EntrySource.REDEMPTION:
        raise _error("reverses", _("兑换流水不能冲正。"), ERR_REVERSE_REVERSAL)
    if entry.status != EntryStatus.CONFIRMED:
        raise _error("reverses", _("只有已确认的流水可以冲正。"), ERR_REVERSE_UNCONFIRMED)
    if PointEntry.objects.filter(reverses=entry).exists():
        raise _error("reverses", _("该流水已被冲正。"), ERR_ALREADY_REVERSED)
    if account.balance - entry.points < 0:
        raise _error(
            "reverses",
            _("冲正后余额将为负数（当前余额 %(balance)s）。"),
            ERR_INSUFFICIENT_BALANCE,
            balance=account.balance,
        )
    return _append(
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


# ---------------------------------------------------------------- redemption


@dataclass(frozen=True)
class RedemptionRequest:
    item: RewardItem
    quantity: int


@transaction.atomic
def points_redeem(
    *,
    account: PointAccount,
    shop: Shop,
    lines: Sequence[RedemptionRequest],
    operator: User | None,
    idempotency_key: str,
) -> tuple[Redemption, bool]:
    """Hand over goods against points in one transaction: lock the account and the items, refuse if
    the balance would go below zero or the stock is short, write the negative entry, decrement the
    stock. The same key twice returns the first redemption (created=False). Only one of the shop's
    operators may hand goods over."""
    if not lines:
        raise _error("lines", _("请至少选择一件商品。"), ERR_EMPTY_REDEMPTION)
    # Goods are handed over by the shop's own operators (Shop.operators), not by any shop operator of
    # the area; ``operator=None`` is a call from code (imports, demo), not on anyone's behalf.
    if operator is not None and not shop.operators.filter(pk=operator.pk).exists():
        raise _error(
            "shop", _("您不是“%(shop)s”的管理员，不能在该超市办理兑换。"), ERR_NOT_SHOP_OPERATOR, shop=shop.name
        )
    account = _lock(account)
    # Checked after the lock: a concurrent request with the same key has committed or rolled back by now.
    existing = Redemption.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        if existing.account_id != account.pk or existing.shop_id != shop.pk:
            raise IdempotencyConflict(idempotency_key)
        return existing, False
    if not shop.is_active:
        raise _error("shop", _("该积分超市已停业。"), ERR_SHOP_INACTIVE)
    quantities: dict[int, int] = {}
    for line in lines:
        if line.item.shop_id != shop.pk or not line.item.is_active:
            raise _error("lines", _("商品“%(item)s”不在本超市上架。"), ERR_ITEM_NOT_IN_SHOP, item=line.item.name)
        quantities[line.item.pk] = quantities.get(line.item.pk, 0) + line.quantity
    items = {i.pk: i for i in RewardItem.objects.select_for_update().filter(pk__in=quantities).order_by("pk")}
    total = 0
    for item_id, quantity in quantities.items():
        item = items[item_id]
        if item.stock < quantity:
            raise _error(
                "lines",
                _("“%(item)s”库存不足（剩 %(stock)s 件）。"),
                ERR_INSUFFICIENT_STOCK,
                item=item.name,
                stock=item.stock,
            )
        total += item.points_price * quantity
    if account.balance < total:
        raise _error(
            "lines",
            _("积分余额不足：需 %(total)s 分，余额 %(balance)s 分。"),
            ERR_INSUFFICIENT_BALANCE,
            total=total,
            balance=account.balance,
        )
    entry = _append(
        account,
        points=-total,
        occurred_on=timezone.localdate(),
        source=EntrySource.REDEMPTION,
        idempotency_key=f"redemption:{idempotency_key}",
        recorded_by=operator,
        note=str(shop)[:200],
    )
    for item_id, quantity in quantities.items():
        RewardItem.objects.filter(pk=item_id).update(stock=F("stock") - quantity)
    redemption = Redemption.objects.create(
        account=account, shop=shop, operator=operator, points=total, entry=entry, idempotency_key=idempotency_key
    )
    RedemptionLine.objects.bulk_create(
        [
            RedemptionLine(redemption=redemption, item_id=item_id, quantity=q, points_each=items[item_id].points_price)
            for item_id, q in quantities.items()
        ]
    )
    return redemption, True


# ---------------------------------------------------------------- monthly ranking


_UNIT_SQL = """
INSERT INTO civility_monthlyranking (ranking_month_id, household_id, level, group_id, points, deductions, rank)
SELECT %(run)s, t.household_id, 'unit', t.division_id, t.points, t.deductions,
       RANK() OVER (PARTITION BY t.division_id ORDER BY t.points DESC)
FROM (
    SELECT a.household_id, h.division_id,
           COALESCE(SUM(e.points), 0) AS points,
           COALESCE(SUM(e.points) FILTER (WHERE e.points < 0), 0) AS deductions
    FROM civility_pointaccount a
    JOIN governance_household h ON h.id = a.household_id
    JOIN governance_division d ON d.id = h.division_id
    LEFT JOIN civility_pointentry e
           ON e.account_id = a.id AND e.status = 'confirmed' AND e.source <> 'redemption'
          AND e.occurred_on >= %(start)s AND e.occurred_on < %(end)s
    WHERE d.path LIKE %(root)s
    GROUP BY a.household_id, h.division_id
) t
"""

# The group at a level is the household unit's ancestor-or-self of the level's kinds, found by path
# prefix among the (few) unit divisions; the households' rows then join it by hash.
_LEVEL_SQL = """
INSERT INTO civility_monthlyranking (ranking_month_id, household_id, level, group_id, points, deductions, rank)
SELECT r.ranking_month_id, r.household_id, %(level)s, g.group_id, r.points, r.deductions,
       RANK() OVER (PARTITION BY g.group_id ORDER BY r.points DESC)
FROM civility_monthlyranking r
JOIN (
    SELECT u.id AS unit_id, anc.id AS group_id
    FROM governance_division u
    JOIN governance_division anc ON u.path LIKE anc.path || '%%' AND anc.level = ANY(%(kinds)s)
    WHERE u.path LIKE %(root)s
) g ON g.unit_id = r.group_id
WHERE r.ranking_month_id = %(run)s AND r.level = 'unit'
"""


def parse_month(value: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise _error("month", _("月份格式应为 YYYY-MM，例如 2025-06。"), "invalid_month") from exc


def ranking_root() -> Division:
    from django.conf import settings

    return Division.objects.get(code=settings.DISTRICT_CODE)


@transaction.atomic
def ranking_compute(*, month: datetime.date, division: Division | None = None) -> RankingMonth:
    """一月一评比: each household's confirmed points of ``month`` and its rank (ties share one,
    RANK()) within its unit, village/community, township and district — one INSERT … SELECT per
    level. A re-run replaces the month's rows atomically; a published month is refused."""
    division = division or ranking_root()
    start, end = month_bounds(month)
    run, _created = RankingMonth.objects.get_or_create(division=division, month=start)
    run = RankingMonth.objects.select_for_update().get(pk=run.pk)
    if run.status == RankingStatus.PUBLISHED:
        raise _error("month", _("%(month)s 的评比已公布，不能重算。"), ERR_RANKING_PUBLISHED, month=f"{start:%Y-%m}")
    params = {"run": run.pk, "start": start, "end": end, "root": division.path + "%"}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM civility_monthlyranking WHERE ranking_month_id = %s", [run.pk])
        cursor.execute(_UNIT_SQL, params)
        run.households = cursor.rowcount
        # The levels above read the unit rows just written; without fresh statistics the planner
        # takes them for a handful of rows and picks a plan that is several times slower.
        cursor.execute("ANALYZE civility_monthlyranking")
        for level, kinds in RANKING_LEVEL_DIVISIONS.items():
            cursor.execute(_LEVEL_SQL, {**params, "level": level.value, "kinds": list(kinds)})
    run.computed_at = timezone.now()
    run.save(update_fields=["computed_at", "households"])
    return run


@transaction.atomic
def ranking_publish(*, run: RankingMonth, by: User | None) -> RankingMonth:
    """Publish a month's ranking: from now on it is frozen."""
    run = RankingMonth.objects.select_for_update().get(pk=run.pk)
    if run.status == RankingStatus.PUBLISHED:
        raise _error("month", _("%(month)s 的评比已公布。"), ERR_RANKING_PUBLISHED, month=f"{run.month:%Y-%m}")
    run.status = RankingStatus.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = by
    run.save(update_fields=["status", "published_at", "published_by"])
    return run


@transaction.atomic
def civilized_families_propose(*, year: int, division: Division, top: int = 3) -> int:
    """Propose, per village/community in ``division``'s subtree, the ``top`` households by the sum
    of the year's published monthly points (ties included). Existing ratings are left alone."""
    from civility.selectors import yearly_village_points

    rows = yearly_village_points(year=year, division=division, top=top)
    existing = set(
        CivilizedFamily.objects.filter(year=year, household_id__in=[r["household_id"] for r in rows]).values_list(
            "household_id", flat=True
        )
    )
    created = CivilizedFamily.objects.bulk_create(
        [
            CivilizedFamily(household_id=r["household_id"], year=year, points=r["points"])
            for r in rows
            if r["household_id"] not in existing
        ]
    )
    return len(created)


@transaction.atomic
def civilized_family_confirm(*, family: CivilizedFamily, by: User) -> CivilizedFamily:
    family = CivilizedFamily.objects.select_for_update().get(pk=family.pk)
    if family.status == FamilyStatus.CONFIRMED:
        raise _error("status", _("该户已评定。"), ERR_NOT_PENDING)
    family.status = FamilyStatus.CONFIRMED
    family.confirmed_by = by
    family.confirmed_at = timezone.now()
    family.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    return family


# ---------------------------------------------------------------- ledger verification


def ledger_verify() -> list[dict]:
    """Every break of the ledger, in two queries: an entry whose hash does not match its fields, whose
    ``prev_hash`` is not its predecessor's hash or whose sequence has a gap; an account whose cached
    balance, count or last hash disagrees with its entries."""
    from civility.models import ENTRY_HASH_SQL, GENESIS_HASH

    problems: list[dict] = []
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT id, account_id, seq, problem FROM (
                SELECT e.id, e.account_id, e.seq,
                    CASE WHEN e.hash <> {ENTRY_HASH_SQL.format(t="e")} THEN 'hash'
                         WHEN e.prev_hash <> COALESCE(LAG(e.hash) OVER w, %s) THEN 'chain'
                         WHEN e.seq <> ROW_NUMBER() OVER w THEN 'sequence'
                    END AS problem
                FROM civility_pointentry e
                WINDOW w AS (PARTITION BY e.account_id ORDER BY e.seq)
            ) checked WHERE problem IS NOT NULL ORDER BY account_id, seq
            """,
            [GENESIS_HASH],
        )
        problems += [{"entry": r[0], "account": r[1], "seq": r[2], "problem": r[3]} for r in cursor.fetchall()]
        cursor.execute(
            """
            SELECT a.id, a.balance, COALESCE(s.balance, 0), a.entry_count, COALESCE(s.n, 0)
            FROM civility_pointaccount a
            LEFT JOIN (
                SELECT account_id, SUM(points) FILTER (WHERE status = 'confirmed') AS balance, COUNT(*) AS n,
                       (array_agg(hash ORDER BY seq DESC))[1] AS last_hash
                FROM civility_pointentry GROUP BY account_id
            ) s ON s.account_id = a.id
            WHERE a.balance <> COALESCE(s.balance, 0) OR a.entry_count <> COALESCE(s.n, 0)
               OR a.last_hash <> COALESCE(s.last_hash, %s)
            ORDER BY a.id
            """,
            [GENESIS_HASH],
        )
        problems += [
            {"account": r[0], "problem": "balance", "cached": r[1], "entries": r[2], "count": r[3], "entry_count": r[4]}
            for r in cursor.fetchall()
        ]
    return problems


# ---------------------------------------------------------------- customs reform


BANQUET_VIOLATION_LABELS = {
    "banned_kind": _("村规民约禁止操办此类酒席"),
    "tables": _("桌数超过上限"),
    "days": _("天数超过上限"),
    "gift_money": _("人情礼金超过上限"),
}


def village_rule_for(division: Division) -> VillageRule | None:
    """The caps that apply to a household's unit: its own or the nearest ancestor's."""
    codes = [c for c in division.path.split("/") if c]
    return VillageRule.objects.filter(division__code__in=codes).order_by("-division__depth").first()


def banquet_check(*, rule: VillageRule | None, kind: str, tables: int, days: int, gift_money: Decimal) -> list[str]:
    """Which caps a planned banquet breaks (codes of ``BANQUET_VIOLATION_LABELS``); none without a rule."""
    if rule is None:
        return []
    violations = []
    if kind in rule.banned_kinds:
        violations.append("banned_kind")
    if tables > rule.tables_cap:
        violations.append("tables")
    if days > rule.days_cap:
        violations.append("days")
    if gift_money > rule.gift_money_cap:
        violations.append("gift_money")
    return violations


def _rule(code: str) -> PointRule | None:
    return PointRule.objects.filter(code=code).first()


@transaction.atomic
def banquet_declare(
    *,
    household: Household,
    kind: str,
    held_on: datetime.date,
    tables: int,
    days: int,
    gift_money: Decimal,
    is_simple: bool = False,
    service_team: BanquetServiceTeam | None = None,
    declared_by: User | None = None,
) -> BanquetDeclaration:
    """红白事报备: record and check against the village's caps (over a cap → flagged for dissuasion).
    A funeral held simply within the caps earns the simple-funeral reward once."""
    for field, value, label in (("tables", tables, _("桌数")), ("gift_money", gift_money, _("人情礼金"))):
        if value is not None and value < 0:
            raise _error(field, _("%(what)s不能为负数。"), ERR_BANQUET_NEGATIVE, what=label)
    rule = village_rule_for(household.division)
    declaration = BanquetDeclaration(
        household=household,
        kind=kind,
        held_on=held_on,
        tables=tables,
        days=days,
        gift_money=gift_money,
        is_simple=is_simple,
        service_team=service_team,
        declared_by=declared_by,
    )
    declaration.full_clean()
    declaration.violations = banquet_check(rule=rule, kind=kind, tables=tables, days=days, gift_money=gift_money)
    declaration.is_flagged = bool(declaration.violations)
    declaration.save()
    reward = _rule(RULE_SIMPLE_FUNERAL)
    if kind == BanquetKind.FUNERAL and is_simple and not declaration.is_flagged and reward is not None:
        points_record(
            account=account_for(household),
            rule=reward,
            occurred_on=held_on,
            recorded_by=declared_by,
            source=EntrySource.BANQUET,
            idempotency_key=f"banquet:{declaration.pk}",
        )
    return declaration


@transaction.atomic
def dissuasion_record(
    *, declaration: BanquetDeclaration, outcome: str, occurred_on: datetime.date, officer: User | None, note: str = ""
) -> Dissuasion:
    """劝阻 of a flagged banquet. Holding it anyway costs the household the over-cap deduction; a
    banquet within the caps has nothing to dissuade (and nothing to deduct)."""
    if not declaration.is_flagged:
        raise _error("declaration", _("该报备未超出村规民约标准，无需劝阻。"), ERR_DECLARATION_NOT_FLAGGED)
    dissuasion = Dissuasion(
        declaration=declaration, outcome=outcome, occurred_on=occurred_on, officer=officer, note=note
    )
    dissuasion.full_clean()
    deduction = _rule(RULE_BANQUET_OVER_CAP)
    if outcome == DissuasionOutcome.HELD_ANYWAY and deduction is not None:
        dissuasion.entry, _created = points_record(
            account=account_for(declaration.household),
            rule=deduction,
            occurred_on=occurred_on,
            recorded_by=officer,
            source=EntrySource.BANQUET,
            idempotency_key=f"dissuasion:{declaration.pk}",
        )
    dissuasion.save()
    return dissuasion


def is_dissuaded(outcome: str) -> bool:
    return outcome in DISSUADED_OUTCOMES


# ---------------------------------------------------------------- volunteers


@transaction.atomic
def activity_convert(*, activity: ServiceActivity, rule: PointRule | None = None, by: User | None = None) -> int:
    """Turn a service activity's hours into point entries for each participant's household (hours ×
    its members who took part × the rule's points per hour, up to what the rule's monthly cap leaves),
    once: a second call is refused and writes nothing, and each entry's key names the activity and
    household."""
    activity = ServiceActivity.objects.select_for_update().get(pk=activity.pk)
    if activity.converted_at is not None:
        raise _error("activity", _("该活动的服务时长已转化为积分。"), ERR_ACTIVITY_CONVERTED)
    rule = rule or _rule(RULE_VOLUNTEER_HOUR)
    if rule is None:
        raise _error("rule", _("未设置志愿服务积分规则（%(code)s）。"), ERR_RULE_INACTIVE, code=RULE_VOLUNTEER_HOUR)
    # ``hours`` is per participant: a household earns for every one of its members who served.
    members = dict(
        HouseholdMember.objects.filter(person__volunteer__in=activity.participants.all())
        .values("household_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("household_id", "n")
    )
    count = 0
    for household in Household.objects.filter(pk__in=members).order_by("pk"):
        hours = activity.hours * members[household.pk]
        points = int((Decimal(rule.points) * hours).to_integral_value(rounding=ROUND_DOWN))
        account = _lock(account_for(household))
        if rule.monthly_cap is not None:
            # A household at the month's cap gets what is left under it, and does not hold up the others.
            points = min(points, max(rule.monthly_cap - abs(_cap_used(account, rule, activity.held_on)), 0))
        if not points:
            continue
        _entry, created = points_record(
            account=account,
            rule=rule,
            occurred_on=activity.held_on,
            recorded_by=by,
            source=EntrySource.VOLUNTEER,
            idempotency_key=f"activity:{activity.pk}:{household.pk}",
            points=points,
        )
        count += created
    activity.converted_at = timezone.now()
    activity.save(update_fields=["converted_at"])
    return count
