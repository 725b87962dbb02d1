"""红黑榜 and 补录: the lists a village publishes from a published month's ranking, and the late
corrections to a closed (published) month."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civility.choices import BoardKind, BoardStatus
from civility.models.ranking import RankingMonth
from governance.audit import audited
from governance.querysets import ScopedQuerySet

# A published list's rows are the public record: the database refuses to add, change or delete any.
_BOARD_FROZEN_SQL = """
BEGIN
    IF EXISTS (
        SELECT 1 FROM civility_honorlist b
        WHERE b.id IN (NEW.board_id, OLD.board_id) AND b.status = 'published'
    ) THEN
        RAISE EXCEPTION 'honor list % is published and cannot be changed', COALESCE(NEW.board_id, OLD.board_id)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END;
"""


@audited()
class HonorList(models.Model):
    """红黑榜 — a village's 红榜 or 黑榜 of one published month: proposed from the ranking, confirmed
    and published by officers (``civility.services.boards``). Published lists are frozen by trigger."""

    scope_lookup = "village"

    village = models.ForeignKey(
        "governance.Division", verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="honor_lists"
    )
    ranking_month = models.ForeignKey(
        RankingMonth, verbose_name=_("月度评比"), on_delete=models.PROTECT, related_name="honor_lists"
    )
    kind = models.CharField(_("榜单"), max_length=8, choices=BoardKind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=BoardStatus.choices, default=BoardStatus.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提名人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("提名时间"), auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")
        ordering = ["-ranking_month__month", "village__path", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "ranking_month", "kind"],
                name="honor_list_unique",
                violation_error_message=_("该村该月的此榜单已存在。"),
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="honor_list_published_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="published"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village} {self.ranking_month} {self.get_kind_display()}"


class HonorListEntry(models.Model):
    """榜单户 — a household on a 红榜/黑榜, with its points, deductions and village rank copied from
    the published (frozen) ranking when the list was proposed."""

    audit_exempt = "copied from the frozen ranking when its list (audited) is proposed; frozen with the list"
    scope_lookup = "household__division"

    board = models.ForeignKey(HonorList, verbose_name=_("榜单"), on_delete=models.CASCADE, related_name="entries")
    household = models.ForeignKey(
        "governance.Household", verbose_name=_("家庭户"), on_delete=models.PROTECT, related_name="+"
    )
    rank = models.PositiveIntegerField(_("村内名次"))
    points = models.IntegerField(_("当月积分"))
    deductions = models.IntegerField(_("当月扣分"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("榜单户")
        verbose_name_plural = _("榜单户")
        ordering = ["board", "rank", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["board", "household"], name="honor_list_entry_unique", violation_error_message=_("该户已在榜。")
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="honor_list_entry_published_frozen",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=_BOARD_FROZEN_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board_id} #{self.rank} {self.household_id}"


class RankingCorrection(models.Model):
    """补录 — a ledger entry that counts in a month whose ranking was already published (closed) when
    it was confirmed: the frozen ranking stays as published and this row carries the entry's points to
    it, shown beside the household's row as 补录. Append-only (database triggers), one per run and entry."""

    audit_exempt = "append-only (database triggers), one row per ledger entry, itself hash-chained and tracked"
    scope_lookup = "household__division"

    ranking_month = models.ForeignKey(
        RankingMonth, verbose_name=_("月度评比"), on_delete=models.PROTECT, related_name="corrections"
    )
    household = models.ForeignKey(
        "governance.Household", verbose_name=_("家庭户"), on_delete=models.PROTECT, related_name="+"
    )
    # The database's foreign key is (entry_id, entry_account_id) → the entry's (id, account_id) (the
    # ledger is partitioned by account: civility.0008); ``late_correction_record`` sets both.
    entry = models.ForeignKey(
        "civility.PointEntry",
        verbose_name=_("积分流水"),
        on_delete=models.PROTECT,
        related_name="corrections",
        db_constraint=False,
    )
    entry_account = models.ForeignKey(
        "civility.PointAccount",
        verbose_name=_("流水所属账户"),
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )
    points = models.IntegerField(_("补录积分"))
    created_at = models.DateTimeField(_("补录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评比补录")
        verbose_name_plural = _("评比补录")
        ordering = ["ranking_month", "household", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["ranking_month", "entry"],
                name="ranking_correction_unique",
                violation_error_message=_("该流水已补录到该月。"),
            ),
        ]
        indexes = [models.Index(fields=["ranking_month", "household"], name="ranking_correction_household")]
        triggers = [
            pgtrigger.Protect(name="ranking_correction_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.ranking_month} {self.household_id} {self.points:+d}"
