"""集中整治: rectification campaigns and the livelihood matters they set out to resolve."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import Reach, ScopedQuerySet
from integrity.choices import DISCIPLINE_ROLES, dates_error


@audited()
class Campaign(models.Model):
    """集中整治 — a rectification campaign (e.g. 群众身边不正之风和腐败问题集中整治). A district's
    campaign is a township inspector's campaign too (``scope_reach``); its figures are then those of
    the township."""

    scope_roles = DISCIPLINE_ROLES
    scope_reach = Reach.ANCESTORS

    name = models.CharField(_("名称"), max_length=120, unique=True)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="integrity_campaigns"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    scope = models.TextField(_("整治范围"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("集中整治")
        verbose_name_plural = _("集中整治")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="integrity_campaign_dates",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class CampaignMatter(models.Model):
    """整治民生实事 — a livelihood matter a campaign set out to resolve (resolved once ``resolved_on`` is set)."""

    scope_roles = DISCIPLINE_ROLES

    campaign = models.ForeignKey(Campaign, verbose_name=_("集中整治"), on_delete=models.PROTECT, related_name="matters")
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="integrity_matters"
    )
    title = models.CharField(_("事项"), max_length=200)
    opened_on = models.DateField(_("立项日期"))
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("整治民生实事")
        verbose_name_plural = _("整治民生实事")
        ordering = ["-opened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("opened_on")),
                name="integrity_matter_dates",
                violation_error_message=_("解决日期不能早于立项日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.opened_on and self.resolved_on and self.resolved_on < self.opened_on:
            raise dates_error("resolved_on", _("解决日期不能早于立项日期。"))
