"""跟进 (issue 13 item 5): 业委会整治, 执法进小区 rectifications and 楼宇会决议 with due dates, overdue
marked, recorded through ``follow_up_record``; the overdue figure on the dashboard and in 我的待办."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from governance.registry import registry
from governance.todo import todo_groups
from residential.choices import RectificationKind, WorkStatus
from residential.models import (
    BuildingCouncilMeeting,
    CommitteeRectification,
    EnforcementVisit,
    MeetingResolution,
    OwnersCommittee,
)
from residential.selectors import follow_ups_overdue
from residential.services import ERR_FOLLOW_UP_DATE, follow_up_record
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.residential.factories import CompoundFactory, committee_with_members

pytestmark = [pytest.mark.django_db]

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture
def officer(divisions):
    return user_with_role(Role.COMMUNITY_OFFICER, divisions["c11"], username="fu_officer")


@pytest.fixture
def officer_client(client, officer):
    verified_login(client, officer)
    return client


def rectification(compound, deadline, **kwargs) -> CommitteeRectification:
    committee = OwnersCommittee.objects.filter(compound=compound).first() or committee_with_members(compound, 2, 1)
    return CommitteeRectification.objects.create(
        committee=committee,
        kind=RectificationKind.INACTION,
        found_on=TODAY - 30 * DAY,
        problem="业委会长期不召开会议",
        deadline=deadline,
        **kwargs,
    )


def visit(compound, rectify_by) -> EnforcementVisit:
    return EnforcementVisit.objects.create(
        compound=compound,
        department="城管执法局",
        visited_on=TODAY - 20 * DAY,
        problems_found="占道经营",
        problem_count=1,
        rectify_by=rectify_by,
    )


def resolution(compound, deadline) -> MeetingResolution:
    meeting = BuildingCouncilMeeting.objects.create(compound=compound, held_on=TODAY - 10 * DAY, topics="停车")
    return MeetingResolution.objects.create(
        meeting=meeting, content="增设车位", owner_kind="property_company", owner="物业经理", deadline=deadline
    )


def test_overdue_querysets_and_the_dashboard_figure(divisions):
    compound = CompoundFactory(community=divisions["c11"])
    late = rectification(compound, TODAY - DAY)
    rectification(compound, TODAY)  # due today: still in time
    rectification(compound, TODAY - DAY, status=WorkStatus.DONE, done_on=TODAY - 2 * DAY)
    visit(compound, TODAY - 5 * DAY)
    visit(compound, None)  # no deadline set: nothing to follow
    resolution(compound, TODAY - 3 * DAY)
    assert list(CommitteeRectification.objects.overdue()) == [late]
    assert EnforcementVisit.objects.overdue().count() == 1
    assert follow_ups_overdue(division=divisions["c11"]) == 3
    assert follow_ups_overdue(division=divisions["t2"]) == 0
    indicator = registry.indicators["residential.follow_ups_overdue"]
    assert indicator.compute(division=divisions["district"], start=None, end=None) == 3


def test_list_shows_overdue_first_and_marked(officer_client, divisions):
    compound = CompoundFactory(community=divisions["c11"])
    later = rectification(compound, TODAY + 10 * DAY)
    late = rectification(compound, TODAY - DAY)
    response = officer_client.get(reverse("residential:follow-ups"), {"kind": "rectification"})
    assert response.status_code == 200
    rows = list(response.context["rows"])
    assert rows == [late, later]
    assert rows[0].is_overdue and not rows[1].is_overdue
    overdue = officer_client.get(reverse("residential:follow-ups"), {"kind": "rectification", "state": "overdue"})
    assert list(overdue.context["rows"]) == [late]


@pytest.mark.parametrize("kind", ["rectification", "enforcement", "resolution"])
def test_officer_records_done_and_the_row_leaves_the_overdue_list(officer_client, divisions, kind):
    compound = CompoundFactory(community=divisions["c11"])
    row = {"rectification": rectification, "enforcement": visit, "resolution": resolution}[kind](compound, TODAY - DAY)
    response = officer_client.post(
        reverse(f"residential:follow-up-{kind}", args=[row.pk]),
        {"status": "done", "done_on": TODAY.isoformat(), "note": "已整改到位"},
    )
    assert response.status_code == 302
    row.refresh_from_db()
    if kind == "enforcement":
        assert row.rectified_on == TODAY
    else:
        assert row.status == WorkStatus.DONE and row.done_on == TODAY
    assert follow_ups_overdue(division=divisions["c11"]) == 0


def test_a_done_day_in_the_future_is_refused_in_chinese_and_nothing_written(officer_client, divisions):
    compound = CompoundFactory(community=divisions["c11"])
    row = rectification(compound, TODAY - DAY)
    response = officer_client.post(
        reverse("residential:follow-up-rectification", args=[row.pk]),
        {"status": "done", "done_on": (TODAY + DAY).isoformat()},
        follow=True,
    )
    assert "办结日期应在" in response.content.decode()
    row.refresh_from_db()
    assert row.status == WorkStatus.PENDING and row.done_on is None
    with pytest.raises(Exception) as error:
        follow_up_record(row=row, status="done", done_on=TODAY + DAY)
    assert error.value.error_dict["done_on"][0].code == ERR_FOLLOW_UP_DATE


@pytest.mark.parametrize("params", [{"kind": "nonsense"}, {"state": "later"}, {"kind": "rectification", "state": "x"}])
def test_bad_filter_is_a_chinese_400(officer_client, params):
    response = officer_client.get(reverse("residential:follow-ups"), params)
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()


def test_bad_posted_status_is_refused_and_nothing_written(officer_client, divisions):
    compound = CompoundFactory(community=divisions["c11"])
    row = visit(compound, TODAY - DAY)
    url = reverse("residential:follow-up-enforcement", args=[row.pk])
    officer_client.post(url, {"status": "in_progress"})
    officer_client.post(url, {"status": "bogus"})
    row.refresh_from_db()
    assert row.rectified_on is None


def test_rows_of_another_township_are_404_and_not_listed(officer_client, divisions):
    other = rectification(CompoundFactory(community=divisions["c21"]), TODAY - DAY)
    response = officer_client.get(reverse("residential:follow-ups"), {"kind": "rectification"})
    assert other not in list(response.context["rows"])
    url = reverse("residential:follow-up-rectification", args=[other.pk])
    assert officer_client.post(url, {"status": "done"}).status_code == 404
    other.refresh_from_db()
    assert other.status == WorkStatus.PENDING
    assert officer_client.get(reverse("residential:follow-ups"), {"within": divisions["t2"].code}).status_code == 404


def test_overdue_follow_ups_wait_in_the_officers_todo(officer, divisions):
    compound = CompoundFactory(community=divisions["c11"])
    rectification(compound, TODAY - DAY)
    resolution(compound, TODAY)
    counts = {g.source.key: g.count for g in todo_groups(officer)}
    assert counts["residential.rectification.overdue"] == 1
    assert counts["residential.resolution.due_soon"] == 1


@pytest.mark.parametrize("kind", ["rectification", "enforcement", "resolution"])
def test_list_query_count_does_not_grow_with_rows(officer_client, divisions, kind):
    make = {"rectification": rectification, "enforcement": visit, "resolution": resolution}[kind]
    compound = CompoundFactory(community=divisions["c11"])
    for i in range(3):
        make(compound, TODAY - i * DAY)
    url = reverse("residential:follow-ups")
    with CaptureQueriesContext(connection) as few:
        assert len(officer_client.get(url, {"kind": kind}).context["rows"]) == 3
    for i in range(27):
        make(CompoundFactory(community=divisions["c11"]), TODAY + i * DAY)
    with CaptureQueriesContext(connection) as many:
        assert len(officer_client.get(url, {"kind": kind}).context["rows"]) == 30
    assert len(many) == len(few)


def test_an_empty_list_says_so(officer_client):
    """No follow-up in the area: the page says 共 0 项 and 没有符合条件的事项, not a blank page."""
    for state in ("all", "overdue", "open"):
        page = officer_client.get(reverse("residential:follow-ups"), {"state": state}).content.decode()
        assert "共 0 项" in page and "没有符合条件的事项。" in page


# --- the API's follow-up (one write path: only ``follow_up_record`` sets the follow-up fields) ------------


@pytest.fixture
def officer_api(officer):
    from rest_framework.test import APIClient

    api = APIClient()
    verified_login(api, officer)
    return api


def _follow_up_url(row) -> str:
    return reverse("api:residential-api:meeting-resolution-follow-up", args=[row.pk])


def test_api_records_a_resolutions_follow_up_through_the_service(officer_api, divisions):
    row = resolution(CompoundFactory(community=divisions["c11"]), TODAY - DAY)
    response = officer_api.post(_follow_up_url(row), {"status": "in_progress", "note": "已联系物业"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "in_progress" and response.json()["follow_up"].endswith("已联系物业")
    body = officer_api.post(_follow_up_url(row), {"status": "done"}, format="json").json()
    assert (body["status"], body["done_on"]) == ("done", TODAY.isoformat())
    # a direct write of the follow-up fields is no longer offered
    detail = reverse("api:residential-api:meeting-resolution-detail", args=[row.pk])
    assert officer_api.patch(detail, {"status": "pending"}, format="json").status_code == 405
    row.refresh_from_db()
    assert row.status == WorkStatus.DONE


@pytest.mark.parametrize(
    "data, field",
    [
        ({"status": "pending"}, "status"),
        ({"status": "done", "done_on": (TODAY + DAY).isoformat()}, "done_on"),
        ({"status": "done", "done_on": "2025-13-45"}, "done_on"),
        ({}, "status"),
    ],
)
def test_api_bad_follow_up_is_a_400_naming_the_field_and_writes_nothing(officer_api, divisions, data, field):
    row = resolution(CompoundFactory(community=divisions["c11"]), TODAY - DAY)
    response = officer_api.post(_follow_up_url(row), data, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    row.refresh_from_db()
    assert (row.status, row.done_on, row.follow_up) == (WorkStatus.PENDING, None, "")


def test_api_follow_up_of_another_township_is_404(officer_api, divisions):
    row = resolution(CompoundFactory(community=divisions["c21"]), TODAY - DAY)
    assert officer_api.post(_follow_up_url(row), {"status": "done"}, format="json").status_code == 404
    row.refresh_from_db()
    assert row.status == WorkStatus.PENDING
