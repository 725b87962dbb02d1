"""站内通知 for hand-offs: exactly the people who act for the receiving body hear of a case, once."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from governance.calendar import working_days_add
from governance.models import Notice, NoticePreference, Role
from governance.notices import notices_email_pending
from security.choices import NOTICE_AWAITING, NOTICE_DUE_SOON, NOTICE_HIGH_RISK, NOTICE_OVERDUE
from security.models import Channel, Dispute, DisputeEvent, EventAction, RiskLevel, Status
from security.services import dispute_accept, dispute_transfer, disputes_escalate_overdue
from security.services.common import event_record
from security.services.notices import dispute_notices_due, dispute_notices_for_events
from tests.factories import user_with_role
from tests.security.factories import intake, staff

pytestmark = pytest.mark.django_db


def notices(kind: str | None = None) -> list[tuple[str, str]]:
    rows = Notice.objects.order_by("recipient__username", "key")
    if kind:
        rows = rows.filter(kind=kind)
    return [(n.recipient.username, n.kind) for n in rows]


def test_a_transfer_notifies_each_member_of_the_receiving_body_once_and_nobody_else(
    divisions, bodies, rule, centre_mediator, village_mediator, officer
):
    staff(Role.MEDIATOR, divisions["t1"], bodies["v11"], username="second_v11")
    bystander = staff(Role.MEDIATOR, divisions["t1"], bodies["v12"], username="bystander_v12")
    dispute = intake(divisions["v11"], by=officer)  # routed to the station's 矛调中心
    assert notices(NOTICE_AWAITING) == [("centre_mediator", NOTICE_AWAITING)]
    Notice.objects.all().delete()

    dispute_accept(dispute=dispute, by=centre_mediator)
    dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=centre_mediator, reason="转村调委会")

    # The body's staff, and the village officer assigned at its division (who may accept for it).
    assert notices() == [
        ("officer_v11", NOTICE_AWAITING),
        ("second_v11", NOTICE_AWAITING),
        ("village_mediator", NOTICE_AWAITING),
    ]
    notice = Notice.objects.get(recipient=village_mediator)
    assert dispute.number in notice.title and "t1派出所矛调中心移交至v11调委会" in notice.body
    assert notice.url == reverse("security:dispute-detail", args=[dispute.pk])
    assert not Notice.objects.filter(recipient__in=[bystander, centre_mediator]).exists()
    # The same event reported again writes nothing more.
    transfer = DisputeEvent.objects.get(dispute=dispute, action=EventAction.TRANSFERRED)
    assert dispute_notices_for_events([transfer.pk]) == 0
    assert Notice.objects.count() == 3


def test_a_notice_goes_only_to_those_who_can_open_the_case(divisions, bodies, rule, centre_mediator, village_mediator):
    """A village officer on a village committee's staff cannot open a township-level case: it is
    transferred to the committee, the mediator hears of it, the officer does not (no link to a 404)."""
    clerk = user_with_role(Role.COMMUNITY_OFFICER, divisions["v12"], username="clerk_v12")
    bodies["v11"].staff.add(clerk)
    dispute = intake(divisions["t1"], by=centre_mediator)
    dispute_accept(dispute=dispute, by=centre_mediator)
    Notice.objects.all().delete()
    dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=centre_mediator, reason="转村调委会")
    assert notices() == [("village_mediator", NOTICE_AWAITING)]


def test_the_sweep_tells_the_centre_above_and_the_body_the_case_left(divisions, bodies, village_mediator):
    staff(Role.MEDIATOR, divisions["t1"], bodies["t1_centre"], username="t1_centre_staff")
    dispute = intake(divisions["v11"], channel=Channel.WALK_IN, by=village_mediator)
    Notice.objects.all().delete()
    Dispute.objects.filter(pk=dispute.pk).update(
        current_body=bodies["v11"], status=Status.ACCEPTED, deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert disputes_escalate_overdue() == 1
    assert notices() == [("t1_centre_staff", NOTICE_AWAITING), ("village_mediator", NOTICE_OVERDUE)]
    assert disputes_escalate_overdue() == 0
    assert Notice.objects.count() == 2


def test_deadline_reminders_come_once_per_case_and_deadline(divisions, bodies, village_mediator):
    dispute = intake(divisions["v11"], channel=Channel.WALK_IN, by=village_mediator)
    Notice.objects.all().delete()
    today = timezone.localdate()
    Dispute.objects.filter(pk=dispute.pk).update(
        current_body=bodies["v11"], status=Status.ACCEPTED, deadline=working_days_add(today, 1)
    )
    assert dispute_notices_due(today=today) == 1
    assert dispute_notices_due(today=today) == 0
    assert notices() == [("village_mediator", NOTICE_DUE_SOON)]
    # A new deadline is a new reminder; a case far from its deadline gets none.
    Dispute.objects.filter(pk=dispute.pk).update(deadline=working_days_add(today, 2))
    assert dispute_notices_due(today=today) == 1
    Dispute.objects.filter(pk=dispute.pk).update(deadline=working_days_add(today, 5))
    assert dispute_notices_due(today=today) == 0


def test_a_case_turning_high_risk_tells_the_township_officers_over_it(divisions, bodies, village_mediator):
    user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="t1_officer")
    elsewhere = user_with_role(Role.TOWNSHIP_OFFICER, divisions["t2"], username="t2_officer")
    dispute = intake(divisions["v11"], channel=Channel.WALK_IN, by=village_mediator)
    Notice.objects.all().delete()
    Dispute.objects.filter(pk=dispute.pk).update(current_body=bodies["v11"], risk_level=RiskLevel.HIGH)
    dispute.refresh_from_db()
    event_record(dispute, action=EventAction.RISK, from_status=dispute.status, from_body=None, by=None)
    assert notices(NOTICE_HIGH_RISK) == [("t1_officer", NOTICE_HIGH_RISK), ("village_mediator", NOTICE_HIGH_RISK)]
    assert not Notice.objects.filter(recipient=elsewhere).exists()


def test_email_copies_go_to_those_who_chose_them(divisions, bodies, rule, centre_mediator, officer, settings):
    centre_mediator.email = "centre@example.gov.cn"
    centre_mediator.save()
    NoticePreference.objects.create(user=centre_mediator, kind=NOTICE_AWAITING, email=True)
    intake(divisions["v11"], by=officer)
    assert notices_email_pending() == (1, 0)
    assert notices_email_pending() == (0, 0)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["centre@example.gov.cn"]
    assert "待接收" in mail.outbox[0].subject
