"""Issue 14 for the "三屋同治" completeness report: a row per township, the township column, the Excel
export, breadcrumbs after a drill-down, out of scope 404, a query count that does not grow."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.auth import verified_login
from tests.factories import user_with_role
from tests.villages.factories import make_hamlet

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def admin_client(client, divisions):
    verified_login(client, user_with_role("district_admin", divisions["district"], username="vil_reports_admin"))
    return client


def test_completeness_per_township_with_township_column_and_export(admin_client, divisions):
    make_hamlet(divisions["v11"])
    gap = make_hamlet(divisions["v11"], complete=False)
    make_hamlet(divisions["v21"], complete=False)
    response = admin_client.get(reverse("villages:completeness"))
    rows = [(r["division"].code, r["total"], r["complete"]) for r in response.context["children"]]
    assert rows == [(divisions["t1"].code, 2, 1), (divisions["t2"].code, 1, 0)]
    townships = {h.pk: h.township.code for h in response.context["incomplete"]}
    assert townships[gap.pk] == divisions["t1"].code
    export = admin_client.get(reverse("villages:completeness"), {"format": "xlsx"})
    by_child, hamlets = (list(sheet.values) for sheet in load_workbook(io.BytesIO(export.content)).worksheets)
    assert by_child[0] == (
        "区划",
        "屋场（个）",
        "三屋齐全（个）",
        "缺组织（个）",
        "缺负责人（个）",
        "党小组无党员（个）",
    )
    assert by_child[1][:3] == ("乡镇1", 2, 1) and by_child[-1][:3] == ("合计", 3, 1)
    assert {row[1] for row in hamlets[1:]} == {"乡镇1", "乡镇2"}


def test_completeness_drill_down_to_a_township_has_crumbs_and_village_rows(admin_client, divisions):
    make_hamlet(divisions["v11"], complete=False)
    response = admin_client.get(reverse("villages:completeness"), {"within": divisions["t1"].code})
    assert [c.code for c in response.context["crumbs"]] == [divisions["district"].code, divisions["t1"].code]
    assert [r["division"].code for r in response.context["children"]] == [divisions["v11"].code]


def test_completeness_out_of_scope_is_404_and_bad_code_too(client, divisions):
    verified_login(client, user_with_role("township_officer", divisions["t1"], username="vil_reports_t1"))
    for code in (divisions["t2"].code, "不是代码"):
        assert client.get(reverse("villages:completeness"), {"within": code, "format": "xlsx"}).status_code == 404


def test_completeness_takes_as_many_queries_for_3_as_for_30_hamlets(admin_client, divisions):
    def queries(query):
        with CaptureQueriesContext(connection) as captured:
            assert admin_client.get(reverse("villages:completeness"), query).status_code == 200
        return len(captured)

    for n in range(3):
        make_hamlet(divisions["v11" if n % 2 else "v21"], complete=False)
    few = [queries({}), queries({"format": "xlsx"})]
    for n in range(27):
        make_hamlet(divisions["v12" if n % 2 else "v22"], complete=False)
    assert [queries({}), queries({"format": "xlsx"})] == few
