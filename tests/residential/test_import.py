"""Compounds and property companies from clerks' spreadsheets (issue 11, items 1, 5, 7), and a compound
found again by its 小区代码 through the file's one lookup (item 8)."""

import datetime
import io

import pytest
from openpyxl import Workbook

from governance.imports import ERR_IMPORT_DUPLICATE, ERR_IMPORT_NUMERIC_ID, SpreadsheetImport
from governance.resources import ERR_IMPORT_DATE
from residential.models import Compound, PropertyCompany
from residential.resources import CompoundResource, PropertyCompanyResource
from tests.factories import user_with_role
from tests.governance.test_import import dataset
from tests.residential.factories import make_uscc

pytestmark = pytest.mark.django_db


def upload(rows) -> object:
    book = Workbook()
    sheet = book.active
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


COMPOUND_HEADERS = ["小区代码", "小区名称", "所属社区代码", "地址", "纳入星物管日期"]
JUNE_FIRST = datetime.date(2025, 6, 1)


def test_compound_dates_in_every_form_are_the_same_date(district_admin, divisions):
    community = divisions["c11"].code
    forms = [JUNE_FIRST, 45809, "2025/6/1", "2025-06-01", "2025年6月1日", "2025.6.1"]
    rows = [COMPOUND_HEADERS] + [[f"{community}C9{i}", f"小区{i}", community, "", form] for i, form in enumerate(forms)]

    result = CompoundResource(user=district_admin).import_data(upload(rows), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors(), codes(result)
    assert list(Compound.objects.values_list("joined_on", flat=True)) == [JUNE_FIRST] * len(forms)


def test_a_bad_compound_date_is_named_in_chinese_and_nothing_is_written(district_admin, divisions):
    community = divisions["c11"].code
    rows = [COMPOUND_HEADERS, [f"{community}C91", "小区", community, "", "2025年13月1日"]]

    result = CompoundResource(user=district_admin).import_data(upload(rows), dry_run=False)

    assert codes(result) == {2: {"纳入星物管日期": [ERR_IMPORT_DATE]}}
    assert "不是有效的日期" in result.invalid_rows[0].error.message_dict["纳入星物管日期"][0]
    assert not Compound.objects.exists()


COMPANY_HEADERS = ["企业名称", "统一社会信用代码", "联系人", "联系电话", "地址", "监管区划代码"]


def test_a_numeric_credit_code_cell_is_refused_and_a_doubled_one_names_both_rows(district_admin, divisions):
    district = divisions["district"].code
    uscc = make_uscc(7)
    rows = [
        COMPANY_HEADERS,
        ["甲物业", 914313020000000000, "", "", "", district],
        ["乙物业", uscc, "", "", "", district],
        ["丙物业", uscc.lower(), "", "", "", district],
    ]

    result = PropertyCompanyResource(user=district_admin).import_data(upload(rows), dry_run=False)

    assert codes(result) == {
        2: {"统一社会信用代码": [ERR_IMPORT_NUMERIC_ID]},
        3: {"统一社会信用代码": [ERR_IMPORT_DUPLICATE]},
        4: {"统一社会信用代码": [ERR_IMPORT_DUPLICATE]},
    }
    assert "单元格B2" in result.invalid_rows[0].error.message_dict["统一社会信用代码"][0]
    assert not PropertyCompany.objects.exists()


def test_a_compound_imported_again_is_updated_not_added(divisions):
    admin = user_with_role("district_admin", divisions["district"], username="admin_compounds")
    first = CompoundResource(user=admin).import_data(
        dataset(COMPOUND_HEADERS, [["431302001101001", "旧名小区", "431302001101", "一路1号", ""]])
    )
    assert not first.has_errors() and not first.has_validation_errors()

    again = CompoundResource(user=admin, skip_diff=True).import_data(
        dataset(COMPOUND_HEADERS, [["431302001101001", "新名小区", "431302001101", "一路2号", ""]])
    )

    assert not again.has_errors() and not again.has_validation_errors(), again.invalid_rows
    compound = Compound.objects.select_related("division").get()
    assert (compound.division.name, compound.address) == ("新名小区", "一路2号")


def test_a_compound_outside_the_scope_is_not_found(divisions):
    admin = user_with_role("district_admin", divisions["district"], username="admin_compounds")
    CompoundResource(user=admin).import_data(
        dataset(COMPOUND_HEADERS, [["431302002101001", "外镇小区", "431302002101", "", ""]])
    )
    officer = user_with_role("community_officer", divisions["c11"], username="officer_c11")

    result = CompoundResource(user=officer).import_data(
        dataset(COMPOUND_HEADERS, [["431302002101001", "改名", "431302002101", "", ""]])
    )

    assert result.has_validation_errors() or result.has_errors()
    assert Compound.objects.select_related("division").get().division.name == "外镇小区"
