"""Real files through the real admin import view (issue 11, items 1–7): people and households as a
clerk uploads them — merged title rows, blank rows, aliased and untidy headings, GBK CSV, old .xls,
numeric 身份证号 cells, the same key twice. Bad input writes nothing and never shows a traceback."""

import codecs
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from governance.imports import (
    ERR_IMPORT_DUPLICATE,
    ERR_IMPORT_MISSING_COLUMNS,
    ERR_IMPORT_NO_HEADER,
    ERR_IMPORT_NUMERIC_ID,
)
from governance.models import Household, HouseholdMember, Person, PoliticalStatus
from governance.validators import ERR_ID_CHECKSUM
from tests.auth import verified_login
from tests.factories import PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
ID_TYPED = "431302196002299120"
ID_SECOND = "43130219850315018X"
VILLAGE = "431302001001"
PEOPLE_IMPORT = "admin:governance_person_import"
PEOPLE_CONFIRM = "admin:governance_person_process_import"
HOUSEHOLDS_IMPORT = "admin:governance_household_import"
HOUSEHOLDS_CONFIRM = "admin:governance_household_process_import"


def roster_xlsx(rows: list[list | None], title: str | None = "娄星区XX村人员花名册", width: int = 6) -> bytes:
    """A workbook as a village keeps it: a merged title row (A1 across ``width`` columns) and the
    given rows below it (``None`` is a blank row)."""
    book = Workbook()
    sheet = book.active
    if title:
        sheet["A1"] = title
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    start = 2 if title else 1
    for offset, row in enumerate(rows):
        for column, value in enumerate(row or [], start=1):
            if value is not None:
                sheet.cell(row=start + offset, column=column, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, url_name: str, name: str, data: bytes):
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client.post(reverse(url_name), {"import_file": file, "format": "0", "resource": "0"})
    assert response.status_code == 200
    return response


def confirm(client, preview, url_name: str):
    assert "confirm_form" in preview.context, page_errors(preview)
    response = client.post(reverse(url_name), preview.context["confirm_form"].initial)
    assert response.status_code == 302
    return response


def page_errors(response) -> dict:
    result = response.context.get("result")
    if result is None:
        return {"form": response.context["form"].errors}
    return {
        "base": [str(e.error) for e in result.base_errors],
        "rows": {row.number: row.error.message_dict for row in result.invalid_rows},
    }


def row_codes(response) -> dict[int, dict[str, list[str]]]:
    return {
        row.number: {field: [e.code for e in errors] for field, errors in row.error.error_dict.items()}
        for row in response.context["result"].invalid_rows
    }


def assert_no_english_and_no_traceback(response):
    html = response.content.decode()
    for word in ("Traceback", "FieldError", "encountered", "ConversionSyntax", "could not be parsed", "KeyError"):
        assert word not in html, word


@pytest.fixture
def clerk(client, officer):
    verified_login(client, officer)
    return client


# --- 1. a 身份证号 that Excel made a number of --------------------------------------------------


def test_numeric_id_cell_in_xlsx_is_refused_naming_the_cell(clerk, divisions):
    rows = [None, ["序号", "姓名", "身份证号", "联系电话", "区划代码"], [1, "张三", 431302196002299120, "", VILLAGE]]

    response = upload(clerk, PEOPLE_IMPORT, "花名册.xlsx", roster_xlsx(rows))

    assert row_codes(response) == {4: {"身份证号": [ERR_IMPORT_NUMERIC_ID]}}
    html = response.content.decode()
    assert "单元格C4" in html and "4.31302196002299E+17" in html and "文本" in html
    assert "confirm_form" not in response.context
    assert not Person.objects.exists()


def test_numeric_id_in_a_csv_saved_by_excel_is_refused(clerk, divisions):
    text = (
        "姓名,身份证号,区划代码\r\n张三,4.31302196002299E+17,431302001001\r\n李四,43130219850315018X,431302001001\r\n"
    )

    response = upload(clerk, PEOPLE_IMPORT, "people.csv", text.encode("gbk"))

    assert row_codes(response) == {2: {"身份证号": [ERR_IMPORT_NUMERIC_ID]}}
    assert "单元格B2" in response.content.decode()
    assert not Person.objects.exists()


def test_numeric_id_in_an_old_xls_is_refused(clerk, divisions):
    response = upload(clerk, PEOPLE_IMPORT, "people.xls", (FIXTURES / "people_numeric_id.xls").read_bytes())

    assert row_codes(response) == {4: {"身份证号": [ERR_IMPORT_NUMERIC_ID]}}
    assert "单元格D4" in response.content.decode()
    assert not Person.objects.exists()


def test_numeric_head_id_cell_in_a_household_file_is_refused(clerk, divisions):
    head = PersonFactory(division=divisions["v11"], id_number=ID_TYPED)
    rows = [["户号", "住址", "区划代码", "户主身份证号"], ["H1", "1号", VILLAGE, float(head.id_number)]]

    response = upload(clerk, HOUSEHOLDS_IMPORT, "户.xlsx", roster_xlsx(rows, title=None))

    assert row_codes(response) == {2: {"户主身份证号": [ERR_IMPORT_NUMERIC_ID]}}
    assert "单元格D2" in response.content.decode()
    assert not Household.objects.exists()


# --- 2 and 6. title rows, blank rows, untidy headings, sheet row numbers ------------------------


def test_roster_with_title_blank_rows_and_aliases_imports(clerk, divisions):
    rows = [
        None,
        ["序号", "名字 ", "身份证号码　", "手机号", "政治面貌", "区划代码"],
        [1, "张三", ID_TYPED, "138-1234-5678", "中共党员", VILLAGE],
        None,
        [2, "李四", ID_SECOND.lower(), 13812345679, "群众", int(VILLAGE)],
    ]

    preview = upload(clerk, PEOPLE_IMPORT, "花名册.xlsx", roster_xlsx(rows))
    assert_no_english_and_no_traceback(preview)
    confirm(clerk, preview, PEOPLE_CONFIRM)

    people = {p.id_number: p for p in Person.objects.all()}
    assert set(people) == {ID_TYPED, ID_SECOND}
    assert (people[ID_TYPED].name, people[ID_TYPED].phone) == ("张三", "13812345678")
    assert people[ID_TYPED].political_status == PoliticalStatus.PARTY_MEMBER
    assert (people[ID_SECOND].phone, people[ID_SECOND].division) == ("13812345679", divisions["v11"])


def test_a_bad_cell_in_excel_row_4_is_reported_as_row_4(clerk, divisions):
    bad = ID_TYPED[:17] + "1"
    rows = [None, ["姓名", "身份证号", "区划代码"], ["张三", bad, VILLAGE], None, ["李四", ID_SECOND, VILLAGE]]

    response = upload(clerk, PEOPLE_IMPORT, "花名册.xlsx", roster_xlsx(rows, width=3))

    assert row_codes(response) == {4: {"身份证号": [ERR_ID_CHECKSUM]}}
    assert not Person.objects.exists()


def test_a_bad_cell_after_blank_rows_keeps_its_row_number(clerk, divisions):
    rows = [
        ["姓名", "身份证号", "区划代码"],
        ["张三", ID_TYPED, VILLAGE],
        None,
        None,
        ["李四", ID_SECOND, "431302009009"],
    ]

    response = upload(clerk, PEOPLE_IMPORT, "p.xlsx", roster_xlsx(rows, title=None))

    assert list(row_codes(response)) == [5]


def test_a_file_without_a_matching_header_says_which_columns_were_expected(clerk, divisions):
    rows = [["甲", "乙", "丙"], ["张三", ID_TYPED, VILLAGE]]

    response = upload(clerk, PEOPLE_IMPORT, "p.xlsx", roster_xlsx(rows))

    result = response.context["result"]
    assert [e.error.code for e in result.base_errors] == [ERR_IMPORT_NO_HEADER]
    html = response.content.decode()
    assert "未找到表头" in html and "姓名（或：名字）" in html and "身份证号（或：身份证号码" in html
    assert_no_english_and_no_traceback(response)
    assert "confirm_form" not in response.context
    assert not Person.objects.exists()


def test_a_household_file_without_its_key_column_names_it(clerk, divisions):
    rows = [["住址", "区划代码"], ["1号", VILLAGE]]

    response = upload(clerk, HOUSEHOLDS_IMPORT, "h.xlsx", roster_xlsx(rows, title=None))

    result = response.context["result"]
    assert [e.error.code for e in result.base_errors] == [ERR_IMPORT_MISSING_COLUMNS]
    assert "缺少列：户号" in response.content.decode()
    assert_no_english_and_no_traceback(response)


def test_household_file_with_title_and_aliases_imports(clerk, divisions):
    head = PersonFactory(division=divisions["v11"])
    rows = [
        None,
        ["户编号", "家庭住址 ", "行政区划代码", "户主身份证号码"],
        ["H7", "7号", VILLAGE, head.id_number.lower()],
    ]

    preview = upload(clerk, HOUSEHOLDS_IMPORT, "户.xlsx", roster_xlsx(rows, width=4))
    confirm(clerk, preview, HOUSEHOLDS_CONFIRM)

    household = Household.objects.get(number="H7")
    assert (household.address, household.head) == ("7号", head)


# --- 3. CSV encodings ----------------------------------------------------------------------------

PEOPLE_CSV = (
    f"姓名,身份证号,联系电话,区划代码\r\n张三,{ID_TYPED},13812345678,{VILLAGE}\r\n李四,{ID_SECOND},,{VILLAGE}\r\n"
)


@pytest.mark.parametrize(
    "data",
    [
        PEOPLE_CSV.encode("gbk"),
        b"\x84\x31\x95\x33" + PEOPLE_CSV.encode("gb18030"),
        PEOPLE_CSV.encode("utf-8"),
        codecs.BOM_UTF8 + PEOPLE_CSV.encode("utf-8"),
    ],
    ids=["gbk", "gb18030-bom", "utf8", "utf8-bom"],
)
def test_csv_in_gbk_or_utf8_imports_through_the_admin(clerk, divisions, data):
    preview = upload(clerk, PEOPLE_IMPORT, "people.csv", data)
    confirm(clerk, preview, PEOPLE_CONFIRM)

    assert dict(Person.objects.values_list("id_number", "name")) == {ID_TYPED: "张三", ID_SECOND: "李四"}


# --- 4. old .xls and files that cannot be read ---------------------------------------------------


def test_old_xls_imports_through_the_admin(clerk, divisions):
    preview = upload(clerk, PEOPLE_IMPORT, "people.xls", (FIXTURES / "people.xls").read_bytes())
    confirm(clerk, preview, PEOPLE_CONFIRM)

    people = {p.id_number: p for p in Person.objects.all()}
    assert set(people) == {ID_TYPED, ID_SECOND}
    assert people[ID_SECOND].phone == "13812345679"
    assert people[ID_TYPED].political_status == PoliticalStatus.PARTY_MEMBER


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("people.xlsx", roster_xlsx([["姓名"]])[:300]),
        ("people.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 700),
        ("people.xls", "<html><table><tr><td>姓名</td></tr></table></html>".encode()),
    ],
    ids=["truncated-xlsx", "broken-xls", "html-named-xls"],
)
def test_a_file_that_cannot_be_read_gets_a_chinese_form_error(clerk, divisions, name, data):
    response = upload(clerk, PEOPLE_IMPORT, name, data)

    errors = response.context["form"].errors["import_file"]
    assert errors and all("另存为 .xlsx" in e for e in errors)
    assert_no_english_and_no_traceback(response)
    assert "BadZipFile" not in response.content.decode()
    assert not Person.objects.exists()


# --- 7. the same key twice -----------------------------------------------------------------------


def test_the_same_id_number_twice_names_both_rows_and_writes_nothing(clerk, divisions):
    rows = [
        ["姓名", "身份证号", "区划代码"],
        ["张三", ID_SECOND, VILLAGE],
        ["张三", ID_SECOND.lower(), VILLAGE],  # the same number, small x
        ["无证", "", VILLAGE],
        ["无证", "", VILLAGE],  # no number: two new people, no duplicate
    ]

    response = upload(clerk, PEOPLE_IMPORT, "p.xlsx", roster_xlsx(rows, title=None))

    assert row_codes(response) == {2: {"身份证号": [ERR_IMPORT_DUPLICATE]}, 3: {"身份证号": [ERR_IMPORT_DUPLICATE]}}
    assert "第2行与第3行身份证号重复" in response.content.decode()
    assert not Person.objects.exists()


def test_the_same_household_number_twice_names_both_rows(clerk, divisions):
    head = PersonFactory(division=divisions["v11"], id_number=make_id_number())
    rows = [
        ["户号", "住址", "区划代码", "户主身份证号"],
        ["H1", "1号", VILLAGE, head.id_number],
        ["H2", "2号", VILLAGE, ""],
        ["H1", "3号", VILLAGE, ""],
    ]

    response = upload(clerk, HOUSEHOLDS_IMPORT, "h.xlsx", roster_xlsx(rows, title=None))

    assert row_codes(response) == {2: {"户号": [ERR_IMPORT_DUPLICATE]}, 4: {"户号": [ERR_IMPORT_DUPLICATE]}}
    assert "第2行与第4行户号重复" in response.content.decode()
    assert not Household.objects.exists() and not HouseholdMember.objects.exists()


# --- every import: one reader, documented aliases ----------------------------------------------------


def import_resources():
    from django.contrib import admin
    from import_export.admin import ImportMixin

    return [
        resource_class()
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, ImportMixin)
        for resource_class in model_admin.get_import_resource_classes(None)
    ]


def test_every_import_has_a_key_column_and_no_heading_names_two_columns():
    from governance.imports import header_key

    resources = import_resources()
    assert len(resources) >= 8  # people, households, divisions, 屋场, plots, compounds, companies, figures
    for resource in resources:
        columns = resource.import_columns()
        assert any(c.in_key for c in columns), resource
        headings = [header_key(name) for c in columns for name in (c.header, *c.aliases)]
        assert len(headings) == len(set(headings)), resource


def test_readme_lists_every_heading_alias():
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Importing spreadsheets", 1)[1].split("\n## ", 1)[0]
    missing = [
        f"{resource._meta.name}: {alias}"
        for resource in import_resources()
        for column in resource.import_columns()
        for alias in column.aliases
        if alias not in section
    ]
    assert missing == []


def test_the_same_division_code_twice_names_both_rows(district_admin, divisions):
    from governance.imports import SpreadsheetImport
    from governance.models import Division
    from governance.resources import DivisionResource

    rows = [
        ["区划代码", "名称", "层级", "上级区划代码"],
        ["431302001001801", "甲屋场", "屋场", VILLAGE],
        ["431302001001801", "乙屋场", "屋场", VILLAGE],
    ]

    result = DivisionResource(user=district_admin).import_data(
        SpreadsheetImport().create_dataset(roster_xlsx(rows, title=None)), dry_run=False
    )

    assert {r.number: list(r.error.error_dict) for r in result.invalid_rows} == {2: ["区划代码"], 3: ["区划代码"]}
    assert result.invalid_rows[0].error.message_dict["区划代码"][0].startswith("第2行与第3行区划代码重复")
    assert not Division.objects.filter(code="431302001001801").exists()


def test_the_import_page_lists_the_headings_each_column_accepts(clerk, divisions):
    from django.utils.html import escape

    response = clerk.get(reverse(PEOPLE_IMPORT))

    assert response.status_code == 200
    html = response.content.decode()
    assert escape("身份证号（或：身份证号码、公民身份号码") in html
    assert escape("联系电话（或：手机号") in html
