import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.auth import verified_login
from tests.factories import PersonFactory
from tests.villages.factories import make_hamlet, make_household
from villages.models import HamletMeeting, MeetingResolution

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def officer_client(client, officer):
    verified_login(client, officer)
    return client


def test_hamlet_page_shows_bodies_households_and_land(officer_client, hamlet):
    household = make_household(hamlet)
    response = officer_client.get(reverse("villages:hamlet-detail", args=[hamlet.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert hamlet.division.name + "党小组" in body
    assert household.number in body


def test_officer_gets_404_for_another_villages_hamlet_page_and_form(officer_client, other_hamlet):
    assert officer_client.get(reverse("villages:hamlet-detail", args=[other_hamlet.pk])).status_code == 404
    url = reverse("villages:meeting-create", args=[other_hamlet.pk])
    assert officer_client.get(url).status_code == 404
    assert officer_client.post(url, {"held_on": "2025-06-01", "topics": "x"}).status_code == 404
    assert not HamletMeeting.objects.exists()


def test_hamlet_list_shows_only_the_officers_hamlets(officer_client, hamlet, other_hamlet):
    rows = list(officer_client.get(reverse("villages:hamlet-list")).context["object_list"])
    assert rows == [hamlet]


def test_recording_a_meeting_saves_attendees_and_resolutions(officer_client, hamlet):
    person = make_household(hamlet).head
    response = officer_client.post(
        reverse("villages:meeting-create", args=[hamlet.pk]),
        {
            "held_on": "2025-06-01",
            "topics": "机耕道修缮",
            "attendees": [person.pk],
            "resolutions": "筹资修路\n\n公示收支",
            "due_on": "2025-07-01",
        },
    )
    assert response.status_code == 302
    meeting = HamletMeeting.objects.get(hamlet=hamlet)
    assert list(meeting.attendees.all()) == [person]
    assert list(meeting.resolutions.values_list("text", "due_on")) == [
        ("筹资修路", datetime.date(2025, 7, 1)),
        ("公示收支", datetime.date(2025, 7, 1)),
    ]


def test_meeting_with_a_bad_date_shows_the_error_and_writes_nothing(officer_client, hamlet):
    response = officer_client.post(
        reverse("villages:meeting-create", args=[hamlet.pk]), {"held_on": "x", "topics": "t"}
    )
    assert response.status_code == 400
    assert response.context["form"].errors["held_on"]
    assert not HamletMeeting.objects.exists() and not MeetingResolution.objects.exists()


def test_meeting_attendee_from_another_village_is_not_offered(officer_client, hamlet, divisions):
    stranger = PersonFactory(division=divisions["v12"])
    response = officer_client.post(
        reverse("villages:meeting-create", args=[hamlet.pk]),
        {"held_on": "2025-06-01", "topics": "t", "attendees": [stranger.pk]},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["attendees"]
    assert not HamletMeeting.objects.exists()


def test_completeness_page_lists_incomplete_hamlets_in_scope(officer_client, hamlet, divisions):
    bare = make_hamlet(divisions["v11"], complete=False)
    make_hamlet(divisions["v21"], complete=False)
    response = officer_client.get(reverse("villages:completeness"))
    assert [h.pk for h in response.context["summary"]["incomplete"]] == [bare.pk]


@pytest.mark.parametrize("code", ["431302002", "999999"])
def test_completeness_page_of_a_division_out_of_scope_or_unknown_is_404(officer_client, code):
    assert officer_client.get(reverse("villages:completeness"), {"within": code}).status_code == 404


def test_hamlet_list_query_count_does_not_grow_with_rows(officer_client, divisions):
    for _i in range(3):
        make_household(make_hamlet(divisions["v11"]))
    with CaptureQueriesContext(connection) as few:
        assert officer_client.get(reverse("villages:hamlet-list")).status_code == 200
    for _i in range(27):
        make_hamlet(divisions["v11"], complete=False)
    with CaptureQueriesContext(connection) as many:
        response = officer_client.get(reverse("villages:hamlet-list"))
    assert response.context["paginator"].count == 30
    assert len(many) == len(few)
