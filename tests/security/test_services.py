from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from governance.calendar import working_days_add
from governance.models import Person
from security.models import (
    BodyKind,
    Category,
    Channel,
    Dispute,
    DisputeEvent,
    EventAction,
    MediationAgreement,
    PartyRole,
    RiskLevel,
    RoutingRule,
    Status,
)
from security.services import (
    ERR_NO_UPPER_LEVEL,
    ERR_NOT_RECEIVING_BODY,
    ERR_POLICE_MATTER,
    ERR_TRANSITION,
    DisputeConflict,
    PartyInput,
    dispute_accept,
    dispute_close,
    dispute_escalate,
    dispute_fail,
    dispute_intake,
    dispute_mediate,
    dispute_record_agreement,
    dispute_return,
    dispute_risk_assess,
    dispute_transfer,
    route_for,
)
from tests.errors import codes
from tests.factories import PersonFactory, user_with_role
from tests.security.factories import intake

pytestmark = pytest.mark.django_db


def _timeline(dispute) -> list[str]:
    return list(
        DisputeEvent.objects.filter(dispute=dispute).exclude(action=EventAction.RISK).values_list("action", flat=True)
    )


def test_police_incident_goes_station_centre_transfer_accept_mediate_agree_close(
    divisions, bodies, rule, centre_mediator, village_mediator
):
    dispute = intake(divisions["v11"], by=centre_mediator)
    assert dispute.status == Status.ROUTED
    assert dispute.current_body == bodies["t1_station_centre"]
    routed = dispute.events.get(action=EventAction.ROUTED)
    assert routed.rule == rule and routed.to_body == bodies["t1_station_centre"]

    dispute = dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=centre_mediator, reason="属村内邻里纠纷")
    dispute = dispute_accept(dispute=dispute, by=village_mediator)
    assert dispute.deadline == working_days_add(start=timezone.localdate(), days=7)
    dispute = dispute_mediate(dispute=dispute, by=village_mediator)
    agreement = dispute_record_agreement(
        dispute=dispute,
        by=village_mediator,
        terms="修复排水沟，费用平摊",
        signed_on=timezone.localdate(),
        amount=Decimal("1200.50"),
    )
    dispute = dispute_close(dispute=agreement.dispute, by=village_mediator)

    assert dispute.status == Status.CLOSED and dispute.resolved_at and dispute.closed_at
    assert _timeline(dispute) == ["received", "routed", "transferred", "accepted", "mediating", "agreement", "closed"]
    transfer = dispute.events.get(action=EventAction.TRANSFERRED)
    assert (transfer.from_body, transfer.to_body, transfer.actor, transfer.reason) == (
        bodies["t1_station_centre"],
        bodies["v11"],
        centre_mediator,
        "属村内邻里纠纷",
    )
    assert MediationAgreement.objects.get(dispute=dispute).amount == Decimal("1200.50")


def test_disallowed_move_is_a_conflict_and_changes_nothing(divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    events = dispute.events.count()
    with pytest.raises(DisputeConflict) as error:
        dispute_close(dispute=dispute, by=centre_mediator, reason="x")
    assert codes(error.value, "status") == [ERR_TRANSITION]
    dispute.refresh_from_db()
    assert dispute.status == Status.ROUTED and dispute.events.count() == events


def test_accepting_a_transfer_meant_for_another_body_is_refused(divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    dispute = dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=centre_mediator, reason="转村调委会")
    with pytest.raises(DisputeConflict) as error:
        dispute_accept(dispute=dispute, by=centre_mediator)
    assert codes(error.value, "current_body") == [ERR_NOT_RECEIVING_BODY]
    dispute.refresh_from_db()
    assert dispute.status == Status.TRANSFERRED


def test_receiving_body_can_return_a_transfer_to_its_sender(divisions, bodies, rule, centre_mediator, village_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=centre_mediator, reason="转村调委会")
    dispute = dispute_return(dispute=dispute, by=village_mediator, reason="涉及派出所职责")
    assert dispute.status == Status.RETURNED and dispute.current_body == bodies["t1_station_centre"]
    assert dispute_accept(dispute=dispute, by=centre_mediator).status == Status.ACCEPTED


def test_police_matter_routes_to_the_station_and_cannot_go_to_mediation(divisions, bodies, centre_mediator):
    RoutingRule.objects.create(name="全部到综治中心", target_kind=BodyKind.CENTRE)
    dispute = intake(divisions["v11"], by=centre_mediator, channel=Channel.WALK_IN, category=Category.PUBLIC_ORDER)
    assert dispute.current_body == bodies["t1_station"]
    police = user_with_role("police", divisions["t1"], username="p2")
    bodies["t1_station"].staff.add(police)
    with pytest.raises(ValidationError) as error:
        dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=police, reason="x")
    assert codes(error.value, "to_body") == [ERR_POLICE_MATTER]


def test_most_specific_rule_wins(divisions, bodies, rule):
    specific = RoutingRule.objects.create(
        name="v11 警情到村调委会",
        channel=Channel.POLICE,
        division=divisions["t1"],
        category=Category.NEIGHBOUR,
        target_body=bodies["v11"],
        deadline_days=5,
    )
    RoutingRule.objects.create(name="任意", target_kind=BodyKind.CENTRE)
    dispute = Dispute(channel=Channel.POLICE, category=Category.NEIGHBOUR, division=divisions["v11"])
    route = route_for(dispute=dispute)
    assert (route.rule, route.body, route.deadline_days) == (specific, bodies["v11"], 5)
    other = Dispute(channel=Channel.POLICE, category=Category.LABOUR, division=divisions["v21"])
    assert route_for(dispute=other).rule == rule
    assert route_for(dispute=other).body == bodies["t2_station_centre"]


def test_without_rules_a_case_goes_to_the_nearest_centre(divisions, bodies):
    dispute = Dispute(channel=Channel.WALK_IN, category=Category.LABOUR, division=divisions["v12"])
    route = route_for(dispute=dispute)
    assert route.rule is None and route.body == bodies["t1_centre"]


def test_failed_mediation_escalates_one_level_and_raises_risk(
    divisions, bodies, rule, centre_mediator, village_mediator
):
    dispute = intake(divisions["v11"], by=centre_mediator)
    dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=centre_mediator, reason="转村")
    dispute_accept(dispute=dispute, by=village_mediator)
    dispute_mediate(dispute=dispute, by=village_mediator)
    dispute = dispute_fail(dispute=dispute, by=village_mediator, reason="双方分歧大")
    assert dispute.status == Status.ESCALATED and dispute.current_body == bodies["t1_centre"]
    assert "曾调解不成" in dispute.risk_reasons
    assert _timeline(dispute)[-2:] == ["failed", "escalated"]


def test_escalating_at_the_top_level_is_refused(divisions, bodies):
    dispute = intake(divisions["district"], channel=Channel.WALK_IN, category=Category.LABOUR)
    assert dispute.current_body == bodies["district_centre"]
    with pytest.raises(DisputeConflict) as error:
        dispute_escalate(dispute=dispute, by=None, reason="x")
    assert codes(error.value, "current_body") == [ERR_NO_UPPER_LEVEL]


def test_repeat_parties_threats_and_category_make_a_high_risk_case_with_reasons(divisions, bodies, rule):
    people = [PersonFactory(division=divisions["v11"]), PersonFactory(division=divisions["v11"])]
    intake(divisions["v11"], people=people)
    dispute = intake(divisions["v11"], people=people, threats_noted=True)
    assessment = dispute_risk_assess(dispute=dispute)
    assert assessment.level == RiskLevel.HIGH
    assert dispute.risk_level == RiskLevel.HIGH and dispute.risk_score == assessment.score
    assert any("重复纠纷" in r for r in dispute.risk_reasons) and any("威胁" in r for r in dispute.risk_reasons)


def test_high_risk_shortens_the_handling_deadline(divisions, bodies, rule, centre_mediator):
    people = [PersonFactory(division=divisions["v11"]), PersonFactory(division=divisions["v11"])]
    intake(divisions["v11"], people=people)
    dispute = intake(divisions["v11"], people=people, threats_noted=True, by=centre_mediator)
    dispute = dispute_accept(dispute=dispute, by=centre_mediator)
    assert dispute.deadline == working_days_add(start=timezone.localdate(), days=3)  # half of 7


def test_same_external_id_twice_registers_one_case(divisions, bodies, rule):
    first = intake(divisions["v11"], external_id="110-2026-0001")
    second = intake(divisions["v11"], external_id="110-2026-0001")
    assert first.pk == second.pk
    assert Dispute.objects.filter(external_id="110-2026-0001").count() == 1


def test_bad_id_number_of_a_party_names_the_field_and_writes_nothing(divisions, bodies, rule):
    before = (Dispute.objects.count(), Person.objects.count())
    with pytest.raises(ValidationError) as error:
        dispute_intake(
            channel=Channel.POLICE,
            category=Category.NEIGHBOUR,
            division=divisions["v11"],
            description="x",
            parties=[PartyInput(name="张三", id_number="430102199001011235", role=PartyRole.APPLICANT)],
            received_by=None,
        )
    assert "parties.0.id_number" in error.value.error_dict
    assert (Dispute.objects.count(), Person.objects.count()) == before


def test_agreement_amount_below_zero_is_refused_and_nothing_written(divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    dispute_accept(dispute=dispute, by=centre_mediator)
    dispute_mediate(dispute=dispute, by=centre_mediator)
    with pytest.raises(ValidationError) as error:
        dispute_record_agreement(
            dispute=dispute, by=centre_mediator, terms="x", signed_on=timezone.localdate(), amount=Decimal("-1")
        )
    assert "amount" in error.value.error_dict or "__all__" in error.value.error_dict
    dispute.refresh_from_db()
    assert dispute.status == Status.MEDIATING and not MediationAgreement.objects.exists()


def test_disputes_and_events_cannot_be_deleted_or_events_changed(divisions, bodies, rule):
    from django.db import DatabaseError, connection, transaction

    dispute = intake(divisions["v11"])
    with pytest.raises(DatabaseError, match="Cannot delete"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM security_dispute WHERE id = %s", [dispute.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        DisputeEvent.objects.filter(dispute=dispute).update(reason="改写")
    assert Dispute.objects.filter(pk=dispute.pk).exists()
