"""Customs reform (移风易俗): village caps on banquets, service teams, declarations checked against
the caps, dissuasions and officials who declined to hold a banquet."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.choices import BanquetKind, DissuasionKind, DissuasionOutcome
from civility.models.ledger import PointEntry
from civility.querysets import BanquetDeclarationQuerySet
from governance.audit import audited
from governance.models.fields import ChoiceArrayField
from governance.querysets import Reach, ScopedQuerySet


@audited()
class VillageRule(models.Model):
    """村规民约红白事标准 — a village's caps on gift money, banquet tables and days, and banned kinds.
    Caps set higher up apply to the divisions below that have none of their own, so they are visible there."""

    scope_reach = Reach.ANCESTORS

    division = models.OneToOneField(
        "governance.Division", verbose_name=_("村（社区）"), on_delete=models.PROTECT, related_name="village_rule"
    )
    gift_money_cap = models.DecimalField(_("人情礼金上限（元/人）"), max_digits=8, decimal_places=2)
    tables_cap = models.PositiveIntegerField(_("酒席桌数上限"))
    days_cap = models.PositiveSmallIntegerField(_("办酒天数上限"))
    banned_kinds = ChoiceArrayField(
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
class BanquetKindCap(models.Model):
    """分类操办标准 — a village's caps for one kind of event (婚事、丧事、升学宴、乔迁…), as villages write
    them in their 村规民约: 每桌标准 (yuan per table), gift money, tables and days. A blank cap falls
    back to the village's general one (``VillageRule``). Source: seed article "明确红白事礼金数额、
    宴席规模、办事期限的操办上限"; issue 16 item 12."""

    scope_lookup = "rule__division"
    scope_reach = Reach.ANCESTORS

    rule = models.ForeignKey(
        VillageRule, verbose_name=_("村规民约"), on_delete=models.CASCADE, related_name="kind_caps"
    )
    kind = models.CharField(_("事项类型"), max_length=16, choices=BanquetKind.choices)
    per_table_cap = models.DecimalField(
        _("每桌标准上限（元/桌）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    gift_money_cap = models.DecimalField(
        _("人情礼金上限（元/人）"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    tables_cap = models.PositiveIntegerField(_("酒席桌数上限"), null=True, blank=True)
    days_cap = models.PositiveSmallIntegerField(_("办酒天数上限"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("分类操办标准")
        verbose_name_plural = _("分类操办标准")
        ordering = ["rule", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "kind"], name="banquet_kind_cap_unique", violation_error_message=_("该类事项已有标准。")
            ),
            models.CheckConstraint(
                condition=(Q(per_table_cap__gte=0) | Q(per_table_cap__isnull=True))
                & (Q(gift_money_cap__gte=0) | Q(gift_money_cap__isnull=True)),
                name="banquet_kind_cap_nonnegative",
                violation_error_message=_("标准不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule} · {self.get_kind_display()}"


@audited()
class BanquetServiceTeam(models.Model):
    """宴席服务队 (红白理事服务队) — a village group's banquet service team: one place, a fee list
    (``fees``) and the services it offers; "同一村组红白事统一地点、收费标准和服务项目" (seed article)."""

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="banquet_teams"
    )
    name = models.CharField(_("名称"), max_length=100)
    place = models.CharField(_("办酒场所"), max_length=200, blank=True)
    price_list = models.TextField(_("价目表（说明）"), blank=True)
    services = models.TextField(_("服务项目"), blank=True, help_text=_("每行一项，如：厨师、餐具、场地布置。"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("宴席服务队")
        verbose_name_plural = _("宴席服务队")
        ordering = ["division__path", "name"]

    def __str__(self) -> str:
        return self.name


@audited()
class BanquetServiceFee(models.Model):
    """收费标准 — one line of a service team's fee list; a line ``per_table`` is the price of a table
    (每桌), against which a declaration's 每桌标准 using the team is checked."""

    scope_lookup = "team__division"

    team = models.ForeignKey(
        BanquetServiceTeam, verbose_name=_("服务队"), on_delete=models.CASCADE, related_name="fees"
    )
    item = models.CharField(_("收费项目"), max_length=50)
    price = models.DecimalField(_("价格（元）"), max_digits=8, decimal_places=2)
    per_table = models.BooleanField(_("按桌计价"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务队收费标准")
        verbose_name_plural = _("服务队收费标准")
        ordering = ["team", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price__gte=0), name="banquet_fee_nonnegative", violation_error_message=_("价格不能为负数。")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.price}"


@audited()
class BanquetDeclaration(models.Model):
    """红白事报备 — a household declares a banquet; it is checked against its village's caps."""

    scope_lookup = "household__division"
    #: What a household declares and the cap check (``banquet_declare``) reads: the form, the admin's
    #: add form and the API take exactly these; after the check they are read-only (a later change
    #: would leave the flag, and any reward, stale).
    DECLARED_FIELDS = (
        "household",
        "kind",
        "held_on",
        "tables",
        "days",
        "gift_money",
        "per_table_cost",
        "service_team",
        "is_simple",
    )

    household = models.ForeignKey(
        "governance.Household", verbose_name=_("家庭户"), on_delete=models.PROTECT, related_name="banquet_declarations"
    )
    kind = models.CharField(_("类型"), max_length=16, choices=BanquetKind.choices)
    held_on = models.DateField(_("办酒日期"))
    tables = models.PositiveIntegerField(_("桌数"))
    days = models.PositiveSmallIntegerField(_("天数"), default=1)
    gift_money = models.DecimalField(_("人情礼金（元/人）"), max_digits=8, decimal_places=2, default=0)
    per_table_cost = models.DecimalField(_("每桌标准（元/桌）"), max_digits=8, decimal_places=2, null=True, blank=True)
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


@audited()
class Dissuasion(models.Model):
    """劝阻 — officers' dissuasion of a flagged banquet and its outcome."""

    scope_lookup = "declaration__household__division"

    declaration = models.OneToOneField(
        BanquetDeclaration, verbose_name=_("红白事报备"), on_delete=models.PROTECT, related_name="dissuasion"
    )
    # 无事酒 is its own kind: dissuaded whatever its size (set by ``services.dissuasion_record``).
    kind = models.CharField(
        _("劝阻类型"), max_length=16, choices=DissuasionKind.choices, default=DissuasionKind.OVER_CAP
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
    # The database's foreign key is (entry_id, entry_account_id) → the entry's (id, account_id) (the
    # ledger is partitioned by account: civility.0008); ``dissuasion_record`` sets both.
    entry = models.OneToOneField(
        PointEntry,
        verbose_name=_("积分流水"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    entry_account = models.ForeignKey(
        "civility.PointAccount",
        verbose_name=_("流水所属账户"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("劝阻记录")
        verbose_name_plural = _("劝阻记录")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            # The composite foreign key (entry_id, entry_account_id) is MATCH SIMPLE: a NULL account
            # would let any entry id through, so the two are set together or not at all.
            models.CheckConstraint(
                condition=Q(entry__isnull=True, entry_account__isnull=True)
                | Q(entry__isnull=False, entry_account__isnull=False),
                name="dissuasion_entry_with_account",
                violation_error_message=_("扣分流水与其所属账户须同时记录。"),
            ),
        ]

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
