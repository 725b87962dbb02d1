"""The district's side of the working-day calendar (``governance.calendar``): the days it sets apart from
the State Council's schedule, and the years whose schedule it has entered itself."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.audit import audited


@audited()
class CalendarDay(models.Model):
    """节假日调整 — a day the district sets apart from the official schedule (which the
    ``chinese-calendar`` package carries): a holiday, or a day worked (调休上班, usually a weekend day).
    It wins over the official schedule. A district also enters here the State Council's schedule of a
    year the package does not carry yet, then records that year as a ``CalendarYear``."""

    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=50)
    is_workday = models.BooleanField(_("调休上班"), default=False, help_text=_("勾选表示该日（通常是周末）照常上班。"))

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


@audited()
class CalendarYear(models.Model):
    """节假日安排年度 — a year whose whole State Council schedule the district has entered as
    ``CalendarDay`` rows because the package does not carry it yet. Only this record (not a first
    override of that year) makes the year published: a half-entered year would otherwise pass for a
    finished one. Deadlines reaching into a year that is neither in the package nor recorded here are
    counted on weekdays and marked provisional."""

    year = models.PositiveSmallIntegerField(
        _("年度"),
        unique=True,
        validators=[
            MinValueValidator(2000, message=_("年度应在 2000 至 2100 之间。")),
            MaxValueValidator(2100, message=_("年度应在 2000 至 2100 之间。")),
        ],
    )
    notice = models.CharField(
        _("依据文件"), max_length=100, blank=True, help_text=_("国务院办公厅关于该年部分节假日安排的通知的文号。")
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("节假日安排年度")
        verbose_name_plural = _("节假日安排年度")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(_("%(year)s 年节假日安排") % {"year": self.year})
