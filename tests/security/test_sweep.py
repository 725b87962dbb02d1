import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from security.models import Category, Channel, Dispute, DisputeEvent, EventAction, Status
from security.services import dispute_accept, disputes_escalate_overdue
from security.tasks import escalate_overdue_disputes
from tests.security.factories import intake

pytestmark = pytest.mark.django_db


def _overdue_village_case(divisions, by):
    dispute = intake(divisions["v11"], channel=Channel.WALK_IN, category=Category.NEIGHBOUR, by=by)
    Dispute.objects.filter(pk=dispute.pk).update(
        current_body=by.mediation_bodies.get(),
        status=Status.ACCEPTED,
        deadline=timezone.localdate() - datetime.timedelta(days=1),
    )
    return dispute


def test_sweep_escalates_an_overdue_village_case_to_the_township_once(divisions, bodies, village_mediator):
    dispute = _overdue_village_case(divisions, village_mediator)
    assert escalate_overdue_disputes.apply().get() == 1
    assert escalate_overdue_disputes.apply().get() == 0
    assert disputes_escalate_overdue() == 0
    dispute.refresh_from_db()
    assert dispute.status == Status.ESCALATED and dispute.current_body == bodies["t1_centre"]
    assert dispute.deadline > timezone.localdate()
    escalations = DisputeEvent.objects.filter(dispute=dispute, action=EventAction.ESCALATED)
    assert escalations.count() == 1
    event = escalations.get()
    assert (event.from_body, event.to_body, event.from_status, event.actor) == (
        bodies["v11"],
        bodies["t1_centre"],
        Status.ACCEPTED,
        None,
    )


def test_unaccepted_transfer_escalates_when_its_acceptance_time_passes(divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)  # routed to the station's 矛调中心, not accepted
    later = timezone.localdate() + datetime.timedelta(days=10)
    assert disputes_escalate_overdue(today=later) == 1
    dispute.refresh_from_db()
    assert dispute.current_body == bodies["district_centre"]  # the 矛调中心 sits at township level


def test_cases_on_time_or_at_the_top_are_left_alone(divisions, bodies, village_mediator):
    on_time = intake(divisions["v11"], channel=Channel.WALK_IN, category=Category.LABOUR)
    top = intake(divisions["district"], channel=Channel.WALK_IN, category=Category.LABOUR)
    Dispute.objects.filter(pk=top.pk).update(deadline=timezone.localdate() - datetime.timedelta(days=3))
    assert disputes_escalate_overdue() == 0
    on_time.refresh_from_db()
    assert on_time.status == Status.ROUTED


def test_sweep_uses_the_same_queries_for_3_and_30_cases(divisions, bodies, village_mediator):
    def make(n):
        for _i in range(n):
            _overdue_village_case(divisions, village_mediator)

    make(3)
    with CaptureQueriesContext(connection) as few:
        assert disputes_escalate_overdue() == 3
    make(30)
    with CaptureQueriesContext(connection) as many:
        assert disputes_escalate_overdue() == 30
    assert len(few) == len(many)


def test_sweep_works_in_batches(divisions, bodies, village_mediator):
    for _i in range(5):
        _overdue_village_case(divisions, village_mediator)
    assert disputes_escalate_overdue(batch_size=2) == 5


def test_accepted_escalated_case_gets_a_new_deadline(divisions, bodies, village_mediator, district_admin):
    dispute = _overdue_village_case(divisions, village_mediator)
    disputes_escalate_overdue()
    dispute = dispute_accept(dispute=Dispute.objects.get(pk=dispute.pk), by=district_admin)
    assert dispute.status == Status.ACCEPTED and dispute.deadline > timezone.localdate()


def test_the_sweep_has_a_default_schedule():
    from governance.registry import registry

    assert any(
        s.task == "governance.district_fanout" and s.kwargs == {"job": "security.sweep"}
        for s in registry.schedules.values()
    )


def test_a_district_s_share_of_the_sweep_escalates_only_cases_in_its_tree(divisions, bodies, village_mediator):
    """The per-district fan-out (governance.fanout) runs the sweep once per 区县 with ``root``: a case
    held in 娄星区 is not another district's to move, and is moved by its own district's share."""
    from security.district_jobs import sweep_for_district
    from tests.factories import tree

    other = tree("431321")["district"]
    dispute = _overdue_village_case(divisions, village_mediator)
    assert sweep_for_district(district=other, key="2026-12-01T10:30") == {"escalated": 0}
    assert Dispute.objects.get(pk=dispute.pk).status == Status.ACCEPTED
    assert sweep_for_district(district=divisions["district"], key="2026-12-01T10:30") == {"escalated": 1}
    assert Dispute.objects.get(pk=dispute.pk).status == Status.ESCALATED
