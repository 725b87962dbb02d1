"""Redemption at the points shops: goods handed over against a household's points in one
transaction that can never overdraw the account or the shelf."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.choices import EntrySource
from civility.errors import (
    ERR_EMPTY_REDEMPTION,
    ERR_INSUFFICIENT_BALANCE,
    ERR_INSUFFICIENT_STOCK,
    ERR_ITEM_NOT_IN_SHOP,
    ERR_NOT_SHOP_OPERATOR,
    ERR_SHOP_INACTIVE,
    field_error,
    idempotency_conflict,
)
from civility.models import PointAccount, Redemption, RedemptionLine, RewardItem, Shop
from civility.services.ledger import account_lock, entry_append
from governance.models import User


@dataclass(frozen=True)
class RedemptionRequest:
    """One line asked for at the till: ``quantity`` of ``item``."""

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
    stock. Returns ``(redemption, created)``: the same key twice returns the first redemption with
    ``created=False``. Only one of the shop's operators may hand goods over.

    Raises ``IdempotencyConflict`` (on ``idempotency_key``) when the key was used for another account,
    shop or basket of goods; ``ValidationError`` on ``shop`` (``ERR_NOT_SHOP_OPERATOR``, ``ERR_SHOP_INACTIVE``) or on
    ``lines`` (``ERR_EMPTY_REDEMPTION``, ``ERR_ITEM_NOT_IN_SHOP``, ``ERR_INSUFFICIENT_STOCK``,
    ``ERR_INSUFFICIENT_BALANCE``); then nothing is written."""
    if not lines:
        raise field_error("lines", _("请至少选择一件商品。"), ERR_EMPTY_REDEMPTION)
    # Goods are handed over by the shop's own operators (Shop.operators), not by any shop operator of
    # the area; ``operator=None`` is a call from code (imports, demo), not on anyone's behalf.
    if operator is not None and not shop.operators.filter(pk=operator.pk).exists():
        raise field_error(
            "shop", _("您不是“%(shop)s”的管理员，不能在该超市办理兑换。"), ERR_NOT_SHOP_OPERATOR, shop=shop.name
        )
    quantities: dict[int, int] = {}
    for line in lines:
        quantities[line.item.pk] = quantities.get(line.item.pk, 0) + line.quantity
    account = account_lock(account)
    # Checked after the lock: a concurrent request with the same key has committed or rolled back by now.
    existing = Redemption.objects.filter(idempotency_key=idempotency_key).first()
    if existing is not None:
        # The same key answers the same request only: another account, shop or basket is a conflict.
        same_goods = dict(existing.lines.values_list("item_id", "quantity")) == quantities
        if existing.account_id != account.pk or existing.shop_id != shop.pk or not same_goods:
            raise idempotency_conflict()
        return existing, False
    if not shop.is_active:
        raise field_error("shop", _("该积分超市已停业。"), ERR_SHOP_INACTIVE)
    for line in lines:
        if line.item.shop_id != shop.pk or not line.item.is_active:
            raise field_error("lines", _("商品“%(item)s”不在本超市上架。"), ERR_ITEM_NOT_IN_SHOP, item=line.item.name)
    items = {i.pk: i for i in RewardItem.objects.select_for_update().filter(pk__in=quantities).order_by("pk")}
    total = 0
    for item_id, quantity in quantities.items():
        item = items[item_id]
        if item.stock < quantity:
            raise field_error(
                "lines",
                _("“%(item)s”库存不足（剩 %(stock)s 件）。"),
                ERR_INSUFFICIENT_STOCK,
                item=item.name,
                stock=item.stock,
            )
        total += item.points_price * quantity
    if account.balance < total:
        raise field_error(
            "lines",
            _("积分余额不足：需 %(total)s 分，余额 %(balance)s 分。"),
            ERR_INSUFFICIENT_BALANCE,
            total=total,
            balance=account.balance,
        )
    entry = entry_append(
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
