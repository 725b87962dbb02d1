"""屋场会决议 follow-ups (issue 13 leftover): their own list beside the residential one, with 办结时限,
overdue marked, recorded through ``hamlet_resolution_follow_up``; counted in the dashboard's overdue
follow-ups figure and linked from 我的待办 and from the residential list. Scope 404, bad input, query count."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from governance.registry import registry
from residential.selectors import follow_ups_overdue
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.villages.factories import make_hamlet
from villages.choices import FollowUpStatus
from villages.follow_ups import ERR_FOLLOW_UP_DATE, ERR_FOLLOW_UP_DONE, hamlet_resolution_follow_up
from villages.models import MeetingResolution
from villages.services import ERR_RESOLUTION_DUE_BEFORE_MEETING, hamlet_meeting_record

pytestmark = [pytest.mark.django_db]

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)
LIST = "/villages/follow-ups/"


@pytest.fixture
def officer_client(client, divisions):
    verified_login(client, user_with_role(Role.COMMUNITY_OFFICER, divisions["v11"], username="vfu_officer"))
    return client


def resolutions(village, *dues, hamlet=None):
    """One 屋场会 (40 days ago) in ``village`` with a resolution per due date; returns them in order."""
    hamlet = hamlet or make_hamlet(village)
    meeting = hamlet_meeting_record(
        hamlet=hamlet,
        held_on=TODAY - 40 * DAY,
        topics="议题",
        resolutions=[{"text": f"决议{i}", "due_on": due} for i, due in enumerate(dues)],
    )
    return list(meeting.resolutions.order_by("id"))


def test_list_shows_due_dates_overdue_first_and_marked(officer_client, divisions):
    later, late = resolutions(divisions["v11"], TODAY + 10 * DAY, TODAY - 2 * DAY)
    response = officer_client.get(LIST)
    assert response.status_code == 200
    assert [row.pk for row in response.context["rows"]] == [late.pk, later.pk]
    page = response.content.decode()
    assert "已超期" in page and f"{late.due_on:%Y-%m-%d}" in page
    overdue = officer_client.get(LIST, {"state": "overdue"}).context["rows"]
    assert [row.pk for row in overdue] == [late.pk]


def test_officer_records_done_through_the_service_and_the_row_leaves_the_open_list(officer_client, divisions):
    (late,) = resolutions(divisions["v11"], TODAY - 2 * DAY)
    url = reverse("villages:follow-up-record", args=[late.pk])
    officer_client.post(url, {"status": "in_progress", "note": "已联系施工队"})
    late.refresh_from_db()
    assert late.follow_up == FollowUpStatus.IN_PROGRESS and late.follow_up_note.endswith("已联系施工队")
    response = officer_client.post(url, {"status": "done", "done_on": TODAY.isoformat()}, follow=True)
    assert "跟进情况已记录" in response.content.decode()
    late.refresh_from_db()
    assert (late.follow_up, late.done_on) == (FollowUpStatus.DONE, TODAY)
    assert late.pk not in [row.pk for row in officer_client.get(LIST).context["rows"]]
    assert late.pk in [row.pk for row in officer_client.get(LIST, {"state": "done"}).context["rows"]]
    again = officer_client.post(url, {"status": "in_progress"}, follow=True)
    assert "该事项已办结" in again.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"status": "done", "done_on": (TODAY + DAY).isoformat()},  # in the future
        {"status": "done", "done_on": (TODAY - 41 * DAY).isoformat()},  # before the meeting
        {"status": "pending"},
        {"status": "x"},
        {"status": "done", "done_on": "2025-13-45"},
        {},
    ],
)
def test_bad_input_is_a_chinese_message_and_nothing_written(officer_client, divisions, data):
    (row,) = resolutions(divisions["v11"], TODAY - 2 * DAY)
    response = officer_client.post(reverse("villages:follow-up-record", args=[row.pk]), data, follow=True)
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in e) for e in errors)
    row.refresh_from_db()
    assert (row.follow_up, row.done_on, row.follow_up_note) == (FollowUpStatus.PENDING, None, "")


def test_the_service_refuses_in_the_names_of_its_fields(divisions):
    (row,) = resolutions(divisions["v11"], TODAY - 2 * DAY)
    with pytest.raises(ValidationError) as error:
        hamlet_resolution_follow_up(resolution=row, status="done", done_on=TODAY + DAY)
    assert error.value.error_dict["done_on"][0].code == ERR_FOLLOW_UP_DATE
    hamlet_resolution_follow_up(resolution=row, status="done")
    with pytest.raises(ValidationError) as error:
        hamlet_resolution_follow_up(resolution=row, status="in_progress")
    assert error.value.error_dict["status"][0].code == ERR_FOLLOW_UP_DONE


@pytest.mark.parametrize("params", [{"state": "nope"}, {"state": "<script>"}])
def test_bad_filter_is_a_chinese_400(officer_client, params):
    response = officer_client.get(LIST, params)
    assert response.status_code == 400
    assert "请选择有效的状态" in response.content.decode()


def test_rows_of_another_village_are_404_and_not_listed(officer_client, divisions):
    (foreign,) = resolutions(divisions["v12"], TODAY - 2 * DAY)
    assert foreign.pk not in [row.pk for row in officer_client.get(LIST, {"state": "all"}).context["rows"]]
    response = officer_client.post(reverse("villages:follow-up-record", args=[foreign.pk]), {"status": "done"})
    assert response.status_code == 404
    assert officer_client.get(LIST, {"within": divisions["v12"].code}).status_code == 404
    foreign.refresh_from_db()
    assert foreign.follow_up == FollowUpStatus.PENDING


def test_list_query_count_does_not_grow_with_rows(officer_client, divisions):
    hamlet = make_hamlet(divisions["v11"])
    resolutions(divisions["v11"], *[TODAY - i * DAY for i in range(3)], hamlet=hamlet)
    with CaptureQueriesContext(connection) as few:
        assert officer_client.get(LIST, {"state": "all"}).status_code == 200
    resolutions(divisions["v11"], *[TODAY - i * DAY for i in range(27)], hamlet=make_hamlet(divisions["v11"]))
    with CaptureQueriesContext(connection) as many:
        response = officer_client.get(LIST, {"state": "all"})
    assert len(response.context["rows"]) == 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_overdue_resolutions_count_in_the_dashboards_overdue_follow_ups_figure(divisions):
    figure = registry.indicators["residential.follow_ups_overdue"]
    before = figure.compute(division=divisions["t1"], start=None, end=None)
    late, _soon = resolutions(divisions["v11"], TODAY - DAY, TODAY + DAY)
    assert follow_ups_overdue(division=divisions["t1"]) == before + 1
    assert figure.compute(division=divisions["t1"], start=None, end=None) == before + 1
    assert follow_ups_overdue(division=divisions["t2"]) == 0
    hamlet_resolution_follow_up(resolution=late, status="done")
    assert follow_ups_overdue(division=divisions["t1"]) == before


def test_the_overdue_follow_ups_roll_up_counts_them_after_every_kind_of_write(divisions):
    """The roll-up behind the dashboard (``residential.follow_ups``) takes in these rows too: it equals the
    base-table figure after a service write, a bulk update, raw SQL and a 屋场 moved to another village
    (the bench found it at 0 against 329 before the villages app's rows and triggers joined it)."""
    from governance.rollups import indicator_rollup_value, rollups_refresh
    from villages.models import Hamlet

    figure = registry.indicators["residential.follow_ups_overdue"]

    def same_everywhere() -> None:
        rollups_refresh()
        for key in ("district", "t1", "t2", "v11", "v12", "v21"):
            division = divisions[key]
            rolled = indicator_rollup_value(figure, division=division, start=TODAY, end=TODAY)
            assert rolled == figure.compute(division=division, start=None, end=None), key

    late, _soon, later = resolutions(divisions["v11"], TODAY - DAY, TODAY + DAY, TODAY - 3 * DAY)
    resolutions(divisions["v21"], TODAY - 2 * DAY)
    same_everywhere()
    assert indicator_rollup_value(figure, division=divisions["t1"], start=TODAY, end=TODAY) == 2
    hamlet_resolution_follow_up(resolution=late, status="done")  # the service
    same_everywhere()
    MeetingResolution.objects.filter(pk=_soon.pk).update(due_on=TODAY - 5 * DAY)  # bulk
    same_everywhere()
    with connection.cursor() as cursor:  # raw SQL
        cursor.execute("UPDATE villages_meetingresolution SET due_on = %s WHERE id = %s", [TODAY + DAY, later.pk])
    same_everywhere()
    Hamlet.objects.filter(pk=later.meeting.hamlet_id).update(division=divisions["v21"])  # the 屋场 moves
    same_everywhere()
    assert indicator_rollup_value(figure, division=divisions["t2"], start=TODAY, end=TODAY) == 2


def test_the_residential_list_links_here_and_the_todo_opens_it(client, divisions):
    verified_login(client, user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="vfu_township"))
    page = client.get(reverse("residential:follow-ups")).content.decode()
    assert f'href="{LIST}"' in page and "屋场会决议跟进" in page
    (late,) = resolutions(divisions["v11"], TODAY - DAY)
    todo = client.get("/todo/").content.decode()
    assert f"{LIST}?state=overdue" in todo
    assert late.text in todo


def test_resolution_follow_up_fields_are_service_owned(divisions):
    from governance.write_path import service_owned

    assert set(service_owned(MeetingResolution)) == {"follow_up", "follow_up_note", "done_on"}


def test_resolution_recorded_on_the_meeting_page_shows_with_its_due_date_and_is_overdue(officer_client, divisions):
    """The defect of the user trial: the 屋场会 form took no 办结时限, so its resolutions were never due."""
    hamlet = make_hamlet(divisions["v11"])
    due = TODAY - 2 * DAY
    response = officer_client.post(
        reverse("villages:meeting-create", args=[hamlet.pk]),
        {
            "held_on": f"{TODAY - 20 * DAY:%Y-%m-%d}",
            "topics": "机耕道",
            "resolutions": "筹资修路",
            "due_on": f"{due:%Y-%m-%d}",
        },
    )
    assert response.status_code == 302
    row = MeetingResolution.objects.get(meeting__hamlet=hamlet)
    assert (row.text, row.due_on) == ("筹资修路", due)
    page = officer_client.get(LIST).content.decode()
    assert "筹资修路" in page and f"{due:%Y-%m-%d}" in page
    assert [r.pk for r in officer_client.get(LIST, {"state": "overdue"}).context["rows"]] == [row.pk]
    assert follow_ups_overdue(division=divisions["v11"]) >= 1


@pytest.mark.parametrize(
    ("due_on", "message"),
    [("", "请填写决议的办结时限。"), ("2020-01-01", "办结时限不能早于召开日期。"), ("x", "请输入有效的日期。")],
)
def test_meeting_page_refuses_a_missing_or_bad_due_date_in_chinese(officer_client, divisions, due_on, message):
    hamlet = make_hamlet(divisions["v11"])
    response = officer_client.post(
        reverse("villages:meeting-create", args=[hamlet.pk]),
        {"held_on": f"{TODAY:%Y-%m-%d}", "topics": "机耕道", "resolutions": "筹资修路", "due_on": due_on},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["due_on"] == [message]
    assert not MeetingResolution.objects.filter(meeting__hamlet=hamlet).exists()
    assert not hamlet.meetings.exists()


def test_the_service_refuses_a_due_date_before_the_meeting_and_writes_nothing(divisions):
    hamlet = make_hamlet(divisions["v11"])
    with pytest.raises(ValidationError) as error:
        hamlet_meeting_record(
            hamlet=hamlet, held_on=TODAY, topics="t", resolutions=[{"text": "决议", "due_on": TODAY - DAY}]
        )
    assert error.value.error_dict["resolutions"][0].code == ERR_RESOLUTION_DUE_BEFORE_MEETING
    assert not hamlet.meetings.exists()


def test_a_note_is_appended_dated_and_never_cuts_the_earlier_record(divisions):
    (row,) = resolutions(divisions["v11"], TODAY + 5 * DAY)
    MeetingResolution.objects.filter(pk=row.pk).update(follow_up_note="旧" * 1995)
    hamlet_resolution_follow_up(resolution=row, status=FollowUpStatus.IN_PROGRESS, note="  已约谈两户  ")
    row.refresh_from_db()
    assert row.follow_up_note.startswith("旧" * 1995)
    assert row.follow_up_note.endswith(f"{TODAY:%Y-%m-%d} 已约谈两户")
    # A note over the forms' 2000 characters keeps its first 2000.
    hamlet_resolution_follow_up(resolution=row, status=FollowUpStatus.IN_PROGRESS, note="新" * 2100)
    row.refresh_from_db()
    assert row.follow_up_note.endswith(" " + "新" * 2000)
    assert row.follow_up == FollowUpStatus.IN_PROGRESS and row.done_on is None
