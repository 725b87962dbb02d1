"""seed_demo's steps for issue 16 in the civility app: the “8+N” 文明单元, caps per kind of event and
the service teams' fee lists, and the 15-minute service circle (coordinates of the 三级阵地 and of
every 屋场 and 小区)."""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal

from django.db import transaction

from civility.choices import BanquetKind, DissuasionKind, StationLevel, UnitLevel, UnitStatus, VolunteerBrand
from civility.models import (
    BanquetKindCap,
    BanquetServiceFee,
    BanquetServiceTeam,
    CivilityUnit,
    Dissuasion,
    PlaceLocation,
    PracticeStation,
    UnitKind,
    UnitReview,
    VillageRule,
    VolunteerTeam,
)
from civility.selectors import service_circle
from governance.demo import district
from governance.models import Division, DivisionLevel, Household
from governance.querysets import path_ancestors
from governance.registry import registry

# --- issue 16: “8+N” 文明单元, caps per kind and team fees, the 15-minute circle ---------------------


def _units(root: Division, levels: list[str]) -> list[Division]:
    return list(Division.objects.in_subtree(root).filter(level__in=levels).order_by("path"))


# (code, name, level, standing, criteria): the eight standing kinds and the N the district added.
UNIT_KINDS = [
    ("unit", "文明单位", UnitLevel.ORGANIZATION, True, "领导班子坚强有力，思想道德建设扎实，服务窗口规范文明。"),
    ("township", "文明乡镇（街道）", UnitLevel.TOWNSHIP, True, "基层治理有效，乡风文明，人居环境整洁。"),
    ("village", "文明村", UnitLevel.VILLAGE, True, "村规民约健全，移风易俗成效明显，无重大治安案件。"),
    ("community", "文明社区", UnitLevel.COMMUNITY, True, "小区治理规范，志愿服务常态化，邻里和睦。"),
    ("family", "文明家庭", UnitLevel.FAMILY, True, "孝老爱亲、家风良好，年度文明积分居所在村前列。"),
    ("campus", "文明校园", UnitLevel.ORGANIZATION, True, "立德树人成效明显，校园环境文明和谐。"),
    ("compound", "文明小区", UnitLevel.COMPOUND, True, "“星物管”治理到位，物业服务评价良好。"),
    ("window", "文明窗口", UnitLevel.ORGANIZATION, True, "服务规范、群众满意率 95% 以上。"),
    ("shop", "文明商户", UnitLevel.ORGANIZATION, False, "诚信经营，门前三包，无投诉。"),
    ("hamlet", "文明屋场", UnitLevel.VILLAGE, False, "“三屋同治”运转良好，屋场环境整洁。"),
]

# 村规民约 caps per kind of event (每桌标准 yuan, gift money yuan, tables, days); blank = the general cap.
KIND_CAPS = [
    (BanquetKind.WEDDING, Decimal(600), Decimal(200), 20, 2),
    (BanquetKind.FUNERAL, Decimal(400), Decimal(100), 15, 3),
    (BanquetKind.SCHOOL, Decimal(500), Decimal(100), 10, 1),
    (BanquetKind.HOUSEWARMING, Decimal(500), Decimal(100), 8, 1),
]
TEAM_FEES = [
    ("每桌（含菜品、厨师、餐具）", Decimal(400), True),
    ("场地布置", Decimal(200), False),
    ("音响", Decimal(150), False),
]
TEAM_SERVICES = "厨师掌勺\n餐具租用\n场地布置\n音响\n礼仪主持"

# The 15-minute circle: the district's centre point (娄星区, WGS-84) and the spread of the demo's places.
DISTRICT_CENTRE = (27.7286, 111.9950)


@registry.demo("civility.units", order=67)
@transaction.atomic
def seed_units(*, stdout, options) -> None:
    """The “8+N” kinds, and units of every level in every status with their review rounds: every
    township, ~half the villages and communities, a few compounds and families, the district's offices."""
    root = district()
    have = set(UnitKind.objects.filter(division=root).values_list("code", flat=True))
    UnitKind.objects.bulk_create(
        [
            UnitKind(division=root, code=c, name=n, level=lvl, is_standing=st, criteria=cr, sort_order=i)
            for i, (c, n, lvl, st, cr) in enumerate(UNIT_KINDS)
            if c not in have
        ]
    )
    if CivilityUnit.objects.in_subtree(root).exists():
        stdout.write(f"  文明单元：已存在（{CivilityUnit.objects.in_subtree(root).count()} 个）")
        return
    kinds = {k.code: k for k in UnitKind.objects.filter(division=root)}
    rng = random.Random(8)
    statuses = [UnitStatus.AWARDED, UnitStatus.AWARDED, UnitStatus.BUILDING, UnitStatus.APPLIED, UnitStatus.FAILED]
    wanted: list[tuple[UnitKind, Division, str]] = []
    for t in _units(root, [DivisionLevel.TOWNSHIP, DivisionLevel.SUBDISTRICT]):
        wanted.append((kinds["township"], t, t.name))
    for v in _units(root, [DivisionLevel.VILLAGE]):
        if rng.random() < 0.5:
            wanted.append((kinds["village"], v, v.name))
    for c in _units(root, [DivisionLevel.COMMUNITY]):
        if rng.random() < 0.5:
            wanted.append((kinds["community"], c, c.name))
    for c in _units(root, [DivisionLevel.COMPOUND])[:20]:
        wanted.append((kinds["compound"], c, c.name))
    for h in _units(root, [DivisionLevel.HAMLET])[:30]:
        wanted.append((kinds["hamlet"], h, h.name))
    households = Household.objects.in_subtree(root).select_related("head", "division").order_by("pk")[:60]
    for h in households:
        wanted.append((kinds["family"], h.division, f"{h.head.name if h.head else h.number}家庭"))
    for name, code in [("区政务服务中心", "window"), ("娄星区第一实验小学", "campus"), ("区教育局", "unit")]:
        wanted.append((kinds[code], root, name))
    wanted.append((kinds["shop"], root, "娄星区万豪城商户联盟"))
    applied = datetime.date(2024, 3, 1)
    units = CivilityUnit.objects.bulk_create(
        [
            CivilityUnit(kind=k, division=d, name=n, applied_on=applied, status=statuses[i % len(statuses)])
            for i, (k, d, n) in enumerate(dict.fromkeys(wanted))
        ]
    )
    reviews = []
    for u in units:
        if u.status == UnitStatus.APPLIED:
            continue
        reviews.append(UnitReview(unit=u, round=1, reviewed_on=datetime.date(2024, 9, 1), score=78, result="building"))
        if u.status != UnitStatus.BUILDING:
            score = 92 if u.status == UnitStatus.AWARDED else 55
            reviews.append(
                UnitReview(unit=u, round=2, reviewed_on=datetime.date(2025, 3, 1), score=score, result=u.status)
            )
    UnitReview.objects.bulk_create(reviews)
    stdout.write(f"  “8+N”文明单元：{len(kinds)} 类，{len(units)} 个，评审 {len(reviews)} 轮")


@registry.demo("civility.customs_kinds", order=68)
@transaction.atomic
def seed_customs_kinds(*, stdout, options) -> None:
    """Caps per kind of event in every village's rules, each service team's fee list and services, and
    the 无事酒 dissuasions marked as their own kind."""
    root = district()
    rules = list(VillageRule.objects.in_subtree(root))
    have = set(BanquetKindCap.objects.filter(rule__in=rules).values_list("rule_id", "kind"))
    BanquetKindCap.objects.bulk_create(
        [
            BanquetKindCap(rule=r, kind=k, per_table_cap=pt, gift_money_cap=g, tables_cap=t, days_cap=d)
            for r in rules
            for k, pt, g, t, d in KIND_CAPS
            if (r.pk, k) not in have
        ]
    )
    teams = list(BanquetServiceTeam.objects.in_subtree(root).filter(fees__isnull=True))
    BanquetServiceFee.objects.bulk_create(
        [BanquetServiceFee(team=t, item=i, price=p, per_table=pt) for t in teams for i, p, pt in TEAM_FEES]
    )
    BanquetServiceTeam.objects.filter(pk__in=[t.pk for t in teams], services="").update(services=TEAM_SERVICES)
    marked = (
        Dissuasion.objects.in_subtree(root)
        .filter(declaration__kind=BanquetKind.NO_OCCASION)
        .exclude(kind=DissuasionKind.NO_OCCASION)
        .update(kind=DissuasionKind.NO_OCCASION)
    )
    stdout.write(
        f"  移风易俗：分类标准 {len(rules) * len(KIND_CAPS)} 条，服务队收费 {len(teams)} 支，无事酒劝阻标注 {marked} 起"
    )


@registry.demo("civility.circle", order=69)
@transaction.atomic
def seed_circle(*, stdout, options) -> None:
    """Coordinates for the 三级阵地 (centre → institutes → stations, linked) and every 屋场 and 小区, so the
    15-minute circle has gaps to show (some places lie more than 1.2 km from every station); the three
    brands' teams linked to the 小区、网格、屋场 they serve."""
    root = district()
    rng = random.Random(15)
    lat0, lon0 = DISTRICT_CENTRE
    townships = _units(root, [DivisionLevel.TOWNSHIP, DivisionLevel.SUBDISTRICT])
    point: dict[str, tuple[float, float]] = {root.path: (lat0, lon0)}
    for i, t in enumerate(townships):
        angle = 2 * 3.14159 * i / max(len(townships), 1)
        radius = 0.03 if t.level == DivisionLevel.SUBDISTRICT else 0.09
        point[t.path] = (lat0 + radius * math.sin(angle), lon0 + radius * math.cos(angle))
    for v in _units(root, [DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY]):
        base = next((point[p] for p in reversed(path_ancestors(v.path)) if p in point), (lat0, lon0))
        spread = 0.012 if v.level == DivisionLevel.COMMUNITY else 0.03
        point[v.path] = (base[0] + rng.uniform(-spread, spread), base[1] + rng.uniform(-spread, spread))

    def near(path: str, spread: float) -> tuple[Decimal, Decimal]:
        base = next((point[p] for p in reversed(path_ancestors(path)) if p in point), (lat0, lon0))
        return (
            Decimal(f"{base[0] + rng.uniform(-spread, spread):.6f}"),
            Decimal(f"{base[1] + rng.uniform(-spread, spread):.6f}"),
        )

    stations = list(PracticeStation.objects.in_subtree(root).select_related("division"))
    by_level = {s.division_id: s for s in stations if s.level != StationLevel.STATION}
    centre = next((s for s in stations if s.level == StationLevel.CENTRE), None)
    for s in stations:
        if s.latitude is None:
            s.latitude, s.longitude = near(s.division.path, 0.002 if s.level == StationLevel.STATION else 0.0)
        if s.parent_id is None and s.level != StationLevel.CENTRE:
            ancestors = path_ancestors(s.division.path)
            institute = next(
                (by_level[d.pk] for d in townships if d.path in ancestors and d.pk in by_level),
                None,
            )
            s.parent = institute if s.level == StationLevel.STATION else centre
    PracticeStation.objects.bulk_update(stations, ["latitude", "longitude", "parent"])
    located = set(PlaceLocation.objects.in_subtree(root).values_list("division_id", flat=True))
    places = [d for d in _units(root, [DivisionLevel.HAMLET, DivisionLevel.COMPOUND]) if d.pk not in located]
    PlaceLocation.objects.bulk_create(
        [
            PlaceLocation(division=d, latitude=lat, longitude=lon)
            for d in places
            for lat, lon in [near(d.path, 0.008 if d.level == DivisionLevel.COMPOUND else 0.016)]
        ]
    )
    through = VolunteerTeam.serves.through
    if not through.objects.exists():
        served = (
            _units(root, [DivisionLevel.COMPOUND, DivisionLevel.GRID])[:12] + _units(root, [DivisionLevel.HAMLET])[:12]
        )
        teams = list(VolunteerTeam.objects.filter(brand__in=[b for b in VolunteerBrand.values if b != "other"]))
        through.objects.bulk_create(
            [through(volunteerteam=teams[i % len(teams)], division=d) for i, d in enumerate(served)] if teams else []
        )
    circle = service_circle(division=root)
    stdout.write(
        f"  15分钟服务圈：阵地 {circle.station_count} 个，屋场/小区 {circle.total} 个，"
        f"圈内 {circle.covered} 个（{circle.rate}%）"
    )
