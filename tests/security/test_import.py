"""Monthly security figures from a clerk's spreadsheet (issue 11, items 5–7): months and counts in
every form Excel and clerks write them, Chinese errors naming the column, the same month twice refused."""

import datetime
import io

import pytest
from openpyxl import Workbook

from governance.imports import ERR_IMPORT_DUPLICATE, SpreadsheetImport
from governance.resources import ERR_IMPORT_DATE, ERR_IMPORT_NUMBER
from security.models import SecurityStat
from security.resources import SecurityStatResource

pytestmark = pytest.mark.django_db

HEADERS = ["区划代码", "月份", "接处警数", "刑事立案数", "行政案件数"]


def upload(rows, title="2025年治安统计") -> object:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
        sheet.append([])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SpreadsheetImport().create_dataset(buffer.getvalue())


def codes(result):
    return {
        row.number: {field: [e.code for e in errors] for field, errors in row.error.error_dict.items()}
        for row in result.invalid_rows
    }


def test_months_and_counts_in_every_form_import(district_admin, divisions):
    code = divisions["t1"].code
    rows = [
        ["行政区划代码", "统计月份", "接处警", "刑事立案数", "行政案件数"],
        [code, "2025年6月", "1,234", "１２３４", 1234.0],
        [code, "2025-07", 1234, " 1,234 ", "１，２３４"],
        [code, datetime.date(2025, 8, 1), "0", "0", 3],  # a blank figure is refused (test_import_trial)
        [code, 45901, 1, 2, 3],  # an Excel serial: 2025-09-01
        [code, "2025/10/15", 1, 2, 3],  # a day of the month: the month
    ]

    result = SecurityStatResource(user=district_admin).import_data(upload(rows), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors(), codes(result)
    stats = {s.month: s for s in SecurityStat.objects.all()}
    assert sorted(stats) == [datetime.date(2025, m, 1) for m in (6, 7, 8, 9, 10)]
    june = stats[datetime.date(2025, 6, 1)]
    assert (june.police_incidents, june.criminal_cases, june.administrative_cases) == (1234, 1234, 1234)
    assert stats[datetime.date(2025, 8, 1)].criminal_cases == 0


def test_bad_month_and_bad_count_are_named_in_chinese_and_nothing_is_written(district_admin, divisions):
    code = divisions["t1"].code
    rows = [HEADERS, [code, "2025-06", 1, 2, 3], [code, "六月", "12,34", 2, 3]]

    result = SecurityStatResource(user=district_admin).import_data(upload(rows), dry_run=False)

    # the title row and a blank row stand above the header (row 3): the bad row is row 5
    assert codes(result) == {5: {"月份": [ERR_IMPORT_DATE], "接处警数": [ERR_IMPORT_NUMBER]}}
    messages = result.invalid_rows[0].error.message_dict
    assert messages["接处警数"] == ["接处警数“12,34”不是有效的整数：可写作 1234、1,234 或 １２３４。"]
    assert messages["月份"][0].startswith("月份“六月”不是有效的月份")
    assert not SecurityStat.objects.exists()


def test_the_same_division_and_month_twice_names_both_rows(district_admin, divisions):
    code = divisions["t1"].code
    rows = [
        HEADERS,
        [code, "2025-06", 1, 2, 3],
        [divisions["t2"].code, "2025-06", 1, 2, 3],
        [code, "2025年6月1日", 4, 5, 6],
    ]

    result = SecurityStatResource(user=district_admin).import_data(upload(rows, title=None), dry_run=False)

    assert codes(result) == {2: {"区划代码": [ERR_IMPORT_DUPLICATE]}, 4: {"区划代码": [ERR_IMPORT_DUPLICATE]}}
    assert result.invalid_rows[0].error.message_dict["区划代码"][0].startswith("第2行与第4行区划代码、月份重复")
    assert not SecurityStat.objects.exists()
