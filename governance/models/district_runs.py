"""区县任务记录 — one district's share of a job run as one Celery task per district (issue 18, item 3)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.querysets import ScopedQuerySet


class DistrictRunStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class DistrictRun(models.Model):
    """What one per-district task of a job did: ``job`` (a ``registry.district_jobs`` name such as
    ``"civility.ranking"``), ``key`` (the run: a month ``"2026-11"``, a day ``"2026-12-01"``), the
    district, its status and result or error. Unique per (job, key, district), so a job dispatched again
    for the same key resumes: the districts already done are skipped, the failed ones run again."""

    audit_exempt = "a work log written by the workers: it records runs, not registers or cases"

    job = models.CharField(_("任务"), max_length=100)
    key = models.CharField(_("批次"), max_length=40, help_text=_("如月份 2026-11 或日期 2026-12-01"))
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=10, choices=DistrictRunStatus.choices)
    attempts = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    result = models.JSONField(_("结果"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("区县任务记录")
        verbose_name_plural = _("区县任务记录")
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(fields=["job", "key", "division"], name="district_run_once"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.key} {self.division_id}"
