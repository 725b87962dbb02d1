"""Reports refuse dates they cannot compare (year 1 has no year before it) with a 400 naming the field
or a Chinese message — never a 500 (found by trying ``?start=0001-01-01`` on the year-over-year reports)."""

from __future__ import annotations

import pytest

from governance.dates import ERR_DATE_OUT_OF_RANGE
from tests.auth import verified_login
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/residential/petitions/yoy/?start=0001-01-01", "start"),
        ("/api/v1/security/stats/yoy/?start=0001-01-01&end=0001-12-31", "start"),
        ("/api/v1/security/stats/yoy/?start=2025-01-01&end=9999-12-31", "end"),
    ],
)
def test_api_reports_name_the_out_of_range_date(api_client, divisions, url, field):
    api_client.force_authenticate(user_with_role("district_admin", divisions["district"], username="dates_admin"))
    response = api_client.get(url)
    assert response.status_code == 400
    assert response.json()["errors"][field][0]["code"] == ERR_DATE_OUT_OF_RANGE


def test_dashboard_custom_period_in_year_one_is_a_chinese_form_error(client, divisions):
    verified_login(client, user_with_role("leader", divisions["district"], username="dates_leader"))
    response = client.get("/dashboard/", {"period": "custom", "start": "0001-01-01", "end": "0001-12-31"})
    assert response.status_code < 500
    assert "日期应在 1950-01-01 至 2099-12-31 之间" in response.content.decode()


@pytest.mark.parametrize("year", ["1", "abc", "10000", "2025.5"])
def test_petition_year_over_year_page_refuses_a_bad_year_with_a_chinese_400(client, divisions, year):
    verified_login(client, user_with_role("township_officer", divisions["t1"], username="dates_officer"))
    response = client.get("/residential/petitions/yoy/", {"year": year})
    assert response.status_code == 400
    assert "年份无效" in response.content.decode()
