"""区县任务记录 in the admin (issue 18, item 3): read-only, written by the workers."""

from __future__ import annotations

from django.contrib import admin

from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from governance.models import DistrictRun
from governance.registry import registry


@admin.register(DistrictRun)
class DistrictRunAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """区县任务记录: what each district's share of the per-district jobs did (``governance.fanout``),
    written by the workers only. A failed district shows its error here; dispatching the job again for
    the same batch runs only the districts not done."""

    list_display = ("job_title", "key", "division", "status", "attempts", "started_at", "finished_at")
    list_filter = ("job", "status")
    search_fields = ("key", "division__name", "division__code")
    list_select_related = ("division",)
    date_hierarchy = "started_at"

    @admin.display(description="任务", ordering="job")
    def job_title(self, obj: DistrictRun) -> str:
        """The job's Chinese title from the registry (``文明积分月度评比``), its code if no app registers it."""
        job = registry.district_jobs.get(obj.job)
        return job.title if job is not None else obj.job
