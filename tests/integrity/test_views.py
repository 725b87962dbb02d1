"""Pages for discipline staff: clue register, case timeline, campaign funnel with Excel export, projects."""

import datetime
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from tests.auth import verified_login
from tests.integrity.factories import (
    CampaignFactory,
    ClueFactory,
    IntegrityCaseFactory,
    LivelihoodProjectFactory,
    MeasureFactory,
    MilestoneFactory,
    RecoveryFactory,
    SanctionFactory,
    SupervisionVisitFactory,
)

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def page(client, inspector):
    verified_login(client, inspector)
    return client


@pytest.mark.parametrize(
    ("url_name", "make"),
    [
        ("integrity:clue-list", lambda d: ClueFactory(division=d)),
        ("integrity:case-list", lambda d: IntegrityCaseFactory(division=d)),
        ("integrity:project-list", lambda d: MilestoneFactory(project=LivelihoodProjectFactory(division=d))),
    ],
)
def test_list_page_query_count_does_not_grow_with_rows(page, divisions, url_name, make):
    for _i in range(3):
        make(divisions["v11"])
    with CaptureQueriesContext(connection) as few:
        assert page.get(reverse(url_name)).status_code == 200
    for _i in range(27):
        make(divisions["v12"])
    with CaptureQueriesContext(connection) as many:
        assert page.get(reverse(url_name)).status_code == 200
    assert len(many) == len(few)


def test_clue_register_shows_only_the_inspectors_subtree(page, divisions):
    mine, other = ClueFactory(division=divisions["v11"]), ClueFactory(division=divisions["v21"])
    html = page.get(reverse("integrity:clue-list")).content.decode()
    assert mine.number in html and other.number not in html


def test_clue_register_bad_filter_shows_an_error_and_no_rows(page, divisions):
    clue = ClueFactory(division=divisions["v11"])
    response = page.get(reverse("integrity:clue-list"), {"received_after": "yesterday"})
    assert response.status_code == 200
    assert "received_after" in response.context["filter"].form.errors
    assert clue.number not in response.content.decode()


def test_case_page_shows_its_timeline_in_date_order(page, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    MeasureFactory(case=case, start_on=datetime.date(2025, 2, 2), end_on=datetime.date(2025, 2, 20))
    SanctionFactory(case=case, decided_on=datetime.date(2025, 3, 1))
    RecoveryFactory(case=case, recovered_on=datetime.date(2025, 2, 25))
    response = page.get(reverse("integrity:case-detail", args=[case.pk]))
    dates = [event["date"] for event in response.context["timeline"]]
    assert dates == sorted(dates)
    labels = [str(event["label"]) for event in response.context["timeline"]]
    assert labels[:2] == ["受理线索", "立案"] and "处分处理" in labels and "追缴" in labels


def test_campaign_page_shows_the_funnel_and_refuses_a_subtree_outside_scope(page, divisions):
    campaign = CampaignFactory(division=divisions["district"])
    IntegrityCaseFactory(division=divisions["v11"], campaign=campaign)
    response = page.get(reverse("integrity:campaign-detail", args=[campaign.pk]))
    steps = {step["key"]: step["value"] for step in response.context["steps"]}
    assert steps["cases"] == 1 and steps["clues"] == 1
    assert (
        page.get(reverse("integrity:campaign-detail", args=[campaign.pk]), {"within": divisions["t2"].code}).status_code
        == 404
    )


def test_funnel_excel_export_has_a_row_per_child_and_a_total(page, divisions):
    campaign = CampaignFactory(division=divisions["district"])
    IntegrityCaseFactory(division=divisions["v11"], campaign=campaign)
    IntegrityCaseFactory(division=divisions["v12"], campaign=campaign)
    RecoveryFactory(case=IntegrityCaseFactory(division=divisions["v12"], campaign=campaign))
    response = page.get(
        reverse("integrity:campaign-funnel-export", args=[campaign.pk]), {"within": divisions["t1"].code}
    )
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert [row[0] for row in rows] == ["村11", "村12", "乡镇1（合计）"]
    assert [row[3] for row in rows] == [1, 2, 3]  # cases filed
    assert rows[-1][6] == 1000.5


def test_project_page_lists_overdue_milestones(page, divisions):
    project = LivelihoodProjectFactory(division=divisions["v11"])
    late = MilestoneFactory(project=project, planned_on=datetime.date(2025, 3, 1))
    MilestoneFactory(project=project, planned_on=datetime.date(2099, 1, 1), title="远期")
    SupervisionVisitFactory(project=project)
    response = page.get(reverse("integrity:project-list"))
    assert list(response.context["overdue"]) == [late]
    assert response.context["object_list"][0].visit_count == 1


def test_campaign_page_reaches_a_village_and_refuses_a_bad_date_with_a_400(page, divisions):
    campaign = CampaignFactory(division=divisions["district"])
    IntegrityCaseFactory(division=divisions["v11"], campaign=campaign)
    url = reverse("integrity:campaign-detail", args=[campaign.pk])
    village = page.get(url, {"within": divisions["v11"].code})
    assert village.status_code == 200
    assert village.context["division"] == divisions["v11"] and not village.context["form"].errors
    for bad in ("abc", "0001-01-01"):
        response = page.get(url, {"on": bad})
        assert response.status_code == 400
        assert "截至日期无效" in response.content.decode()
    export = page.get(reverse("integrity:campaign-funnel-export", args=[campaign.pk]), {"on": "abc"})
    assert export.status_code == 400


def test_funnel_excel_export_writes_formula_text_as_text(page, divisions):
    campaign = CampaignFactory(division=divisions["district"], name='=HYPERLINK("http://x","点此核对")')
    response = page.get(
        reverse("integrity:campaign-funnel-export", args=[campaign.pk]), {"within": divisions["t1"].code}
    )
    sheet = load_workbook(BytesIO(response.content)).active
    cell = sheet["B1"]
    assert (cell.data_type, cell.value, cell.quotePrefix) == ("s", campaign.name, True)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert [c.value for c in sheet[3]][:2] == ["区划", "问题线索（件）"]
