"""治安统计: a division's monthly public-security figures (entered or imported in the admin)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet


@audited()
class SecurityStat(models.Model):
    """治安统计 — a division's monthly figures: police incidents (接处警), criminal and administrative cases filed."""

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="security_stats"
    )
    month = models.DateField(_("月份"), help_text=_("该月 1 日。"))
    police_incidents = models.PositiveIntegerField(_("接处警数"), default=0)
    criminal_cases = models.PositiveIntegerField(_("刑事立案数"), default=0)
    administrative_cases = models.PositiveIntegerField(_("行政案件数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("治安统计")
        verbose_name_plural = _("治安统计")
        ordering = ["-month", "division__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "month"],
                name="security_stat_unique_month",
                violation_error_message=_("该区划该月的统计已存在。"),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="security_stat_first_of_month",
                violation_error_message=_("月份请填写该月 1 日。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division} · {self.month:%Y-%m}"
