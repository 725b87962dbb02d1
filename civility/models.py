"""Civility (文明建设): the points ledger, the points shop, monthly rankings, customs reform
(移风易俗) and volunteers. Households are ranked at their own division node (屋场, 小区 or, until
those exist, 村/社区) and at every level above it, read from ``Division.path`` — this app imports
no other app but governance."""

from __future__ import annotations

import datetime
import hashlib

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civility.querysets import BanquetDeclarationQuerySet, PointEntryQuerySet, PointRuleQuerySet, UpwardScopedQuerySet
from governance.audit import audited
from governance.querysets import ScopedQuerySet

GENESIS_HASH = "0" * 64


class PointCategory(models.TextChoices):
    FILIAL = "filial", _("孝老爱亲")
    SANITATION = "sanitation", _("环境卫生")
    VOLUNTEER = "volunteer", _("志愿服务")
    CUSTOMS = "customs", _("移风易俗")
    DELIBERATION = "deliberation", _("参与议事")
    NEIGHBOURLY = "neighbourly", _("邻里互助")
    DEDUCTION = "deduction", _("扣分事项")


@audited()
class PointRule(models.Model):
    """积分规则 — a behaviour worth points (or a deduction), with a monthly cap per household."""

    code = models.CharField(_("规则编码"), max_length=32, unique=True)
    behaviour = models.CharField(_("行为"), max_length=200)
    category = models.CharField(_("类别"), max_length=16, choices=PointCategory.choices)
    points = models.IntegerField(_("分值"), help_text=_("正数加分，负数扣分；志愿服务为每小时分值。"))
    monthly_cap = models.PositiveIntegerField(
        _("每户每月上限"), null=True, blank=True, help_text=_("本规则每户每月累计分值（绝对值）的上限，留空为不限。")
    )
    evidence_required = models.BooleanField(_("需佐证材料"), default=False)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("发布区划"), on_delete=models.PROTECT, related_name="point_rules"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    active_from = models.DateField(_("生效日期"), default=datetime.date(2024, 1, 1))
    active_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PointRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0), name="point_rule_points_nonzero", violation_error_message=_("分值不能为 0。")
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="point_rule_active_range",
                violation_error_message=_("失效日期不能早于生效日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.behaviour}（{self.points:+d}）"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.is_active and self.active_from <= day and (self.active_to is None or self.active_to >= day)


@audited()
class PointAccount(models.Model):
    """积分账户 — a household's wallet. ``balance`` caches the sum of its confirmed entries and is
    written in the same transaction as each entry; ``ledger_verify`` proves the two equal."""

    scope_lookup = "household__division"

    household = models.OneToOneField(
        "governance.Household", verbose_name=_("家庭户"), on_delete=models.PROTECT, related_name="point_account"
    )
    balance = models.IntegerField(_("积分余额"), default=0)
    entry_count = models.PositiveIntegerField(_("流水笔数"), default=0)
    last_hash = models.CharField(_("末笔哈希"), max_length=64, default=GENESIS_HASH)
    created_at = models.DateTimeField(_("开户时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分账户")
        verbose_name_plural = _("积分账户")
        ordering = ["household__number"]

    def __str__(self) -> str:
        return str(self.household)


class EntrySource(models.TextChoices):
    VISIT = "visit", _("干部走访采集")
    SELF_REPORT = "self_report", _("村民自报")
    VOLUNTEER = "volunteer", _("志愿服务时长")
    BANQUET = "banquet", _("红白事检查")
    MANUAL = "manual", _("人工调整")
    REDEMPTION = "redemption", _("积分兑换")
    REVERSAL = "reversal", _("冲正")


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("不予确认")


# Only the confirmation of a pending entry may change a row; amounts, dates, links and hashes never.
ENTRY_MUTABLE_FIELDS = ["status", "confirmed_by", "confirmed_at"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PointEntry(models.Model):
    """积分流水 — one append-only ledger entry. The database refuses DELETE and any UPDATE but
    pending → confirmed/rejected; a correction is a reversal entry. Each entry's hash chains to the
    account's previous entry."""

    scope_lookup = "account__household__division"

    account = models.ForeignKey(
        PointAccount, verbose_name=_("积分账户"), on_delete=models.PROTECT, related_name="entries"
    )
    seq = models.PositiveIntegerField(_("序号"))
    rule = models.ForeignKey(
        PointRule, verbose_name=_("积分规则"), null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    points = models.IntegerField(_("分值"))
    occurred_on = models.DateField(_("发生日期"))
    source = models.CharField(_("来源"), max_length=16, choices=EntrySource.choices)
    status = models.CharField(_("状态"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.CONFIRMED)
    idempotency_key = models.CharField(_("幂等键"), max_length=100)
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正的流水"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    evidence = models.CharField(
        _("佐证材料"), max_length=300, blank=True, help_text=_("照片或材料的链接、编号或描述。")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    prev_hash = models.CharField(_("上一笔哈希"), max_length=64)
    hash = models.CharField(_("哈希"), max_length=64)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = PointEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分流水")
        verbose_name_plural = _("积分流水")
        ordering = ["account_id", "seq"]
        indexes = [
            models.Index(fields=["occurred_on", "status"], name="point_entry_month"),
            models.Index(fields=["account", "rule", "occurred_on"], name="point_entry_rule_cap"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"],
                name="point_entry_idempotency",
                violation_error_message=_("该账户已有相同幂等键的流水。"),
            ),
            models.UniqueConstraint(
                fields=["account", "seq"], name="point_entry_seq", violation_error_message=_("流水序号重复。")
            ),
            models.CheckConstraint(
                condition=~Q(points=0), name="point_entry_points_nonzero", violation_error_message=_("分值不能为 0。")
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="point_entry_no_delete", operation=pgtrigger.Delete),
            pgtrigger.ReadOnly(name="point_entry_read_only", exclude=ENTRY_MUTABLE_FIELDS),
            pgtrigger.Protect(
                name="point_entry_status_once",
                operation=pgtrigger.Update,
                condition=pgtrigger.Q(old__status__df=pgtrigger.F("new__status")) & ~pgtrigger.Q(old__status="pending"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}#{self.seq} {self.points:+d}"

    def compute_hash(self) -> str:
        return entry_hash(
            account_id=self.account_id,
            seq=self.seq,
            points=self.points,
            rule_id=self.rule_id,
            occurred_on=self.occurred_on,
            source=self.source,
            idempotency_key=self.idempotency_key,
            reverses_id=self.reverses_id,
            prev_hash=self.prev_hash,
        )


def entry_hash(
    *,
    account_id: int,
    seq: int,
    points: int,
    rule_id: int | None,
    occurred_on: datetime.date,
    source: str,
    idempotency_key: str,
    reverses_id: int | None,
    prev_hash: str,
) -> str:
    """SHA-256 of the entry's immutable fields and the previous hash. ``ENTRY_HASH_SQL`` computes
    the same in PostgreSQL, so ``ledger_verify`` checks millions of entries in one query."""
    text = "|".join(
        [
            str(account_id),
            str(seq),
            str(points),
            "" if rule_id is None else str(rule_id),
            occurred_on.isoformat(),
            source,
            idempotency_key,
            "" if reverses_id is None else str(reverses_id),
            prev_hash,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()


ENTRY_HASH_SQL = """encode(sha256(convert_to(concat_ws('|', {t}.account_id::text, {t}.seq::text, {t}.points::text,
    coalesce({t}.rule_id::text, ''), to_char({t}.occurred_on, 'YYYY-MM-DD'), {t}.source, {t}.idempotency_key,
    coalesce({t}.reverses_id::text, ''), {t}.prev_hash), 'UTF8')), 'hex')"""


# ---------------------------------------------------------------- points shop


@audited()
class Shop(models.Model):
    """积分超市 — a points shop in a village or community, run by its shop operators."""

    name = models.CharField(_("名称"), max_length=100)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="point_shops"
    )
    operators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("管理员"), blank=True, related_name="point_shops"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_active = models.BooleanField(_("营业"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分超市")
        verbose_name_plural = _("积分超市")
        ordering = ["division__path", "name"]

    def __str__(self) -> str:
        return self.name


@audited()
class RewardItem(models.Model):
    """兑换商品 — goods on a points shop's shelf, with a price in points and a stock."""

    scope_lookup = "shop__division"

    shop = models.ForeignKey(Shop, verbose_name=_("积分超市"), on_delete=models.PROTECT, related_name="items")
    name = models.CharField(_("商品名称"), max_length=100)
    points_price = models.PositiveIntegerField(_("所需积分"))
    stock = models.PositiveIntegerField(_("库存"), default=0)
    is_active = models.BooleanField(_("上架"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("兑换商品")
        verbose_name_plural = _("兑换商品")
        ordering = ["shop", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_price__gt=0),
                name="reward_item_price_positive",
                violation_error_message=_("所需积分必须大于 0。"),
            ),
            models.CheckConstraint(
                condition=Q(stock__gte=0), name="reward_item_stock_nonnegative", violation_error_message=_("库存不足。")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.points_price} 分）"


@audited()
class Redemption(models.Model):
    """积分兑换 — goods handed over at a shop against a household's points (one negative entry)."""

    scope_lookup = "account__household__division"

    account = models.ForeignKey(
        PointAccount, verbose_name=_("积分账户"), on_delete=models.PROTECT, related_name="redemptions"
    )
    shop = models.ForeignKey(Shop, verbose_name=_("积分超市"), on_delete=models.PROTECT, related_name="redemptions")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("经办人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    points = models.PositiveIntegerField(_("消耗积分"))
    entry = models.OneToOneField(
        PointEntry, verbose_name=_("积分流水"), on_delete=models.PROTECT, related_name="redemption"
    )
    idempotency_key = models.CharField(_("幂等键"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("兑换时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分兑换")
        verbose_name_plural = _("积分兑换")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.account} -{self.points}"


@audited()
class RedemptionLine(models.Model):
    """兑换明细 — one item line of a redemption."""

    scope_lookup = "redemption__account__household__division"

    redemption = models.ForeignKey(
        Redemption, verbose_name=_("积分兑换"), on_delete=models.PROTECT, related_name="lines"
    )
    item = models.ForeignKey(RewardItem, verbose_name=_("商品"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("数量"))
    points_each = models.PositiveIntegerField(_("单价（积分）"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("兑换明细")
        verbose_name_plural = _("兑换明细")
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="redemption_line_quantity",
                violation_error_message=_("数量必须大于 0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item_id} × {self.quantity}"


# ---------------------------------------------------------------- monthly ranking (一月一评比)


class RankingStatus(models.TextChoices):
    COMPUTED = "computed", _("已计算")
    PUBLISHED = "published", _("已公布")


@audited()
class RankingMonth(models.Model):
    """月度评比 — one month's ranking run for a tree (its root division); published months are frozen."""

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("评比区划"), on_delete=models.PROTECT, related_name="ranking_months"
    )
    month = models.DateField(_("月份"), help_text=_("该月第一天。"))
    status = models.CharField(_("状态"), max_length=16, choices=RankingStatus.choices, default=RankingStatus.COMPUTED)
    computed_at = models.DateTimeField(_("计算时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    households = models.PositiveIntegerField(_("参评户数"), default=0)

    objects = UpwardScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度评比")
        verbose_name_plural = _("月度评比")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "month"], name="ranking_month_unique", violation_error_message=_("该月评比已存在。")
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="ranking_month_first_day",
                violation_error_message=_("月份须为该月第一天。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class RankingLevel(models.TextChoices):
    UNIT = "unit", _("屋场/小区")
    VILLAGE = "village", _("村/社区")
    TOWNSHIP = "township", _("乡镇/街道")
    DISTRICT = "district", _("区")


# Which ancestor (or the node itself) a household is ranked within, at each level above its own unit.
RANKING_LEVEL_DIVISIONS = {
    RankingLevel.VILLAGE: ["village", "community"],
    RankingLevel.TOWNSHIP: ["township", "subdistrict"],
    RankingLevel.DISTRICT: ["district"],
}


class MonthlyRanking(models.Model):
    """月度排名 — a household's confirmed points of a month and its rank within one group (its unit,
    village/community, township or district). Written only by ``ranking_compute`` in one SQL
    statement per level and replaced as a whole; derived data, so not tracked row by row (the
    ``RankingMonth`` run is)."""

    scope_lookup = "household__division"

    ranking_month = models.ForeignKey(
        RankingMonth, verbose_name=_("月度评比"), on_delete=models.CASCADE, related_name="rankings"
    )
    household = models.ForeignKey(
        "governance.Household", verbose_name=_("家庭户"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("排名层级"), max_length=16, choices=RankingLevel.choices)
    group = models.ForeignKey(
        "governance.Division", verbose_name=_("排名范围"), on_delete=models.PROTECT, related_name="+"
    )
    points = models.IntegerField(_("当月积分"))
    deductions = models.IntegerField(_("当月扣分"), default=0)
    rank = models.PositiveIntegerField(_("名次"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("月度排名")
        verbose_name_plural = _("月度排名")
        ordering = ["ranking_month", "level", "group", "rank", "household_id"]
        indexes = [models.Index(fields=["ranking_month", "level", "group", "rank"], name="monthly_ranking_group")]
        constraints = [
            models.UniqueConstraint(
                fields=["ranking_month", "level", "household"],
                name="monthly_ranking_unique",
                violation_error_message=_("该户该层级本月已有排名。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.level} #{self.rank}"


class FamilyStatus(models.TextChoices):
    PROPOSED = "proposed", _("推荐")
    CONFIRMED = "confirmed", _("已评定")


@audited()
class CivilizedFamily(models.Model):
    """文明家庭 — a household's rating for a year, proposed from the rankings and confirmed by an officer."""

    scope_lookup = "household__division"

    household = models.ForeignKey(
        "governance.Household", verbose_name=_("家庭户"), on_delete=models.PROTECT, related_name="civilized_ratings"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    points = models.IntegerField(_("年度积分"))
    status = models.CharField(_("状态"), max_length=16, choices=FamilyStatus.choices, default=FamilyStatus.PROPOSED)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("评定时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("文明家庭")
        verbose_name_plural = _("文明家庭")
        ordering = ["-year", "-points"]
        constraints = [
            models.UniqueConstraint(
                fields=["household", "year"],
                name="civilized_family_unique",
                violation_error_message=_("该户本年度已评。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.household}"


# ---------------------------------------------------------------- customs reform (移风易俗)


class BanquetKind(models.TextChoices):
    WEDDING = "wedding", _("婚嫁")
    FUNERAL = "funeral", _("丧事")
    BIRTHDAY = "birthday", _("寿宴")
    HOUSEWARMING = "housewarming", _("乔迁")
    NO_OCCASION = "no_occasion", _("无事酒")


@audited()
class VillageRule(models.Model):
    """村规民约红白事标准 — a village's caps on gift money, banquet tables and days, and banned kinds."""

    division = models.OneToOneField(
        "governance.Division", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="village_rule"
    )
    gift_money_cap = models.DecimalField(_("人情礼金上限（元/人）"), max_digits=8, decimal_places=2)
    tables_cap = models.PositiveIntegerField(_("酒席桌数上限"))
    days_cap = models.PositiveSmallIntegerField(_("办酒天数上限"))
    banned_kinds = ArrayField(
        models.CharField(max_length=16, choices=BanquetKind.choices),
        verbose_name=_("禁办类型"),
        default=list,
        blank=True,
    )
    adopted_on = models.DateField(_("通过日期"), default=datetime.date(2024, 1, 1))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("村规民约（红白事标准）")
        verbose_name_plural = _("村规民约（红白事标准）")
        ordering = ["division__path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gift_money_cap__gte=0),
                name="village_rule_gift_nonnegative",
                violation_error_message=_("礼金上限不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.division)


@audited()
class BanquetServiceTeam(models.Model):
    """红白理事服务队 — a village group's banquet service team: one place, one price list."""

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="banquet_teams"
    )
    name = models.CharField(_("名称"), max_length=100)
    place = models.CharField(_("办酒场所"), max_length=200, blank=True)
    price_list = models.TextField(_("价目表"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("红白理事服务队")
        verbose_name_plural = _("红白理事服务队")
        ordering = ["division__path", "name"]

    def __str__(self) -> str:
        return self.name


@audited()
class BanquetDeclaration(models.Model):
    """红白事报备 — a household declares a banquet; it is checked against its village's caps."""

    scope_lookup = "household__division"

    household = models.ForeignKey(
        "governance.Household", verbose_name=_("家庭户"), on_delete=models.PROTECT, related_name="banquet_declarations"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=BanquetKind.choices)
    held_on = models.DateField(_("办酒日期"))
    tables = models.PositiveIntegerField(_("桌数"))
    days = models.PositiveSmallIntegerField(_("天数"), default=1)
    gift_money = models.DecimalField(_("人情礼金（元/人）"), max_digits=8, decimal_places=2, default=0)
    service_team = models.ForeignKey(
        BanquetServiceTeam,
        verbose_name=_("服务队"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="declarations",
    )
    is_simple = models.BooleanField(_("从简办理"), default=False)
    is_flagged = models.BooleanField(_("超标"), default=False)
    violations = ArrayField(models.CharField(max_length=32), verbose_name=_("超标项"), default=list, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = BanquetDeclarationQuerySet.as_manager()

    class Meta:
        verbose_name = _("红白事报备")
        verbose_name_plural = _("红白事报备")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(gift_money__gte=0),
                name="banquet_gift_nonnegative",
                violation_error_message=_("礼金不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(days__gte=1), name="banquet_days_positive", violation_error_message=_("天数至少为 1 天。")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.get_kind_display()} {self.held_on}"


class DissuasionOutcome(models.TextChoices):
    DISSUADED = "dissuaded", _("劝阻成功（不办）")
    SCALED_DOWN = "scaled_down", _("缩减规模")
    HELD_ANYWAY = "held_anyway", _("仍然操办")


DISSUADED_OUTCOMES = (DissuasionOutcome.DISSUADED, DissuasionOutcome.SCALED_DOWN)


@audited()
class Dissuasion(models.Model):
    """劝阻 — officers' dissuasion of a flagged banquet and its outcome."""

    scope_lookup = "declaration__household__division"

    declaration = models.OneToOneField(
        BanquetDeclaration, verbose_name=_("红白事报备"), on_delete=models.PROTECT, related_name="dissuasion"
    )
    outcome = models.CharField(_("结果"), max_length=16, choices=DissuasionOutcome.choices)
    occurred_on = models.DateField(_("劝阻日期"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("劝阻人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    entry = models.OneToOneField(
        PointEntry, verbose_name=_("积分流水"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("劝阻记录")
        verbose_name_plural = _("劝阻记录")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.declaration} {self.get_outcome_display()}"


@audited()
class BanquetAbstention(models.Model):
    """党员干部带头不办酒 — a Party member or official who declined to hold a banquet."""

    scope_lookup = "person__division"

    person = models.ForeignKey(
        "governance.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="banquet_abstentions"
    )
    kind = models.CharField(_("事由"), max_length=16, choices=BanquetKind.choices)
    occurred_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("党员干部不办酒")
        verbose_name_plural = _("党员干部不办酒")
        ordering = ["-occurred_on", "-id"]

    def __str__(self) -> str:
        return f"{self.person} {self.get_kind_display()}"


# ---------------------------------------------------------------- volunteers (新时代文明实践)


class StationLevel(models.TextChoices):
    CENTRE = "centre", _("文明实践中心")
    INSTITUTE = "institute", _("文明实践所")
    STATION = "station", _("文明实践站")


@audited()
class PracticeStation(models.Model):
    """新时代文明实践中心/所/站 — the district centre, township institutes and village stations."""

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=StationLevel.choices)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="practice_stations"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("文明实践阵地")
        verbose_name_plural = _("文明实践阵地")
        ordering = ["division__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "name"],
                name="practice_station_unique",
                violation_error_message=_("同名阵地已存在。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class VolunteerBrand(models.TextChoices):
    XINGLIANXIN = "xinglianxin", _("星连心")
    LEPINGLE = "lepingle", _("乐坪乐")
    CHANGQINGTENG = "changqingteng", _("长青藤")
    OTHER = "other", _("其他")


@audited()
class VolunteerTeam(models.Model):
    """志愿服务队 — a volunteer team of a brand (星连心、乐坪乐、长青藤), based at a practice station."""

    scope_lookup = "station__division"

    name = models.CharField(_("名称"), max_length=100)
    brand = models.CharField(_("品牌"), max_length=16, choices=VolunteerBrand.choices)
    station = models.ForeignKey(
        PracticeStation, verbose_name=_("实践阵地"), on_delete=models.PROTECT, related_name="teams"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["brand", "name"]

    def __str__(self) -> str:
        return self.name


@audited()
class Volunteer(models.Model):
    """志愿者 — a person serving in one or more volunteer teams."""

    scope_lookup = "person__division"

    person = models.OneToOneField(
        "governance.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="volunteer"
    )
    teams = models.ManyToManyField(VolunteerTeam, verbose_name=_("所属服务队"), related_name="volunteers")
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.person)


class ActivityKind(models.TextChoices):
    PATROL = "patrol", _("治安巡逻")
    MEDIATION = "mediation", _("矛盾调解")
    SANITATION = "sanitation", _("环境整治")
    ELDERLY = "elderly", _("关爱老人")


@audited()
class ServiceActivity(models.Model):
    """志愿服务活动 — a team's activity with its participants and hours; hours convert to points once."""

    scope_lookup = "team__station__division"

    team = models.ForeignKey(
        VolunteerTeam, verbose_name=_("服务队"), on_delete=models.PROTECT, related_name="activities"
    )
    held_on = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=ActivityKind.choices)
    participants = models.ManyToManyField(Volunteer, verbose_name=_("参与志愿者"), related_name="activities")
    hours = models.DecimalField(_("时长（小时/人）"), max_digits=5, decimal_places=1)
    converted_at = models.DateTimeField(_("积分转化时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="service_activity_hours", violation_error_message=_("时长必须大于 0。")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.held_on}"
