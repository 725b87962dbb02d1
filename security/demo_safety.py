"""Demo data of issue 16: 中心警务室 with their staff, 三防联保 resources of villages, communities and
compounds (with some gaps, so the coverage report has something to show), the 24-hour duty roster of
the police stations' 矛调中心 and the district 综治中心 (with a few uncovered nights), and the people
who walked the patrols of 保安/快递员/志愿者 teams, whose hours are then converted into civility points.
Every step is idempotent: a second ``seed_demo`` adds nothing."""

from __future__ import annotations

import datetime
import random

from django.db import transaction
from django.utils import timezone

from governance.audit import bulk_create_audited
from governance.demo import district
from governance.models import Division, DivisionLevel, HouseholdMember
from governance.registry import registry
from security.choices import (
    POINT_PATROL_KINDS,
    PoliceRoomKind,
    ResourceCategory,
    ResourceStatus,
    RoomStaffKind,
)
from security.models import DUTY_BODY_KINDS, DutyShift, MediationBody, PatrolLog, PoliceRoom, PoliceRoomStaff
from security.models import ProtectiveResource as Resource

# What a unit of each level usually has (category, name, owner); a share of units lacks some of it.
KIT = {
    DivisionLevel.COMPOUND: [
        (ResourceCategory.GATE, "小区大门门岗", "物业服务企业"),
        (ResourceCategory.BARRIER, "车辆道闸", "物业服务企业"),
        (ResourceCategory.FIRE_EQUIPMENT, "楼道消防器材", "物业服务企业"),
        (ResourceCategory.CAMERA, "出入口视频监控", "物业服务企业"),
        (ResourceCategory.ACCESS_CONTROL, "单元门禁", "物业服务企业"),
    ],
    DivisionLevel.COMMUNITY: [
        (ResourceCategory.FIRE_EQUIPMENT, "社区微型消防站", "社区居委会"),
        (ResourceCategory.CAMERA, "“雪亮工程”视频监控", "派出所"),
        (ResourceCategory.ALARM, "一键报警柱", "派出所"),
    ],
    DivisionLevel.VILLAGE: [
        (ResourceCategory.BARRIER, "村口护栏", "村民委员会"),
        (ResourceCategory.FIRE_EQUIPMENT, "村级消防器材点", "村民委员会"),
        (ResourceCategory.CAMERA, "“雪亮工程”视频监控", "派出所"),
    ],
}
CENTRAL_STAFF = [
    (RoomStaffKind.POLICE, "民警", 2),
    (RoomStaffKind.AUXILIARY, "辅警", 4),
    (RoomStaffKind.AFFAIRS_OFFICER, "警务专干", 2),
]
SHIFTS = [(0, 8, "值班民警"), (8, 16, "综治专干"), (16, 24, "信访干部")]  # hours of the day
ROSTER_DAYS = 9  # from yesterday: the gap report's 7 days from now lie inside it


@registry.demo("security.safety", order=45)
def seed_safety(*, stdout, options) -> None:
    root = district()
    rng = random.Random(160)
    central = _central_rooms(root)
    resources = _resources(root, rng)
    shifts = _roster(root, rng)
    walked = _participants(root, rng)
    stdout.write(
        f"  中心警务室 {central} 个，防范资源新建 {resources} 项，值班班次新建 {shifts} 个，"
        f"巡防记录登记巡防人员 {walked} 条"
    )


def _central_rooms(root: Division) -> int:
    """The room of the first community of each subdistrict (or of each township's first village) is a
    中心警务室 with more staff."""
    rooms = PoliceRoom.objects.in_subtree(root).select_related("division").order_by("division__path")
    first: dict[int, PoliceRoom] = {}
    for room in rooms:
        first.setdefault(room.division.parent_id, room)
    made = 0
    with transaction.atomic():
        for room in first.values():
            if room.kind == PoliceRoomKind.CENTRAL:
                continue
            room.kind = PoliceRoomKind.CENTRAL
            room.name = room.name.replace("警务室", "中心警务室")
            room.save(update_fields=["kind", "name"])
            bulk_create_audited(
                PoliceRoomStaff,
                [
                    PoliceRoomStaff(room=room, name=f"{room.division.name[:2]}{label}{n + 2}", kind=kind)
                    for kind, label, count in CENTRAL_STAFF
                    for n in range(count - 1)
                ],
            )
            made += 1
    return made


def _resources(root: Division, rng: random.Random) -> int:
    have = set(Resource.objects.in_subtree(root).values_list("division_id", flat=True))
    units = Division.objects.in_subtree(root).filter(level__in=list(KIT), is_active=True).order_by("path")
    today = timezone.localdate()
    new = []
    for unit in units:
        if unit.pk in have:
            continue
        missing_kind = rng.random()
        for category, name, owner in KIT[unit.level]:
            technical = category in (ResourceCategory.CAMERA, ResourceCategory.ACCESS_CONTROL, ResourceCategory.ALARM)
            # About one unit in eight lacks 技防, one in twelve lacks 物防.
            if (technical and missing_kind < 0.12) or (not technical and 0.12 <= missing_kind < 0.2):
                continue
            new.append(
                Resource(
                    division=unit,
                    category=category,
                    name=name,
                    location=f"{unit.name}{rng.choice(['东门', '西门', '主干道', '活动中心', '党群服务中心旁'])}",
                    owner=owner,
                    quantity=rng.randint(1, 12) if technical else rng.randint(1, 4),
                    status=ResourceStatus.FAULTY if rng.random() < 0.05 else ResourceStatus.NORMAL,
                    last_inspected_on=today - datetime.timedelta(days=rng.randint(3, 200)),
                )
            )
    bulk_create_audited(Resource, new, batch_size=2000)
    return len(new)


def _roster(root: Division, rng: random.Random) -> int:
    """Three eight-hour shifts a day for every 24-hour 矛调中心 and 综治中心, from yesterday for nine
    days; at every fourth body a few nights are left open (the gap report shows them)."""
    bodies = MediationBody.objects.in_subtree(root).filter(kind__in=DUTY_BODY_KINDS, on_duty_24h=True, is_active=True)
    have = set(DutyShift.objects.values_list("body_id", flat=True))
    start_day = timezone.localdate() - datetime.timedelta(days=1)
    new = []
    for index, body in enumerate(bodies.order_by("division__path", "pk")):
        if body.pk in have:
            continue
        open_nights = set(rng.sample(range(1, 8), 2)) if index % 4 == 1 else set()
        for day in range(ROSTER_DAYS):
            date = start_day + datetime.timedelta(days=day)
            for start_hour, end_hour, post in SHIFTS:
                if day in open_nights and start_hour == 0:
                    continue
                starts = timezone.make_aware(datetime.datetime.combine(date, datetime.time(start_hour)))
                new.append(
                    DutyShift(
                        body=body,
                        name=f"{rng.choice('王李张刘陈杨黄赵周吴')}{rng.choice(['明', '华', '军', '芳', '勇', '静'])}",
                        post=post,
                        phone=f"0738{rng.randint(8000000, 8999999)}",
                        place=f"{body.name}值班室",
                        starts_at=starts,
                        ends_at=starts + datetime.timedelta(hours=end_hour - start_hour),
                    )
                )
    bulk_create_audited(DutyShift, new, batch_size=2000)
    return len(new)


def _participants(root: Division, rng: random.Random) -> int:
    """Two or three residents of the patrolled village walk each patrol of a 保安/快递员/志愿者 team."""
    logs = (
        PatrolLog.objects.in_subtree(root)
        .filter(team__kind__in=POINT_PATROL_KINDS, participants__isnull=True, converted_at__isnull=True)
        .select_related("division")
        .order_by("pk")
    )
    people: dict[int, list[int]] = {}
    links = []
    for log in logs:
        if log.division_id not in people:
            people[log.division_id] = list(
                HouseholdMember.objects.filter(person__division__path__startswith=log.division.path)
                .order_by("person_id")
                .values_list("person_id", flat=True)[:40]
            )
        pool = people[log.division_id]
        for person_id in rng.sample(pool, min(len(pool), rng.randint(2, 3))):
            links.append(PatrolLog.participants.through(patrollog_id=log.pk, person_id=person_id))
    PatrolLog.participants.through.objects.bulk_create(links, ignore_conflicts=True)
    return len({link.patrollog_id for link in links})


@registry.demo("security.patrol_points", order=68)
def seed_patrol_points(*, stdout, options) -> None:
    """Converts the demo's patrol hours into points (after the civility rules exist, order 60)."""
    from security.services.patrol_points import patrol_logs_convert_due

    result = patrol_logs_convert_due()  # without a rule (XF-01/ZY-01) every log is refused, none lost
    refused = f"，{len(result['refused'])} 条未转化（{result['refused'][0]['errors'][0]}）" if result["refused"] else ""
    stdout.write(f"  巡防时长转化积分：{result['logs']} 条巡防记录，{result['entries']} 笔积分{refused}")
