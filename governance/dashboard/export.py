"""The dashboard's figures as an Excel workbook: one sheet of figures, one of the breakdowns by child
division, one of the months. Written through ``governance.spreadsheets`` (formula cells escaped,
codes as text); a heading carries its unit once."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl import Workbook

from governance.dashboard.selectors import Dashboard
from governance.models import Division
from governance.spreadsheets import header_append


def dashboard_workbook(*, division: Division, dashboard: Dashboard) -> Workbook:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("指标")
    period = dashboard.period
    sheet.append([f"{division.name} · {period.label}", f"{period.start:%Y-%m-%d} — {period.end:%Y-%m-%d}"])
    header_append(
        sheet, [_("板块"), _("指标"), period.current_title, period.earlier_title, _("同比变化（%）"), _("单位")]
    )
    for section in dashboard.sections:
        for figure in section.figures:
            change = figure.change
            sheet.append(
                [
                    str(section.title),
                    str(figure.title),
                    figure.value,
                    figure.previous,
                    float(change) if change is not None else None,
                    str(figure.unit),
                ]
            )
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 30
    if dashboard.children:
        breakdown = workbook.create_sheet(_("下级区划"))
        series = [s for section in dashboard.sections for s in section.by_child]
        header_append(breakdown, [_("区划代码"), _("区划"), *(s.heading for s in series)])
        for index, child in enumerate(dashboard.children):
            breakdown.append([child["code"], child["name"], *(s.values[index] for s in series)])
    if dashboard.months:
        trend = workbook.create_sheet(_("月度趋势"))
        series = [s for section in dashboard.sections for s in section.by_month]
        header_append(trend, [_("月份"), *(s.heading for s in series)])
        for index, month in enumerate(dashboard.months):
            trend.append([month, *(s.values[index] for s in series)])
    return workbook
