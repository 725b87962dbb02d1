import io
from decimal import Decimal

import pytest
from import_export.formats.base_formats import XLSX
from openpyxl import Workbook

from tests.villages.factories import make_household
from villages.models import ContractPlot, Hamlet, ShareHolding
from villages.resources import ContractPlotResource, HamletResource

pytestmark = pytest.mark.django_db


def dataset(headers, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return XLSX().create_dataset(buffer.getvalue())


HAMLET_HEADERS = ["屋场代码", "屋场名称", "村代码", "备注"]
PLOT_HEADERS = ["户号", "承包合同编号", "面积（亩）", "坐落", "有效"]


def test_hamlet_import_dry_run_writes_nothing_and_real_run_makes_bodies(officer, divisions):
    rows = [["431302001001501", "上塘屋场", divisions["v11"].code, ""]]
    result = HamletResource(user=officer).import_data(dataset(HAMLET_HEADERS, rows), dry_run=True)
    assert not result.has_errors() and not result.has_validation_errors()
    assert not Hamlet.objects.exists()
    HamletResource(user=officer).import_data(dataset(HAMLET_HEADERS, rows), dry_run=False)
    hamlet = Hamlet.objects.get(division__code="431302001001501")
    assert hamlet.division.organizations.count() == 3


def test_hamlet_import_into_another_village_is_rejected_and_writes_nothing(officer, divisions):
    rows = [["431302002001501", "越界屋场", divisions["v21"].code, ""]]
    result = HamletResource(user=officer).import_data(dataset(HAMLET_HEADERS, rows), dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert not Hamlet.objects.exists()


def test_plot_import_creates_plots_and_share_versions(officer, hamlet):
    household = make_household(hamlet)
    rows = [[household.number, "CB-IMP-1", 2.5, "塘边", "是"]]
    result = ContractPlotResource(user=officer).import_data(dataset(PLOT_HEADERS, rows), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert ContractPlot.objects.get(contract_number="CB-IMP-1").area == 2.5
    assert ShareHolding.objects.filter(household=household).count() == 1


def test_plot_import_with_negative_area_writes_nothing(officer, hamlet):
    household = make_household(hamlet)
    rows = [[household.number, "CB-IMP-2", -1, "", "是"]]
    result = ContractPlotResource(user=officer).import_data(dataset(PLOT_HEADERS, rows), dry_run=False)
    assert result.has_validation_errors()
    assert not ContractPlot.objects.exists()


# --- issue 11: real files ---------------------------------------------------------------------------


def sheet_dataset(rows):
    from governance.imports import SpreadsheetImport

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SpreadsheetImport().create_dataset(buffer.getvalue())


def test_plot_area_with_separators_and_full_width_digits_imports(officer, hamlet):
    household = make_household(hamlet)
    rows = [["承包地台账"], [], ["户编号", "合同编号", "面积", "坐落", "有效"]]
    rows += [[household.number, "CB-A", "１.５", "", "是"], [household.number, "CB-B", "1,234.5", "", "是"]]

    result = ContractPlotResource(user=officer).import_data(sheet_dataset(rows), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    assert dict(ContractPlot.objects.values_list("contract_number", "area")) == {
        "CB-A": Decimal("1.5"),
        "CB-B": Decimal("1234.5"),
    }


def test_plot_area_that_is_no_number_is_named_and_writes_nothing(officer, hamlet):
    household = make_household(hamlet)
    rows = [PLOT_HEADERS, [household.number, "CB-C", "两亩", "", "是"]]

    result = ContractPlotResource(user=officer).import_data(sheet_dataset(rows), dry_run=False)

    assert [r.number for r in result.invalid_rows] == [2]
    assert result.invalid_rows[0].error.message_dict["面积（亩）"] == [
        "面积（亩）“两亩”不是有效的数字：可写作 1234.5、1,234.5 或 １２３４.５。"
    ]
    assert not ContractPlot.objects.exists()


def test_the_same_hamlet_code_twice_names_both_rows(officer, divisions):
    village = divisions["v11"].code
    rows = [HAMLET_HEADERS, ["431302001001601", "甲屋场", village, ""], ["431302001001601", "乙屋场", village, ""]]

    result = HamletResource(user=officer).import_data(sheet_dataset(rows), dry_run=False)

    assert [r.number for r in result.invalid_rows] == [2, 3]
    assert result.invalid_rows[0].error.message_dict["屋场代码"][0].startswith("第2行与第3行屋场代码重复")
    assert not Hamlet.objects.exists()
