"""Issue 16 (security): 三防联保 register and coverage, 警务室 kinds and staffing, the 24-hour duty roster
with its gaps and the on-duty contact of a night transfer, the 综治中心's 一地办公 page, and patrol hours
of 保安/快递员/志愿者 converted into civility points within the rules' caps."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from civility.choices import PointCategory
from civility.models import PointEntry
from governance.models import DivisionLevel, HouseholdMember, Role
from governance.registry import registry
from security.choices import PoliceRoomKind, ResourceCategory, ResourceStatus, RoomStaffKind
from security.models import DisputeEvent, DutyShift, EventAction, PoliceRoom, PoliceRoomStaff, ProtectiveResource
from security.selectors import (
    _uncovered,
    duty_gaps,
    night_transfer_contact,
    police_room_staffing,
    protection_coverage,
    protection_summary,
)
from security.services.patrol_points import (
    ERR_PATROL_CONVERTED,
    ERR_PATROL_KIND,
    patrol_log_convert,
    patrol_logs_convert_due,
)
from tests.api_mixin import assert_error_body
from tests.auth import verified_login
from tests.civility.factories import PointRuleFactory
from tests.factories import DivisionFactory, HouseholdFactory, PersonFactory, user_with_role
from tests.security.factories import PatrolLogFactory, PatrolTeamFactory, intake

pytestmark = [pytest.mark.django_db]


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def resource(division, category=ResourceCategory.CAMERA, status=ResourceStatus.NORMAL, **kwargs):
    return ProtectiveResource.objects.create(
        division=division, category=category, name="监控", location="东门", owner="物业", status=status, **kwargs
    )


@pytest.fixture
def compound(divisions):
    community = DivisionFactory(
        code=f"{divisions['t1'].code}101", name="社区11", level=DivisionLevel.COMMUNITY, parent=divisions["t1"]
    )
    return DivisionFactory(code=f"{community.code}001", name="小区一", level=DivisionLevel.COMPOUND, parent=community)


@pytest.fixture
def t1_officer(divisions):
    return user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="officer_t1")


# --- 1. 三防联保 ------------------------------------------------------------------------------------------


def test_coverage_flags_each_kind_from_records(divisions, compound):
    v11, v12 = divisions["v11"], divisions["v12"]
    PatrolTeamFactory(division=v11)
    resource(v11, ResourceCategory.GATE)
    resource(v11, ResourceCategory.CAMERA)
    resource(v12, ResourceCategory.CAMERA, status=ResourceStatus.FAULTY)  # out of service: no 技防
    PatrolLogFactory(team=PatrolTeamFactory(division=divisions["t1"]), division=v12, date=timezone.localdate())
    resource(compound, ResourceCategory.ACCESS_CONTROL)
    rows = {row.code: row for row in protection_coverage(division=divisions["t1"])}
    assert set(rows) == {v11.code, v12.code, compound.code, compound.parent.code}
    assert (rows[v11.code].has_people, rows[v11.code].has_physical, rows[v11.code].has_technical) == (True,) * 3
    assert rows[v11.code].missing == []
    assert rows[v12.code].missing == ["物防", "技防"]  # patrolled in the last 30 days: 人防
    # a community counts its compounds' resources
    assert rows[compound.parent.code].has_technical is True and rows[compound.code].missing == ["人防", "物防"]
    summary = protection_summary(list(rows.values()))
    assert summary["units"] == 4 and summary["full"] == 1 and summary["rate"] == Decimal("25.0")


def test_an_old_patrol_is_no_people_cover(divisions):
    old = timezone.localdate() - datetime.timedelta(days=45)
    PatrolLogFactory(team=PatrolTeamFactory(division=divisions["t2"]), division=divisions["v11"], date=old)
    row = next(r for r in protection_coverage(division=divisions["t1"]) if r.code == divisions["v11"].code)
    assert row.has_people is False and "人防" in row.missing


def test_last_inspection_in_the_future_is_refused(divisions):
    item = ProtectiveResource(
        division=divisions["v11"], category="camera", name="监控", location="东门", owner="物业",
        last_inspected_on=timezone.localdate() + datetime.timedelta(days=1),
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "最近检查日期不能晚于今天" in str(error.value)


def test_protection_page_counts_and_gaps(client, divisions, t1_officer, compound):
    resource(divisions["v11"], ResourceCategory.GATE)
    verified_login(client, t1_officer)
    response = client.get(reverse("security:protection"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "三防联保" in page and "小区一" in page and "人防、物防、技防" in page
    only_tech = client.get(reverse("security:protection"), {"lack": "technical"})
    assert only_tech.status_code == 200 and "村11" in only_tech.content.decode()
    xlsx = client.get(reverse("security:protection"), {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_protection_page_bad_input_is_400_in_chinese(client, divisions, t1_officer):
    verified_login(client, t1_officer)
    response = client.get(reverse("security:protection"), {"lack": "everything"})
    assert response.status_code == 400
    assert "选择一个有效的选项" in response.content.decode()


def test_protection_page_out_of_scope_is_404(client, divisions, t1_officer):
    verified_login(client, t1_officer)
    assert client.get(reverse("security:protection"), {"within": divisions["t2"].code}).status_code == 404
    assert client.get(reverse("security:protection"), {"within": "nonsense"}).status_code == 404


def _count_queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params or {}).status_code == 200
    return len(queries)


def test_protection_page_query_count_does_not_grow(client, divisions, t1_officer):
    verified_login(client, t1_officer)
    url = reverse("security:protection")

    def units(n, start):
        for i in range(start, start + n):
            unit = DivisionFactory(
                code=f"{divisions['t1'].code}{200 + i:03d}", name=f"社区{i}", level=DivisionLevel.COMMUNITY,
                parent=divisions["t1"],
            )  # fmt: skip
            resource(unit)

    units(3, 0)
    few = _count_queries(client, url)
    units(27, 3)
    assert _count_queries(client, url) == few


def test_protection_api_and_indicator(divisions, t1_officer):
    resource(divisions["v11"], ResourceCategory.GATE)
    resource(divisions["v11"], ResourceCategory.ALARM)
    PatrolTeamFactory(division=divisions["v11"])
    client = api(t1_officer)
    url = "/api/v1/security/protective-resources/"
    listed = client.get(url)
    assert listed.status_code == 200 and len(listed.json()["results"]) == 2
    assert {r["kind"] for r in listed.json()["results"]} == {"physical", "technical"}
    coverage = client.get(url + "coverage/")
    assert coverage.status_code == 200
    rows = {r["code"]: r for r in coverage.json()}
    assert rows[divisions["v11"].code]["missing"] == [] and rows[divisions["v12"].code]["missing"] == [
        "人防",
        "物防",
        "技防",
    ]
    assert client.get(url + "coverage/", {"within": divisions["t2"].code}).status_code == 404
    indicator = registry.indicators["security.protection_rate"]
    assert indicator.compute(division=divisions["t1"]) == Decimal("50.0")


# --- 2. 警务室 kinds and staffing ----------------------------------------------------------------------


def test_affairs_officer_is_a_staff_kind_of_its_own():
    assert RoomStaffKind.AFFAIRS_OFFICER.label == "乡镇街道警务专干"
    assert "township_officer" not in RoomStaffKind.values


def test_staffing_by_room_kind(client, divisions, t1_officer):
    central = PoliceRoom.objects.create(name="中心警务室", division=divisions["v11"], kind=PoliceRoomKind.CENTRAL)
    plain = PoliceRoom.objects.create(name="村警务室", division=divisions["v12"])
    for kind in (RoomStaffKind.POLICE, RoomStaffKind.POLICE, RoomStaffKind.AUXILIARY, RoomStaffKind.AFFAIRS_OFFICER):
        PoliceRoomStaff.objects.create(room=central, name="甲", kind=kind)
    PoliceRoomStaff.objects.create(room=plain, name="乙", kind=RoomStaffKind.AFFAIRS_OFFICER)
    rows = {row["kind"]: row for row in police_room_staffing(division=divisions["t1"])}
    assert rows["central"]["rooms"] == 1 and rows["central"]["staff"] == {
        "police": 2,
        "auxiliary": 1,
        "affairs_officer": 1,
    }
    assert rows["community"]["rooms"] == 1 and rows["community"]["without_police"] == 1
    assert police_room_staffing(division=divisions["t2"])[0]["rooms"] == 0
    verified_login(client, t1_officer)
    page = client.get(reverse("security:coverage")).content.decode()
    assert "中心警务室" in page and "乡镇街道警务专干" in page and "无民警的警务室" in page
    body = api(t1_officer).get("/api/v1/security/police-rooms/").json()["results"]
    assert {r["kind"] for r in body} == {"central", "community"}


# --- 3. 24-hour duty ------------------------------------------------------------------------------------


def test_uncovered_merges_overlapping_shifts():
    day = datetime.date(2026, 3, 2)
    start, end = at(day, 0), at(day, 0) + datetime.timedelta(hours=24)
    shifts = [(at(day, 8), at(day, 16)), (at(day, 12), at(day, 20)), (at(day, 22), at(day, 23))]
    assert _uncovered(start, end, shifts) == [(at(day, 0), at(day, 8)), (at(day, 20), at(day, 22)), (at(day, 23), end)]
    assert _uncovered(start, end, [(at(day, 0) - datetime.timedelta(hours=1), end)]) == []


def test_duty_gaps_of_the_next_seven_days(divisions, bodies):
    centre = bodies["t1_station_centre"]
    now = at(timezone.localdate(), 9)
    start = at(timezone.localdate(), 9)
    for day in range(8):  # all round the clock, but the first night of the window left open
        begin = start + datetime.timedelta(hours=24 * day)
        if day == 0:
            DutyShift.objects.create(
                body=centre,
                name="甲",
                phone="07388123456",
                starts_at=begin,
                ends_at=begin + datetime.timedelta(hours=12),
            )
            DutyShift.objects.create(
                body=centre,
                name="乙",
                phone="07388123456",
                starts_at=begin + datetime.timedelta(hours=20),
                ends_at=begin + datetime.timedelta(hours=24),
            )
        else:
            DutyShift.objects.create(
                body=centre,
                name="丙",
                phone="07388123456",
                starts_at=begin,
                ends_at=begin + datetime.timedelta(hours=24),
            )
    rows = {
        row["body"].pk: row
        for row in duty_gaps(bodies=centre.__class__.objects.in_subtree(divisions["district"]), now=now)
    }
    assert rows[centre.pk]["gap_hours"] == Decimal("8.0")
    assert rows[centre.pk]["gaps"] == [(start + datetime.timedelta(hours=12), start + datetime.timedelta(hours=20))]
    # t2's 矛调中心 keeps 24-hour duty and has no roster at all: the whole week is a gap
    assert rows[bodies["t2_station_centre"].pk]["gap_hours"] == Decimal("168.0")
    # bodies that keep no 24-hour duty are not listed
    assert bodies["t1_centre"].pk not in rows


def test_duty_shift_checks(divisions, bodies):
    day = timezone.localdate()
    too_long = DutyShift(
        body=bodies["t1_station_centre"],
        name="甲",
        phone="07388123456",
        starts_at=at(day, 0),
        ends_at=at(day, 0) + datetime.timedelta(hours=25),
    )
    with pytest.raises(ValidationError, match="最长 24 小时"):
        too_long.full_clean()
    backwards = DutyShift(
        body=bodies["t1_station_centre"], name="甲", phone="07388123456", starts_at=at(day, 8), ends_at=at(day, 7)
    )
    with pytest.raises(ValidationError, match="结束时间须晚于开始时间"):
        backwards.full_clean()
    wrong_body = DutyShift(body=bodies["v11"], name="甲", phone="07388123456", starts_at=at(day, 8), ends_at=at(day, 9))
    with pytest.raises(ValidationError, match="值班单位须为"):
        wrong_body.full_clean()


def test_duty_page(client, divisions, bodies, t1_officer):
    DutyShift.objects.create(
        body=bodies["t1_station_centre"], name="值班甲", phone="07388123456", place="值班室",
        starts_at=timezone.now(), ends_at=timezone.now() + datetime.timedelta(hours=8),
    )  # fmt: skip
    verified_login(client, t1_officer)
    response = client.get(reverse("security:duty"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "值班甲" in page and "t1派出所矛调中心" in page and "t2派出所矛调中心" not in page
    assert client.get(reverse("security:duty"), {"day": "2026-13-40"}).status_code == 400
    far = client.get(reverse("security:duty"), {"day": "2099-01-01"})
    assert far.status_code == 400 and "一年以内" in far.content.decode()
    assert client.get(reverse("security:duty"), {"within": divisions["t2"].code}).status_code == 404


def test_duty_page_query_count_does_not_grow(client, divisions, bodies, t1_officer):
    verified_login(client, t1_officer)
    url = reverse("security:duty")

    def shifts(n):
        for i in range(n):
            begin = timezone.now() + datetime.timedelta(hours=i)
            DutyShift.objects.create(
                body=bodies["t1_station_centre"], name=f"人{i}", phone="07388123456",
                starts_at=begin, ends_at=begin + datetime.timedelta(hours=1),
            )  # fmt: skip

    shifts(3)
    few = _count_queries(client, url)
    shifts(27)
    assert _count_queries(client, url) == few


def test_duty_gaps_api(divisions, bodies, t1_officer):
    client = api(t1_officer)
    response = client.get("/api/v1/security/duty-shifts/gaps/")
    assert response.status_code == 200
    assert [row["body_name"] for row in response.json()] == ["t1派出所矛调中心"]
    assert Decimal(response.json()[0]["gap_hours"]) == Decimal("168.0")
    assert client.get("/api/v1/security/duty-shifts/gaps/", {"within": divisions["t2"].code}).status_code == 404
    assert registry.indicators["security.duty_gap_hours"].compute(division=divisions["t1"]) == Decimal("168.0")


def _arrive(dispute, body, when):
    DisputeEvent.objects.create(
        dispute=dispute, action=EventAction.TRANSFERRED, from_status=dispute.status, to_status=dispute.status,
        from_body=None, to_body=body, created_at=when,
    )  # fmt: skip


def test_night_transfer_shows_the_on_duty_contact(client, divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    centre = bodies["t1_station_centre"]
    assert dispute.current_body == centre
    night = at(timezone.localdate() + datetime.timedelta(days=1), 23)
    DutyShift.objects.create(
        body=centre, name="夜班王明", post="值班民警", phone="07388123456",
        starts_at=night - datetime.timedelta(hours=7), ends_at=night + datetime.timedelta(hours=1),
    )  # fmt: skip
    _arrive(dispute, centre, night)
    contact = night_transfer_contact(dispute=dispute)
    assert contact["at"] == night and [s.name for s in contact["shifts"]] == ["夜班王明"]
    verified_login(client, centre_mediator)
    page = client.get(reverse("security:dispute-detail", args=[dispute.pk])).content.decode()
    assert "夜间移交值班联系人" in page and "夜班王明" in page


def test_night_transfer_without_roster_says_nobody_and_day_transfer_shows_nothing(
    client, divisions, bodies, rule, centre_mediator
):
    dispute = intake(divisions["v11"], by=centre_mediator)
    centre = bodies["t1_station_centre"]
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    _arrive(dispute, centre, at(tomorrow, 3))
    assert night_transfer_contact(dispute=dispute)["shifts"] == []
    verified_login(client, centre_mediator)
    assert "移交时无人值班" in client.get(reverse("security:dispute-detail", args=[dispute.pk])).content.decode()
    _arrive(dispute, centre, at(tomorrow, 10))
    assert night_transfer_contact(dispute=dispute) is None
    assert (
        "夜间移交值班联系人" not in client.get(reverse("security:dispute-detail", args=[dispute.pk])).content.decode()
    )


def test_case_page_query_count_unchanged_by_the_night_contact(client, divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    verified_login(client, centre_mediator)
    url = reverse("security:dispute-detail", args=[dispute.pk])
    few = _count_queries(client, url)
    night = at(timezone.localdate() + datetime.timedelta(days=1), 23)
    for i in range(5):
        DutyShift.objects.create(
            body=bodies["t1_station_centre"], name=f"夜班{i}", phone="07388123456",
            starts_at=night - datetime.timedelta(hours=2), ends_at=night + datetime.timedelta(hours=1),
        )  # fmt: skip
    _arrive(dispute, bodies["t1_station_centre"], night)
    assert _count_queries(client, url) <= few + 1  # one query for the shifts on duty then


# --- 3b. 综治中心 一地办公 ------------------------------------------------------------------------------


def test_centre_page_lists_departments_and_committees(client, divisions, bodies, district_admin):
    from tests.security.factories import MediationBodyFactory

    root = divisions["district"]
    for name in ("区公安分局", "区人民法院"):
        MediationBodyFactory(name=name, kind="department", level="district", division=root, at_centre=True)
    MediationBodyFactory(
        name="区征拆纠纷人民调解委员会", kind="peoples_mediation", level="district", division=root, at_centre=True,
        specialities=["demolition"],
    )  # fmt: skip
    MediationBodyFactory(name="区不入驻部门", kind="department", level="district", division=root)
    verified_login(client, district_admin)
    page = client.get(reverse("security:centre")).content.decode()
    assert "区综治中心" in page and "入驻部门（2 个）" in page and "人民调解委员会（1 家）" in page
    assert "征地拆迁" in page and "区不入驻部门" not in page


def test_centre_page_out_of_scope_is_404(client, divisions, bodies, t1_officer):
    verified_login(client, t1_officer)
    assert client.get(reverse("security:centre"), {"within": divisions["district"].code}).status_code == 404
    assert client.get(reverse("security:centre")).status_code == 200


# --- 4. patrol hours → civility points ----------------------------------------------------------------


@pytest.fixture
def patrol_rule(divisions):
    return PointRuleFactory(
        code="XF-01", behaviour="参加治安巡防（每小时）", category=PointCategory.VOLUNTEER, points=2,
        monthly_cap=10, division=divisions["district"],
    )  # fmt: skip


def _walkers(division, n_households=1, per_household=2):
    people = []
    for _i in range(n_households):
        household = HouseholdFactory(division=division, with_head=True)
        people.append(household.head)
        for _j in range(per_household - 1):
            person = PersonFactory(division=division)
            HouseholdMember.objects.create(household=household, person=person, relation="child")
            people.append(person)
    return people


def _log(division, kind="security_guard", minutes=120, people=()):
    log = PatrolLogFactory(
        team=PatrolTeamFactory(division=division, kind=kind), division=division, duration_minutes=minutes,
        date=timezone.localdate(),
    )  # fmt: skip
    log.participants.set(people)
    return log


def test_patrol_hours_earn_points_once_within_the_cap(divisions, patrol_rule):
    people = _walkers(divisions["v11"])  # one household, two members
    log = _log(divisions["v11"], minutes=90, people=people)
    assert patrol_log_convert(log=log) == 1
    entry = PointEntry.objects.get()
    assert entry.points == 6 and entry.rule == patrol_rule  # 2 points × 1.5 h × 2 members
    assert entry.idempotency_key == f"patrol:{log.pk}:{entry.account.household_id}"
    with pytest.raises(ValidationError) as error:
        patrol_log_convert(log=log)
    assert error.value.error_dict["log"][0].code == ERR_PATROL_CONVERTED
    # a second patrol the same month: only what the cap (10) leaves
    assert patrol_log_convert(log=_log(divisions["v11"], minutes=180, people=people)) == 1
    assert sorted(PointEntry.objects.values_list("points", flat=True)) == [4, 6]
    # at the cap: the third earns nothing and writes nothing
    assert patrol_log_convert(log=_log(divisions["v11"], minutes=60, people=people)) == 0
    assert PointEntry.objects.count() == 2


def test_police_patrols_earn_no_points(divisions, patrol_rule):
    log = _log(divisions["v11"], kind="police", people=_walkers(divisions["v11"]))
    with pytest.raises(ValidationError) as error:
        patrol_log_convert(log=log)
    assert error.value.error_dict["log"][0].code == ERR_PATROL_KIND
    assert not PointEntry.objects.exists()


def test_convert_due_is_idempotent_and_scoped(divisions, patrol_rule):
    _log(divisions["v11"], kind="courier", people=_walkers(divisions["v11"]))
    _log(divisions["v21"], kind="volunteer", people=_walkers(divisions["v21"]))
    _log(divisions["v11"], kind="police", people=_walkers(divisions["v11"]))  # not due: police
    _log(divisions["v11"])  # nobody named: not due
    first = patrol_logs_convert_due(division=divisions["t1"])
    assert first == {"logs": 1, "entries": 1, "refused": []}
    assert patrol_logs_convert_due() == {"logs": 1, "entries": 1, "refused": []}  # t2's
    assert patrol_logs_convert_due() == {"logs": 0, "entries": 0, "refused": []}
    assert PointEntry.objects.count() == 2


def test_convert_api(divisions, patrol_rule, t1_officer):
    client = api(t1_officer)
    people = _walkers(divisions["v11"])
    team = PatrolTeamFactory(division=divisions["v11"], kind="security_guard")
    created = client.post(
        "/api/v1/security/patrol-logs/",
        {"team": team.pk, "date": str(timezone.localdate()),
         "division": divisions["v11"].code, "duration_minutes": 60, "participants": [p.pk for p in people]},
        format="json",
    )  # fmt: skip
    assert created.status_code == 201, created.content
    assert sorted(created.json()["participants"]) == sorted(p.pk for p in people)
    log_id = created.json()["id"]
    converted = client.post(f"/api/v1/security/patrol-logs/{log_id}/convert/")
    assert converted.status_code == 200 and converted.json()["entries"] == 1
    again = client.post(f"/api/v1/security/patrol-logs/{log_id}/convert/")
    assert_error_body(again, 400, "log")
    other = _log(divisions["v21"], people=_walkers(divisions["v21"]))
    assert client.post(f"/api/v1/security/patrol-logs/{other.pk}/convert/").status_code == 404
    future = client.post("/api/v1/security/patrol-logs/convert/?until=2999-01-01")
    assert_error_body(future, 400, "until")
    due = client.post("/api/v1/security/patrol-logs/convert/")
    assert due.status_code == 200 and due.json() == {"logs": 0, "entries": 0, "refused": []}
    assert PointEntry.objects.count() == 1  # t2's log was not touched
    outsider = PersonFactory(division=divisions["v21"])
    refused = client.post(
        "/api/v1/security/patrol-logs/",
        {"team": PatrolTeamFactory(division=divisions["v11"]).pk, "date": str(timezone.localdate()),
         "division": divisions["v11"].code, "duration_minutes": 60, "participants": [outsider.pk]},
        format="json",
    )  # fmt: skip
    assert_error_body(refused, 400, "participants")


# --- admin: changelists, scope, bad input, the conversion action -----------------------------------------


def _shift(body, i=0):
    begin = timezone.now() + datetime.timedelta(hours=i)
    return DutyShift.objects.create(
        body=body, name=f"值班{i}", phone="07388123456", starts_at=begin, ends_at=begin + datetime.timedelta(hours=1)
    )


ADMIN_MAKERS = {
    "protectiveresource": lambda divisions, bodies, t: resource(divisions[f"v{t}1"]),
    "dutyshift": lambda divisions, bodies, t: _shift(bodies[f"t{t}_station_centre"]),
    "patrollog": lambda divisions, bodies, t: _log(
        divisions[f"v{t}1"], people=[PersonFactory(division=divisions[f"v{t}1"])]
    ),
}


@pytest.mark.parametrize("model", sorted(ADMIN_MAKERS))
def test_admin_changelist_query_count_does_not_grow(client, district_admin, divisions, bodies, model):
    verified_login(client, district_admin)
    changelist = reverse(f"admin:security_{model}_changelist")
    for _i in range(3):
        ADMIN_MAKERS[model](divisions, bodies, 1)
    client.get(changelist)
    with CaptureQueriesContext(connection) as few:
        assert client.get(changelist).status_code == 200
    for _i in range(27):
        ADMIN_MAKERS[model](divisions, bodies, 1)
    with CaptureQueriesContext(connection) as many:
        response = client.get(changelist)
    assert response.context["cl"].result_count == 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries][len(few) :]


@pytest.mark.parametrize("model", sorted(ADMIN_MAKERS))
def test_admin_other_townships_row_is_404(client, divisions, bodies, t1_officer, model):
    other = ADMIN_MAKERS[model](divisions, bodies, 2)
    own = ADMIN_MAKERS[model](divisions, bodies, 1)
    verified_login(client, t1_officer)
    assert client.get(reverse(f"admin:security_{model}_change", args=[other.pk])).status_code == 404
    assert client.get(reverse(f"admin:security_{model}_change", args=[own.pk])).status_code == 200


def test_admin_refuses_bad_input_in_chinese_and_writes_nothing(client, divisions, bodies, t1_officer):
    verified_login(client, t1_officer)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = client.post(
        reverse("admin:security_protectiveresource_add"),
        {"division": divisions["v11"].pk, "category": "camera", "name": "监控", "location": "东门", "owner": "物业",
         "quantity": 1, "status": "normal", "last_inspected_on": future},
    )  # fmt: skip
    assert response.status_code == 200 and "最近检查日期不能晚于今天" in response.content.decode()
    day = timezone.localdate().isoformat()
    response = client.post(
        reverse("admin:security_dutyshift_add"),
        {"body": bodies["v11"].pk, "name": "甲", "phone": "07388123456", "starts_at_0": day, "starts_at_1": "08:00",
         "ends_at_0": day, "ends_at_1": "07:00"},
    )  # fmt: skip
    assert response.status_code == 200
    assert not ProtectiveResource.objects.exists() and not DutyShift.objects.exists()


def test_admin_action_converts_patrol_hours(client, divisions, district_admin, patrol_rule):
    log = _log(divisions["v11"], people=_walkers(divisions["v11"]))
    police = _log(divisions["v11"], kind="police", people=_walkers(divisions["v11"]))
    verified_login(client, district_admin)
    response = client.post(
        reverse("admin:security_patrollog_changelist"),
        {"action": "convert_points", "_selected_action": [log.pk, police.pk]},
        follow=True,
    )
    page = response.content.decode()
    assert "已转化 1 条巡防记录" in page and "只有保安、快递员、志愿者" in page
    assert PointEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("/api/v1/security/protective-resources/", lambda divisions, bodies: resource(divisions["v11"])),
        ("/api/v1/security/duty-shifts/", lambda divisions, bodies: _shift(bodies["t1_station_centre"])),
        ("/api/v1/security/patrol-logs/", lambda divisions, bodies: ADMIN_MAKERS["patrollog"](divisions, bodies, 1)),
        ("/api/v1/security/protective-resources/coverage/", lambda divisions, bodies: resource(divisions["v11"])),
    ],
)
def test_api_lists_query_count_does_not_grow(divisions, bodies, t1_officer, path, make):
    client = api(t1_officer)
    for _i in range(3):
        make(divisions, bodies)
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    for _i in range(27):
        make(divisions, bodies)
    with CaptureQueriesContext(connection) as many:
        response = client.get(path)
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries][len(few) :]
