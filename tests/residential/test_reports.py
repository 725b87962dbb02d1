"""Issue 14 for the residential reports: the period picker, a row per township, the Excel export
(same figures as the page), breadcrumbs after a drill-down, out of scope 404, bad input a Chinese 400."""

import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.auth import verified_login
from tests.factories import user_with_role
from tests.residential.factories import CompoundFactory, PetitionFactory, committee_with_members

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def admin_client(client, divisions):
    verified_login(client, user_with_role("district_admin", divisions["district"], username="res_reports_admin"))
    return client


def _rows(response):
    assert response.status_code == 200, response.content[:300]
    return [list(sheet.values) for sheet in load_workbook(io.BytesIO(response.content)).worksheets]


def _petitions(compound, n, year):
    for i in range(n):
        PetitionFactory(compound=compound, received_on=datetime.date(year, 1 + i % 12, 5))


def test_petitions_by_quarter_per_township_with_export(admin_client, divisions):
    _petitions(CompoundFactory(community=divisions["c11"]), 3, 2024)  # January, February, March
    _petitions(CompoundFactory(community=divisions["c21"]), 1, 2023)
    query = {"period": "quarter", "year": "2024", "quarter": "1"}
    response = admin_client.get(reverse("residential:petition-yoy"), query)
    assert response.context["period"].label == "2024年第1季度"
    by_child = {row.division.code: (row.figures.current, row.figures.previous) for row in response.context["children"]}
    assert by_child == {divisions["t1"].code: (3, 0), divisions["t2"].code: (0, 1)}
    (sheet,) = _rows(admin_client.get(reverse("residential:petition-yoy"), {**query, "format": "xlsx"}))
    assert sheet[0] == ("区划", "2024年第1季度（件）", "2023-01-01 至 2023-03-31（件）", "同比（%）")
    assert sheet[1][:3] == ("娄星区", 3, 1)
    assert sheet[2][:3] == ("乡镇1", 3, 0)


def test_petitions_drill_down_has_crumbs_back_up(admin_client, divisions):
    response = admin_client.get(reverse("residential:petition-yoy"), {"within": divisions["t1"].code, "year": "2024"})
    assert [c.code for c in response.context["crumbs"]] == [divisions["district"].code, divisions["t1"].code]
    assert f"within={divisions['district'].code}" in response.content.decode()


@pytest.mark.parametrize(
    "query", [{"period": "month", "year": "2024", "month": "13"}, {"period": "custom", "start": "2024-05-01"}]
)
def test_petitions_bad_period_is_a_chinese_400_and_no_file(admin_client, query):
    for extra in ({}, {"format": "xlsx"}):
        response = admin_client.get(reverse("residential:petition-yoy"), {**query, **extra})
        assert response.status_code == 400
        assert "统计周期有误" in response.content.decode()


def test_compliance_per_township_township_column_and_export(admin_client, divisions):
    committee_with_members(CompoundFactory(community=divisions["c11"]), party=1, masses=3)
    committee_with_members(CompoundFactory(community=divisions["c21"]), party=3, masses=1)
    response = admin_client.get(reverse("residential:compliance"), {"all": "1"})
    assert [(r["division"].code, r["committees"], r["failing"]) for r in response.context["children"]] == [
        (divisions["t1"].code, 1, 1),
        (divisions["t2"].code, 1, 0),
    ]
    assert [c.township.code for c in response.context["committees"]] == [divisions["t1"].code, divisions["t2"].code]
    (sheet,) = _rows(admin_client.get(reverse("residential:compliance"), {"all": "1", "format": "xlsx"}))
    assert sheet[0][:3] == ("业委会", "乡镇（街道）", "社区")
    assert [row[1] for row in sheet[1:]] == ["乡镇1", "乡镇2"]


def test_compliance_on_a_day_before_the_term_shows_no_members(admin_client, divisions):
    committee_with_members(CompoundFactory(community=divisions["c11"]), party=1, masses=1)
    response = admin_client.get(reverse("residential:compliance"), {"all": "1", "on": "2020-01-01"})
    assert response.status_code == 200
    assert response.context["on"] == datetime.date(2020, 1, 1)


@pytest.mark.parametrize("on", ["0001-01-01", "不是日期"])
def test_compliance_bad_day_is_a_chinese_400(admin_client, on):
    response = admin_client.get(reverse("residential:compliance"), {"on": on, "format": "xlsx"})
    assert response.status_code == 400
    assert "日期" in response.content.decode()


@pytest.mark.parametrize("name", ["residential:compliance", "residential:petition-yoy"])
def test_reports_out_of_scope_are_404(client, divisions, name):
    verified_login(client, user_with_role("township_officer", divisions["t1"], username="res_reports_t1"))
    assert client.get(reverse(name), {"within": divisions["t2"].code}).status_code == 404
    assert client.get(reverse(name), {"within": divisions["t2"].code, "format": "xlsx"}).status_code == 404


def _queries(client, name, query):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(name), query).status_code == 200
    return len(captured)


def test_reports_take_as_many_queries_for_3_as_for_30_rows(admin_client, divisions):
    compounds = [CompoundFactory(community=divisions["c11" if i % 2 else "c21"]) for i in range(30)]
    for compound in compounds[:3]:
        committee_with_members(compound, party=1, masses=1)
        _petitions(compound, 1, 2024)
    cases = [("residential:compliance", {"all": "1"}), ("residential:petition-yoy", {"year": "2024"})]
    cases += [(name, {**query, "format": "xlsx"}) for name, query in cases]
    few = [_queries(admin_client, name, query) for name, query in cases]
    for compound in compounds[3:]:
        committee_with_members(compound, party=1, masses=1)
        _petitions(compound, 1, 2024)
    assert [_queries(admin_client, name, query) for name, query in cases] == few
