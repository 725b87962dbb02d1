import pytest

from security.models import MediationBodyStaffLink, PoliceRoom, PoliceRoomCoverLink
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


def test_staffing_a_body_and_a_room_covering_a_village_leave_a_trace(divisions, bodies):
    body = bodies["v11"]
    mediator = user_with_role("mediator", divisions["t1"], username="traced")
    body.staff.add(mediator)
    body.staff.remove(mediator)
    staff_events = MediationBodyStaffLink.pgh_event_model.objects.filter(mediationbody=body, user=mediator)
    assert list(staff_events.order_by("pgh_id").values_list("pgh_label", flat=True)) == ["add", "remove"]

    room = PoliceRoom.objects.create(name="警务室", division=divisions["t1"])
    room.covers.set([divisions["v11"], divisions["v12"]])
    room.covers.remove(divisions["v12"])
    cover_events = PoliceRoomCoverLink.pgh_event_model.objects.filter(policeroom=room)
    assert sorted(cover_events.values_list("pgh_label", "division__code")) == [
        ("add", divisions["v11"].code),
        ("add", divisions["v12"].code),
        ("remove", divisions["v12"].code),
    ]
