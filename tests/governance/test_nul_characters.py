"""A NUL character anywhere in a path or a query string is a 400 naming the parameter, on every page
and API path alike — never a 500 from PostgreSQL (found by trying ``?within=%00`` on the reports)."""

from __future__ import annotations

import pytest

from governance.middleware import ERR_NUL_CHARACTER
from tests.auth import verified_login
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db]

PAGES = [
    "/villages/completeness/?within=%00",
    "/residential/compliance/?within=%00",
    "/residential/petitions/yoy/?within=%00",
    "/security/coverage/?within=%00",
    "/dashboard/%00/",
    "/divisions/options/?parent=%00",
    "/people/?q=%00",
]


@pytest.mark.parametrize("url", PAGES)
def test_pages_answer_the_chinese_400_page(client, divisions, url):
    verified_login(client, user_with_role("leader", divisions["district"], username="nul_leader"))
    response = client.get(url)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()


def test_api_answers_its_error_shape_naming_the_parameter(api_client, divisions):
    api_client.force_authenticate(user_with_role("district_admin", divisions["district"], username="nul_admin"))
    response = api_client.get("/api/v1/governance/people/", {"within": "431302\x00"})
    assert response.status_code == 400
    body = response.json()
    assert body["errors"]["within"][0]["code"] == ERR_NUL_CHARACTER
