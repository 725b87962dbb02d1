"""Import defects a clerk's trial found (issue 11, trial part A): a 是/否 cell read as 否 whatever it
said, a blank figure stored as 0, an unchanged export re-imported rewriting every row, official
division codes accepted in forms no list has, and Django's garbled unique message. Each across every
import that has the kind of column."""

import datetime
import io

import pghistory.models
import pytest
from django.apps import apps
from django.contrib import admin
from openpyxl import Workbook

from governance.division_codes import ERR_DIVISION_CODE_FORMAT, ERR_DIVISION_CODE_PARENT
from governance.imports import ERR_IMPORT_MISSING_COLUMNS, SpreadsheetImport
from governance.models import Division, DivisionLevel, Person
from governance.resources import (
    ERR_IMPORT_BLANK,
    ERR_IMPORT_TAKEN,
    ERR_IMPORT_YES_NO,
    DivisionResource,
    PersonResource,
    ScopedResource,
    YesNoWidget,
)
from governance.spreadsheets import SafeXLSX
from residential.models import PropertyCompany
from residential.resources import PropertyCompanyResource
from security.models import SecurityStat
from security.resources import SecurityStatResource
from tests.factories import DivisionFactory, HouseholdFactory, PersonFactory, make_id_number
from tests.residential.factories import CompoundFactory, PropertyCompanyFactory
from tests.security.factories import SecurityStatFactory
from tests.villages.factories import make_hamlet, make_household, make_plot
from villages.models import ContractPlot
from villages.resources import ContractPlotResource

pytestmark = pytest.mark.django_db

DIVISION_HEADERS = ["区划代码", "名称", "层级", "上级区划代码", "排序", "启用"]
STAT_HEADERS = ["区划代码", "月份", "接处警数", "刑事立案数", "行政案件数", "已确认完整"]
PLOT_HEADERS = ["户号", "承包合同编号", "面积（亩）", "坐落", "有效"]


def upload(headers, rows):
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SpreadsheetImport().create_dataset(buffer.getvalue())


def errors(result) -> dict[int, dict[str, list]]:
    return {row.number: dict(row.error.message_dict) for row in result.invalid_rows}


def codes(result) -> dict[int, dict[str, list[str]]]:
    return {
        row.number: {field: [e.code for e in found] for field, found in row.error.error_dict.items()}
        for row in result.invalid_rows
    }


# --- 1. 是/否 columns ------------------------------------------------------------------------------------

YES = ["是", "√", "✓", "对", "Yes", "YES", "Y", "y", "ｙ", "1", 1, "TRUE", True, "已确认", "启用", "有"]
NO = ["否", "×", "✗", "错", "No", "N", "0", 0, "FALSE", False, "未确认", "停用", "无"]


@pytest.mark.parametrize(("value", "expected"), [*((v, True) for v in YES), *((v, False) for v in NO)])
def test_a_yes_no_cell_reads_every_documented_word(value, expected):
    assert YesNoWidget().clean(value) is expected


@pytest.mark.parametrize("value", ["好的", "X", "是的吧", "2", "ok"])
def test_a_yes_no_cell_with_another_word_is_refused_naming_column_and_value(value):
    widget = YesNoWidget()
    widget.column_label = "启用"
    with pytest.raises(Exception) as caught:
        widget.clean(value)
    assert caught.value.code == ERR_IMPORT_YES_NO
    message = caught.value.message % caught.value.params
    assert message.startswith(f"启用“{value}”不是有效的是/否值")


def test_a_blank_yes_no_cell_is_none_where_optional_and_refused_where_required():
    assert YesNoWidget().clean("") is None
    widget = YesNoWidget(blank=False)
    widget.column_label = "已确认完整"
    with pytest.raises(Exception) as caught:
        widget.clean("　")
    assert caught.value.code == ERR_IMPORT_BLANK


@pytest.mark.parametrize("value", ["√", "对", "Yes", "Y", "已确认"])
def test_division_import_reads_a_tick_as_active(district_admin, divisions, value):
    rows = [["431302001003", "新村", "村", "431302001", 1, value]]

    result = DivisionResource(user=district_admin).import_data(upload(DIVISION_HEADERS, rows), dry_run=False)

    assert not result.has_validation_errors(), errors(result)
    assert Division.objects.get(code="431302001003").is_active is True


def test_division_import_with_an_unknown_yes_no_word_writes_nothing(district_admin, divisions):
    rows = [
        ["431302001003", "新村", "村", "431302001", 1, "是"],
        ["431302001004", "又一村", "村", "431302001", 2, "好"],
    ]

    result = DivisionResource(user=district_admin).import_data(upload(DIVISION_HEADERS, rows), dry_run=False)

    assert codes(result) == {3: {"启用": [ERR_IMPORT_YES_NO]}}
    assert errors(result)[3]["启用"][0].startswith("启用“好”不是有效的是/否值")
    assert not Division.objects.filter(code__in=["431302001003", "431302001004"]).exists()


def test_division_import_with_a_blank_optional_yes_no_takes_the_default(district_admin, divisions):
    rows = [["431302001003", "新村", "村", "431302001", "", ""]]

    result = DivisionResource(user=district_admin).import_data(upload(DIVISION_HEADERS, rows), dry_run=False)

    assert not result.has_validation_errors(), errors(result)
    created = Division.objects.get(code="431302001003")
    assert (created.is_active, created.sort_order) == (True, 0)


def test_security_figures_confirmed_complete_by_yi_que_ren(district_admin, divisions):
    rows = [["431302001", "2025-06", 3, 1, 0, "已确认"], ["431302002", "2025-06", 3, 1, 0, "√"]]

    result = SecurityStatResource(user=district_admin).import_data(upload(STAT_HEADERS, rows), dry_run=False)

    assert not result.has_validation_errors(), errors(result)
    assert list(SecurityStat.objects.values_list("is_complete", flat=True)) == [True, True]


def test_plot_with_an_unknown_yes_no_word_writes_nothing(officer, divisions):
    household = make_household(make_hamlet(divisions["v11"]))
    rows = [[household.number, "CB-T-1", 1.5, "塘边", "有效"], [household.number, "CB-T-2", 1.5, "塘边", "作废?"]]

    result = ContractPlotResource(user=officer).import_data(upload(PLOT_HEADERS, rows), dry_run=False)

    assert codes(result) == {3: {"有效": [ERR_IMPORT_YES_NO]}}
    assert not ContractPlot.objects.exists()


# --- 2. blank figures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("column", [2, 3, 4])
def test_a_blank_figure_on_update_is_refused_and_the_stored_figure_kept(district_admin, divisions, column):
    stat = SecurityStatFactory(
        division=divisions["t1"],
        month=datetime.date(2025, 6, 1),
        police_incidents=143,
        criminal_cases=7,
        administrative_cases=9,
    )
    row = ["431302001", "2025-06", 143, 7, 9, "否"]
    row[column] = ""

    result = SecurityStatResource(user=district_admin).import_data(upload(STAT_HEADERS, [row]), dry_run=False)

    header = STAT_HEADERS[column]
    assert codes(result) == {2: {header: [ERR_IMPORT_BLANK]}}
    assert errors(result)[2][header] == [f"{header}不能为空：请填写数字，没有就填0。"]
    stat.refresh_from_db()
    assert (stat.police_incidents, stat.criminal_cases, stat.administrative_cases) == (143, 7, 9)


def test_a_new_figure_row_with_a_blank_is_refused(district_admin, divisions):
    rows = [["431302001", "2025-06", "", 1, 0, "否"]]

    result = SecurityStatResource(user=district_admin).import_data(upload(STAT_HEADERS, rows), dry_run=False)

    assert codes(result) == {2: {"接处警数": [ERR_IMPORT_BLANK]}}
    assert not SecurityStat.objects.exists()


@pytest.mark.parametrize("left_out", ["刑事立案数", "行政案件数"])
def test_a_figures_file_without_a_figure_column_is_refused_naming_it(district_admin, divisions, left_out):
    stat = SecurityStatFactory(division=divisions["t1"], month=datetime.date(2025, 6, 1), criminal_cases=7)
    headers = [h for h in STAT_HEADERS if h != left_out]
    figures = {"接处警数": 1, "刑事立案数": 7, "行政案件数": 2}
    row = {"区划代码": "431302001", "月份": "2025-06", **figures, "已确认完整": "否"}
    new = {**row, "区划代码": "431302002"}

    result = SecurityStatResource(user=district_admin).import_data(
        upload(headers, [[r[h] for h in headers] for r in (row, new)]), dry_run=False
    )

    assert [error.error.code for error in result.base_errors] == [ERR_IMPORT_MISSING_COLUMNS]
    assert f"缺少列：{left_out}" in str(result.base_errors[0].error)
    assert SecurityStat.objects.count() == 1
    stat.refresh_from_db()
    assert stat.police_incidents == 0


def test_a_blank_plot_area_is_refused_naming_the_column(officer, divisions):
    household = make_household(make_hamlet(divisions["v11"]))
    plot = make_plot(household, area="2.50")
    rows = [[household.number, plot.contract_number, "", plot.location, "是"]]

    result = ContractPlotResource(user=officer).import_data(upload(PLOT_HEADERS, rows), dry_run=False)

    assert codes(result) == {2: {"面积（亩）": [ERR_IMPORT_BLANK]}}
    plot.refresh_from_db()
    assert str(plot.area) == "2.50"


# --- 3. an unchanged export re-imported writes nothing ---------------------------------------------------


def audit_event_count() -> int:
    return sum(
        model.objects.count()
        for model in apps.get_models()
        if issubclass(model, pghistory.models.Event) and not model._meta.proxy
    )


def import_resources():
    for model_admin in admin.site._registry.values():
        for resource_class in getattr(model_admin, "resource_classes", None) or []:
            if issubclass(resource_class, ScopedResource):
                yield model_admin.model, resource_class


@pytest.fixture
def every_register(divisions):
    """A row or two of each register an admin import writes, in the district's scope."""
    community = DivisionFactory(
        code="431302001101", name="社区1", level=DivisionLevel.COMMUNITY, parent=divisions["t1"]
    )
    CompoundFactory(community=community)
    hamlet = make_hamlet(divisions["v11"])
    make_plot(make_household(hamlet))
    HouseholdFactory(division=divisions["v12"], with_head=True)
    PersonFactory(division=divisions["v12"])
    PropertyCompanyFactory(division=divisions["t1"])
    SecurityStatFactory(division=divisions["t1"], month=datetime.date(2025, 5, 1), police_incidents=143)


@pytest.mark.parametrize("skip_diff", [False, True], ids=["admin preview", "background job"])
def test_every_import_of_an_unchanged_export_writes_no_row_and_no_audit_event(
    district_admin, every_register, skip_diff
):
    walked = []
    for model, resource_class in import_resources():
        exporter = resource_class(user=district_admin)
        exported = exporter.export(exporter.get_queryset())
        assert len(exported), model
        data = SafeXLSX().export_data(exported)
        before = audit_event_count()

        result = resource_class(user=district_admin, skip_diff=skip_diff).import_data(
            SpreadsheetImport().create_dataset(data), dry_run=False
        )

        assert not result.has_errors() and not result.has_validation_errors(), (model, errors(result))
        assert (result.totals["new"], result.totals["update"]) == (0, 0), (model, dict(result.totals))
        assert audit_event_count() == before, model
        walked.append(model._meta.model_name)
    assert len(walked) >= 8, walked


# --- 4. official division codes ------------------------------------------------------------------------


@pytest.fixture
def shanshan(divisions):
    return DivisionFactory(code="431302100", name="杉山镇", level=DivisionLevel.TOWNSHIP, parent=divisions["district"])


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("43130210O201", "村"),  # a letter O among the digits
        ("ABC", "村"),
        ("ABC", "乡镇"),
        ("431302100000000", "村"),  # 15 digits
        ("4313021002", "社区"),
        ("431302100201", "乡镇"),  # a village's form for a township
    ],
)
def test_an_official_level_takes_only_its_digit_form(district_admin, shanshan, code, level):
    parent = "431302100" if level != "乡镇" else "431302"
    rows = [[code, "某村", level, parent, 1, "是"]]

    result = DivisionResource(user=district_admin).import_data(upload(DIVISION_HEADERS, rows), dry_run=False)

    assert set(codes(result)[2]["区划代码"]) == {ERR_DIVISION_CODE_FORMAT}
    assert not Division.objects.filter(code=code).exists()
    assert any(f"区划代码“{code}”不是有效的" in message for message in errors(result)[2]["区划代码"])
    assert not Division.objects.filter(name="某村").exists()


def test_an_official_code_must_begin_with_its_parents(district_admin, shanshan):
    rows = [["431302101201", "某村", "村", "431302100", 1, "是"]]

    result = DivisionResource(user=district_admin).import_data(upload(DIVISION_HEADERS, rows), dry_run=False)

    assert codes(result) == {2: {"区划代码": [ERR_DIVISION_CODE_PARENT]}}


def test_official_codes_in_their_forms_and_platform_codes_import(district_admin, shanshan):
    rows = [
        ["431302100201", "某村", "村", "431302100", 1, "是"],
        ["431302101000", "万宝镇", "乡镇", "431302", 2, "是"],  # the published 12-digit form of a township
        ["431302100201001", "某屋场", "屋场", "431302100201", 1, "是"],
        ["431302100201-G1", "一网格", "网格", "431302100201", 2, "是"],
    ]

    result = DivisionResource(user=district_admin).import_data(upload(DIVISION_HEADERS, rows), dry_run=False)

    assert not result.has_validation_errors(), errors(result)
    assert set(Division.objects.filter(parent__isnull=False).values_list("code", flat=True)) >= {
        "431302100201",
        "431302101",
        "431302100201001",
        "431302100201-G1",
    }


# --- 5. a unique value another row holds ---------------------------------------------------------------

PERSON_HEADERS = ["姓名", "身份证号", "联系电话", "政治面貌", "区划代码", "备注"]


def test_an_id_number_registered_elsewhere_gets_a_plain_message_that_says_not_where(officer, divisions):
    other = PersonFactory(division=divisions["v21"], name="外村人")
    rows = [["张三", other.id_number, "", "群众", "431302001001", ""]]

    result = PersonResource(user=officer).import_data(upload(PERSON_HEADERS, rows), dry_run=False)

    assert codes(result) == {2: {"身份证号": [ERR_IMPORT_TAKEN]}}
    assert errors(result)[2]["身份证号"] == ["该身份证号已登记，不能重复登记；如需迁入本辖区，请联系区级管理员。"]
    assert Person.objects.count() == 1


@pytest.mark.parametrize("skip_diff", [False, True], ids=["admin preview", "background job"])
def test_an_id_number_registered_elsewhere_in_a_bigger_file_too(officer, divisions, skip_diff):
    other = PersonFactory(division=divisions["v21"])
    rows = [
        ["张三", other.id_number, "", "群众", "431302001001", ""],
        ["李四", make_id_number(), "", "群众", "431302001001", ""],
    ]

    result = PersonResource(user=officer, skip_diff=skip_diff).import_data(upload(PERSON_HEADERS, rows), dry_run=True)

    assert codes(result) == {2: {"身份证号": [ERR_IMPORT_TAKEN]}}


def test_a_code_held_outside_the_scope_is_a_plain_message(officer, divisions):
    DivisionFactory(code="WG-1", name="外村网格", level=DivisionLevel.GRID, parent=divisions["v21"])
    rows = [["WG-1", "本村网格", "网格", "431302001001", 1, "是"]]

    result = DivisionResource(user=officer).import_data(upload(DIVISION_HEADERS, rows), dry_run=False)

    assert errors(result) == {2: {"区划代码": ["该区划代码已登记，不能重复登记。"]}}
    assert Division.objects.get(code="WG-1").name == "外村网格"


def test_a_credit_code_held_outside_the_scope_is_a_plain_message(officer, divisions):
    company = PropertyCompanyFactory(division=divisions["v21"])
    headers = ["企业名称", "统一社会信用代码", "联系人", "联系电话", "地址", "监管区划代码"]
    rows = [["某物业", company.uscc, "王五", "", "", "431302001001"]]

    result = PropertyCompanyResource(user=officer).import_data(upload(headers, rows), dry_run=False)

    assert errors(result) == {2: {"统一社会信用代码": ["该统一社会信用代码已登记，不能重复登记。"]}}
    assert PropertyCompany.objects.count() == 1
