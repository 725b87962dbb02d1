"""Non-trivial reads of the civility app: rankings, red/black lists, customs counters, dashboard figures."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from civility.choices import (
    DISSUADED_OUTCOMES,
    SERVICE_CIRCLE_METRES,
    BanquetKind,
    DissuasionKind,
    EntrySource,
    RankingLevel,
    RankingStatus,
    UnitLevel,
    UnitStatus,
)
from civility.models import (
    BanquetAbstention,
    BanquetDeclaration,
    CivilityUnit,
    Dissuasion,
    MonthlyRanking,
    PlaceLocation,
    PointEntry,
    PracticeStation,
    RankingCorrection,
    RankingMonth,
    ServiceActivity,
)
from governance.dates import month_start
from governance.db_router import read_connection
from governance.models import Division, Household, HouseholdMember, User
from governance.names import name_normalize
from governance.querysets import path_ancestors


def _period(queryset: QuerySet, field: str, start: datetime.date | None, end: datetime.date | None) -> QuerySet:
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lt": end})
    return queryset


def customs_counters(
    *, division: Division, start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[str, int]:
    """移风易俗 counters for a subtree and period (``start`` inclusive, ``end`` exclusive; four
    queries): ``{"dissuaded"}`` banquets dissuaded or scaled down, ``{"no_occasion_dissuaded"}`` the
    无事酒 among them (their own kind of dissuasion), ``{"simple_funerals"}`` funerals held
    simply, ``{"officials_abstained"}`` Party members and officials who declined to hold a banquet."""
    dissuaded = _period(Dissuasion.objects.in_subtree(division), "occurred_on", start, end).filter(
        outcome__in=DISSUADED_OUTCOMES
    )
    no_occasion = dissuaded.filter(kind=DissuasionKind.NO_OCCASION)
    funerals = _period(BanquetDeclaration.objects.in_subtree(division), "held_on", start, end).filter(
        kind=BanquetKind.FUNERAL, is_simple=True, is_flagged=False
    )
    abstentions = _period(BanquetAbstention.objects.in_subtree(division), "occurred_on", start, end)
    return {
        "dissuaded": dissuaded.count(),
        "no_occasion_dissuaded": no_occasion.count(),
        "simple_funerals": funerals.count(),
        "officials_abstained": abstentions.count(),
    }


def points_flow(
    *, division: Division, start: datetime.date | None = None, end: datetime.date | None = None
) -> dict[str, int]:
    """Points issued (confirmed, positive, not redemptions) and redeemed in a subtree and period
    (``start`` inclusive, ``end`` exclusive): ``{"issued": int, "redeemed": int}``, both ≥ 0, one query.
    A reversal is a correction, not an issue: reversing an award takes it back off the issued figure
    (in the reversal's period), reversing a deduction issues nothing."""
    entries = _period(PointEntry.objects.in_subtree(division).confirmed(), "occurred_on", start, end)
    awards = Q(points__gt=0) & ~Q(source__in=[EntrySource.REDEMPTION, EntrySource.REVERSAL])
    awards_taken_back = Q(points__lt=0, source=EntrySource.REVERSAL)
    totals = entries.aggregate(
        issued=Sum("points", filter=awards | awards_taken_back),
        redeemed=Sum("points", filter=Q(source=EntrySource.REDEMPTION)),
    )
    return {"issued": totals["issued"] or 0, "redeemed": -(totals["redeemed"] or 0)}


def volunteer_hours(
    *, division: Division, start: datetime.date | None = None, end: datetime.date | None = None
) -> Decimal:
    """Person-hours of service activities in a subtree and period (``start`` inclusive, ``end``
    exclusive): hours × participants, one query."""
    activities = _period(ServiceActivity.objects.in_subtree(division), "held_on", start, end)
    through = ServiceActivity.participants.through
    total = through.objects.filter(serviceactivity__in=activities.values("pk")).aggregate(
        total=Sum("serviceactivity__hours")
    )["total"]
    return total or Decimal(0)


def ranking_published_for(*, division: Division, month: datetime.date | None = None) -> RankingMonth | None:
    """The published (frozen) ranking run that covers ``division`` — a run for it or for a division
    above it — for ``month`` (any day of it), or the latest one; ``None`` when there is none. One query."""
    runs = RankingMonth.objects.filter(division__path__in=path_ancestors(division.path), status=RankingStatus.PUBLISHED)
    if month is not None:
        runs = runs.filter(month=month_start(month))
    return runs.order_by("-month", "-division__depth").first()


def rankings(*, run: RankingMonth, level: str, group: Division) -> QuerySet[MonthlyRanking]:
    """The households ranked in ``group`` at ``level`` by ``run``, best first (ties by household number)."""
    return (
        MonthlyRanking.objects.filter(ranking_month=run, level=level, group=group)
        .select_related("ranking_month", "household__head", "household__division", "group")
        .order_by("rank", "household__number")
    )


def red_list(*, run: RankingMonth, village: Division, top: int = 10) -> QuerySet[MonthlyRanking]:
    """红榜: the village's top ``top`` households of the month (ties at the edge included), with points."""
    return rankings(run=run, level=RankingLevel.VILLAGE, group=village).filter(rank__lte=top, points__gt=0)


def black_list(*, run: RankingMonth, village: Division, threshold: int = 10) -> QuerySet[MonthlyRanking]:
    """黑榜: the village's households whose deductions in the month reach ``threshold`` points, most first."""
    return (
        rankings(run=run, level=RankingLevel.VILLAGE, group=village)
        .filter(deductions__lte=-threshold)
        .order_by("deductions", "household__number")
    )


def yearly_village_points(*, year: int, division: Division, top: int) -> list[dict[str, int]]:
    """Per village/community of ``division``'s subtree: households by the sum of the year's published
    monthly points, ranked with RANK(); rows with rank ≤ ``top`` and positive points, as
    ``{"household_id", "group_id", "points"}`` ordered by group then points (one query, on a replica
    when the request reads from one)."""
    with read_connection(MonthlyRanking).cursor() as cursor:
        cursor.execute(
            """
            SELECT household_id, group_id, points FROM (
                SELECT r.household_id, r.group_id, SUM(r.points) AS points,
                       RANK() OVER (PARTITION BY r.group_id ORDER BY SUM(r.points) DESC) AS rnk
                FROM civility_monthlyranking r
                JOIN civility_rankingmonth m ON m.id = r.ranking_month_id
                JOIN governance_division g ON g.id = r.group_id
                WHERE r.level = %s AND m.status = %s AND m.month >= %s AND m.month < %s AND g.path LIKE %s
                GROUP BY r.household_id, r.group_id
            ) t WHERE rnk <= %s AND points > 0 ORDER BY group_id, points DESC
            """,
            [
                RankingLevel.VILLAGE.value,
                RankingStatus.PUBLISHED.value,
                datetime.date(year, 1, 1),
                datetime.date(year + 1, 1, 1),
                division.path + "%",
                top,
            ],
        )
        return [{"household_id": r[0], "group_id": r[1], "points": r[2]} for r in cursor.fetchall()]


def pending_entries(user: User) -> QuerySet[PointEntry]:
    """Self-reported entries in the user's scope awaiting confirmation, oldest first."""
    return (
        PointEntry.objects.for_user(user)
        .pending()
        .select_related("account__household__head", "rule")
        .order_by("created_at")
    )


# The shop's lookup offers a short list to pick from, never a register.
HOUSEHOLD_FIND_LIMIT = 20


def households_find(*, queryset: QuerySet[Household], q: str) -> list[Household]:
    """Households of ``queryset`` (the caller's ``for_user``) whose number contains ``q`` or one of
    whose members' names (the head's too) contains it, name normalised like every search term
    (``governance.names``): at most ``HOUSEHOLD_FIND_LIMIT``, by number, with head and point account.
    One query; an empty term finds nothing."""
    q = q.strip()[:50]
    if not q:
        return []
    name = name_normalize(q)
    members = HouseholdMember.objects.filter(household_id=OuterRef("pk"), person__name__icontains=name)
    return list(
        queryset.filter(Q(number__icontains=q) | Q(head__name__icontains=name) | Exists(members))
        .select_related("head", "point_account")
        .order_by("number")[:HOUSEHOLD_FIND_LIMIT]
    )


# The ranking level a page about a division shows: its own households at a unit, the village's at a
# village, and so on up; a division of none of these kinds has no ranking of its own.
LEVEL_OF_DIVISION = {
    "hamlet": RankingLevel.UNIT,
    "compound": RankingLevel.UNIT,
    "grid": RankingLevel.UNIT,
    "village": RankingLevel.VILLAGE,
    "community": RankingLevel.VILLAGE,
    "township": RankingLevel.TOWNSHIP,
    "subdistrict": RankingLevel.TOWNSHIP,
    "district": RankingLevel.DISTRICT,
}


def ranking_runs_for(*, division: Division) -> QuerySet[RankingMonth]:
    """The ranking runs (computed or published) whose tree covers ``division``, latest month first and,
    within a month, the run of the nearest division first."""
    return RankingMonth.objects.filter(division__path__in=path_ancestors(division.path)).order_by(
        "-month", "-division__depth"
    )


def ranking_board(*, run: RankingMonth, division: Division) -> QuerySet[MonthlyRanking]:
    """The households of ``division`` ranked at its own level by ``run``, best first, each annotated
    with ``previous`` (its points in the month before, same tree and level; ``None`` if unranked then),
    ``change`` (points − previous) and ``late`` (sum of its 补录 to this run; 0 when none). One query
    whatever the number of rows. Raises ``KeyError`` for a division kind with no ranking level."""
    level = LEVEL_OF_DIVISION[division.level]
    previous_month = month_start(run.month - datetime.timedelta(days=1))
    previous = MonthlyRanking.objects.filter(
        ranking_month__division_id=run.division_id,
        ranking_month__month=previous_month,
        level=level,
        household_id=OuterRef("household_id"),
    ).values("points")[:1]
    late = (
        RankingCorrection.objects.filter(ranking_month=run, household_id=OuterRef("household_id"))
        .values("household_id")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return (
        rankings(run=run, level=level, group=division)
        .annotate(previous=Subquery(previous), late=Coalesce(Subquery(late), Value(0)))
        .annotate(change=F("points") - F("previous"))
    )


# --- “8+N” 文明单元 ------------------------------------------------------------------------------


def units_by_level(*, division: Division) -> list[dict]:
    """文明单元 of a subtree counted per level (单位、乡镇、村、社区、小区、家庭 — the article's extension
    from 单位/乡镇/村 down to 社区 and 家庭), one query. Rows in ``UnitLevel`` order, every level
    present: ``{"level": code, "label": str, "total": int, "<status>": int for each UnitStatus}``."""
    counts = {
        (row["kind__level"], row["status"]): row["n"]
        for row in CivilityUnit.objects.in_subtree(division).values("kind__level", "status").annotate(n=Count("id"))
    }
    rows = []
    for level, label in UnitLevel.choices:
        row: dict = {"level": level, "label": str(label)}
        for status in UnitStatus.values:
            row[status] = counts.get((level, status), 0)
        row["total"] = sum(row[status] for status in UnitStatus.values)
        rows.append(row)
    return rows


# --- 15 分钟服务圈 -----------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_000
OUTSIDE_STATION = _("辖区外阵地")


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance between two WGS-84 points in degrees, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


@dataclass
class CirclePlace:
    """One 屋场/小区 of the report: where it is, its nearest 阵地 and how far (metres, rounded)."""

    division_id: int
    code: str
    name: str
    level: str
    latitude: float
    longitude: float
    nearest: str | None
    distance_m: int | None
    covered: bool


@dataclass
class ServiceCircle:
    """The 15-minute service circle of a subtree: ``places`` (every located 屋场/小区), ``stations``
    (``(name, level, latitude, longitude)`` of every located 阵地 that may serve it), ``radius_m``,
    ``covered``/``total`` and ``rate`` (percent, one decimal; ``None`` with no located place)."""

    radius_m: int
    places: list[CirclePlace] = field(default_factory=list)
    stations: list[tuple[str, str, float, float]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.places)

    @property
    def station_count(self) -> int:
        return len(self.stations)

    @property
    def covered(self) -> int:
        return sum(1 for p in self.places if p.covered)

    @property
    def gaps(self) -> list[CirclePlace]:
        return [p for p in self.places if not p.covered]

    @property
    def rate(self) -> Decimal | None:
        if not self.places:
            return None
        return (Decimal(self.covered * 100) / Decimal(self.total)).quantize(Decimal("0.1"))


def service_circle(*, division: Division, radius_m: int = SERVICE_CIRCLE_METRES) -> ServiceCircle:
    """Which 屋场/小区 of ``division``'s subtree lie beyond ``radius_m`` metres straight-line from every
    新时代文明实践 centre, institute and station (the 15-minute walk, assumed 1.2 km straight-line:
    ``SERVICE_CIRCLE_METRES``; issue 16 item 11, seed article "构建‘15分钟服务圈’"). A place may be
    served by any located 阵地 of its district (a station over the boundary still serves it), so
    distances are measured to every station of the nearest district above ``division``; but only the
    stations of the area itself and of the divisions above it are named and returned in ``stations``
    (a nearer one elsewhere is named ``OUTSIDE_STATION``). Places without coordinates are not counted.
    Two queries; distances in Python (haversine)."""
    ancestors = path_ancestors(division.path)
    district = (
        Division.objects.filter(path__in=ancestors, level="district").order_by("-depth").only("path").first()
        or division
    )
    located = (
        PracticeStation.objects.in_subtree(district)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .values_list("name", "level", "latitude", "longitude", "division__path")
    )
    everywhere: list[tuple[str, float, float]] = []
    stations: list[tuple[str, str, float, float]] = []
    for name, level, s_lat, s_lon, path in located:
        assert s_lat is not None and s_lon is not None  # filtered above
        named = path.startswith(division.path) or path in ancestors
        everywhere.append((name if named else str(OUTSIDE_STATION), float(s_lat), float(s_lon)))
        if named:
            stations.append((name, level, float(s_lat), float(s_lon)))
    circle = ServiceCircle(radius_m=radius_m, stations=stations)
    places = PlaceLocation.objects.in_subtree(division).select_related("division").order_by("division__path")
    for place in places:
        lat, lon = float(place.latitude), float(place.longitude)
        best: tuple[float, str] | None = None
        for name, slat, slon in everywhere:
            d = distance_m(lat, lon, slat, slon)
            if best is None or d < best[0]:
                best = (d, name)
        circle.places.append(
            CirclePlace(
                division_id=place.division_id,
                code=place.division.code,
                name=place.division.name,
                level=place.division.level,
                latitude=lat,
                longitude=lon,
                nearest=best[1] if best else None,
                distance_m=round(best[0]) if best else None,
                covered=best is not None and best[0] <= radius_m,
            )
        )
    return circle
