"""Demo data of the security app: the district's 综治中心 with its 25 departments and 10 people's
mediation committees, every township's centre, police station and 矛调中心, a mediation committee
and a police room in every village and community, patrol teams and logs, routing rules,
a few thousand disputes in every state (some overdue, some high-risk) and the monthly figures of
2023–2024 (2024 vs 2023: police incidents −3.97 %, criminal cases −30.95 %, administrative cases
−26.02 %, as in the seed article). Every step is idempotent and set-based."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from governance.audit import bulk_create_audited
from governance.calendar import years_published
from governance.dates import month_end, month_start, months_between
from governance.demo import DEMO_TOWNSHIP, district
from governance.models import Division, DivisionLevel, Person, User
from governance.registry import registry
from security.choices import (
    BodyKind,
    BodyLevel,
    Category,
    Channel,
    EventAction,
    JudicialConfirmation,
    PartyRole,
    PatrolKind,
    RiskLevel,
    RoomStaffKind,
    Status,
)
from security.demo_figures import BACK_TO_STATION_SHARE, VIA_STATION_SHARE, mediation_body
from security.models import (
    Dispute,
    DisputeEvent,
    DisputeParty,
    MediationAgreement,
    MediationBody,
    PatrolLog,
    PatrolTeam,
    PoliceRoom,
    PoliceRoomStaff,
    RoutingRule,
    SecurityStat,
)
from security.partitions import event_partitions_ensure

DEPARTMENTS = [
    "区公安分局", "区人民检察院", "区人民法院", "区司法局", "区信访局", "区人力资源和社会保障局", "区住房和城乡建设局",
    "区自然资源局", "区卫生健康局", "区民政局", "区市场监督管理局", "区交通运输局", "区教育局", "区农业农村局",
    "区城市管理和综合执法局", "区应急管理局", "区退役军人事务局", "区医疗保障局", "区财政局", "区发展和改革局",
    "区生态环境分局", "区妇联", "区总工会", "团区委", "区税务局",
]  # fmt: skip
COMMITTEES = [
    ("征拆纠纷人民调解委员会", [Category.DEMOLITION, Category.LAND]),
    ("婚姻家庭纠纷人民调解委员会", [Category.MARRIAGE_FAMILY]),
    ("劳动争议人民调解委员会", [Category.LABOUR]),
    ("医疗纠纷人民调解委员会", [Category.MEDICAL]),
    ("道路交通事故纠纷人民调解委员会", [Category.TRAFFIC]),
    ("物业纠纷人民调解委员会", [Category.PROPERTY]),
    ("消费纠纷人民调解委员会", [Category.CONSUMER]),
    ("土地山林纠纷人民调解委员会", [Category.LAND]),
    ("金融债务纠纷人民调解委员会", [Category.CONTRACT_DEBT]),
    ("校园及涉企纠纷人民调解委员会", [Category.DAMAGE, Category.OTHER]),
]
DISPUTES = 3000
# 2023 district totals; 2024 = 2023 × (1 + change), rounded: −3.97 %, −30.95 %, −26.02 %.
STATS_2023 = {"police_incidents": 30000, "criminal_cases": 1260, "administrative_cases": 3690}
STATS_2024 = {"police_incidents": 28809, "criminal_cases": 870, "administrative_cases": 2730}


def _units(root: Division) -> list[Division]:
    return list(
        Division.objects.in_subtree(root)
        .filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY])
        .order_by("path")
    )


def _townships(root: Division) -> list[Division]:
    return list(root.children.order_by("code"))


def _create_missing(bodies: list[MediationBody]) -> int:
    existing = set(MediationBody.objects.values_list("division_id", "kind", "name"))
    new = [b for b in bodies if (b.division_id, b.kind, b.name) not in existing]
    MediationBody.objects.bulk_create(new)
    return len(new)


@registry.demo("security.bodies", order=40)
def seed_bodies(*, stdout, options) -> None:
    root = district()
    centre_name = f"{root.name}社会治安综合治理中心"
    bodies = [
        MediationBody(
            name=centre_name, kind=BodyKind.CENTRE, level=BodyLevel.DISTRICT, division=root, at_centre=True,
            on_duty_24h=True,
        ),
        MediationBody(
            name="区信访接待中心", kind=BodyKind.PETITION, level=BodyLevel.DISTRICT, division=root, at_centre=True
        ),
        MediationBody(
            name="区劳动人事争议仲裁院", kind=BodyKind.LABOUR_ARBITRATION, level=BodyLevel.DISTRICT, division=root,
            at_centre=True, specialities=[Category.LABOUR],
        ),
        MediationBody(
            name="区法院诉讼服务中心（诉调对接）", kind=BodyKind.JUDICIAL, level=BodyLevel.DISTRICT, division=root,
            at_centre=True,
        ),
        MediationBody(name="区行政调解委员会", kind=BodyKind.ADMINISTRATIVE, level=BodyLevel.DISTRICT, division=root,
                      at_centre=True),
    ]  # fmt: skip
    bodies += [
        MediationBody(name=name, kind=BodyKind.DEPARTMENT, level=BodyLevel.DISTRICT, division=root, at_centre=True)
        for name in DEPARTMENTS
    ]
    bodies += [
        MediationBody(
            name=f"区{name}", kind=BodyKind.PEOPLES_MEDIATION, level=BodyLevel.DISTRICT, division=root,
            at_centre=True, specialities=list(specialities),
        )
        for name, specialities in COMMITTEES
    ]  # fmt: skip
    created = _create_missing(bodies)
    for township in _townships(root):
        short = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        _create_missing(
            [
                MediationBody(name=f"{township.name}综治中心", kind=BodyKind.CENTRE, level=BodyLevel.TOWNSHIP,
                              division=township, on_duty_24h=False),
                MediationBody(name=f"{short}派出所", kind=BodyKind.POLICE_STATION, level=BodyLevel.TOWNSHIP,
                              division=township, on_duty_24h=True),
                MediationBody(name=f"{township.name}人民调解委员会", kind=BodyKind.PEOPLES_MEDIATION,
                              level=BodyLevel.TOWNSHIP, division=township),
            ]
        )  # fmt: skip
    stations = {b.division_id: b for b in MediationBody.objects.filter(kind=BodyKind.POLICE_STATION)}
    _create_missing(
        [
            MediationBody(
                name=f"{station.name}矛盾调处中心", kind=BodyKind.STATION_CENTRE, level=BodyLevel.TOWNSHIP,
                division_id=division_id, parent=station, on_duty_24h=True,
            )
            for division_id, station in stations.items()
        ]
    )  # fmt: skip
    _create_missing(
        [
            MediationBody(
                name=f"{unit.name}人民调解委员会", kind=BodyKind.PEOPLES_MEDIATION, level=BodyLevel.VILLAGE,
                division=unit, specialities=[Category.NEIGHBOUR, Category.MARRIAGE_FAMILY, Category.LAND],
            )
            for unit in _units(root)
        ]
    )  # fmt: skip
    stdout.write(f"  调处主体：新建区级 {created} 个，共 {MediationBody.objects.in_subtree(root).count()} 个")


@registry.demo("security.rules", order=41)
def seed_rules(*, stdout, options) -> None:
    """Routing rules (the holiday calendar is ``governance.calendar``'s: the official schedule needs no demo)."""
    root = district()
    by_name = {b.name: b for b in MediationBody.objects.filter(division=root)}
    rules = [
        RoutingRule(name="默认：分派综治中心", target_kind=BodyKind.CENTRE, deadline_days=10),
        RoutingRule(name="可调解警情：派出所矛调中心", channel=Channel.POLICE, target_kind=BodyKind.STATION_CENTRE,
                    deadline_days=7),
        RoutingRule(name="治安案件：派出所", category=Category.PUBLIC_ORDER, target_kind=BodyKind.POLICE_STATION,
                    deadline_days=5),
        RoutingRule(name="涉嫌刑事：派出所", category=Category.CRIMINAL, target_kind=BodyKind.POLICE_STATION,
                    deadline_days=3),
        RoutingRule(name="征地拆迁：区征拆纠纷调委会", category=Category.DEMOLITION,
                    target_body=by_name["区征拆纠纷人民调解委员会"], deadline_days=15),
        RoutingRule(name="劳动争议：区劳动人事争议仲裁院", category=Category.LABOUR,
                    target_body=by_name["区劳动人事争议仲裁院"], deadline_days=30),
        RoutingRule(name="医疗纠纷：区医疗纠纷调委会", category=Category.MEDICAL,
                    target_body=by_name["区医疗纠纷人民调解委员会"], deadline_days=20),
        RoutingRule(name="婚姻家庭：村（社区）调委会", category=Category.MARRIAGE_FAMILY,
                    target_kind=BodyKind.PEOPLES_MEDIATION, deadline_days=10),
        RoutingRule(name="邻里纠纷：村（社区）调委会", category=Category.NEIGHBOUR,
                    target_kind=BodyKind.PEOPLES_MEDIATION, deadline_days=10),
        RoutingRule(name="访情：区信访接待中心", channel=Channel.PETITION, target_body=by_name["区信访接待中心"],
                    deadline_days=15),
        RoutingRule(name="高风险：乡镇综治中心", risk_level=RiskLevel.HIGH, target_kind=BodyKind.CENTRE,
                    deadline_days=5),
    ]  # fmt: skip
    existing = set(RoutingRule.objects.values_list("name", flat=True))
    RoutingRule.objects.bulk_create([rule for rule in rules if rule.name not in existing])
    stdout.write(f"  分流规则 {RoutingRule.objects.count()} 条")


@registry.demo("security.police_rooms", order=42)
def seed_police_rooms(*, stdout, options) -> None:
    """A police room in every village and community, covering it, with a police officer, an auxiliary
    and a township officer; four patrol teams per township with a month of logs."""
    root = district()
    stations = {b.division_id: b for b in MediationBody.objects.filter(kind=BodyKind.POLICE_STATION)}
    have = set(PoliceRoom.objects.values_list("division_id", flat=True))
    rng = random.Random(110)
    new_rooms = [
        PoliceRoom(name=f"{unit.name}警务室", division=unit, station=stations.get(unit.parent_id))
        for unit in _units(root)
        if unit.pk not in have
    ]
    with transaction.atomic():
        PoliceRoom.objects.bulk_create(new_rooms)
        PoliceRoom.covers.through.objects.bulk_create(
            [PoliceRoom.covers.through(policeroom_id=room.pk, division_id=room.division_id) for room in new_rooms]
        )
        PoliceRoomStaff.objects.bulk_create(
            [
                PoliceRoomStaff(room=room, name=f"{room.division.name[:2]}{label}", kind=kind)
                for room in new_rooms
                for kind, label in (
                    (RoomStaffKind.POLICE, "民警"),
                    (RoomStaffKind.AUXILIARY, "辅警"),
                    (RoomStaffKind.AFFAIRS_OFFICER, "警务专干"),
                )
            ]
        )
    teams = []
    have_teams = set(PatrolTeam.objects.values_list("division_id", "name"))
    for township in _townships(root):
        for kind, label, members in (
            (PatrolKind.SECURITY_GUARD, "保安巡防队", 12),
            (PatrolKind.COURIER, "快递小哥平安哨", 20),
            (PatrolKind.VOLUNTEER, "星群防志愿巡逻队", 30),
            (PatrolKind.POLICE, "警力巡逻组", 6),
        ):
            name = f"{township.name}{label}"
            if (township.pk, name) not in have_teams:
                teams.append(PatrolTeam(name=name, kind=kind, division=township, member_count=members))
    PatrolTeam.objects.bulk_create(teams)
    units_by_township: dict[int, list[Division]] = {}
    for unit in _units(root):
        units_by_township.setdefault(unit.parent_id, []).append(unit)
    today = timezone.localdate()
    logs = [
        PatrolLog(
            team=team,
            date=today - datetime.timedelta(days=day),
            division=rng.choice(units_by_township[team.division_id]),
            duration_minutes=rng.choice([60, 90, 120, 180]),
            findings=rng.choice(["", "", "路灯损坏一处", "发现邻里争吵，已劝解", "可疑人员一名，已报派出所"]),
        )
        for team in teams
        for day in range(0, 30, 3)
    ]
    PatrolLog.objects.bulk_create(logs)
    stdout.write(
        f"  警务室 {PoliceRoom.objects.count()} 个（新建 {len(new_rooms)}），巡防队 {PatrolTeam.objects.count()} 支，"
        f"巡防记录 {PatrolLog.objects.count()} 条"
    )


def _split(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, summing exactly (largest remainder)."""
    raw = [total * w / sum(weights) for w in weights]
    parts = [int(x) for x in raw]
    for index in sorted(range(len(raw)), key=lambda i: raw[i] - parts[i], reverse=True)[: total - sum(parts)]:
        parts[index] += 1
    return parts


@registry.demo("security.stats", order=43)
def seed_stats(*, stdout, options) -> None:
    """Monthly returns per township for 2023 and 2024, confirmed complete; district totals give the
    seed's changes (−3.97 %, −30.95 %, −26.02 %). Since 2025 every ended month complete, the running
    month's return entered so far and not confirmed."""
    root = district()
    townships = _townships(root)
    rng = random.Random(2024)
    weights = [rng.uniform(0.6, 1.6) for _t in townships]
    seasonal = [0.9, 1.2, 0.9, 0.95, 1.0, 1.05, 1.1, 1.1, 1.0, 1.05, 0.9, 0.85]
    cells = [(t, m) for t in range(len(townships)) for m in range(12)]
    cell_weights = [weights[t] * seasonal[m] for t, m in cells]
    have = set(SecurityStat.objects.filter(division__in=townships).values_list("division_id", "month"))
    rows = []
    for year, totals in ((2023, STATS_2023), (2024, STATS_2024)):
        split = {field: _split(total, cell_weights) for field, total in totals.items()}
        for index, (t, m) in enumerate(cells):
            month = datetime.date(year, m + 1, 1)
            if (townships[t].pk, month) in have:
                continue
            rows.append(
                SecurityStat(
                    division=townships[t], month=month, is_complete=True, **{f: split[f][index] for f in totals}
                )
            )
    # Since 2025, every month up to the seeding day (the current month so far), near 2024's level:
    # the same figures for the same day, whenever seeded.
    today = timezone.localdate()
    for month in months_between(datetime.date(2025, 1, 1), today):
        share = 1.0 if month < month_start(today) else today.day / month_end(today).day
        for t, township in enumerate(townships):
            if (township.pk, month) in have:
                continue
            cell = random.Random(f"{township.code}{month:%Y%m}")
            weight = weights[t] * seasonal[month.month - 1] / sum(cell_weights) * share
            figures = {f: round(total * weight * cell.uniform(0.85, 1.1)) for f, total in STATS_2024.items()}
            # Every ended month's return is confirmed complete; the running month's is not (yet).
            rows.append(SecurityStat(division=township, month=month, is_complete=month < month_start(today), **figures))
    SecurityStat.objects.bulk_create(rows)
    stdout.write(f"  治安统计：新建 {len(rows)} 条（2023 年起每乡镇每月，至今日）")


# Final status → the path of moves that leads there (after received → routed).
PATHS = {
    Status.ROUTED: [],
    Status.TRANSFERRED: ["transferred"],
    Status.ACCEPTED: ["accepted"],
    Status.MEDIATING: ["accepted", "mediating"],
    Status.AGREEMENT: ["accepted", "mediating", "agreement"],
    Status.FAILED: ["accepted", "mediating", "failed"],
    Status.ESCALATED: ["accepted", "escalated"],
    Status.CLOSED: ["accepted", "mediating", "agreement", "closed"],
}
STATUS_WEIGHTS = {
    Status.ROUTED: 6,
    Status.TRANSFERRED: 5,
    Status.ACCEPTED: 8,
    Status.MEDIATING: 10,
    Status.AGREEMENT: 12,
    Status.FAILED: 2,
    Status.ESCALATED: 4,
    Status.CLOSED: 53,
}
CHANNEL_WEIGHTS = {
    Channel.POLICE: 35, Channel.LITIGATION: 8, Channel.PETITION: 10, Channel.WALK_IN: 20, Channel.HOTLINE: 15,
    Channel.GRID: 10, Channel.OTHER_SYSTEM: 2,
}  # fmt: skip
MEDIABLE = [c for c in Category if c not in (Category.PUBLIC_ORDER, Category.CRIMINAL)]


@registry.demo("security.disputes", order=44)
def seed_disputes(*, stdout, options) -> None:
    """A few thousand disputes with their parties, timelines and agreements (set-based inserts)."""
    root = district()
    wanted = [f"DEMO-{i:05d}" for i in range(DISPUTES)]
    existing = set(Dispute.objects.filter(external_id__in=wanted).values_list("external_id", flat=True))
    todo = [(i, ext) for i, ext in enumerate(wanted) if ext not in existing]
    if not todo:
        stdout.write(f"  矛盾纠纷：已有 {len(existing)} 件")
        return
    units = _units(root)
    people: dict[int, list[int]] = {}
    for person_id, division_id in Person.objects.in_subtree(root).values_list("pk", "division_id"):
        people.setdefault(division_id, []).append(person_id)
    anyone = [p for ids_ in people.values() for p in ids_][:50]  # parties for a unit with no residents
    bodies = list(MediationBody.objects.in_subtree(root).values("pk", "kind", "division_id"))
    village_body = {b["division_id"]: b["pk"] for b in bodies if b["kind"] == BodyKind.PEOPLES_MEDIATION}
    by_kind_division = {(b["kind"], b["division_id"]): b["pk"] for b in bodies}
    district_centre = by_kind_division[(BodyKind.CENTRE, root.pk)]
    rule_ids = dict(RoutingRule.objects.values_list("target_kind", "pk").filter(target_kind__gt=""))
    staff = list(User.objects.filter(username__startswith="demo_").values_list("pk", flat=True)) or [None]
    today = timezone.localdate()
    # Times count back from the start of the seeding day, so the same day gives the same cases.
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [Dispute._meta.db_table, len(todo)],
        )
        ids = [row[0] for row in cursor.fetchall()]
    disputes, parties, events, agreements = [], [], [], []
    # A demo deadline is a plain date, but one in a year with no holiday schedule is marked as such.
    published = years_published({today.year, today.year + 1})
    for pk, (index, external_id) in zip(ids, todo, strict=True):
        rng = random.Random(external_id)
        unit = units[index % len(units)]
        township_id = unit.parent_id
        channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
        category = rng.choice(MEDIABLE) if rng.random() < 0.93 else Category.PUBLIC_ORDER
        status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
        received = now - datetime.timedelta(days=rng.randint(0, 700), hours=rng.randint(0, 23))
        if status not in (Status.CLOSED, Status.AGREEMENT):
            received = now - datetime.timedelta(days=rng.randint(1, 40), hours=rng.randint(0, 23))
        threats = rng.random() < 0.06
        score = (40 if threats else 0) + (15 if category in (Category.NEIGHBOUR, Category.LAND) else 0)
        score += 25 if rng.random() < 0.15 else 0
        risk = RiskLevel.HIGH if score >= 60 else RiskLevel.MEDIUM if score >= 30 else RiskLevel.LOW
        reasons = (["有威胁、暴力言行"] if threats else []) + (
            ["曾调解不成"] if score % 40 in (25, 0) and score else []
        )
        # 三调联治 and 三情联处 (issue 16): draws of their own, so every draw above and below stays.
        pick = random.Random(f"{external_id}:16")
        station = by_kind_division[(BodyKind.POLICE_STATION, township_id)]
        station_centre = by_kind_division[(BodyKind.STATION_CENTRE, township_id)]
        via_station = False
        if category == Category.PUBLIC_ORDER:
            first_body, first_kind = station, BodyKind.POLICE_STATION
        elif channel == Channel.POLICE:
            first_body, first_kind = station_centre, BodyKind.STATION_CENTRE
            if pick.random() < VIA_STATION_SHARE:
                first_body, first_kind, via_station = station, BodyKind.POLICE_STATION, True
        else:
            first_body, first_kind = village_body[unit.pk], BodyKind.PEOPLES_MEDIATION
            other = mediation_body(
                pick, unit_id=unit.pk, township_id=township_id, root_id=root.pk, by_kind_division=by_kind_division
            )
            if other is not None:
                first_body, first_kind = other
        body, step_time = first_body, received
        actor = rng.choice(staff)
        timeline = [(EventAction.RECEIVED, "", Status.RECEIVED, None, None, None)]
        timeline.append((EventAction.ROUTED, Status.RECEIVED, Status.ROUTED, None, body, rule_ids.get(first_kind)))
        current = Status.ROUTED
        path = PATHS[status]
        if via_station and path and path[0] != "transferred":
            path = ["transferred", *path]  # the station hands the 警情 to its 矛调中心 first
        for move in path:
            to_body = body
            if move == "transferred" and body == station and via_station:
                to_body = station_centre
            elif move == "transferred" and body == station_centre and pick.random() < BACK_TO_STATION_SHARE:
                to_body = station
            elif move == "transferred":
                to_body = village_body[unit.pk] if body != village_body[unit.pk] else by_kind_division[
                    (BodyKind.CENTRE, township_id)]  # fmt: skip
            elif move == "escalated":
                to_body = by_kind_division.get((BodyKind.CENTRE, township_id), district_centre)
            timeline.append((EventAction(move), current, Status(move), body, to_body, None))
            current, body = Status(move), to_body
        overdue = status not in (Status.CLOSED, Status.AGREEMENT) and rng.random() < 0.25
        deadline = today - datetime.timedelta(days=rng.randint(1, 10)) if overdue else (
            today + datetime.timedelta(days=rng.randint(1, 15)))  # fmt: skip
        resolved_at = closed_at = None
        step_time = received
        for step, (action, from_status, to_status, from_body, to_body, rule) in enumerate(timeline):
            # Each step some hours after the one before (one draw per step, as before), so a case's
            # timeline reads in order on its page and on the public tracking page.
            gap = rng.randint(4, 60)
            step_time = min(step_time + datetime.timedelta(hours=gap if step else 0), now)
            events.append(
                DisputeEvent(
                    dispute_id=pk, action=action, from_status=from_status, to_status=to_status,
                    from_body_id=from_body, to_body_id=to_body, rule_id=rule, created_at=step_time,
                    actor_id=None if action == EventAction.ROUTED else actor,
                    reason="演示数据" if action not in (EventAction.RECEIVED, EventAction.ROUTED) else "",
                )
            )  # fmt: skip
            if action == EventAction.AGREEMENT:
                resolved_at = step_time
                agreements.append(
                    MediationAgreement(
                        dispute_id=pk, terms="双方自愿达成调解协议，互不追究。",
                        amount=Decimal(rng.choice([0, 0, 500, 2000, 8000, 30000])),
                        signed_on=timezone.localdate(step_time),
                        judicial_confirmation=rng.choice(list(JudicialConfirmation)),
                    )
                )  # fmt: skip
            if action == EventAction.CLOSED:
                closed_at = step_time
        pool = people.get(unit.pk) or anyone
        chosen = rng.sample(pool, k=min(2, len(pool)))
        parties += [
            DisputeParty(dispute_id=pk, person_id=person_id, role=role)
            for person_id, role in zip(chosen, (PartyRole.APPLICANT, PartyRole.RESPONDENT), strict=False)
        ]
        disputes.append(
            Dispute(
                pk=pk, number=f"{settings.DISTRICT_CODE}{timezone.localtime(received):%Y}{pk:08d}", channel=channel,
                external_id=external_id, category=category, division=unit,
                description=f"{unit.name}{Category(category).label}，当事人申请调处。", threats_noted=threats,
                received_at=received, received_by_id=actor, risk_level=risk, risk_score=min(score, 100),
                risk_reasons=reasons, current_body_id=body, status=status, handling_days=10,
                deadline=None if status == Status.CLOSED else deadline, resolved_at=resolved_at, closed_at=closed_at,
                deadline_provisional=status != Status.CLOSED and deadline.year not in published,
            )
        )  # fmt: skip
    with transaction.atomic():
        bulk_create_audited(Dispute, disputes, batch_size=1000)
        bulk_create_audited(DisputeParty, parties, batch_size=2000)
        bulk_create_audited(DisputeEvent, events, batch_size=5000)
        bulk_create_audited(MediationAgreement, agreements, batch_size=1000)
    # Two years of events on a fresh database: each month into its own partition (out of DEFAULT).
    event_partitions_ensure()
    stdout.write(f"  矛盾纠纷：新建 {len(disputes)} 件，流转记录 {len(events)} 条，调解协议 {len(agreements)} 份")


@registry.demo("security.accounts", order=95)
def seed_account_bodies(*, stdout, options) -> None:
    """demo_mediator works for 万宝镇's 综治中心 and 人民调解委员会; demo_police for 万宝派出所
    (and so for its 矛调中心)."""
    township = Division.objects.get(code=f"{settings.DISTRICT_CODE}{DEMO_TOWNSHIP}")
    links = {
        "demo_mediator": [BodyKind.CENTRE, BodyKind.PEOPLES_MEDIATION],
        "demo_police": [BodyKind.POLICE_STATION],
    }
    for username, kinds in links.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            continue
        for body in MediationBody.objects.filter(division=township, kind__in=kinds):
            body.staff.add(user)
        stdout.write(f"    {username} → {', '.join(user.mediation_bodies.values_list('name', flat=True))}")


# Issue 20: repeats, 领导包案 and 退单 demo data (registered on import).
from security import demo_figures, demo_repeats, demo_safety  # noqa: E402, F401  (issue 16)
