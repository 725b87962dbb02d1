"""三率 (issue 20 item 3) from the records: response (accepted within the window), resolution and
satisfaction rates per body and per division, on the dashboard and in the scoped report."""

from __future__ import annotations

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from governance.registry import registry
from security.choices import Satisfaction
from security.models import TrackingCode
from security.rates import rates_by_body, rates_by_child, rates_for_division
from security.services import dispute_accept, dispute_close, dispute_mediate, dispute_record_agreement
from security.services.tracking import dispute_rate, tracking_token
from tests.auth import verified_login
from tests.factories import PersonFactory, user_with_role
from tests.security.factories import intake

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
MONDAY = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=SH)  # a working week without holidays
START = datetime.date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _fresh_limits():
    caches["throttle"].clear()


def _case(divisions, phones=("13800000001", "13900000002")):
    people = [PersonFactory(division=divisions["v11"], phone=phone) for phone in phones]
    return intake(divisions["v11"], people=people)


@pytest.fixture
def records(divisions, bodies, rule, centre_mediator):
    """A: routed Monday, accepted the same day, agreement, closed, rated 满意 and 不满意 (solved).
    B: routed Monday, accepted the next Monday (late: the window is two working days), still open.
    C: routed today and not yet accepted (inside its window: not counted for the response rate)."""
    with time_machine.travel(MONDAY, tick=False):
        a = _case(divisions, ("13800000001", "13900000002"))
        b = _case(divisions, ("13800000003", "13900000004"))
        a = dispute_accept(dispute=a, by=centre_mediator)
        a = dispute_mediate(dispute=a, by=centre_mediator)
        a = dispute_record_agreement(dispute=a, by=centre_mediator, terms="和解", signed_on=MONDAY.date()).dispute
        a = dispute_close(dispute=a, by=centre_mediator)
    with time_machine.travel(MONDAY + datetime.timedelta(days=7), tick=False):
        b = dispute_accept(dispute=b, by=centre_mediator)
    c = _case(divisions, ("13800000005", "13900000006"))
    tracking_token(dispute=a)
    code = TrackingCode.objects.get(dispute=a)
    dispute_rate(code=code, phone_last4="0001", satisfaction=Satisfaction.SATISFIED, solved=True)
    dispute_rate(code=code, phone_last4="0002", satisfaction=Satisfaction.UNSATISFIED, solved=True, comment="慢")
    return a, b, c


def test_the_three_rates_of_a_division_come_from_the_records(divisions, records):
    figures = rates_for_division(division=divisions["district"], start=START, end=timezone.localdate())
    assert (figures["responded"], figures["assigned"], figures["response_rate"]) == (1, 2, Decimal("50.0"))
    assert (figures["resolved"], figures["received"], figures["resolution_rate"]) == (1, 3, Decimal("33.3"))
    assert (figures["satisfied"], figures["rated"], figures["satisfaction_rate"]) == (1, 2, Decimal("50.0"))
    # Nothing to count is no rate at all, not 0 %.
    empty = rates_for_division(division=divisions["t2"], start=START, end=timezone.localdate())
    assert empty["response_rate"] is None and empty["satisfaction_rate"] is None


def test_the_three_rates_per_body_and_per_child(divisions, bodies, records):
    from security.models import Dispute

    per_body = rates_by_body(division=divisions["district"], disputes=Dispute.objects.all(), start=START)
    centre = per_body[bodies["t1_station_centre"].pk]
    assert (centre["response_rate"], centre["resolution_rate"], centre["satisfaction_rate"]) == (
        Decimal("50.0"), Decimal("50.0"), Decimal("50.0")
    )  # fmt: skip
    per_child = rates_by_child(division=divisions["district"], disputes=Dispute.objects.all(), start=START)
    assert per_child[divisions["t1"].code]["resolution_rate"] == Decimal("33.3")
    assert divisions["t2"].code not in per_child


def test_the_dashboard_indicators_give_the_same_figures(divisions, records):
    end = timezone.localdate()
    compute = registry.indicators["security.response_rate"].compute
    assert compute(division=divisions["district"], start=START, end=end) == Decimal("50.0")
    compute = registry.indicators["security.satisfaction_rate"].compute
    assert compute(division=divisions["district"], start=START, end=end) == Decimal("50.0")


def test_the_report_shows_the_rates_and_downloads_them(client, divisions, records, district_admin):
    verified_login(client, district_admin)
    url = reverse("security:three-rates")
    response = client.get(url, {"start": START.isoformat()})
    assert response.status_code == 200
    html = response.content.decode()
    assert "50.0%" in html and "33.3%" in html and "t1派出所矛调中心" in html
    download = client.get(url, {"start": START.isoformat(), "format": "xlsx"})
    assert download.status_code == 200 and "spreadsheet" in download["Content-Type"]


def test_the_report_of_another_area_is_404(client, divisions, records):
    officer = user_with_role(Role.TOWNSHIP_OFFICER, divisions["t2"], username="t2_officer")
    verified_login(client, officer)
    url = reverse("security:three-rates")
    assert client.get(url, {"within": divisions["t1"].code}).status_code == 404
    # Its own area shows none of t1's cases.
    own = client.get(url, {"start": START.isoformat()})
    assert own.status_code == 200 and "t1派出所矛调中心" not in own.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"start": "2026-12-01", "end": "2026-11-01"}, "结束日期不能早于开始日期"),
        ({"start": "昨天"}, "日期"),
        ({"end": "1800-01-01"}, "日期应在"),
    ],
)
def test_bad_report_dates_get_a_chinese_error(client, district_admin, divisions, query, message):
    verified_login(client, district_admin)
    response = client.get(reverse("security:three-rates"), query)
    assert response.status_code == 400 and message in response.content.decode()


def _report_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("security:three-rates"), {"start": START.isoformat()}).status_code == 200
    return len(queries)


def test_the_report_takes_the_same_queries_for_3_and_30_cases(client, divisions, bodies, rule, district_admin):
    verified_login(client, district_admin)
    for _n in range(3):
        intake(divisions["v11"])
    few = _report_queries(client)
    for _n in range(27):
        intake(divisions["v12"])
    assert _report_queries(client) == few
