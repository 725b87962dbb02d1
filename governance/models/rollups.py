"""Roll-up cells: the dashboard's figures per division, month and indicator, kept from the base tables
(``governance.rollups``). Derived data, rebuilt at will: neither audited nor edited by hand."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from governance.registry import ADDITIVE, RATIO, SNAPSHOT


class RollupKind(models.TextChoices):
    ADDITIVE = ADDITIVE, _("可累加")
    RATIO = RATIO, _("比率（分子/分母）")
    SNAPSHOT = SNAPSHOT, _("现状")


class RollupCell(models.Model):
    """One indicator's measures for the base rows of exactly one division (not its subtree: the
    dashboard sums a subtree at read by the division path) in one month (first day, Asia/Shanghai;
    ``SNAPSHOT_MONTH`` for a snapshot). ``numerator`` is the count or sum; ``denominator`` the ratio's
    denominator (null otherwise)."""

    audit_exempt = "derived figures, recomputed from the audited base tables"

    indicator = models.CharField(_("指标"), max_length=100)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("区划"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    month = models.DateField(_("月份"))
    numerator = models.DecimalField(_("分子/数值"), max_digits=24, decimal_places=4, default=0)
    denominator = models.DecimalField(_("分母"), max_digits=24, decimal_places=4, null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=16, choices=RollupKind.choices, default=RollupKind.ADDITIVE)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("汇总单元")
        verbose_name_plural = _("汇总单元")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "division", "month"], name="rollup_cell_once"),
        ]
        indexes = [models.Index(fields=["month", "indicator"], name="rollup_cell_month")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.division_id} {self.month:%Y-%m}"


class RollupTreeCell(models.Model):
    """One indicator's measures for the base rows of a division's whole subtree (itself included) in one
    month: the sum of the ``RollupCell`` rows under its path, kept with them. A dashboard reads the cells
    of its division and of its children only, so its cost does not grow with the divisions below."""

    audit_exempt = "derived figures, recomputed from the audited base tables"

    indicator = models.CharField(_("指标"), max_length=100)
    division = models.ForeignKey(
        "governance.Division",
        verbose_name=_("区划"),
        on_delete=models.CASCADE,
        related_name="+",
        db_constraint=False,
        db_index=False,  # the unique index below leads with it
    )
    month = models.DateField(_("月份"))
    numerator = models.DecimalField(_("分子/数值"), max_digits=24, decimal_places=4, default=0)
    denominator = models.DecimalField(_("分母"), max_digits=24, decimal_places=4, null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("下辖合计汇总单元")
        verbose_name_plural = _("下辖合计汇总单元")
        constraints = [
            # Covering: a dashboard's read (a division and its children) is an index-only scan.
            models.UniqueConstraint(
                fields=["division", "month", "indicator"],
                include=["numerator", "denominator"],
                name="rollup_tree_cell_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.division_id} {self.month:%Y-%m} (subtree)"


class RollupDayCell(models.Model):
    """One indicator's measures for the base rows of exactly one division from the first of ``day``'s
    month through ``day`` (month to date, Asia/Shanghai): so any part of a month is one or two cells
    (through its last day, less through the day before its first). Kept, like ``RollupCell``, for the
    months of ``ROLLUP_DAY_MONTHS`` back from today, from the first day with rows to the month's end;
    a missing cell is zero."""

    audit_exempt = "derived figures, recomputed from the audited base tables"

    indicator = models.CharField(_("指标"), max_length=100)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("区划"), on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    day = models.DateField(_("截至日期"))
    numerator = models.DecimalField(_("分子/数值"), max_digits=24, decimal_places=4, default=0)
    denominator = models.DecimalField(_("分母"), max_digits=24, decimal_places=4, null=True, blank=True)
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("逐日累计汇总单元")
        verbose_name_plural = _("逐日累计汇总单元")
        constraints = [
            models.UniqueConstraint(fields=["indicator", "division", "day"], name="rollup_day_cell_once"),
        ]
        indexes = [models.Index(fields=["day", "indicator"], name="rollup_day_cell_day")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.division_id} {self.day:%Y-%m-%d}"


class RollupDirty(models.Model):
    """A (source, division, month) whose cells must be recomputed: written by triggers on the base
    tables (so services, bulk and raw writes all mark), claimed and deleted by ``rollups_refresh``.
    Not unique on purpose: a mark made while a refresh runs stays for the next one."""

    audit_exempt = "a work queue written by triggers"

    source = models.CharField(_("数据源"), max_length=100)
    division_id = models.BigIntegerField(_("区划"))
    month = models.DateField(_("月份"))
    marked_at = models.DateTimeField(_("标记时间"), db_default=Now())

    class Meta:
        verbose_name = _("待重算汇总")
        verbose_name_plural = _("待重算汇总")
        indexes = [models.Index(fields=["source"], name="rollup_dirty_source")]

    def __str__(self) -> str:
        return f"{self.source} {self.division_id} {self.month:%Y-%m}"
