"""屋场会 writes go through ``hamlet_meeting_record`` / ``hamlet_meeting_update`` (issue 13 item 1): a
change is one transaction and keeps, adds and changes resolutions — it used to drop them silently and
save the meeting before checking the rest — in the API and in the admin."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from governance.write_path import ERR_SERVICE_OWNED
from tests.auth import verified_login
from tests.factories import PersonFactory, user_with_role
from tests.villages.factories import make_hamlet
from villages.choices import FollowUpStatus
from villages.services import (
    ERR_MEETING_ATTENDEE,
    ERR_RESOLUTION_DUE_BEFORE_MEETING,
    ERR_RESOLUTION_OTHER_MEETING,
    hamlet_meeting_record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def user(divisions):
    return user_with_role("community_officer", divisions["v11"])


@pytest.fixture
def api(user):
    client = APIClient()
    verified_login(client, user)
    return client


@pytest.fixture
def meeting(divisions):
    hamlet = make_hamlet(divisions["v11"])
    return hamlet_meeting_record(
        hamlet=hamlet, held_on=datetime.date(2025, 5, 1), topics="议题", resolutions=["修路", "清塘"]
    )


def _url(meeting):
    return reverse("api:villages-api:hamletmeeting-detail", args=[meeting.pk])


def test_an_update_adds_and_changes_resolutions_and_removes_none(api, meeting):
    first, second = meeting.resolutions.order_by("id")
    response = api.patch(
        _url(meeting),
        {
            "topics": "新议题",
            "resolutions": [
                {"id": first.pk, "text": "修路（已立项）", "due_on": "2025-06-30"},
                {"text": "装路灯", "due_on": "2025-07-31"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    texts = {r["text"]: r for r in response.json()["resolutions"]}
    assert set(texts) == {"修路（已立项）", "清塘", "装路灯"}
    assert texts["修路（已立项）"]["follow_up"] == FollowUpStatus.PENDING  # kept: only its follow-up service sets it
    assert texts["装路灯"]["follow_up"] == FollowUpStatus.PENDING and texts["装路灯"]["due_on"] == "2025-07-31"
    second.refresh_from_db()
    assert second.text == "清塘"  # not named: kept as it was


def test_an_update_naming_follow_up_is_refused_and_writes_nothing(api, meeting):
    first = meeting.resolutions.order_by("id").first()
    response = api.patch(
        _url(meeting),
        {"topics": "不该保存", "resolutions": [{"id": first.pk, "text": "修路", "follow_up": FollowUpStatus.DONE}]},
        format="json",
    )
    assert response.status_code == 400
    assert ERR_SERVICE_OWNED in response.content.decode()
    meeting.refresh_from_db()
    first.refresh_from_db()
    assert meeting.topics == "议题" and first.follow_up == FollowUpStatus.PENDING


def test_a_follow_up_given_to_the_service_goes_through_the_follow_up_service(meeting):
    from django.core.exceptions import ValidationError

    from villages.follow_ups import ERR_FOLLOW_UP_DONE
    from villages.services import hamlet_meeting_update

    first = meeting.resolutions.order_by("id").first()
    hamlet_meeting_update(
        meeting=meeting, resolutions=[{"id": first.pk, "text": "修路", "follow_up": FollowUpStatus.DONE}]
    )
    first.refresh_from_db()
    assert first.follow_up == FollowUpStatus.DONE and first.done_on is not None
    with pytest.raises(ValidationError) as error:  # a done resolution is not reopened
        hamlet_meeting_update(
            meeting=meeting, resolutions=[{"id": first.pk, "text": "修路", "follow_up": FollowUpStatus.IN_PROGRESS}]
        )
    assert error.value.error_dict["status"][0].code == ERR_FOLLOW_UP_DONE


def test_a_refused_update_writes_nothing(meeting, divisions):
    """A township officer (who sees both villages) names an attendee of the other village: 400 on
    ``attendees`` — and neither the topic nor the new resolution sent with it is saved."""
    api = APIClient()
    verified_login(api, user_with_role("township_officer", divisions["t1"]))
    stranger = PersonFactory(division=divisions["v12"])
    response = api.patch(
        _url(meeting),
        {"topics": "不该保存", "attendees": [stranger.pk], "resolutions": [{"text": "不该保存"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["attendees"][0]["code"] == ERR_MEETING_ATTENDEE
    meeting.refresh_from_db()
    assert meeting.topics == "议题" and meeting.resolutions.count() == 2


def test_an_attendee_from_another_village_leaves_the_meeting_unchanged(meeting, divisions):
    """The service itself, atomic: the attendee check fails after nothing has been written."""
    from django.core.exceptions import ValidationError

    from villages.services import hamlet_meeting_update

    stranger = PersonFactory(division=divisions["v12"])
    with pytest.raises(ValidationError) as error:
        hamlet_meeting_update(meeting=meeting, topics="不该保存", attendees=[stranger], resolutions=[{"text": "x"}])
    assert error.value.error_dict["attendees"][0].code == ERR_MEETING_ATTENDEE
    meeting.refresh_from_db()
    assert meeting.topics == "议题" and meeting.resolutions.count() == 2


def test_a_resolution_of_another_meeting_is_refused(api, meeting, divisions):
    other = hamlet_meeting_record(
        hamlet=meeting.hamlet, held_on=datetime.date(2025, 5, 2), topics="另一次", resolutions=["别的决议"]
    )
    foreign = other.resolutions.get()
    response = api.patch(_url(meeting), {"resolutions": [{"id": foreign.pk, "text": "改别人的"}]}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["resolutions"][0]["code"] == ERR_RESOLUTION_OTHER_MEETING
    foreign.refresh_from_db()
    assert foreign.text == "别的决议"


def test_the_admin_records_and_changes_through_the_service(client, meeting, divisions):
    admin_user = user_with_role("district_admin", divisions["district"])
    verified_login(client, admin_user)
    first = meeting.resolutions.order_by("id").first()
    prefix = "resolutions"
    url = reverse("admin:villages_hamletmeeting_change", args=[meeting.pk])
    data = {
        "hamlet": meeting.hamlet_id,
        "held_on": "2025-05-01",
        "topics": "议题",
        f"{prefix}-TOTAL_FORMS": "2",
        f"{prefix}-INITIAL_FORMS": "1",
        f"{prefix}-0-id": first.pk,
        f"{prefix}-0-meeting": meeting.pk,
        f"{prefix}-0-text": "修路（改）",
        f"{prefix}-0-follow_up": FollowUpStatus.IN_PROGRESS,
        f"{prefix}-1-meeting": meeting.pk,
        f"{prefix}-1-text": "新决议",
        f"{prefix}-1-follow_up": FollowUpStatus.PENDING,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert set(meeting.resolutions.values_list("text", flat=True)) == {"修路（改）", "清塘", "新决议"}
    first.refresh_from_db()
    assert first.follow_up == FollowUpStatus.PENDING  # read-only in the admin: the post's value is ignored

    # A new meeting is recorded by whoever records it.
    add = client.post(
        reverse("admin:villages_hamletmeeting_add"),
        {
            "hamlet": meeting.hamlet_id,
            "held_on": "2025-06-01",
            "topics": "新会",
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-0-text": "第一条",
            f"{prefix}-0-follow_up": FollowUpStatus.PENDING,
        },
    )
    assert add.status_code == 302
    new = meeting.hamlet.meetings.get(topics="新会")
    assert new.recorded_by == admin_user and list(new.resolutions.values_list("text", flat=True)) == ["第一条"]


def test_the_admin_refuses_an_attendee_from_another_village_on_the_form(client, meeting, divisions):
    verified_login(client, user_with_role("district_admin", divisions["district"]))
    stranger = PersonFactory(division=divisions["v12"])
    response = client.post(
        reverse("admin:villages_hamletmeeting_change", args=[meeting.pk]),
        {
            "hamlet": meeting.hamlet_id,
            "held_on": "2025-05-01",
            "topics": "不该保存",
            "attendees": [stranger.pk],
            "resolutions-TOTAL_FORMS": "0",
            "resolutions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "attendees" in response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.topics == "议题"


def test_a_due_date_before_the_meeting_is_a_400_naming_resolutions_and_nothing_changes(api, meeting):
    first = meeting.resolutions.order_by("id").first()
    response = api.patch(
        _url(meeting),
        {"topics": "不该保存", "resolutions": [{"id": first.pk, "text": "修路", "due_on": "2025-04-30"}]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["resolutions"][0]["code"] == ERR_RESOLUTION_DUE_BEFORE_MEETING
    meeting.refresh_from_db()
    first.refresh_from_db()
    assert (meeting.topics, first.due_on) == ("议题", None)
