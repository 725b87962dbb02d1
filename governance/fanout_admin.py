"""区县任务记录 in the admin (issue 18, item 3): read-only, written by the workers."""

from __future__ import annotations

from django.contrib import admin

from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from governance.models import DistrictRun


@admin.register(DistrictRun)
class DistrictRunAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """区县任务记录: what each district's share of the per-district jobs did (``governance.fanout``),
    written by the workers only. A failed district shows its error here; dispatching the job again for
    the same batch runs only the districts not done."""

    list_display = ("job", "key", "division", "status", "attempts", "started_at", "finished_at")
    list_filter = ("job", "status")
    search_fields = ("key", "division__name", "division__code")
    list_select_related = ("division",)
    date_hierarchy = "started_at"
