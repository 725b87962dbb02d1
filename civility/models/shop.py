"""The points shop (积分超市): shops, their goods, and redemptions against a household's points."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.models.ledger import PointAccount, PointEntry
from governance.audit import audited, audited_links
from governance.querysets import ScopedQuerySet


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


@audited_links()
class ShopOperatorLink(Shop.operators.through):
    """积分超市管理员 — which users run which shop (only they may hand goods over); every change is audited."""

    class Meta:
        proxy = True


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
    # The database's foreign key is (entry_id, account_id) → the entry's (id, account_id) (the ledger
    # is partitioned by account: civility.0008), so the entry is on the redemption's account.
    entry = models.OneToOneField(
        PointEntry, verbose_name=_("积分流水"), on_delete=models.PROTECT, related_name="redemption", db_constraint=False
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
