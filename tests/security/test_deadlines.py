"""A case's deadline counts working days in ``governance.calendar``; one that runs into a year with no
published holiday schedule is stored, shown and served as provisional."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from governance.calendar import package_years, working_days_due
from governance.models import CalendarYear
from security.models import Category, Channel, Dispute, Status
from security.services import ACCEPT_WORKING_DAYS, dispute_accept, dispute_transfer, disputes_escalate_overdue
from tests.auth import verified_login
from tests.security.factories import intake

pytestmark = pytest.mark.django_db

UNPUBLISHED = package_years()[-1] + 1  # 2027 as of chinese-calendar 1.11


def _at(year: int, month: int, day: int) -> time_machine.travel:
    return time_machine.travel(datetime.datetime(year, month, day, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def test_a_deadline_reaching_into_an_unpublished_year_is_stored_provisional(
    divisions, bodies, rule, centre_mediator, village_mediator
):
    with _at(UNPUBLISHED - 1, 12, 28):
        dispute = intake(divisions["v11"], by=centre_mediator)
        dispute = dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=centre_mediator, reason="属村内纠纷")
        dispute = dispute_accept(dispute=dispute, by=village_mediator)
    dispute.refresh_from_db()
    due = working_days_due(datetime.date(UNPUBLISHED - 1, 12, 28), 7)
    assert (dispute.deadline, dispute.deadline_provisional) == due
    assert dispute.deadline.year == UNPUBLISHED and dispute.deadline_provisional is True


def test_a_deadline_within_published_years_is_final(divisions, bodies, rule, centre_mediator):
    with _at(UNPUBLISHED - 1, 6, 1):
        dispute = intake(divisions["v11"], by=centre_mediator)
        dispute = dispute_accept(dispute=dispute, by=centre_mediator)
    dispute.refresh_from_db()
    due = working_days_due(datetime.date(UNPUBLISHED - 1, 6, 1), 7)
    assert (dispute.deadline, dispute.deadline_provisional) == due and due.provisional is False


def test_once_the_year_is_loaded_new_deadlines_are_final(divisions, bodies, rule, centre_mediator):
    CalendarYear.objects.create(year=UNPUBLISHED, notice="国办发明电")
    with _at(UNPUBLISHED - 1, 12, 28):
        dispute = intake(divisions["v11"], by=centre_mediator)
        dispute = dispute_accept(dispute=dispute, by=centre_mediator)
    assert dispute.deadline.year == UNPUBLISHED and dispute.deadline_provisional is False


def test_the_sweep_marks_an_escalated_cases_new_deadline_provisional(divisions, bodies, village_mediator):
    dispute = intake(divisions["v11"], channel=Channel.WALK_IN, category=Category.NEIGHBOUR, by=village_mediator)
    Dispute.objects.filter(pk=dispute.pk).update(
        current_body=bodies["v11"], status=Status.ACCEPTED, deadline=datetime.date(UNPUBLISHED - 1, 12, 1)
    )
    today = datetime.date(UNPUBLISHED - 1, 12, 31)
    assert disputes_escalate_overdue(today=today) == 1
    dispute.refresh_from_db()
    assert dispute.status == Status.ESCALATED
    assert (dispute.deadline, dispute.deadline_provisional) == working_days_due(today, ACCEPT_WORKING_DAYS)
    assert dispute.deadline_provisional is True


def test_case_page_and_api_show_a_provisional_deadline(client, divisions, bodies, rule, centre_mediator):
    with _at(UNPUBLISHED - 1, 12, 30):
        dispute = intake(divisions["v11"], by=centre_mediator)
    assert dispute.deadline_provisional is True
    verified_login(client, centre_mediator)
    page = client.get(reverse("security:dispute-detail", args=[dispute.pk])).content.decode()
    assert 'class="provisional"' in page and "暂定" in page
    api = APIClient()
    api.force_authenticate(centre_mediator)
    detail = api.get(reverse("api:security-api:dispute-detail", args=[dispute.pk])).json()
    row = api.get(reverse("api:security-api:dispute-list")).json()["results"][0]
    assert detail["deadline_provisional"] is True and row["deadline_provisional"] is True
    Dispute.objects.filter(pk=dispute.pk).update(deadline_provisional=False)
    page = client.get(reverse("security:dispute-detail", args=[dispute.pk])).content.decode()
    assert 'class="provisional"' not in page


def test_api_schema_documents_the_provisional_flag(client):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    for name in ("DisputeList", "DisputeDetail"):
        field = schema["components"]["schemas"][name]["properties"]["deadline_provisional"]
        assert field["readOnly"] is True and "周一至周五" in field["description"]
