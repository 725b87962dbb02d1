"""The admin's pages of a background import (``governance.import_jobs``): the import form sends a big
file to a worker and shows its progress page; the page polls a small JSON answer, then offers the
confirmation (after the dry run) or the refused rows' report. A job is seen by its uploader only,
within their scope; anyone else gets 404."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from governance import import_jobs
from governance.models import ImportJob, ImportJobStatus
from governance.spreadsheets import XLSX_CONTENT_TYPE
from governance.tasking import send_now
from governance.tasks import import_job_run
from governance.uploads import import_temp_file_drop

BROKER_AWAY = gettext_lazy(
    "后台导入服务暂时无法连接（任务队列不可用），文件未导入。请稍后重试；"
    "急需时可将文件拆分为每份不超过%(rows)s行，逐份导入。"
)


class BackgroundImportMixin:
    """For ``ImportExportModelAdmin``: files over ``IMPORT_BACKGROUND_ROWS`` rows go to a worker."""

    def get_urls(self) -> list:
        prefix = f"{self.opts.app_label}_{self.opts.model_name}_import_job"  # type: ignore[attr-defined]
        view = self.admin_site.admin_view  # type: ignore[attr-defined]
        return [
            path("import-jobs/<int:job_id>/", view(self.import_job_view), name=f"{prefix}"),
            path(
                "import-jobs/<int:job_id>/status/",
                view(self.import_job_status_view),
                name=f"{prefix}_status",
            ),
            path(
                "import-jobs/<int:job_id>/confirm/",
                view(require_POST(self.import_job_confirm_view)),
                name=f"{prefix}_confirm",
            ),
            path(
                "import-jobs/<int:job_id>/report/",
                view(self.import_job_report_view),
                name=f"{prefix}_report",
            ),
            *super().get_urls(),  # type: ignore[misc]
        ]

    def _job_url(self, name: str, job: ImportJob) -> str:
        opts = self.opts  # type: ignore[attr-defined]
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_{name}", args=[job.pk])

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):  # type: ignore[attr-defined]
            form = self.create_import_form(request)  # type: ignore[attr-defined]
            if form.is_valid():
                response = self._background_import(request, form)
                if response is not None:
                    return response
        response = super().import_action(request, **kwargs)  # type: ignore[misc]
        import_temp_file_drop(request, response)  # refused or unreadable: the kept file (身份证号) goes at once
        return response

    def _background_import(self, request, form) -> HttpResponse | None:
        """A redirect to the new job's page, or None: the file is small (or unreadable) and the
        ordinary import page deals with it."""
        upload = form.cleaned_data["import_file"]
        data = upload.read()
        upload.seek(0)
        format_index = int(form.cleaned_data["format"])
        resource_index = int(form.cleaned_data.get("resource") or 0)
        try:
            dataset = import_jobs.import_dataset(self, format_index, data)
            resource_class = self.get_import_resource_classes(request)[resource_index]  # type: ignore[attr-defined]
            resource = resource_class(**self.get_import_resource_kwargs(request))  # type: ignore[attr-defined]
            rows = import_jobs.import_rows(resource, dataset)
        except Exception:
            return None  # the ordinary path names the problem on the form
        if not import_jobs.import_runs_in_background(rows):
            return None
        job = import_jobs.import_job_create(
            user=request.user,
            model_label=self.opts.label_lower,  # type: ignore[attr-defined]
            resource_index=resource_index,
            format_index=format_index,
            file_name=upload.name,
            data=data,
            rows=rows,
        )
        if not send_now(import_job_run, job.pk):
            job.delete()  # a work item that never started: nothing of it to keep
            messages.error(request, str(BROKER_AWAY) % {"rows": settings.IMPORT_BACKGROUND_ROWS})
            return redirect(request.path)
        return redirect(self._job_url("import_job", job))

    def _job(self, request, job_id: int) -> ImportJob:
        if not self.has_import_permission(request):  # type: ignore[attr-defined]
            raise PermissionDenied
        job = (
            ImportJob.objects.for_user(request.user)
            .filter(pk=job_id, created_by=request.user, model_label=self.opts.label_lower)  # type: ignore[attr-defined]
            .defer("data", "report")
            .first()
        )
        if job is None:
            raise Http404(_("没有这个导入任务。"))
        return job

    def _job_context(self, job: ImportJob) -> dict[str, Any]:
        state = import_jobs.import_job_progress(job)
        state["status_url"] = self._job_url("import_job_status", job)
        state["report_url"] = self._job_url("import_job_report", job) if job.status == ImportJobStatus.REFUSED else ""
        return state

    def import_job_view(self, request, job_id: int):
        job = self._job(request, job_id)
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "opts": self.opts,  # type: ignore[attr-defined]
            "title": _("导入“%(name)s”") % {"name": job.file_name},
            "job": job,
            "state": self._job_context(job),
            "confirm_url": self._job_url("import_job_confirm", job),
            "import_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_import"  # type: ignore[attr-defined]
            ),
            "checked": job.status == ImportJobStatus.CHECKED,
        }
        return TemplateResponse(request, "admin/governance/import_job.html", context)

    def import_job_status_view(self, request, job_id: int):
        return JsonResponse(self._job_context(self._job(request, job_id)))

    def import_job_confirm_view(self, request, job_id: int):
        job = self._job(request, job_id)
        # Confirmed once only; back to waiting when the worker cannot be told.
        if import_jobs.import_job_confirm(job) and not send_now(import_job_run, job.pk):
            import_jobs.import_job_unconfirm(job)
            messages.error(request, str(BROKER_AWAY) % {"rows": settings.IMPORT_BACKGROUND_ROWS})
        return redirect(self._job_url("import_job", job))

    def import_job_report_view(self, request, job_id: int):
        job = self._job(request, job_id)
        report = ImportJob.objects.filter(pk=job.pk).values_list("report", flat=True).first()
        if not report:
            raise Http404(_("这个导入任务没有退回行报告。"))
        name = _("退回行_%(name)s.xlsx") % {"name": job.file_name.rsplit(".", 1)[0]}
        response = HttpResponse(bytes(report), content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f"attachment; filename=\"refused.xlsx\"; filename*=UTF-8''{quote(name)}"
        return response
