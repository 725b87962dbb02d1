"""Issue 14 for the security pages: the dispute list's Excel export (filters and scope kept), the
printable 调解协议书, open cases first, and the coverage report's township rows, export and drill-down."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from security.choices import Status
from security.models import Dispute, MediationAgreement
from tests.auth import verified_login
from tests.factories import DivisionFactory, user_with_role
from tests.security.factories import intake

pytestmark = [pytest.mark.django_db]


def _sheet(response):
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content)).worksheets


def _queries(client, url, data=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, data or {})
    assert response.status_code == 200
    return len(captured)


def test_dispute_export_keeps_the_filters_and_the_scope(client, divisions, bodies, rule, district_admin):
    mine = intake(divisions["v11"], category="land")
    intake(divisions["v11"], category="neighbour")
    outside = intake(divisions["v21"], category="land")
    officer = user_with_role("township_officer", divisions["t1"], username="t1_officer_export")
    verified_login(client, officer)
    rows = list(_sheet(client.get(reverse("security:dispute-export"), {"category": "land"}))[0].values)
    numbers = [row[0] for row in rows[1:]]
    assert rows[0][0] == "案件编号"
    assert numbers == [mine.number]
    assert outside.number not in numbers


def test_dispute_export_with_a_bad_filter_is_a_chinese_400(client, divisions, bodies, rule, district_admin):
    verified_login(client, district_admin)
    response = client.get(reverse("security:dispute-export"), {"received_after": "不是日期"})
    assert response.status_code == 400
    assert "筛选条件有误" in response.content.decode()


def test_dispute_export_and_list_take_as_many_queries_for_3_as_for_30(client, divisions, bodies, rule, district_admin):
    verified_login(client, district_admin)
    for _ in range(3):
        intake(divisions["v11"])
    few = (_queries(client, reverse("security:dispute-export")), _queries(client, reverse("security:dispute-list")))
    for _ in range(27):
        intake(divisions["v12"])
    many = (_queries(client, reverse("security:dispute-export")), _queries(client, reverse("security:dispute-list")))
    assert few == many


def test_open_cases_come_first_then_the_nearest_deadline(client, divisions, bodies, rule, district_admin):
    closed = intake(divisions["v11"])
    later = intake(divisions["v11"])
    sooner = intake(divisions["v11"])
    today = timezone.localdate()
    Dispute.objects.filter(pk=closed.pk).update(status=Status.CLOSED, deadline=today)
    Dispute.objects.filter(pk=later.pk).update(deadline=today + timezone.timedelta(days=9))
    Dispute.objects.filter(pk=sooner.pk).update(deadline=today + timezone.timedelta(days=2))
    verified_login(client, district_admin)
    listed = list(client.get(reverse("security:dispute-list")).context["object_list"])
    assert listed == [sooner, later, closed]


def _agreement(dispute):
    return MediationAgreement.objects.create(
        dispute=dispute, terms="甲方赔偿乙方修缮费。", amount=1200, signed_on=timezone.localdate()
    )


def test_agreement_prints_parties_terms_and_signatures_masked(client, divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"])
    _agreement(dispute)
    person = dispute.parties.order_by("id").first().person
    verified_login(client, centre_mediator)
    page = client.get(reverse("security:agreement-print", args=[dispute.pk])).content.decode()
    for text in (
        "人民调解协议书",
        dispute.number,
        "甲方赔偿乙方修缮费",
        "1200",
        "人民调解员（签名）",
        "印章",
        person.name,
    ):
        assert text in page
    assert person.id_number in page  # the mediator may see personal data: the parties sign against it
    verified_login(client, user_with_role("township_officer", divisions["t1"], username="t1_officer_masked"))
    page = client.get(reverse("security:agreement-print", args=[dispute.pk])).content.decode()
    assert person.name in page and person.id_number not in page and person.id_number[-4:] in page


def test_agreement_print_is_404_out_of_scope_and_without_an_agreement(client, divisions, bodies, rule):
    inside, outside = intake(divisions["v11"]), intake(divisions["v21"])
    _agreement(outside)
    verified_login(client, user_with_role("township_officer", divisions["t1"], username="t1_officer_print"))
    assert client.get(reverse("security:agreement-print", args=[outside.pk])).status_code == 404
    assert client.get(reverse("security:agreement-print", args=[inside.pk])).status_code == 404


def test_coverage_report_has_township_rows_crumbs_and_export(client, divisions, district_admin):
    verified_login(client, district_admin)
    response = client.get(reverse("security:coverage"))
    children = response.context["children"]
    assert [(row["division"].code, row["total"], row["gaps"]) for row in children] == [
        (divisions["t1"].code, 2, 2),
        (divisions["t2"].code, 2, 2),
    ]
    assert {gap.township.code for gap in response.context["gaps"]} == {divisions["t1"].code, divisions["t2"].code}
    drill = client.get(reverse("security:coverage"), {"within": divisions["t1"].code})
    assert [crumb.code for crumb in drill.context["crumbs"]] == [divisions["district"].code, divisions["t1"].code]
    assert f"?within={divisions['district'].code}" in drill.content.decode()
    sheets = _sheet(client.get(reverse("security:coverage"), {"format": "xlsx"}))
    assert [sheet.title for sheet in sheets] == ["按区划", "未覆盖的村（社区）", "警务室配备"]
    assert list(sheets[0].values)[1] == ("乡镇1", 2, 0, 2)
    # issue 16: staffing by room kind (no rooms here: zeros)
    assert [row[0] for row in list(sheets[2].values)[1:]] == ["中心警务室", "社区（村）警务室"]


def test_coverage_report_takes_as_many_queries_for_3_as_for_30_villages(client, divisions, district_admin):
    verified_login(client, district_admin)
    few = _queries(client, reverse("security:coverage"))
    for n in range(27):
        DivisionFactory(code=f"{divisions['t2'].code}{200 + n}", level="village", parent=divisions["t2"])
    assert _queries(client, reverse("security:coverage")) == few


def test_coverage_report_out_of_scope_is_404(client, divisions):
    verified_login(client, user_with_role("township_officer", divisions["t1"], username="t1_officer_cov"))
    assert (
        client.get(reverse("security:coverage"), {"within": divisions["t2"].code, "format": "xlsx"}).status_code == 404
    )


def test_dispute_export_rows_read_as_labels_with_overdue_marked(client, divisions, bodies, rule, district_admin):
    case = intake(divisions["v11"], category="land")
    Dispute.objects.filter(pk=case.pk).update(deadline=timezone.localdate() - timezone.timedelta(days=2))
    case.refresh_from_db()
    verified_login(client, district_admin)
    header, row = list(_sheet(client.get(reverse("security:dispute-export")))[0].values)[:2]
    shown = dict(zip(header, row, strict=False))
    assert shown["案件编号"] == case.number
    assert shown["类型"] == case.get_category_display()
    assert shown["状态"] == case.get_status_display()
    assert shown["发生地"] == divisions["v11"].name
    assert shown["超期"] == ("是" if case.is_overdue else None)
    assert shown["受理时间"] == timezone.localtime(case.received_at).strftime("%Y-%m-%d %H:%M")
