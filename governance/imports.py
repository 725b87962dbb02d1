"""The one path every uploaded spreadsheet comes in by: bytes → a sheet of typed cells → canonical rows.

Two steps, so that every admin import reads files the same way:

1. ``sheet_read(data)`` turns the uploaded bytes into a ``Sheet``: every row of the first worksheet
   that has data, each with the row number Excel shows beside it. The kind of file is told from
   its bytes, never from its name or the format the clerk picked: .xlsx, .xls (Excel 97–2003) and
   .ods go through python-calamine (which keeps cell types: a number stays a float, a date a
   ``date``); anything else is read as CSV in UTF-8 (with or without BOM), UTF-16 (with BOM) or
   GB18030 (a superset of GBK: what Excel and WPS on Chinese Windows write). A file that is none of
   these raises ``SpreadsheetError`` with a Chinese message.
2. ``table_read(sheet, columns)`` finds the header row (the row among the first ``HEADER_SCAN_ROWS``
   that names the most expected columns: a merged title row or blank rows above it are passed over),
   maps each header to its canonical column through ``header_key`` (NFKC, so full-width letters and
   brackets become half-width; every blank, ideographic ones too, removed) and the column's aliases,
   drops blank rows, and checks what can be checked on the whole file at once, without the database:
   a number in an identifier column (``Column.identifier``: 身份证号 and the like, which Excel turns
   into a float with 15 significant digits, ``4.31302196002299E+17``) and the same key twice in the
   file (``Column.in_key``; keys compared after NFKC, full-width and half-width alike). It raises
   ``SpreadsheetError`` when no header is found or a key column is missing, naming the columns expected.

The rows keep their sheet row numbers (``Table.numbers``), so an error in Excel row 4 is "第4行"
whatever title and blank rows stand above it. The resources (``governance.resources.ScopedResource``)
build their dataset from the ``Table`` and turn its cell errors into row errors."""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime
import gc
import io
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import tablib
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export.formats.base_formats import Format
from openpyxl.utils import get_column_letter
from python_calamine import CalamineError, CalamineWorkbook, PasswordError, SheetTypeEnum, SheetVisibleEnum

from governance.spreadsheets import text_unescape

#: How many rows with data, from the top, may hold the header row (titles and notes above it).
HEADER_SCAN_ROWS = 20
#: The hidden column that carries each row's sheet row number through django-import-export (the
#: resources' canonical dataset, ``ScopedResource.sheet_dataset``).
SHEET_ROW = "__sheet_row__"

ERR_IMPORT_FILE_UNREADABLE = "import_file_unreadable"
ERR_IMPORT_FILE_PASSWORD = "import_file_password"
ERR_IMPORT_FILE_HTML = "import_file_html"
ERR_IMPORT_FILE_ENCODING = "import_file_encoding"
ERR_IMPORT_FILE_EMPTY = "import_file_empty"
ERR_IMPORT_NO_HEADER = "import_no_header"
ERR_IMPORT_MISSING_COLUMNS = "import_missing_columns"
ERR_IMPORT_DOUBLED_COLUMN = "import_doubled_column"
ERR_IMPORT_NUMERIC_ID = "import_numeric_identifier"
ERR_IMPORT_DUPLICATE = "import_duplicate_key"

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # Excel 97–2003 (.xls), also password-protected .xlsx
_GB18030_BOM = b"\x84\x31\x95\x33"
_TEXT_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (_GB18030_BOM, "gb18030"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?[eE][+-]?\d+$")
_PARENTHESISED = re.compile(r"\([^()]*\)$")
_HEADER_MARKS = "*＊※:："


class SpreadsheetError(ValueError):
    """A file that cannot be imported as a whole, with a Chinese message for the clerk and a stable code."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass
class Sheet:
    """The rows of one worksheet with data, as typed by the file (``""`` for an empty cell), and for
    each the row number Excel shows (1-based)."""

    rows: list[list[Any]]
    numbers: list[int]


@dataclass(frozen=True)
class Column:
    """A column a resource reads. ``header`` is the canonical heading (what the export writes);
    ``aliases`` other headings that mean the same; ``identifier``: a long number kept as text
    (身份证号), so a numeric cell is refused; ``in_key``: part of the key that may appear once per
    file; ``key``: how a cell becomes its key text (default ``cell_text``); ``required``: a column the
    file must have although it is no key (a figure: left out, every new row would get 0)."""

    header: str
    aliases: tuple[str, ...] = ()
    identifier: bool = False
    in_key: bool = False
    key: Callable[[Any], str] | None = None
    required: bool = False


@dataclass
class Table:
    """Canonical rows: ``headers`` are the canonical headers of the columns found, ``rows`` the cells
    in that order, ``numbers`` each row's sheet row number, ``letters`` each header's column letter
    (C), and ``cell_errors`` the problems found without the database: ``{sheet row: {header:
    ValidationError}}``."""

    headers: list[str]
    rows: list[list[Any]]
    numbers: list[int]
    letters: dict[str, str]
    header_row: int
    cell_errors: dict[int, dict[str, ValidationError]] = field(default_factory=dict)


# --- bytes → sheet ------------------------------------------------------------------------------


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector paused while a file's rows are built: they are hundreds of thousands of
    small lists without cycles, and the collector's passes over them took about two thirds of the time
    (measured: 100 000 rows into a tablib dataset, 0.8 s → 0.3 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def cell_text(value: Any) -> str:
    """A cell as stripped text (blanks of every width, ideographic ones too); ``None`` is ``""``; a
    whole float is written without ``.0`` (Excel hands whole numbers over as floats)."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def cell_shown(value: Any) -> Any:
    """A cell as the clerk typed it, for error tables and reports: a number cell without the ``.0``
    Excel's float gives it (``431302003201.0`` → ``"431302003201"``, ``1.0`` → ``"1"``) and other
    floats at the 15 significant digits Excel shows (``3.3000000000000003`` → ``"3.3"``); every other
    value (text, dates, booleans) as it is."""
    if not isinstance(value, float):
        return value
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return excel_number_text(value)


def _blank(row: Sequence[Any]) -> bool:
    return all(cell_text(cell) == "" for cell in row)


def sheet_read(data: bytes) -> Sheet:
    """The first worksheet with data of an .xlsx, .xls, .ods or CSV file, told from the bytes.
    Raises ``SpreadsheetError`` (unreadable, password, an HTML page saved as .xls, unknown encoding,
    no data)."""
    sheet = _workbook_sheet(data) if data.startswith(_ZIP) or data.startswith(_OLE2) else _csv_sheet(data)
    if not sheet.rows:
        raise SpreadsheetError(_("文件中没有数据。"), ERR_IMPORT_FILE_EMPTY)
    return sheet


def _unreadable() -> SpreadsheetError:
    return SpreadsheetError(
        _(
            "无法读取此文件：文件可能已损坏，或不是 Excel/WPS 表格。"
            "可导入 .xlsx、.xls、.ods 和 .csv 文件；请在 Excel 或 WPS 中打开它，另存为 .xlsx 后再导入。"
        ),
        ERR_IMPORT_FILE_UNREADABLE,
    )


def _workbook_sheet(data: bytes) -> Sheet:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        for index, meta in enumerate(book.sheets_metadata):
            if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
                cells = book.get_sheet_by_index(index).to_python(skip_empty_area=False)
                rows, numbers = [], []
                for number, row in enumerate(cells, start=1):  # from A1: the list index is the row number
                    if not _blank(row):
                        rows.append(list(row))
                        numbers.append(number)
                if rows:
                    return Sheet(rows, numbers)
    except PasswordError:
        raise SpreadsheetError(
            _("此文件设置了打开密码，无法读取：请在 Excel 或 WPS 中取消密码后再导入。"), ERR_IMPORT_FILE_PASSWORD
        ) from None
    except (CalamineError, ValueError, OSError, IndexError):
        if data.startswith(_OLE2):  # an encrypted .xlsx is an OLE2 container too
            raise SpreadsheetError(
                _("无法读取此文件：它可能设置了密码或已损坏。请在 Excel 或 WPS 中打开，另存为 .xlsx 后再导入。"),
                ERR_IMPORT_FILE_UNREADABLE,
            ) from None
        raise _unreadable() from None
    return Sheet([], [])


def text_decode(data: bytes) -> str:
    """The text of a CSV file: a BOM decides (UTF-8, GB18030, UTF-16); without one UTF-8 if it is
    valid, else GB18030 (which reads GBK and GB2312 too). Raises ``SpreadsheetError``."""
    for bom, encoding in _TEXT_BOMS:
        if data.startswith(bom):
            body = data[len(bom) :]
            try:
                return body.decode(encoding)
            except UnicodeDecodeError:
                if bom == codecs.BOM_UTF8:  # a UTF-8 BOM in front of GBK text: seen from some exporters
                    data = body
                    break
                raise _bad_encoding() from None
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise _bad_encoding()


def _bad_encoding() -> SpreadsheetError:
    return SpreadsheetError(
        _("无法识别此 CSV 文件的字符编码：请另存为“CSV UTF-8（逗号分隔）”或 GBK 编码的 CSV 后再导入。"),
        ERR_IMPORT_FILE_ENCODING,
    )


def _delimiter(text: str) -> str:
    sample = text[:20000].splitlines()[:20]
    counts = {d: sum(line.count(d) for line in sample) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _csv_cell(cell: str) -> str:
    cell = cell.strip()
    return text_unescape(cell) if cell[:1] == "'" else cell  # the CSV export's apostrophe (text_escape)


def _csv_sheet(data: bytes) -> Sheet:
    head = data[:2048].lstrip().lower()
    if head.startswith((b"<html", b"<!doctype", b"<?xml", b"<table")):
        raise SpreadsheetError(
            _("此文件是网页（HTML/XML）格式，只是扩展名像表格：请在 Excel 或 WPS 中打开，另存为 .xlsx 后再导入。"),
            ERR_IMPORT_FILE_HTML,
        )
    if b"\x00" in data[:4096] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise _unreadable()
    text = text_decode(data)
    rows, numbers = [], []
    try:
        for number, row in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text)), start=1):
            cells = [_csv_cell(cell) for cell in row]
            if any(cells):
                rows.append(cells)
                numbers.append(number)
    except csv.Error:
        raise _unreadable() from None
    return Sheet(rows, numbers)


def dataset_sheet(dataset: tablib.Dataset) -> Sheet:
    """A dataset as a sheet: one made by ``SpreadsheetImport`` as it is; any other (headers from its
    first row, as django-import-export's own formats make them) with its headers as row 1."""
    sheet = getattr(dataset, "sheet", None)
    if isinstance(sheet, Sheet):
        return sheet
    rows = [list(dataset.headers or [])] + [list(row) for row in dataset]
    kept = [(number, row) for number, row in enumerate(rows, start=1) if not _blank(row)]
    return Sheet([row for _n, row in kept], [number for number, _r in kept])


# --- sheet → table ------------------------------------------------------------------------------


def header_key(text: Any) -> str:
    """A heading as compared: NFKC (full-width → half-width), every blank removed (trailing, ideographic,
    line breaks inside the cell), a required-field mark (``*``) or a trailing colon dropped, case folded.
    ``"身份证号　"`` and ``" 身份证号 "`` are ``"身份证号"``; ``"面积（亩）"`` is ``"面积(亩)"``."""
    text = unicodedata.normalize("NFKC", cell_text(text))
    text = "".join(text.split()).strip(_HEADER_MARKS)
    return text.casefold()


def _lookup(columns: Sequence[Column]) -> tuple[dict[str, Column], dict[str, Column]]:
    exact: dict[str, Column] = {}
    loose: dict[str, list[Column]] = {}
    for column in columns:
        for name in (column.header, *column.aliases):
            key = header_key(name)
            exact.setdefault(key, column)
            loose.setdefault(_PARENTHESISED.sub("", key), []).append(column)
    # "身份证号(18位)" matches 身份证号 when no column's own heading has those brackets; an ambiguous
    # short form matches nothing.
    unique = {key: found[0] for key, found in loose.items() if len({c.header for c in found}) == 1}
    return exact, unique


def _match(cell: Any, exact: dict[str, Column], loose: dict[str, Column]) -> Column | None:
    key = header_key(cell)
    if not key:
        return None
    return exact.get(key) or loose.get(_PARENTHESISED.sub("", key))


def expected_columns_text(columns: Iterable[Column]) -> str:
    """``姓名（或：名字）、身份证号（或：身份证号码、公民身份号码）…`` for messages."""
    parts = []
    for column in columns:
        parts.append(f"{column.header}（或：{'、'.join(column.aliases)}）" if column.aliases else column.header)
    return "、".join(parts)


def table_read(sheet: Sheet, columns: Sequence[Column]) -> Table:
    """The canonical table of ``sheet`` for ``columns`` (see the module's docstring). Raises
    ``SpreadsheetError`` when no header row is found among the first ``HEADER_SCAN_ROWS`` rows with
    data, when a key column is missing, or when two headings name the same column."""
    exact, loose = _lookup(columns)
    best_index, best_score = -1, 0
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        score = len({found.header for cell in row if (found := _match(cell, exact, loose))})
        if score > best_score:
            best_index, best_score = index, score
    if best_index < 0:
        raise SpreadsheetError(
            _("未找到表头：文件前%(n)d行中没有一行写着应有的列名。应有的列：%(columns)s。")
            % {"n": HEADER_SCAN_ROWS, "columns": expected_columns_text(columns)},
            ERR_IMPORT_NO_HEADER,
        )
    header_row = sheet.numbers[best_index]
    positions: dict[str, int] = {}
    for position, cell in enumerate(sheet.rows[best_index]):
        found = _match(cell, exact, loose)
        if found is None:
            continue
        if found.header in positions:
            first = sheet.rows[best_index][positions[found.header]]
            raise SpreadsheetError(
                _("第%(row)d行表头中“%(a)s”和“%(b)s”都是“%(column)s”列，请只保留一列。")
                % {"row": header_row, "a": cell_text(first), "b": cell_text(cell), "column": found.header},
                ERR_IMPORT_DOUBLED_COLUMN,
            )
        positions[found.header] = position
    missing = [c for c in columns if (c.in_key or c.required) and c.header not in positions]
    if missing:
        raise SpreadsheetError(
            _("第%(row)d行表头缺少列：%(missing)s。应有的列：%(columns)s。")
            % {
                "row": header_row,
                "missing": expected_columns_text(missing),
                "columns": expected_columns_text(columns),
            },
            ERR_IMPORT_MISSING_COLUMNS,
        )
    if best_index == len(sheet.rows) - 1:
        raise SpreadsheetError(_("表头（第%(row)d行）下面没有数据。") % {"row": header_row}, ERR_IMPORT_FILE_EMPTY)
    headers = [c.header for c in columns if c.header in positions]
    order = [positions[h] for h in headers]
    rows = []
    width = max(order) + 1
    for row in sheet.rows[best_index + 1 :]:
        if len(row) < width:
            row = [*row, *[""] * (width - len(row))]
        rows.append([_cell(row[i]) for i in order])
    table = Table(
        headers=headers,
        rows=rows,
        numbers=sheet.numbers[best_index + 1 :],
        letters={h: get_column_letter(positions[h] + 1) for h in headers},
        header_row=header_row,
    )
    by_header = {c.header: c for c in columns}
    _check_identifiers(table, [by_header[h] for h in headers if by_header[h].identifier])
    _check_duplicates(table, [by_header[h] for h in headers if by_header[h].in_key])
    return table


def _cell(value: Any) -> Any:
    if type(value) is str:
        return value.strip()
    return "" if value is None else value


def _add_error(table: Table, number: int, header: str, error: ValidationError) -> None:
    table.cell_errors.setdefault(number, {}).setdefault(header, error)


def excel_number_text(value: float) -> str:
    """A number as Excel shows it in a General cell: 15 significant digits (``4.31302196002299E+17``)."""
    text = f"{value:.15G}"
    return text.replace("E+0", "E+").replace("E-0", "E-")


def _check_identifiers(table: Table, columns: Sequence[Column]) -> None:
    for column in columns:
        index = table.headers.index(column.header)
        letter = table.letters[column.header]
        for row, number in zip(table.rows, table.numbers, strict=True):
            value = row[index]
            if isinstance(value, bool) or not (
                isinstance(value, int | float | datetime.date | datetime.time)
                or (isinstance(value, str) and _SCIENTIFIC.match(value))
            ):
                continue
            shown = excel_number_text(value) if isinstance(value, int | float) else str(value)
            row[index] = shown  # the preview shows the cell as Excel shows it, not as 431302196002299008
            _add_error(
                table,
                number,
                column.header,
                ValidationError(
                    _(
                        "单元格%(cell)s：Excel 已把这串号码变成了数值（%(shown)s），超过15位的号码末尾几位会被改掉，"
                        "无法确认原来的号码。请把“%(column)s”列的单元格格式设为“文本”，重新填写这些号码后再导入。"
                    ),
                    code=ERR_IMPORT_NUMERIC_ID,
                    params={"cell": f"{letter}{number}", "shown": shown, "column": column.header},
                ),
            )


def rows_text(numbers: Sequence[int]) -> str:
    """``[2, 3]`` → ``第2行与第3行``; ``[2, 3, 5]`` → ``第2行、第3行与第5行``."""
    parts = [f"第{n}行" for n in numbers]
    return parts[0] if len(parts) == 1 else "、".join(parts[:-1]) + "与" + parts[-1]


def _check_duplicates(table: Table, columns: Sequence[Column]) -> None:
    if not columns:
        return
    indexes = [table.headers.index(c.header) for c in columns]
    keys = [c.key or cell_text for c in columns]
    seen: dict[tuple[str, ...], list[int]] = {}
    for row, number in zip(table.rows, table.numbers, strict=True):
        # NFKC: ``Ｈ－Ｔ－０００１`` and ``H-T-0001`` are one key to the clerk (issue 11, item 6)
        key = tuple(unicodedata.normalize("NFKC", make(row[i])) for make, i in zip(keys, indexes, strict=True))
        if all(key):  # a row without its key (a person with no 身份证号) is always new
            seen.setdefault(key, []).append(number)
    label = "、".join(c.header for c in columns)
    for numbers in seen.values():
        if len(numbers) < 2:
            continue
        error = ValidationError(
            _("%(rows)s%(label)s重复：同一文件中每个%(label)s只能出现一次。"),
            code=ERR_IMPORT_DUPLICATE,
            params={"rows": rows_text(numbers), "label": label},
        )
        for number in numbers:
            _add_error(table, number, columns[0].header, error)


# --- the admin's import format ------------------------------------------------------------------


class SpreadsheetImport(Format):
    """The admin's one import format: any .xlsx, .xls, .ods or CSV file (told from its bytes, so a
    wrong choice cannot misread a file). ``create_dataset`` gives the sheet's rows as they are, with
    the ``Sheet`` itself (``dataset.sheet``, with the row numbers); the resource finds the header."""

    def __init__(self, encoding: str | None = None) -> None:
        self.encoding = encoding  # the admin passes its own; the bytes decide (``text_decode``)

    def get_title(self) -> str:
        return _("Excel/WPS 表格或 CSV（.xlsx .xls .ods .csv）")

    def create_dataset(self, in_stream: bytes | str) -> tablib.Dataset:
        data = in_stream.encode("utf-8") if isinstance(in_stream, str) else bytes(in_stream)
        with gc_paused():
            sheet = sheet_read(data)
            width = max(len(row) for row in sheet.rows)
            dataset = tablib.Dataset(*[list(row) + [""] * (width - len(row)) for row in sheet.rows])
        dataset.sheet = sheet  # read by ``dataset_sheet``, with the row numbers
        return dataset

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def get_extension(self) -> str:
        return "xlsx"

    def can_import(self) -> bool:
        return True

    def can_export(self) -> bool:
        return False


IMPORT_FORMATS = [SpreadsheetImport]
