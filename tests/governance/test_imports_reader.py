"""governance.imports, the one reader of uploaded spreadsheets (issue 11, items 1–7), and the cell
widgets of governance.resources: unit tests on real bytes (openpyxl workbooks, GBK and UTF-16 CSV,
an .xls made by xlwt: tests/fixtures/make_xls.py)."""

import codecs
import datetime
import io
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from openpyxl import Workbook

from governance.cells import sheet_date
from governance.imports import (
    ERR_IMPORT_DOUBLED_COLUMN,
    ERR_IMPORT_DUPLICATE,
    ERR_IMPORT_FILE_EMPTY,
    ERR_IMPORT_FILE_ENCODING,
    ERR_IMPORT_FILE_HTML,
    ERR_IMPORT_FILE_UNREADABLE,
    ERR_IMPORT_MISSING_COLUMNS,
    ERR_IMPORT_NO_HEADER,
    ERR_IMPORT_NUMERIC_ID,
    Column,
    Sheet,
    SpreadsheetError,
    SpreadsheetImport,
    excel_number_text,
    header_key,
    rows_text,
    sheet_read,
    table_read,
    text_decode,
)
from governance.resources import (
    ERR_IMPORT_BLANK,
    ERR_IMPORT_DATE,
    ERR_IMPORT_NUMBER,
    IdNumberWidget,
    SheetDateWidget,
    SheetDecimalWidget,
    SheetIntegerWidget,
    SheetMonthWidget,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ID_TYPED = "431302196002299120"  # what the clerk typed (valid check character)
ID_AS_EXCEL_KEEPS = 4.31302196002299e17  # the float Excel stores: 431302196002299008 when read back
COLUMNS = [
    Column("姓名", aliases=("名字",)),
    Column("身份证号", aliases=("身份证号码", "公民身份号码"), identifier=True, in_key=True),
    Column("联系电话", aliases=("手机号", "电话")),
]


def workbook(cells: dict[str, object], merged: str | None = None) -> bytes:
    """An .xlsx with the given cells (``{"A1": value}``), as Excel would save it."""
    book = Workbook()
    sheet = book.active
    for ref, value in cells.items():
        sheet[ref] = value
    if merged:
        sheet.merge_cells(merged)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(rows: list[list[str]], sep: str = ",") -> str:
    return "\r\n".join(sep.join(row) for row in rows) + "\r\n"


ROSTER = [["姓名", "身份证号", "联系电话"], ["张三", ID_TYPED, "13812345678"], ["李四", "", ""]]


# --- 3. encodings ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        csv_text(ROSTER).encode("gbk"),
        csv_text(ROSTER).encode("gb18030"),
        b"\x84\x31\x95\x33" + csv_text(ROSTER).encode("gb18030"),  # GB18030 with its BOM
        codecs.BOM_UTF8 + csv_text(ROSTER).encode("gbk"),  # a UTF-8 BOM in front of GBK text
        csv_text(ROSTER).encode("utf-8"),
        codecs.BOM_UTF8 + csv_text(ROSTER).encode("utf-8"),
        codecs.BOM_UTF16_LE + csv_text(ROSTER, "\t").encode("utf-16-le"),  # Excel's "Unicode text"
        csv_text(ROSTER, ";").encode("utf-8"),
    ],
    ids=["gbk", "gb18030", "gb18030-bom", "utf8bom-gbk", "utf8", "utf8-bom", "utf16-tab", "semicolon"],
)
def test_csv_in_every_encoding_excel_and_wps_write_is_read(data):
    sheet = sheet_read(data)

    assert sheet.rows == ROSTER
    assert sheet.numbers == [1, 2, 3]


def test_text_that_is_no_known_encoding_is_refused_in_chinese():
    with pytest.raises(SpreadsheetError) as caught:
        text_decode(b"\xff\xfe"[:1] + b"\x81\x20\xff\xff")
    assert caught.value.code == ERR_IMPORT_FILE_ENCODING
    assert "编码" in caught.value.message


def test_csv_escape_of_formula_text_is_taken_off():
    sheet = sheet_read(csv_text([["姓名", "备注"], ["张三", "'=1+2"]]).encode())
    assert sheet.rows[1] == ["张三", "=1+2"]


# --- 4. files: xlsx, xls, corrupted --------------------------------------------------------------


def test_xls_fixture_is_read_with_its_sheet_row_numbers():
    sheet = sheet_read((FIXTURES / "people.xls").read_bytes())

    assert sheet.numbers == [1, 3, 4, 6]  # the title row, the header, rows 4 and 6 (row 5 is blank)
    assert sheet.rows[1] == ["序号", "姓名", "政治面貌", "身份证号码", "手机号", "区划代码"]
    assert sheet.rows[2][3] == ID_TYPED
    assert sheet.rows[3][5] == 431302001001.0  # a number cell stays a number


def test_xlsx_starting_below_and_right_of_a1_keeps_excel_row_numbers():
    sheet = sheet_read(workbook({"C3": "姓名", "D3": "身份证号", "C5": "张三", "D5": ID_TYPED}))

    assert sheet.numbers == [3, 5]
    assert sheet.rows == [["", "", "姓名", "身份证号"], ["", "", "张三", ID_TYPED]]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (workbook({"A1": "姓名"})[:200], ERR_IMPORT_FILE_UNREADABLE),  # a truncated .xlsx (BadZipFile before)
        (b"PK\x03\x04" + b"\x00" * 100, ERR_IMPORT_FILE_UNREADABLE),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ERR_IMPORT_FILE_UNREADABLE),  # a broken .xls
        (b"%PDF-1.4\n\x00\x01\x02binary", ERR_IMPORT_FILE_UNREADABLE),
        ("<html><body><table><tr><td>姓名</td></tr></table></body></html>".encode(), ERR_IMPORT_FILE_HTML),
        (b"", ERR_IMPORT_FILE_EMPTY),
        (b"\r\n,,\r\n", ERR_IMPORT_FILE_EMPTY),
    ],
    ids=["truncated-xlsx", "bad-zip", "bad-xls", "pdf", "html-as-xls", "empty", "blank-rows"],
)
def test_a_file_that_cannot_be_read_gets_a_chinese_message(data, code):
    with pytest.raises(SpreadsheetError) as caught:
        SpreadsheetImport().create_dataset(data)

    assert caught.value.code == code
    message = caught.value.message
    assert "BadZipFile" not in message and "encountered" not in message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message)


# --- 2. header row, headings, aliases ------------------------------------------------------------


@pytest.mark.parametrize(
    "heading",
    ["身份证号", "身份证号 ", "身份证号　", " 身份证号\n", "身份证号码", "公民身份号码", "*身份证号", "身份证号(18位)"],
)
def test_headings_are_normalised_and_aliases_matched(heading):
    table = table_read(Sheet([["名字", heading, "手机号"], ["张三", ID_TYPED, "13812345678"]], [1, 2]), COLUMNS)

    assert table.headers == ["姓名", "身份证号", "联系电话"]
    assert table.rows == [["张三", ID_TYPED, "13812345678"]]


def test_full_width_headings_become_half_width():
    assert header_key("面积（亩）") == header_key("面积(亩)") == "面积(亩)"
    assert header_key("ＩＤ　") == "id"
    assert header_key("身份证号　") == header_key(" 身份证号 ") == "身份证号"


def test_header_row_is_found_below_a_merged_title_and_blank_rows():
    data = workbook(
        {
            "A1": "娄星区XX村人员花名册",
            "A4": "序号",
            "B4": "姓名",
            "C4": "身份证号 ",
            "A6": 1,
            "B6": "张三",
            "C6": ID_TYPED,
        },
        merged="A1:D1",
    )

    table = table_read(sheet_read(data), COLUMNS)

    assert table.header_row == 4
    assert table.headers == ["姓名", "身份证号"]  # 序号 is not ours: left out; 联系电话 absent: left out
    assert table.rows == [["张三", ID_TYPED]]
    assert table.numbers == [6]
    assert table.letters == {"姓名": "B", "身份证号": "C"}


def test_no_header_row_names_the_expected_columns():
    with pytest.raises(SpreadsheetError) as caught:
        table_read(Sheet([["娄星区XX村人员花名册"], ["甲", "乙"], ["张三", ID_TYPED]], [1, 2, 3]), COLUMNS)

    assert caught.value.code == ERR_IMPORT_NO_HEADER
    assert "应有的列：姓名（或：名字）、身份证号（或：身份证号码、公民身份号码）、联系电话（或：手机号、电话）" in (
        caught.value.message
    )


def test_a_missing_key_column_is_named():
    with pytest.raises(SpreadsheetError) as caught:
        table_read(Sheet([["姓名", "联系电话"], ["张三", "13812345678"]], [1, 2]), COLUMNS)

    assert caught.value.code == ERR_IMPORT_MISSING_COLUMNS
    assert "缺少列：身份证号" in caught.value.message


def test_two_headings_for_one_column_are_refused():
    with pytest.raises(SpreadsheetError) as caught:
        table_read(Sheet([["姓名", "身份证号", "电话", "手机号"]], [1]), COLUMNS)

    assert caught.value.code == ERR_IMPORT_DOUBLED_COLUMN
    assert "“电话”和“手机号”都是“联系电话”列" in caught.value.message


def test_a_header_with_no_rows_below_is_an_empty_file():
    with pytest.raises(SpreadsheetError) as caught:
        table_read(Sheet([["姓名", "身份证号"]], [3]), COLUMNS)
    assert caught.value.code == ERR_IMPORT_FILE_EMPTY


# --- 1. identifiers that Excel made numbers of ---------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "shown"),
    [
        (ID_AS_EXCEL_KEEPS, "4.31302196002299E+17"),  # .xlsx/.xls number cell
        (431302196002299008, "4.31302196002299E+17"),  # as openpyxl hands an int
        ("4.31302196002299E+17", "4.31302196002299E+17"),  # a CSV saved by Excel
        ("4.31302196002299e+17", "4.31302196002299e+17"),
        (12345.0, "12345"),  # a short number in an ID column is not trusted either
    ],
)
def test_a_number_in_an_identifier_column_is_refused_naming_the_cell(cell, shown):
    sheet = Sheet([["标题"], ["序号", "姓名", "身份证号"], [1, "张三", cell]], [1, 3, 4])

    table = table_read(sheet, COLUMNS)

    error = table.cell_errors[4]["身份证号"]
    assert error.code == ERR_IMPORT_NUMERIC_ID
    message = error.message % error.params
    assert "单元格C4" in message and shown in message
    assert "文本" in message and "Excel" in message


def test_an_identifier_typed_as_text_passes():
    table = table_read(Sheet([["姓名", "身份证号"], ["张三", ID_TYPED]], [1, 2]), COLUMNS)
    assert table.cell_errors == {}


def test_excel_shows_fifteen_significant_digits():
    assert excel_number_text(ID_AS_EXCEL_KEEPS) == "4.31302196002299E+17"
    assert excel_number_text(13812345678.0) == "13812345678"


# --- 7. the same key twice -----------------------------------------------------------------------


def test_the_same_key_twice_names_both_rows():
    sheet = Sheet(
        [
            ["姓名", "身份证号"],
            ["张三", "43130219850315018x"],
            ["李四", ""],
            ["王五", "43130219850315018X"],
            ["赵六", ""],
        ],
        [1, 2, 3, 4, 5],
    )

    table = table_read(
        sheet, [COLUMNS[0], Column("身份证号", identifier=True, in_key=True, key=IdNumberWidget().sheet_key)]
    )

    assert set(table.cell_errors) == {2, 4}  # blank keys are new rows, never duplicates
    error = table.cell_errors[2]["身份证号"]
    assert error.code == ERR_IMPORT_DUPLICATE
    assert (error.message % error.params).startswith("第2行与第4行身份证号重复")


def test_rows_are_listed_in_chinese():
    assert rows_text([2, 3]) == "第2行与第3行"
    assert rows_text([2, 3, 5]) == "第2行、第3行与第5行"


# --- 5. dates and numbers ------------------------------------------------------------------------

JUNE_FIRST = datetime.date(2025, 6, 1)


@pytest.mark.parametrize(
    "value",
    [
        JUNE_FIRST,
        datetime.datetime(2025, 6, 1, 8, 30),
        45809,  # the Excel serial number
        45809.0,
        45809.75,  # with a time of day
        "45809",
        "2025/6/1",
        "2025-06-01",
        "2025年6月1日",
        "2025.6.1",
        "2025.06.01",
        "20250601",
        "２０２５年６月１日",
        " 2025-06-01 00:00:00 ",
        "2025/6/1 8:30",
    ],
)
def test_every_date_form_is_the_same_date(value):
    assert sheet_date(value) == JUNE_FIRST
    assert SheetDateWidget().clean(value) == JUNE_FIRST


@pytest.mark.parametrize("value", ["2025-13-01", "2025/2/30", "明年", "2025", "6/1/2025", 12, True])
def test_a_bad_date_gets_a_chinese_message_naming_the_column(value):
    widget = SheetDateWidget()
    widget.column_label = "纳入星物管日期"

    with pytest.raises(ValidationError) as caught:
        widget.clean(value)

    assert caught.value.code == ERR_IMPORT_DATE
    message = caught.value.message % caught.value.params
    assert message.startswith("纳入星物管日期“") and "不是有效的日期" in message
    assert "parsed" not in message


@pytest.mark.parametrize("value", ["2025年6月", "2025-06", "2025/6", "202506", "2025-06-15", 45809, JUNE_FIRST])
def test_a_month_in_every_form_is_its_first_day(value):
    assert SheetMonthWidget().clean(value) == JUNE_FIRST


@pytest.mark.parametrize("value", [1234, 1234.0, "1234", "1,234", "１２３４", "１，２３４", " 1 234 ", "+1234"])
def test_every_integer_form_is_1234(value):
    assert SheetIntegerWidget().clean(value) == 1234


@pytest.mark.parametrize("value", ["12,34", "1,2345", "1.5", 1.5, "abc", "１２三", "--1", True])
def test_a_bad_integer_gets_a_chinese_message_naming_the_column(value):
    widget = SheetIntegerWidget()
    widget.column_label = "接处警数"

    with pytest.raises(ValidationError) as caught:
        widget.clean(value)

    assert caught.value.code == ERR_IMPORT_NUMBER
    assert (caught.value.message % caught.value.params).startswith("接处警数“")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1,234.5", "1234.5"), ("１２３４.５", "1234.5"), (2.5, "2.5"), (3.3000000000000003, "3.3"), ("0.75", "0.75")],
)
def test_decimals_in_every_form(value, expected):
    assert SheetDecimalWidget().clean(value) == Decimal(expected)


@pytest.mark.parametrize("value", ["1.2.3", "abc", "1,23.5"])
def test_a_bad_decimal_is_no_conversion_syntax(value):
    with pytest.raises(ValidationError) as caught:
        SheetDecimalWidget().clean(value)
    assert caught.value.code == ERR_IMPORT_NUMBER
    assert "ConversionSyntax" not in str(caught.value.message)


def test_blank_cells_are_none_where_the_column_may_be_blank():
    for widget in (
        SheetDateWidget(),
        SheetMonthWidget(),
        SheetIntegerWidget(blank=True),
        SheetDecimalWidget(blank=True),
    ):
        assert widget.clean("") is None and widget.clean(None) is None and widget.clean("　") is None


@pytest.mark.parametrize("widget", [SheetIntegerWidget(), SheetDecimalWidget()])
@pytest.mark.parametrize("value", ["", None, "　"])
def test_a_blank_figure_cell_is_refused_not_zero(widget, value):
    widget.column_label = "接处警数"
    with pytest.raises(ValidationError) as caught:
        widget.clean(value)
    assert caught.value.code == ERR_IMPORT_BLANK
    assert "接处警数不能为空" in caught.value.message % caught.value.params


ODS_TYPE = "application/vnd.oasis.opendocument.spreadsheet"
END_CELL = "</table:table-cell>"


def ods(rows: list[list[str]]) -> bytes:
    """A minimal OpenDocument spreadsheet (what WPS and LibreOffice save as .ods), all cells text."""
    import zipfile
    from xml.sax.saxutils import escape

    body = "".join(
        "<table:table-row>"
        + "".join(
            f'<table:table-cell office:value-type="string"><text:p>{escape(c)}</text:p></table:table-cell>' for c in row
        )
        + "</table:table-row>"
        for row in rows
    )
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="花名册">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
        f'manifest:media-type="{ODS_TYPE}"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", ODS_TYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return buffer.getvalue()


def test_ods_is_read():
    sheet = sheet_read(ods([["花名册"], [], ["姓名", "身份证号"], ["张三", ID_TYPED]]))

    assert sheet.numbers == [1, 3, 4]
    assert sheet.rows[2][:2] == ["张三", ID_TYPED]


def test_a_refused_numeric_identifier_is_shown_as_excel_shows_it():
    table = table_read(Sheet([["姓名", "身份证号"], ["张三", ID_AS_EXCEL_KEEPS]], [1, 2]), COLUMNS)
    assert table.rows == [["张三", "4.31302196002299E+17"]]
