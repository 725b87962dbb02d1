"""Compound import: a row is found again by its 小区代码 through the file's one lookup (issue 11, item 8)."""

import pytest

from residential.models import Compound
from residential.resources import CompoundResource
from tests.factories import user_with_role
from tests.governance.test_import import dataset

pytestmark = pytest.mark.django_db

HEADERS = ["小区代码", "小区名称", "所属社区代码", "地址", "纳入星物管日期"]


def test_a_compound_imported_again_is_updated_not_added(divisions):
    admin = user_with_role("district_admin", divisions["district"], username="admin_compounds")
    first = CompoundResource(user=admin).import_data(
        dataset(HEADERS, [["431302001101001", "旧名小区", "431302001101", "一路1号", ""]])
    )
    assert not first.has_errors() and not first.has_validation_errors()

    again = CompoundResource(user=admin, skip_diff=True).import_data(
        dataset(HEADERS, [["431302001101001", "新名小区", "431302001101", "一路2号", ""]])
    )

    assert not again.has_errors() and not again.has_validation_errors(), again.invalid_rows
    compound = Compound.objects.select_related("division").get()
    assert (compound.division.name, compound.address) == ("新名小区", "一路2号")


def test_a_compound_outside_the_scope_is_not_found(divisions):
    admin = user_with_role("district_admin", divisions["district"], username="admin_compounds")
    CompoundResource(user=admin).import_data(
        dataset(HEADERS, [["431302002101001", "外镇小区", "431302002101", "", ""]])
    )
    officer = user_with_role("community_officer", divisions["c11"], username="officer_c11")

    result = CompoundResource(user=officer).import_data(
        dataset(HEADERS, [["431302002101001", "改名", "431302002101", "", ""]])
    )

    assert result.has_validation_errors() or result.has_errors()
    assert Compound.objects.select_related("division").get().division.name == "外镇小区"
