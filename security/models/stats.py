"""治安统计月报: a township's (street's) monthly public-security figures, entered or imported in the
admin and marked complete once the month's figures are all in. Only complete returns count on the
dashboard; a month without one shows "no data", never a drop (issue 12 item 5, issue 16 item 6)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.dates import month_end
from governance.models.divisions import DivisionLevel
from governance.querysets import ScopedQuerySet

# The level at which the police report monthly: one return per township (street) and month, as each
# township has its police station. The district's figures are the sum of its townships' returns.
REPORTING_LEVELS = (DivisionLevel.TOWNSHIP, DivisionLevel.SUBDISTRICT)

ERR_STAT_LEVEL = "stat_level"
ERR_STAT_MONTH_OPEN = "stat_month_open"


@audited()
class SecurityStat(models.Model):
    """治安统计月报 — one township's (street's) figures for one month: police incidents (接处警),
    criminal and administrative cases filed. ``is_complete`` says the month's figures are all in
    (checked and confirmed by whoever entered them); until then the dashboard treats the month as
    missing."""

    division = models.ForeignKey(
        "governance.Division",
        verbose_name=_("乡镇（街道）"),
        on_delete=models.PROTECT,
        related_name="security_stats",
        help_text=_("月报按乡镇（街道）填报，区的数字由各乡镇（街道）相加。"),
    )
    month = models.DateField(_("月份"), help_text=_("该月 1 日。"))
    police_incidents = models.PositiveIntegerField(_("接处警数"), default=0)
    criminal_cases = models.PositiveIntegerField(_("刑事立案数"), default=0)
    administrative_cases = models.PositiveIntegerField(_("行政案件数"), default=0)
    is_complete = models.BooleanField(
        _("已确认完整"),
        default=False,
        db_default=False,
        help_text=_("该月数字已全部录入并核对。未确认的月份，领导驾驶舱的同比显示“无数据”。"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("治安统计月报")
        verbose_name_plural = _("治安统计月报")
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

    def clean(self) -> None:
        """A return belongs to a township or street; a month can be confirmed complete only once it
        has ended (Asia/Shanghai). Raises ``ValidationError`` on ``division`` (``ERR_STAT_LEVEL``) or
        ``is_complete`` (``ERR_STAT_MONTH_OPEN``)."""
        errors = {}
        if self.division_id is not None and self.division.level not in REPORTING_LEVELS:
            errors["division"] = ValidationError(
                _("治安统计月报按乡镇（街道）填报，请选择乡镇或街道。"), code=ERR_STAT_LEVEL
            )
        if self.is_complete and self.month is not None and month_end(self.month) >= timezone.localdate():
            errors["is_complete"] = ValidationError(_("该月尚未结束，不能确认为完整。"), code=ERR_STAT_MONTH_OPEN)
        if errors:
            raise ValidationError(errors)
