"""导入任务 — a big spreadsheet import run in the background (issue 11, item 8)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.querysets import ScopedQuerySet


class ImportJobStatus(models.TextChoices):
    CHECKING = "checking", _("正在校验")
    CHECKED = "checked", _("校验通过，待确认导入")
    IMPORTING = "importing", _("正在导入")
    DONE = "done", _("导入完成")
    REFUSED = "refused", _("校验未通过")
    FAILED = "failed", _("导入失败")


# Where the worker has something to do; the other states are final or wait for the clerk.
IMPORT_JOB_RUNNING = (ImportJobStatus.CHECKING, ImportJobStatus.IMPORTING)


class ImportJob(models.Model):
    """One uploaded file, kept here (``data``) until it is imported, with what the worker found: the
    counts of a good file, or the refused rows' report (an .xlsx) of a bad one. Scoped by the
    uploader's division, and the pages show a job to its uploader only."""

    audit_exempt = (
        "a work item, not a register: the rows it writes are audited (with the uploader as the user), "
        "and copying the uploaded file into an event table at every progress step would only repeat it"
    )

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="import_jobs"
    )
    division = models.ForeignKey(
        "governance.Division",
        verbose_name=_("上传人所属区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    model_label = models.CharField(_("台账"), max_length=100, help_text=_("如 governance.person"))
    resource_index = models.PositiveSmallIntegerField(_("导入格式序号"), default=0)
    format_index = models.PositiveSmallIntegerField(_("文件格式序号"), default=0)
    file_name = models.CharField(_("文件名"), max_length=255)
    data = models.BinaryField(_("文件内容"))
    total_rows = models.PositiveIntegerField(_("行数"), default=0)
    status = models.CharField(
        _("状态"), max_length=20, choices=ImportJobStatus.choices, default=ImportJobStatus.CHECKING
    )
    new_rows = models.PositiveIntegerField(_("新增行数"), default=0)
    updated_rows = models.PositiveIntegerField(_("更新行数"), default=0)
    skipped_rows = models.PositiveIntegerField(_("未变行数"), default=0)
    refused_rows = models.PositiveIntegerField(_("退回行数"), default=0)
    message = models.TextField(_("说明"), blank=True)
    report = models.BinaryField(_("退回行报告"), null=True, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.file_name}（{self.get_status_display()}）"
