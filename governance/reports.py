"""What the officers' report pages share (issue 14): breadcrumbs back up a drill-down, the township
each row lies in, and the Excel download of the table on the page, through the one escaping path
(``governance.spreadsheets``). Each report page is a ``ReportView``: it computes its context once,
and ``?format=xlsx`` answers the same figures as a workbook instead of the page."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from openpyxl import Workbook

from governance.dates import report_date_validate
from governance.models import Division
from governance.models.divisions import DivisionLevel
from governance.querysets import path_ancestors
from governance.spreadsheets import header_append, sheet_title, spreadsheet_response

TOWNSHIP_LEVELS = (DivisionLevel.TOWNSHIP, DivisionLevel.SUBDISTRICT)


def report_crumbs(user: Any, division: Division) -> list[Division]:
    """The ancestors of ``division`` the user may open, top down, ending with ``division`` itself (one
    query): the way back up after a drill-down (district → township → village), never above the
    user's own scope."""
    divisions = Division.objects.for_user(user).filter(path__in=path_ancestors(division.path))
    return list(divisions.order_by("path"))


def townships_around(division: Division) -> dict[str, Division]:
    """The townships and subdistricts (by path) a row under ``division`` can lie in: those in its
    subtree and, below a township, the one above it. One query."""
    near = Q(path__startswith=division.path) | Q(path__in=path_ancestors(division.path))
    rows = Division.objects.filter(near, level__in=TOWNSHIP_LEVELS).only("id", "code", "name", "path")
    return {row.path: row for row in rows}


def township_of(path: str, townships: dict[str, Division]) -> Division | None:
    """The township (or subdistrict) whose subtree holds ``path`` (a ``Division.path``), if any."""
    for ancestor in path_ancestors(path):
        if ancestor in townships:
            return townships[ancestor]
    return None


class AsOfForm(forms.Form):
    """The day a state report is about (``?on=``; empty: today): posts and terms held on that day."""

    on = forms.DateField(
        label=_("截至日期"),
        required=False,
        validators=[report_date_validate],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


@dataclass
class ReportTable:
    """A report's table as it is downloaded: a sheet title, headings (with units) and rows of plain
    values (numbers stay numbers)."""

    title: str
    headings: Sequence[Any]
    rows: Iterable[Sequence[Any]] = field(default_factory=list)


def report_workbook(tables: Sequence[ReportTable]) -> Workbook:
    """One sheet per table, bold headings, the heading row frozen."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        sheet = workbook.create_sheet(sheet_title(table.title))
        header_append(sheet, list(table.headings))
        sheet.freeze_panes = "A2"
        for row in table.rows:
            sheet.append([value if isinstance(value, int | float) or value is None else str(value) for value in row])
        for index in range(1, len(table.headings) + 1):
            sheet.column_dimensions[sheet.cell(1, index).column_letter].width = 18
    return workbook


class ReportView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """A report page with breadcrumbs, a download (``?format=xlsx``: the tables of
    ``export_tables``) and a print button (the print stylesheet lays it out on A4). A report whose
    input is bad renders its form's errors with status 400 (``context["status"] = 400``)."""

    export_filename = "report"

    def export_tables(self, context: dict[str, Any]) -> list[ReportTable]:
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        context = self.get_context_data(**kwargs)
        status = context.get("status", 200)
        if request.GET.get("format") == "xlsx" and status == 200:
            name = f"{self.export_filename}-{context['division'].code}.xlsx"
            return spreadsheet_response(report_workbook(self.export_tables(context)), name)
        return self.render_to_response(context, status=status)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        division = context.get("division")
        if division is not None:
            context["crumbs"] = report_crumbs(self.request.user, division)
        return context


def xlsx_response(tables: Sequence[ReportTable], filename: str) -> HttpResponse:
    """A download of ``tables`` (see ``report_workbook``)."""
    return spreadsheet_response(report_workbook(tables), filename)
