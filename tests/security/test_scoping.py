import pytest

from governance.models import Role
from security.models import Category, Channel, Dispute, DisputeEvent
from security.services import dispute_transfer
from tests.factories import user_with_role
from tests.security.factories import intake, staff

pytestmark = pytest.mark.django_db


def test_mediator_sees_their_body_cases_and_those_they_handled(
    divisions, bodies, rule, centre_mediator, village_mediator
):
    handled = intake(divisions["v11"], by=centre_mediator)
    dispute_transfer(dispute=handled, to_body=bodies["v11"], by=centre_mediator, reason="转村")
    at_centre = intake(divisions["v12"])
    elsewhere = intake(divisions["v21"])
    visible = set(Dispute.objects.for_user(centre_mediator).values_list("pk", flat=True))
    assert visible == {handled.pk, at_centre.pk}
    assert set(Dispute.objects.for_user(village_mediator).values_list("pk", flat=True)) == {handled.pk}
    assert elsewhere.pk not in visible


def test_police_see_their_station_cases_including_its_mediation_centre(divisions, bodies, rule, station_police):
    at_station_centre = intake(divisions["v11"])
    at_station = intake(divisions["v12"], channel=Channel.WALK_IN, category=Category.PUBLIC_ORDER)
    other_station = intake(divisions["v21"])
    in_village = intake(divisions["v11"], channel=Channel.WALK_IN, category=Category.LABOUR)
    visible = set(Dispute.objects.for_user(station_police).values_list("pk", flat=True))
    assert visible == {at_station_centre.pk, at_station.pk}
    assert other_station.pk not in visible and in_village.pk not in visible


def test_officer_sees_only_their_subtree(divisions, bodies, rule, officer):
    mine = intake(divisions["v11"])
    intake(divisions["v12"])
    assert list(Dispute.objects.for_user(officer).values_list("pk", flat=True)) == [mine.pk]
    township = user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"])
    assert Dispute.objects.for_user(township).count() == 2


def test_mediator_without_a_body_sees_nothing(divisions, bodies, rule):
    intake(divisions["v11"])
    assert not Dispute.objects.for_user(staff(Role.MEDIATOR, divisions["t1"])).exists()


def test_events_follow_the_dispute_scope(divisions, bodies, rule, officer):
    mine = intake(divisions["v11"])
    intake(divisions["v21"])
    assert set(DisputeEvent.objects.for_user(officer).values_list("dispute_id", flat=True)) == {mine.pk}
