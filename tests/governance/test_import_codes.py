"""Issue 11 (clerk trial, part B), items 1 and 6: every column that names a division by code reads it
as the 行政区划 import does (full-width digits, the 12-digit padded form), and key columns are compared
after NFKC when the file is checked for the same key twice."""

import pytest

from governance.imports import ERR_IMPORT_DUPLICATE
from governance.models import Household, Person
from governance.resources import HouseholdResource, PersonResource
from residential.models import Compound, PropertyCompany
from residential.resources import CompoundResource, PropertyCompanyResource
from security.resources import SecurityStatResource
from tests.factories import DivisionFactory, make_id_number
from tests.governance.test_import import dataset
from tests.residential.factories import make_uscc
from villages.models import ContractPlot, Hamlet
from villages.resources import ContractPlotResource, HamletResource

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans("0123456789-H", "０１２３４５６７８９－Ｈ")


def full_width(code: str) -> str:
    return code.translate(FULL_WIDTH)


def padded(code: str) -> str:
    """A township's 9-digit code in its 12-digit statistical form (431302001 → 431302001000)."""
    return code + "000"


def assert_clean(result):
    assert not result.has_errors(), [e.error for e in result.base_errors]
    assert not result.has_validation_errors(), [r.error for r in result.invalid_rows]


@pytest.mark.parametrize("form", [full_width, padded], ids=["full-width", "12-digit"])
def test_a_person_division_code_in_any_form_is_found(district_admin, divisions, form):
    code = form(divisions["t1"].code)
    result = PersonResource(user=district_admin).import_data(
        dataset(["姓名", "身份证号", "区划代码"], [["张三", make_id_number(), code]]), dry_run=False
    )
    assert_clean(result)
    assert Person.objects.get(name="张三").division == divisions["t1"]


def test_a_full_width_village_code_is_found_by_households(district_admin, divisions):
    code = full_width(divisions["v11"].code)
    result = HouseholdResource(user=district_admin).import_data(
        dataset(["户号", "住址", "区划代码"], [["H-1", "1号", code]]), dry_run=True
    )
    assert_clean(result)


def test_a_full_width_village_code_is_found_by_hamlets(district_admin, divisions):
    village = divisions["v11"].code
    rows = [[full_width(village + "501"), "上塘屋场", full_width(village), ""]]
    result = HamletResource(user=district_admin).import_data(
        dataset(["屋场代码", "屋场名称", "村代码", "备注"], rows), dry_run=False
    )
    assert_clean(result)
    assert Hamlet.objects.get(division__code=village + "501").division.parent == divisions["v11"]


def test_a_full_width_community_code_is_found_by_compounds(district_admin, divisions):
    township = divisions["t1"]
    community = DivisionFactory(code=township.code + "101", name="社区", level="community", parent=township)
    rows = [[full_width(community.code + "501"), "阳光小区", full_width(community.code), "1号", "2025-06-01"]]
    result = CompoundResource(user=district_admin).import_data(
        dataset(["小区代码", "小区名称", "所属社区代码", "地址", "纳入星物管日期"], rows), dry_run=False
    )
    assert_clean(result)
    assert Compound.objects.get(division__code=community.code + "501").division.parent == community


def test_a_township_in_12_digits_is_found_by_security_stats_and_companies(district_admin, divisions):
    code = padded(divisions["t1"].code)
    stats = SecurityStatResource(user=district_admin).import_data(
        dataset(["区划代码", "月份", "接处警数", "刑事立案数", "行政案件数"], [[code, "2025-06", 1, 2, 3]]),
        dry_run=True,
    )
    assert_clean(stats)
    companies = PropertyCompanyResource(user=district_admin).import_data(
        dataset(
            ["企业名称", "统一社会信用代码", "联系人", "联系电话", "地址", "监管区划代码"],
            [["好物业", make_uscc(1), "李四", "13800000000", "1号", code]],
        ),
        dry_run=False,
    )
    assert_clean(companies)
    assert PropertyCompany.objects.get(name="好物业").division == divisions["t1"]


def test_a_key_in_full_width_and_half_width_is_the_same_key(district_admin, divisions):
    code = divisions["v11"].code
    rows = [["Ｈ－Ｔ－０００１", "1号", code], ["H-T-0001", "2号", code]]
    upload = dataset(["户号", "住址", "区划代码"], rows)
    result = HouseholdResource(user=district_admin).import_data(upload, dry_run=True)
    found = {row.number: [e.code for e in row.error.error_dict["户号"]] for row in result.invalid_rows}
    assert found == {2: [ERR_IMPORT_DUPLICATE], 3: [ERR_IMPORT_DUPLICATE]}


def test_a_full_width_household_number_is_stored_and_found_half_width(district_admin, divisions):
    code = divisions["v11"].code
    upload = dataset(["户号", "住址", "区划代码"], [["Ｈ－Ｔ－０００２", "1号", code]])
    assert_clean(HouseholdResource(user=district_admin).import_data(upload, dry_run=False))
    assert Household.objects.get().number == "H-T-0002"
    plots = dataset(
        ["户号", "承包合同编号", "面积（亩）", "坐落", "有效"],
        [["Ｈ－Ｔ－０００２", "ＨＴ－０１", "1.5", "东坡", "是"]],
    )
    assert_clean(ContractPlotResource(user=district_admin).import_data(plots, dry_run=False))
    plot = ContractPlot.objects.get()
    assert (plot.household.number, plot.contract_number) == ("H-T-0002", "HT-01")
