"""The points ledger: a household's account (积分账户) and its append-only, hash-chained entries
(积分流水)."""

from __future__ import annotations

import hashlib

import pghistory
import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.choices import GENESIS_HASH, EntrySource, EntryStatus
from civility.models.rules import PointRule
from civility.querysets import PointEntryQuerySet
from governance.audit import audited
from governance.querysets import ScopedQuerySet


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


# Only the confirmation of a pending entry may change a row; amounts, dates, links and hashes never.
ENTRY_MUTABLE_FIELDS = ["status", "confirmed_by", "confirmed_at"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent())
class PointEntry(models.Model):
    """积分流水 — one append-only ledger entry. The database refuses DELETE and any UPDATE but
    pending → confirmed/rejected; a correction is a reversal entry. Each entry's hash chains to the
    account's previous entry.

    The table is ``PARTITION BY HASH (account_id)``, 16 partitions ``civility_pointentry_p00``…``p15``
    (migration ``civility.0008``; issue 18 item 4, docs/scale-out.md): an account's whole chain is in
    one partition. PostgreSQL wants the partition key in every unique index and in every key a foreign
    key references, so the primary key in the database is ``(id, account_id)`` (Django keeps ``id``:
    the identity sequence keeps it unique) and:

    * ``reverses`` is a ``ForeignKey`` with ``db_constraint=False`` plus the unique constraint
      ``(account, reverses)`` — not a ``OneToOneField``, whose unique index on ``reverses_id`` alone a
      partitioned table cannot have. A reversal is on its own account (``entry_reverse`` refuses
      another: ``ERR_REVERSE_OTHER_ACCOUNT``), so unique ``(account_id, reverses_id)`` is unique
      ``reverses_id``; the migration's SQL adds the real foreign key ``(reverses_id, account_id)`` →
      ``(id, account_id)``, which refuses a reversal across accounts. ``entry.reversed_by`` is a
      related manager (at most one row).
    * Entries are referenced by ``(entry_id, account_id)`` (redemptions) or ``(entry_id,
      entry_account_id)`` (ranking corrections, dissuasions): Django's fields there have
      ``db_constraint=False`` and the composite foreign keys are in the migration's SQL."""

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
    # Not a OneToOneField: a unique index on ``reverses_id`` alone is impossible on the partitioned
    # table (see the class docstring); ``point_entry_one_reversal`` says it per account instead.
    reverses = models.ForeignKey(
        "self",
        verbose_name=_("冲正的流水"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        db_constraint=False,
        db_index=False,
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
            models.UniqueConstraint(
                fields=["account", "reverses"],
                name="point_entry_one_reversal",
                violation_error_message=_("该流水已被冲正。"),
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
        """SHA-256 of the entry's immutable fields and the previous hash. ``ENTRY_HASH_SQL`` computes
        the same in PostgreSQL, so ``ledger_verify`` checks millions of entries in one query."""
        text = "|".join(
            [
                str(self.account_id),
                str(self.seq),
                str(self.points),
                "" if self.rule_id is None else str(self.rule_id),
                self.occurred_on.isoformat(),
                self.source,
                self.idempotency_key,
                "" if self.reverses_id is None else str(self.reverses_id),
                self.prev_hash,
            ]
        )
        return hashlib.sha256(text.encode()).hexdigest()


ENTRY_HASH_SQL = """encode(sha256(convert_to(concat_ws('|', {t}.account_id::text, {t}.seq::text, {t}.points::text,
    coalesce({t}.rule_id::text, ''), to_char({t}.occurred_on, 'YYYY-MM-DD'), {t}.source, {t}.idempotency_key,
    coalesce({t}.reverses_id::text, ''), {t}.prev_hash), 'UTF8')), 'hex')"""
