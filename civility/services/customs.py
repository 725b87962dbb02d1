"""Customs reform (移风易俗): banquet declarations checked against the village's caps, and the
dissuasion of those over them."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.choices import BanquetKind, DissuasionKind, DissuasionOutcome, EntrySource
from civility.errors import (
    ERR_BANQUET_DATE,
    ERR_BANQUET_NEGATIVE,
    ERR_BANQUET_TABLES,
    ERR_DECLARATION_NOT_FLAGGED,
    ERR_TEAM_ELSEWHERE,
    field_error,
)
from civility.models import BanquetDeclaration, BanquetKindCap, BanquetServiceTeam, Dissuasion, VillageRule
from civility.services.ledger import account_for, point_rule_by_code, points_record
from governance.dates import year_shift
from governance.models import Division, Household, User
from governance.querysets import path_ancestors

# Rule codes these services use (created by seed_demo, editable in the admin).
RULE_BANQUET_OVER_CAP = "YF-01"
RULE_SIMPLE_FUNERAL = "YF-02"

BANQUET_VIOLATION_LABELS = {
    "banned_kind": _("村规民约禁止操办此类酒席"),
    "tables": _("桌数超过上限"),
    "days": _("天数超过上限"),
    "gift_money": _("人情礼金超过上限"),
    "per_table": _("每桌标准超过上限"),
    "team_fee": _("每桌标准高于服务队收费标准"),
}


def kind_cap_for(rule: VillageRule | None, kind: str) -> BanquetKindCap | None:
    """The village's caps for one kind of event (婚事、丧事、升学宴…), if its 村规民约 sets them (one query)."""
    if rule is None:
        return None
    return BanquetKindCap.objects.filter(rule=rule, kind=kind).first()


def team_table_fee(team: BanquetServiceTeam | None) -> Decimal | None:
    """A service team's price of a table (the highest of its ``per_table`` fee lines), yuan; ``None``
    without a team or without a per-table line (one query)."""
    if team is None:
        return None
    fees = [fee.price for fee in team.fees.all() if fee.per_table]
    return max(fees) if fees else None


def village_rule_for(division: Division) -> VillageRule | None:
    """The caps that apply to a household's unit: its own or the nearest ancestor's (one query)."""
    return (
        VillageRule.objects.filter(division__path__in=path_ancestors(division.path))
        .order_by("-division__depth")
        .first()
    )


def banquet_check(
    *,
    rule: VillageRule | None,
    kind: str,
    tables: int,
    days: int,
    gift_money: Decimal,
    per_table_cost: Decimal | None = None,
    kind_cap: BanquetKindCap | None = None,
    team_fee: Decimal | None = None,
) -> list[str]:
    """Which caps a planned banquet breaks (codes of ``BANQUET_VIOLATION_LABELS``, in that order).
    The kind's own caps (``kind_cap``, from ``kind_cap_for``) replace the village's general ones where
    set; 每桌标准 (``per_table_cost``, yuan per table) is checked against the kind's ``per_table_cap``
    and, when the banquet uses a service team, against the team's price of a table (``team_fee``, from
    ``team_table_fee``): "同一村组红白事统一……收费标准" (seed article). Without a rule only the team's
    fee is checked. Pure: reads and writes nothing."""
    violations: list[str] = []

    def cap(name: str):
        own = getattr(kind_cap, name, None) if kind_cap is not None else None
        return own if own is not None else getattr(rule, name)

    if rule is not None:
        if kind in rule.banned_kinds:
            violations.append("banned_kind")
        if tables > cap("tables_cap"):
            violations.append("tables")
        if days > cap("days_cap"):
            violations.append("days")
        if gift_money > cap("gift_money_cap"):
            violations.append("gift_money")
        per_table_cap = kind_cap.per_table_cap if kind_cap is not None else None
        if per_table_cost is not None and per_table_cap is not None and per_table_cost > per_table_cap:
            violations.append("per_table")
    if per_table_cost is not None and team_fee is not None and per_table_cost > team_fee:
        violations.append("team_fee")
    return violations


# A declaration is made before the banquet (移风易俗: report, then hold); a clerk may record one
# afterwards for the village's books, but not years later, and nobody plans a banquet years ahead.
BANQUET_YEARS_BACK = 2
BANQUET_DAYS_AHEAD = 366


def banquet_date_window(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The dates a banquet may be declared for: ``BANQUET_YEARS_BACK`` years before today to
    ``BANQUET_DAYS_AHEAD`` days after (Asia/Shanghai dates)."""
    today = today or timezone.localdate()
    return year_shift(today, -BANQUET_YEARS_BACK), today + datetime.timedelta(days=BANQUET_DAYS_AHEAD)


def team_serves(team: BanquetServiceTeam, division: Division) -> bool:
    """Whether a service team may serve a household of ``division``: the team's division is the
    household's own or one above it, no higher than a village (a team serves its own 村组)."""
    return division.path.startswith(team.division.path) and team.division.level not in (
        "province",
        "city",
        "district",
        "township",
        "subdistrict",
    )


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
    per_table_cost: Decimal | None = None,
    declared_by: User | None = None,
) -> BanquetDeclaration:
    """红白事报备: record and check against the village's caps (over a cap → flagged for dissuasion,
    ``violations`` naming the caps broken). A funeral held simply within the caps earns the
    simple-funeral reward (rule ``RULE_SIMPLE_FUNERAL``) once.

    Raises ``ValidationError``: on ``tables`` or ``gift_money`` (``ERR_BANQUET_NEGATIVE``), on
    ``tables`` below 1 (``ERR_BANQUET_TABLES``: a banquet has a table), on ``held_on`` outside
    ``banquet_date_window`` (``ERR_BANQUET_DATE``), on ``per_table_cost`` below 0
    (``ERR_BANQUET_NEGATIVE``), on ``service_team`` of another village (``ERR_TEAM_ELSEWHERE``: a team
    serves its own 村组), from the declaration's own checks
    (``full_clean``), and what ``points_record`` raises for the reward."""
    for field, value, label in (
        ("tables", tables, _("桌数")),
        ("gift_money", gift_money, _("人情礼金")),
        ("per_table_cost", per_table_cost, _("每桌标准")),
    ):
        if value is not None and value < 0:
            raise field_error(field, _("%(what)s不能为负数。"), ERR_BANQUET_NEGATIVE, what=label)
    if tables is not None and tables < 1:
        raise field_error("tables", _("桌数至少为 1 桌。"), ERR_BANQUET_TABLES)
    earliest, latest = banquet_date_window()
    if held_on is not None and not earliest <= held_on <= latest:
        raise field_error(
            "held_on",
            _("办酒日期应在 %(earliest)s 至 %(latest)s 之间。"),
            ERR_BANQUET_DATE,
            earliest=earliest.isoformat(),
            latest=latest.isoformat(),
        )
    if service_team is not None and not team_serves(service_team, household.division):
        raise field_error("service_team", _("该服务队不属于这户所在的村（组）。"), ERR_TEAM_ELSEWHERE)
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
        per_table_cost=per_table_cost,
        declared_by=declared_by,
    )
    declaration.full_clean()
    declaration.violations = banquet_check(
        rule=rule,
        kind=kind,
        tables=tables,
        days=days,
        gift_money=gift_money,
        per_table_cost=per_table_cost,
        kind_cap=kind_cap_for(rule, kind),
        team_fee=team_table_fee(service_team),
    )
    declaration.is_flagged = bool(declaration.violations)
    declaration.save()
    reward = point_rule_by_code(RULE_SIMPLE_FUNERAL)
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
    """劝阻 of a flagged banquet, or of any 无事酒 (dissuaded whatever its size: its own kind,
    ``DissuasionKind.NO_OCCASION``; seed article "劝阻群众办‘无事酒’、大操大办"). Holding it anyway costs the
    household the over-cap deduction (rule ``RULE_BANQUET_OVER_CAP``); another banquet within
    the caps has nothing to dissuade (and nothing to deduct).

    Raises ``ValidationError`` on ``declaration`` (``ERR_DECLARATION_NOT_FLAGGED``), from the
    dissuasion's own checks (``full_clean``: one per declaration), and what ``points_record`` raises
    for the deduction."""
    no_occasion = declaration.kind == BanquetKind.NO_OCCASION
    if not declaration.is_flagged and not no_occasion:
        raise field_error("declaration", _("该报备未超出村规民约标准，无需劝阻。"), ERR_DECLARATION_NOT_FLAGGED)
    dissuasion = Dissuasion(
        declaration=declaration,
        kind=DissuasionKind.NO_OCCASION if no_occasion else DissuasionKind.OVER_CAP,
        outcome=outcome,
        occurred_on=occurred_on,
        officer=officer,
        note=note,
    )
    dissuasion.full_clean()
    deduction = point_rule_by_code(RULE_BANQUET_OVER_CAP)
    if outcome == DissuasionOutcome.HELD_ANYWAY and deduction is not None:
        dissuasion.entry, _created = points_record(
            account=account_for(declaration.household),
            rule=deduction,
            occurred_on=occurred_on,
            recorded_by=officer,
            source=EntrySource.BANQUET,
            idempotency_key=f"dissuasion:{declaration.pk}",
        )
        dissuasion.entry_account_id = dissuasion.entry.account_id
    dissuasion.save()
    return dissuasion
