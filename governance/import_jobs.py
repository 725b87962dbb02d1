"""Big spreadsheet imports in the background (issue 11, item 8).

A file with more than ``settings.IMPORT_BACKGROUND_ROWS`` data rows is not checked while the admin
waits: ``import_job_create`` keeps it (``ImportJob.data``) and a worker runs ``import_job_run``
twice, as the small-file path does by hand: the dry run (status ``checking`` → ``checked`` or
``refused``), then, once the clerk confirms, the import (``importing`` → ``done``). A refused file
gets a report (``governance.spreadsheets.refused_rows_workbook``): the refused rows with the row
numbers Excel shows beside them (``SHEET_ROW``, read by ``governance.imports``) and a 原因 column.
Progress (rows done) lives in the cache; without Redis the page shows the status only.

Idempotent: a job is run under a row lock, only in a running status, and its new status is written
in the same transaction as the rows it imports, so a second delivery of the same message (acks_late)
finds nothing to do, and a worker killed midway leaves the job as it was for the next delivery.

Personal data is not kept longer than the work needs: the uploaded file (full 身份证号 and phones) is
deleted when the job ends (imported, refused or failed; the row, its counts and message stay), and
``import_job_files_purge`` (nightly, beat) deletes the files and refused-rows reports of jobs older
than ``settings.IMPORT_FILE_KEEP_HOURS``; a job still waiting for its confirmation then fails."""

from __future__ import annotations

import datetime
import logging
from typing import Any

import pghistory
import tablib
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.results import Result

from governance.imports import SHEET_ROW, SpreadsheetError, cell_shown
from governance.models import IMPORT_JOB_RUNNING, ImportJob, ImportJobStatus
from governance.spreadsheets import refused_rows_workbook
from governance.texts import sentences_join

logger = logging.getLogger(__name__)

PROGRESS_SECONDS = 24 * 3600
#: Where the job is over: its uploaded file is deleted in the same save (the row and its outcome stay).
IMPORT_JOB_FINAL = (ImportJobStatus.DONE, ImportJobStatus.REFUSED, ImportJobStatus.FAILED)


def import_runs_in_background(rows: int) -> bool:
    """Whether a file of ``rows`` data rows goes to a worker (more than ``IMPORT_BACKGROUND_ROWS``)."""
    return rows > settings.IMPORT_BACKGROUND_ROWS


def _model_admin(model_label: str) -> Any:
    return admin.site._registry[apps.get_model(model_label)]


def import_dataset(model_admin: Any, format_index: int, data: bytes) -> tablib.Dataset:
    """The sheet of an uploaded file as the admin's import format ``format_index`` reads it (the same
    reading as the small-file path: ``governance.imports.SpreadsheetImport``, binary, the kind of
    file told from the bytes): every row with data, header and title rows too, with the sheet row
    numbers (``dataset.sheet``). Raises ``SpreadsheetError`` (or the format's own error) on a bad file."""
    input_format = model_admin.get_import_formats()[format_index]()
    content: Any = data
    if not input_format.is_binary():
        content = data.decode(model_admin.from_encoding or "utf-8-sig")
    return input_format.create_dataset(content)


def import_rows(resource: Any, dataset: tablib.Dataset) -> int:
    """The number of data rows of an uploaded sheet (``import_dataset``) as ``resource`` reads it: the
    header row, title and blank rows not counted. Raises ``SpreadsheetError`` (no header found…)."""
    if not import_runs_in_background(len(dataset) - 1):  # small whatever its header: no need to look
        return len(dataset) - 1
    return len(resource.sheet_dataset(dataset))


def import_job_create(
    *, user: Any, model_label: str, resource_index: int, format_index: int, file_name: str, data: bytes, rows: int
) -> ImportJob:
    """Keep an uploaded file for a worker to check (status ``checking``). The job's division is the
    uploader's topmost one (scope), ``None`` for a superuser without a role."""
    division_id = user.role_assignments.order_by("division__path").values_list("division_id", flat=True).first()
    return ImportJob.objects.create(
        created_by=user,
        division_id=division_id,
        model_label=model_label,
        resource_index=resource_index,
        format_index=format_index,
        file_name=file_name[:255],
        data=data,
        total_rows=rows,
    )


def _progress_key(job_id: int) -> str:
    return f"import-job:{job_id}:rows"


def import_job_progress(job: ImportJob) -> dict[str, Any]:
    """What the progress page shows: ``{"status", "status_label", "running", "done", "total",
    "percent", "new", "updated", "skipped", "refused", "message"}`` (``done`` in rows, from the cache;
    0 when the cache is away)."""
    running = job.status in IMPORT_JOB_RUNNING
    done = (cache.get(_progress_key(job.pk)) or 0) if running else job.total_rows
    done = min(int(done), job.total_rows)
    return {
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "running": running,
        "done": done,
        "total": job.total_rows,
        "percent": round(100 * done / job.total_rows) if job.total_rows else 100,
        "new": job.new_rows,
        "updated": job.updated_rows,
        "skipped": job.skipped_rows,
        "refused": job.refused_rows,
        "message": job.message,
    }


def _reason(error_dict: dict[str, list[str]]) -> str:
    """``{"身份证号": ["身份证号校验位错误。"], "区划代码": ["…不存在。", "…"]}`` → ``"身份证号：身份证号校验位错误；
    区划代码：…不存在；…。"`` (``sentences_join``: one 。 at the end, never ``。；``)."""
    parts = []
    for key, messages in error_dict.items():
        text = sentences_join(messages)
        parts.append(text if key == NON_FIELD_ERRORS else f"{key}：{text}")
    return sentences_join(parts)


def refused_rows(result: Result, headers: list[str]) -> list[tuple[int, list, str]]:
    """``(row number, values, reason)`` of every refused row of ``result``, in file order. The rows
    are those of a resource's canonical dataset (``headers``, then ``SHEET_ROW``), their numbers the
    sheet's own (``SpreadsheetRowResult``)."""
    width = len(headers)
    rows = [(row.number, list(row.values)[:width], _reason(row.error_dict)) for row in result.invalid_rows]
    for number, errors in result.row_errors():
        first = errors[0]
        values = [cell_shown(first.row.get(h, "")) for h in headers] if isinstance(first.row, dict) else []
        rows.append((number, values, _("该行无法写入，请核对各列内容后重新导入。")))
    return sorted(rows, key=lambda row: row[0])


def import_job_run(job_id: int) -> str:
    """Run the job's next step: the dry run of a ``checking`` job, the import of an ``importing`` one.
    Returns what it did (``"checked"``, ``"refused"``, ``"done"``, ``"failed"``, ``"nothing"`` when the
    job is not running or another worker holds it). Never raises for a bad file: the job says why."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .select_related("created_by")
            .filter(pk=job_id, status__in=IMPORT_JOB_RUNNING)
            .first()
        )
        if job is None:
            return "nothing"
        dry_run = job.status == ImportJobStatus.CHECKING
        try:
            outcome = _job_step(job, dry_run)
        except Exception:  # the job must end, whatever the file held; the rows are rolled back
            logger.exception("import job %s failed", job.pk)
            job.status, outcome = ImportJobStatus.FAILED, "failed"
            job.message = _("导入时发生意外错误，未写入任何数据。请稍后重试，或联系管理员。")
        job.finished_at = timezone.now() if job.status not in IMPORT_JOB_RUNNING else None
        if job.status in IMPORT_JOB_FINAL:
            job.data = b""  # imported, refused or failed: the file (身份证号, phones) is no longer kept
        job.save()
    cache.delete(_progress_key(job_id))
    return outcome


def _job_step(job: ImportJob, dry_run: bool) -> str:
    model_admin = _model_admin(job.model_label)
    resource_class = model_admin.resource_classes[job.resource_index]

    def progress(rows: int) -> None:
        cache.set(_progress_key(job.pk), rows, PROGRESS_SECONDS)

    resource = resource_class(user=job.created_by, skip_diff=True, progress=progress)
    try:
        # Read here rather than in import_data, so that a file the reader refuses fails the job.
        dataset = resource.sheet_dataset(import_dataset(model_admin, job.format_index, bytes(job.data)))
    except SpreadsheetError as e:
        job.status = ImportJobStatus.FAILED
        job.message = _("无法读取文件“%(name)s”：%(reason)s") % {"name": job.file_name, "reason": e.message}
        return "failed"
    except Exception:
        job.status = ImportJobStatus.FAILED
        job.message = _("无法读取文件“%(name)s”，请确认是 Excel、WPS 或 CSV 表格。") % {"name": job.file_name}
        return "failed"
    with pghistory.context(user=job.created_by_id, url=f"import-job:{job.pk}"):
        result = resource.import_data(
            dataset, dry_run=dry_run, raise_errors=False, file_name=job.file_name, user=job.created_by
        )
    totals = result.totals
    if result.has_errors() or result.has_validation_errors():
        headers = [str(h) for h in dataset.headers or [] if h != SHEET_ROW]
        refused = refused_rows(result, headers)
        job.status = ImportJobStatus.REFUSED
        job.refused_rows = len(refused)
        job.new_rows = job.updated_rows = job.skipped_rows = 0
        job.report = refused_rows_workbook(_("退回行"), headers, refused) if refused else None
        job.message = _("共%(count)s行未通过校验，整个文件未导入。请下载退回行报告，按“原因”列改正后重新导入。") % {
            "count": len(refused)
        }
        if result.base_errors:
            for error in result.base_errors:
                logger.error("import job %s: %s", job.pk, error.error.__class__.__name__)
            job.message = _("文件写入数据库时出错，整个文件未导入。请核对文件内容后重新导入，或联系管理员。")
        return "refused"
    job.new_rows, job.updated_rows = totals.get("new", 0), totals.get("update", 0)
    job.skipped_rows, job.refused_rows = totals.get("skip", 0), 0
    job.status = ImportJobStatus.CHECKED if dry_run else ImportJobStatus.DONE
    job.message = ""
    return "checked" if dry_run else "done"


def import_job_confirm(job: ImportJob) -> bool:
    """The clerk confirms a checked job: ``checked`` → ``importing``. False if it was not ``checked``
    (confirmed twice, or refused)."""
    return bool(
        ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.CHECKED).update(status=ImportJobStatus.IMPORTING)
    )


def import_job_unconfirm(job: ImportJob) -> None:
    """Back to ``checked`` when the worker could not be told (the broker is away)."""
    ImportJob.objects.filter(pk=job.pk, status=ImportJobStatus.IMPORTING).update(status=ImportJobStatus.CHECKED)


def import_job_files_purge(now: datetime.datetime | None = None) -> int:
    """Delete the uploaded file and the refused-rows report of every job created more than
    ``settings.IMPORT_FILE_KEEP_HOURS`` hours before ``now`` (default: the current time); the job rows
    and their outcomes stay. A job that was still waiting (checked, never confirmed) or running ends as
    ``failed`` with a message to upload again. Jobs a worker holds right now are left for the next
    run. Returns how many jobs lost their files."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.IMPORT_FILE_KEEP_HOURS)
    with transaction.atomic():
        ids = list(
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(created_at__lt=cutoff)
            .filter(~Q(data=b"") | Q(report__isnull=False))
            .values_list("pk", flat=True)
        )
        stale = ImportJob.objects.filter(pk__in=ids)
        stale.exclude(status__in=IMPORT_JOB_FINAL).update(
            status=ImportJobStatus.FAILED,
            finished_at=now,
            message=_("文件上传超过%(hours)s小时仍未确认导入，已删除，未写入任何数据。如需导入，请重新上传。")
            % {"hours": settings.IMPORT_FILE_KEEP_HOURS},
        )
        return stale.update(data=b"", report=None)
