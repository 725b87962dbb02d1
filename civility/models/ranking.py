"""一月一评比: the monthly ranking runs, the households' ranks, and the yearly 文明家庭."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.choices import FamilyStatus, RankingLevel, RankingStatus
from governance.audit import audited
from governance.querysets import Reach, ScopedQuerySet

# A published month's rows are the public record (红黑榜, 文明家庭 come from them): the database refuses
# to add, change or delete any, whoever asks, like the ledger's entries.
_RANKING_FROZEN_SQL = """
BEGIN
    IF EXISTS (
        SELECT 1 FROM civility_rankingmonth run
        WHERE run.id IN (NEW.ranking_month_id, OLD.ranking_month_id) AND run.status = 'published'
    ) THEN
        RAISE EXCEPTION 'ranking month % is published and cannot be changed',
            COALESCE(NEW.ranking_month_id, OLD.ranking_month_id)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END;
"""


@audited()
class RankingMonth(models.Model):
    """月度评比 — one month's ranking run for a tree (its root division); published months are frozen
    (database triggers refuse any change to the run or its rows). The district's run is visible to the
    officers of every division in it."""

    scope_reach = Reach.ANCESTORS

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

    objects = ScopedQuerySet.as_manager()

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
        triggers = [
            pgtrigger.Protect(
                name="ranking_month_published_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="published"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}"


class MonthlyRanking(models.Model):
    """月度排名 — a household's confirmed points of a month and its rank within one group (its unit,
    village/community, township or district). Written only by ``ranking_compute`` in one SQL
    statement per level and replaced as a whole; derived data, so not tracked row by row (the
    ``RankingMonth`` run is)."""

    audit_exempt = (
        "derived: recomputed as a whole by ranking_compute from the hash-chained, audited ledger (a re-run gives"
        " identical rows); the run (RankingMonth) is audited, and once published it is frozen"
    )
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
        triggers = [
            pgtrigger.Trigger(
                name="monthly_ranking_published_frozen",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=_RANKING_FROZEN_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.level} #{self.rank}"


@audited()
class CivilizedFamily(models.Model):
    """文明家庭 — a household's rating for a year, proposed from the rankings by an officer (who and when
    kept), confirmed and then published by a township or district officer other than the proposer; a
    published rating is frozen (database trigger)."""

    scope_lookup = "household__division"

    household = models.ForeignKey(
        "governance.Household", verbose_name=_("家庭户"), on_delete=models.PROTECT, related_name="civilized_ratings"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    points = models.IntegerField(_("年度积分"))
    status = models.CharField(_("状态"), max_length=16, choices=FamilyStatus.choices, default=FamilyStatus.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("推荐人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    proposed_at = models.DateTimeField(_("推荐时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    confirmed_at = models.DateTimeField(_("评定时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("公布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

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
        triggers = [
            pgtrigger.Protect(
                name="civilized_family_published_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="published"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.household}"
