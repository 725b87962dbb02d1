"""Issue 20, 退单: bounces counted per case and per body pair from the timeline; after the second bounce
the 综治中心 over both bodies must decide jurisdiction within one working day (the ``decide`` move); the
handling clock does not restart on a bounce; the report page and its Excel export, scoped (404), with
bad input refused and the same query count for 3 and 30 cases."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from governance.calendar import working_days_add
from governance.models import Role
from security.choices import Channel, EventAction, Status
from security.models import DisputeEvent, JurisdictionReferral
from security.services import (
    DisputeConflict,
    dispute_accept,
    dispute_move,
    dispute_return,
    dispute_transfer,
)
from security.services.bounces import bounce_count, bounce_pairs, deadline_for
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.security.factories import intake, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(divisions, bodies):
    return {
        "centre": staff(Role.MEDIATOR, divisions["t1"], bodies["t1_centre"], username="t1_centre_staff"),
        "v11": staff(Role.MEDIATOR, divisions["t1"], bodies["v11"], username="v11_staff"),
        "v12": staff(Role.MEDIATOR, divisions["t1"], bodies["v12"], username="v12_staff"),
    }


def _at_v11(divisions, bodies, people):
    """A walk-in case routed to t1's centre, passed to v11's committee, which accepts it."""
    dispute = intake(divisions["v11"], channel=Channel.WALK_IN)
    assert dispute.current_body == bodies["t1_centre"]
    dispute = dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=people["centre"], reason="属地调解")
    return dispute_accept(dispute=dispute, by=people["v11"])


def _bounce_twice(dispute, bodies, people):
    dispute = dispute_transfer(dispute=dispute, to_body=bodies["v12"], by=people["v11"], reason="涉及v12村民")
    dispute = dispute_return(dispute=dispute, by=people["v12"], reason="不属本村")  # bounce 1
    return dispute_transfer(dispute=dispute, to_body=bodies["v12"], by=people["v11"], reason="再次移交")  # bounce 2


def test_first_bounce_counted_not_referred(divisions, bodies, people):
    dispute = _at_v11(divisions, bodies, people)
    dispute = dispute_transfer(dispute=dispute, to_body=bodies["v12"], by=people["v11"], reason="移交")
    assert bounce_count(dispute) == 0  # a first transfer to a new body is no bounce
    dispute = dispute_return(dispute=dispute, by=people["v12"], reason="不属本村")
    assert bounce_count(dispute) == 1
    assert dispute.status == Status.RETURNED and not JurisdictionReferral.objects.exists()


def test_second_bounce_goes_to_the_centre_for_one_working_day(divisions, bodies, people):
    dispute = _bounce_twice(_at_v11(divisions, bodies, people), bodies, people)
    assert bounce_count(dispute) == 2
    dispute.refresh_from_db()
    referral = JurisdictionReferral.objects.get(dispute=dispute)
    due = working_days_add(timezone.localdate(), 1)
    assert referral.centre == bodies["t1_centre"] and referral.due_on == due and referral.bounces == 2
    assert dispute.current_body == bodies["t1_centre"] and dispute.status == Status.ESCALATED
    assert dispute.deadline == due
    assert dispute.events.filter(action=EventAction.REFERRED).count() == 1
    pairs = {(p["from_body__name"], p["to_body__name"]): p["bounces"] for p in bounce_pairs(disputes=[dispute])}
    assert pairs == {("v12调委会", "v11调委会"): 1, ("v11调委会", "v12调委会"): 1}


def test_centre_decides_and_the_decided_body_cannot_return(divisions, bodies, people):
    dispute = _bounce_twice(_at_v11(divisions, bodies, people), bodies, people)
    with pytest.raises(DisputeConflict):  # only the centre's staff decide
        dispute_move(dispute=dispute, action="decide", by=people["v11"], to_body=bodies["v12"], reason="x")
    dispute = dispute_move(dispute=dispute, action="decide", by=people["centre"], to_body=bodies["v12"], reason="属地")
    referral = JurisdictionReferral.objects.get(dispute=dispute)
    assert referral.decided_body == bodies["v12"] and referral.decided_by == people["centre"]
    assert dispute.status == Status.ROUTED and dispute.current_body == bodies["v12"]
    with pytest.raises(DisputeConflict):
        dispute_return(dispute=dispute, by=people["v12"], reason="仍不受理")
    with pytest.raises(DisputeConflict):  # decided once: nothing left to decide
        dispute_move(dispute=dispute, action="decide", by=people["centre"], to_body=bodies["v11"], reason="再裁")


def test_decide_bad_input_and_refusal_in_the_api(api_client, divisions, bodies, people):
    dispute = _bounce_twice(_at_v11(divisions, bodies, people), bodies, people)
    api_client.force_authenticate(people["centre"])
    url = f"/api/v1/security/disputes/{dispute.pk}/decide/"
    response = api_client.post(url, {"to_body": 999999, "reason": "x"}, format="json")
    assert response.status_code == 400 and "to_body" in response.json()["errors"]
    assert JurisdictionReferral.objects.get(dispute=dispute).decided_at is None
    response = api_client.post(url, {"to_body": bodies["v12"].pk, "reason": "属地管辖"}, format="json")
    assert response.status_code == 200, response.content
    assert api_client.post(url, {"to_body": bodies["v12"].pk, "reason": "再"}, format="json").status_code == 409


def test_handling_clock_does_not_restart_on_a_bounce(divisions, bodies, people):
    start = timezone.localtime().replace(hour=10)
    with time_machine.travel(start, tick=False):
        dispute = _at_v11(divisions, bodies, people)
        first_deadline = dispute.deadline
        dispute = dispute_transfer(dispute=dispute, to_body=bodies["v12"], by=people["v11"], reason="移交")
    with time_machine.travel(start + datetime.timedelta(days=3), tick=False):
        dispute = dispute_return(dispute=dispute, by=people["v12"], reason="不属本村")
        assert dispute.deadline <= first_deadline  # the bounce gives no time beyond the running clock
        dispute = dispute_accept(dispute=dispute, by=people["v11"])
    assert dispute.deadline == first_deadline


def test_deadline_for_an_escalation_still_starts_fresh(divisions, bodies, people):
    dispute = _at_v11(divisions, bodies, people)
    deadline_for(dispute, move="escalate", handle=False)
    assert dispute.deadline == working_days_add(timezone.localdate(), 2)


# --- The report --------------------------------------------------------------------------------------


def test_report_page_and_export(client, divisions, bodies, people):
    _bounce_twice(_at_v11(divisions, bodies, people), bodies, people)
    verified_login(client, people["centre"])
    page = client.get(reverse("security:bounces")).content.decode()
    assert "v12调委会" in page and "待裁定" in page
    response = client.get(reverse("security:bounces") + "?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert any("v12调委会" in str(row) for row in values)


def test_report_scoped_and_bad_division(client, divisions, bodies, people):
    _bounce_twice(_at_v11(divisions, bodies, people), bodies, people)
    other = user_with_role(Role.TOWNSHIP_OFFICER, divisions["t2"], username="officer_t2")
    verified_login(client, other)
    page = client.get(reverse("security:bounces")).content.decode()
    assert "v12调委会" not in page
    assert client.get(reverse("security:bounces") + f"?within={divisions['t1'].code}").status_code == 404
    assert client.get(reverse("security:bounces") + "?within=不存在").status_code == 404


def _queries(client, url) -> int:
    client.get(url)  # warm: the session's user and roles are read on a first request only
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_report_query_count_same_for_3_and_30_cases(client, divisions, bodies, people):
    def add(n):
        for _ in range(n):
            dispute = intake(divisions["v11"], channel=Channel.WALK_IN, route=False)
            for from_body, to_body, action in [
                ("v11", "v12", EventAction.TRANSFERRED),
                ("v12", "v11", EventAction.RETURNED),
                ("v11", "v12", EventAction.TRANSFERRED),
            ]:
                DisputeEvent.objects.create(
                    dispute=dispute, action=action, from_body=bodies[from_body], to_body=bodies[to_body]
                )
            JurisdictionReferral.objects.create(
                dispute=dispute, centre=bodies["t1_centre"], bounces=2, due_on=timezone.localdate()
            )

    add(3)
    verified_login(client, user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="officer_t1"))
    url = reverse("security:bounces")
    few = _queries(client, url)
    add(27)
    assert _queries(client, url) == few
    assert bounce_pairs(disputes=JurisdictionReferral.objects.values("dispute_id"))[0]["bounces"] == 30


def test_centre_accepting_the_referred_case_keeps_it_and_closes_the_referral(divisions, bodies, people):
    dispute = _bounce_twice(_at_v11(divisions, bodies, people), bodies, people)
    dispute = dispute_accept(dispute=dispute, by=people["centre"])
    referral = JurisdictionReferral.objects.get(dispute=dispute)
    assert referral.decided_at is not None and referral.decided_body == bodies["t1_centre"]
    assert dispute.current_body == bodies["t1_centre"] and dispute.status == Status.ACCEPTED
