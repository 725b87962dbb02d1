"""楼宇会 writes go through ``meeting_record`` / ``meeting_update`` (issue 13 item 1): the API's update
used to drop participants and resolutions silently; now a change is one transaction that replaces the
participants given and adds or changes resolutions (none removed), in the API and in the admin."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from governance.write_path import ERR_SERVICE_OWNED
from residential.choices import ParticipantKind, WorkStatus
from residential.models import BuildingCouncilMeeting
from residential.services import (
    ERR_FOLLOW_UP_DATE,
    ERR_FOLLOW_UP_DONE,
    ERR_RESOLUTION_OTHER_MEETING,
    meeting_record,
    meeting_update,
)
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.residential.factories import CompoundFactory

pytestmark = pytest.mark.django_db

RESOLUTION = {
    "content": "更换门禁",
    "owner_kind": ParticipantKind.PROPERTY_COMPANY,
    "owner": "物业经理",
    "deadline": datetime.date(2025, 6, 30),
}


@pytest.fixture
def compound(divisions):
    return CompoundFactory(community=divisions["c11"])


@pytest.fixture
def meeting(compound):
    return meeting_record(
        compound=compound,
        held_on=datetime.date(2025, 5, 1),
        topics="议题",
        participants=[{"kind": ParticipantKind.OWNERS_COMMITTEE, "name": "业委会"}],
        resolutions=[RESOLUTION],
    )


@pytest.fixture
def api(divisions):
    client = APIClient()
    verified_login(client, user_with_role("community_officer", divisions["c11"]))
    return client


def _url(meeting):
    return reverse("api:residential-api:meeting-detail", args=[meeting.pk])


def test_an_update_keeps_participants_and_resolutions_it_does_not_name(api, meeting):
    response = api.patch(_url(meeting), {"topics": "改议题"}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["topics"] == "改议题" and len(body["participants"]) == 1 and len(body["resolutions"]) == 1


def test_an_update_replaces_participants_and_adds_or_changes_resolutions(api, meeting):
    first = meeting.resolutions.get()
    response = api.patch(
        _url(meeting),
        {
            "participants": [
                {"kind": ParticipantKind.PARTY_BRANCH, "name": "党支部"},
                {"kind": ParticipantKind.PROPERTY_COMPANY, "name": "物业"},
            ],
            "resolutions": [
                {**RESOLUTION, "id": first.pk, "content": "更换门禁（含单元门）", "deadline": "2025-06-30"},
                {**RESOLUTION, "content": "清理楼道", "deadline": "2025-07-31"},
            ],
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    meeting.refresh_from_db()
    assert sorted(meeting.participants.values_list("name", flat=True)) == ["党支部", "物业"]
    assert sorted(meeting.resolutions.values_list("content", flat=True)) == ["更换门禁（含单元门）", "清理楼道"]
    first.refresh_from_db()
    assert first.status == WorkStatus.PENDING  # the follow-up is kept as it was


def test_an_update_naming_a_follow_up_field_is_refused_and_writes_nothing(api, meeting):
    """The follow-up is ``follow_up_record``'s (``/follow-ups/`` or ``meeting-resolutions/<id>/follow-up/``)."""
    first = meeting.resolutions.get()
    response = api.patch(
        _url(meeting),
        {
            "topics": "不该保存",
            "resolutions": [{**RESOLUTION, "id": first.pk, "deadline": "2025-06-30", "status": "done"}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert ERR_SERVICE_OWNED in response.content.decode()
    meeting.refresh_from_db()
    first.refresh_from_db()
    assert meeting.topics == "议题" and first.status == WorkStatus.PENDING


def test_a_status_given_to_the_service_goes_through_follow_up_record(meeting):
    first = meeting.resolutions.get()
    with pytest.raises(ValidationError) as error:  # done before the meeting: follow_up_record's rule
        meeting_update(
            meeting=meeting,
            fields={"topics": "不该保存"},
            resolutions=[{"id": first.pk, "status": WorkStatus.DONE, "done_on": datetime.date(2025, 4, 1)}],
        )
    assert error.value.error_dict["resolutions.0.done_on"][0].code == ERR_FOLLOW_UP_DATE
    meeting.refresh_from_db()
    assert meeting.topics == "议题"
    meeting_update(
        meeting=meeting,
        resolutions=[
            {"id": first.pk, "status": WorkStatus.DONE, "follow_up": "已更换", "done_on": datetime.date(2025, 6, 1)}
        ],
    )
    first.refresh_from_db()
    assert (first.status, first.done_on) == (WorkStatus.DONE, datetime.date(2025, 6, 1))
    assert first.follow_up.endswith("已更换")
    meeting_update(meeting=meeting, resolutions=[{"id": first.pk, "content": "更换门禁", "status": WorkStatus.DONE}])
    with pytest.raises(ValidationError) as error:  # a done resolution is not reopened
        meeting_update(meeting=meeting, resolutions=[{"id": first.pk, "status": WorkStatus.IN_PROGRESS}])
    assert error.value.error_dict["resolutions.0.status"][0].code == ERR_FOLLOW_UP_DONE


def test_a_bad_row_writes_nothing(api, meeting):
    response = api.patch(
        _url(meeting),
        {
            "topics": "不该保存",
            "participants": [{"kind": ParticipantKind.PARTY_BRANCH, "name": "党支部"}],
            "resolutions": [{**RESOLUTION, "deadline": "2025-07-31", "id": 999999}],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["resolutions"][0]["code"] == ERR_RESOLUTION_OTHER_MEETING
    meeting.refresh_from_db()
    assert meeting.topics == "议题"
    assert list(meeting.participants.values_list("name", flat=True)) == ["业委会"]


def test_a_create_records_the_caller(api, compound):
    response = api.post(
        reverse("api:residential-api:meeting-list"),
        {
            "compound": compound.pk,
            "held_on": "2025-05-02",
            "topics": "新会",
            "participants": [{"kind": ParticipantKind.PARTY_BRANCH, "name": "党支部"}],
            "resolutions": [{**RESOLUTION, "deadline": "2025-06-30"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    meeting = BuildingCouncilMeeting.objects.get(pk=response.json()["id"])
    assert meeting.recorded_by is not None and meeting.resolutions.count() == 1


def test_the_admin_changes_a_meeting_through_the_service(client, meeting, divisions):
    verified_login(client, user_with_role("district_admin", divisions["district"]))
    first = meeting.resolutions.get()
    participant = meeting.participants.get()
    url = reverse("admin:residential_buildingcouncilmeeting_change", args=[meeting.pk])
    data = {
        "compound": meeting.compound_id,
        "held_on": "2025-05-01",
        "topics": "议题",
        "place": "",
        "participants-TOTAL_FORMS": "1",
        "participants-INITIAL_FORMS": "1",
        "participants-0-id": participant.pk,
        "participants-0-meeting": meeting.pk,
        "participants-0-kind": ParticipantKind.OWNERS_COMMITTEE,
        "participants-0-name": "业委会（改）",
        "resolutions-TOTAL_FORMS": "1",
        "resolutions-INITIAL_FORMS": "1",
        "resolutions-0-id": first.pk,
        "resolutions-0-meeting": meeting.pk,
        "resolutions-0-content": "更换门禁（改）",
        "resolutions-0-owner_kind": ParticipantKind.PROPERTY_COMPANY,
        "resolutions-0-owner": "物业经理",
        "resolutions-0-deadline": "2025-06-30",
        "resolutions-0-status": WorkStatus.IN_PROGRESS,
        "resolutions-0-follow_up": "已联系厂家",
        "resolutions-0-done_on": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    first.refresh_from_db()
    assert first.content == "更换门禁（改）"
    # the follow-up is read-only in the admin (``follow_up_record`` sets it): the post's values are ignored
    assert first.status == WorkStatus.PENDING and first.follow_up == ""
    assert list(meeting.participants.values_list("name", flat=True)) == ["业委会（改）"]
    assert meeting.resolutions.count() == 1
