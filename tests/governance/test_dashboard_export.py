"""The dashboard's Excel export and tables (issue 14 item 6): a unit once in every heading, the month
sheet filled for any period, column titles naming the period asked for."""

from __future__ import annotations

import datetime
import re
from io import BytesIO

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from governance.dashboard.periods import Period
from governance.dashboard.selectors import Series
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.security.factories import intake, make_bodies, police_rule

# A unit in brackets twice in a row, e.g. 问题线索（件）（件） or 化解率（%）（%）.
DOUBLED_UNIT = re.compile(r"[（(]([^（）()]+)[）)][（(]\1[）)]")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def leader(divisions):
    make_bodies(divisions)
    police_rule()
    intake(divisions["v11"])
    return user_with_role("leader", divisions["district"], username="leader_district")


def _export(client, leader, divisions, **params):
    verified_login(client, leader)
    response = client.get(reverse("dashboard:export", args=[divisions["district"].code]), params)
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content))


def _headings(sheet, row: int) -> list[str]:
    return [str(cell.value) for cell in sheet[row] if cell.value is not None]


def test_series_heading_carries_its_unit_once():
    assert Series("k", "问题线索（件）", "件", []).heading == "问题线索（件）"
    assert Series("k", "问题线索", "件", []).heading == "问题线索（件）"
    assert Series("k", "登记人口", "", []).heading == "登记人口"


def test_export_headings_never_double_a_unit(client, leader, divisions):
    workbook = _export(client, leader, divisions, period="year", year=datetime.date.today().year)
    headings = _headings(workbook["指标"], 2) + _headings(workbook["下级区划"], 1) + _headings(workbook["月度趋势"], 1)
    assert len(headings) > 8
    assert [h for h in headings if DOUBLED_UNIT.search(h) or h.endswith("（）")] == []


def test_dashboard_tables_never_double_a_unit(client, leader, divisions):
    verified_login(client, leader)
    body = client.get(reverse("dashboard:home"), {"period": "year"}).content.decode()
    headers = re.findall(r'<th scope="col">([^<]*)</th>', body)
    assert len(headers) > 4
    assert [h for h in headers if DOUBLED_UNIT.search(h) or h.endswith("（）")] == []


@pytest.mark.parametrize("params", [{"period": "month", "year": 2025, "month": 3}, {"period": "year", "year": 2025}])
def test_month_sheet_has_a_row_per_month_and_a_column_per_charted_indicator(client, leader, divisions, params):
    workbook = _export(client, leader, divisions, **params)
    sheet = workbook["月度趋势"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    expected_months = ["2025-03"] if params["period"] == "month" else [f"2025-{m:02d}" for m in range(1, 13)]
    assert [row[0] for row in rows] == expected_months
    headings = _headings(sheet, 1)
    assert headings[0] == "月份" and len(headings) > 1  # indicators, not just the month column
    assert all(len(row) == len(headings) for row in rows)


def test_month_sheet_figures_add_up_to_the_period(client, leader, divisions):
    today = datetime.date.today()
    workbook = _export(client, leader, divisions, period="year", year=today.year)
    figures = {row[1]: row[2] for row in workbook["指标"].iter_rows(min_row=3, values_only=True)}
    trend = workbook["月度趋势"]
    column = _headings(trend, 1).index("受理纠纷（件）")
    monthly = [row[column] for row in trend.iter_rows(min_row=2, values_only=True)]
    assert sum(v or 0 for v in monthly) == figures["受理纠纷"] == 1


@pytest.mark.parametrize(
    ("params", "current", "earlier"),
    [
        ({"period": "year", "year": 2024}, "本期（2024年）", "上年同期（2023-01-01 至 2023-12-31）"),
        (
            {"period": "quarter", "year": 2025, "quarter": 3},
            "本期（2025年第3季度）",
            "上年同期（2024-07-01 至 2024-09-30）",
        ),
        ({"period": "month", "year": 2024, "month": 2}, "本期（2024年2月）", "上年同期（2023-02-01 至 2023-02-28）"),
        (
            {"period": "custom", "start": "2025-02-03", "end": "2025-05-06"},
            "本期（2025-02-03 至 2025-05-06）",
            "上年同期（2024-02-03 至 2024-05-06）",
        ),
    ],
)
def test_export_column_titles_name_the_period_asked_for(client, leader, divisions, params, current, earlier):
    workbook = _export(client, leader, divisions, **params)
    assert _headings(workbook["指标"], 2)[2:4] == [current, earlier]


def test_period_titles_follow_the_period():
    period = Period(datetime.date(2025, 1, 1), datetime.date(2025, 6, 30), "2025年上半年")
    assert period.current_title == "本期（2025年上半年）"
    assert period.earlier_title == "上年同期（2024-01-01 至 2024-06-30）"
