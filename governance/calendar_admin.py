"""The admin of the working-day calendar (``governance.calendar``): the district's overrides and the
years it has loaded. The warning about years with no schedule is on every admin page
(``templates/admin/base_site.html``, ``{% calendar_warning %}``)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from governance.admin import ScopedAdminMixin
from governance.calendar import official_working_day, package_years, year_published
from governance.models import CalendarDay, CalendarYear

WEEKDAYS = (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))


@admin.register(CalendarDay)
class CalendarDayAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Days the district sets apart from the State Council's schedule, beside what that schedule says."""

    list_display = ("date", "weekday", "name", "is_workday", "official")
    list_filter = ("is_workday",)
    date_hierarchy = "date"
    search_fields = ("name",)

    @admin.display(description=_("星期"))
    def weekday(self, day: CalendarDay) -> str:
        return str(WEEKDAYS[day.date.weekday()])

    @admin.display(description=_("国务院安排"))
    def official(self, day: CalendarDay) -> str:
        if day.date.year not in package_years():
            return str(_("未收录（按周一至周五）"))
        return str(_("上班") if official_working_day(day.date) else _("休息"))

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not year_published(obj.date.year):
            messages.warning(
                request,
                _("%(year)s 年尚未登记为已录入：录完该年全部放假和调休上班日后，请在“节假日安排年度”中登记该年。")
                % {"year": obj.date.year},
            )


@admin.register(CalendarYear)
class CalendarYearAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Years whose schedule the district has entered itself; the package's own years need none."""

    list_display = ("year", "notice", "created_at")
    search_fields = ("year", "notice")

    def changelist_view(self, request, extra_context=None):
        years = package_years()
        messages.info(
            request,
            _("%(first)s–%(last)s 年的国务院节假日安排已由 chinese-calendar 收录，这些年度无需登记。")
            % {"first": years[0], "last": years[-1]},
        )
        return super().changelist_view(request, extra_context)
