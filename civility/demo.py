"""Demo data of the civility app (orders 60–89, after households move into 屋场/compounds at 40–49;
shop operators at 91, after the demo accounts at 90).
Every step is idempotent and bulk: rerunning seed_demo leaves the counts unchanged."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from civility import demo_units  # noqa: F401  (issue 16's steps register themselves)
from civility.choices import (
    GENESIS_HASH,
    ActivityKind,
    BanquetKind,
    DissuasionKind,
    DissuasionOutcome,
    EntrySource,
    EntryStatus,
    PointCategory,
    RankingStatus,
    StationLevel,
    VolunteerBrand,
)
from civility.models import (
    BanquetAbstention,
    BanquetDeclaration,
    BanquetServiceTeam,
    Dissuasion,
    HonorList,
    PointAccount,
    PointEntry,
    PointRule,
    PracticeStation,
    RankingMonth,
    RewardItem,
    ServiceActivity,
    Shop,
    VillageRule,
    Volunteer,
    VolunteerTeam,
)
from civility.services import (
    RULE_BANQUET_OVER_CAP,
    RULE_PATROL_HOUR,
    RULE_SIMPLE_FUNERAL,
    RULE_VOLUNTEER_HOUR,
    accounts_ensure,
    activity_convert,
    honor_list_propose,
    ranking_compute,
    ranking_publish,
)
from governance.audit import bulk_create_audited
from governance.dates import month_start, months_between
from governance.demo import district
from governance.models import Division, DivisionLevel, Household, Person, Role, RoleAssignment
from governance.querysets import path_ancestors
from governance.registry import registry

# code, behaviour, category, points, monthly cap, evidence required
RULES = [
    ("XL-01", "赡养照料老人、孝老爱亲", PointCategory.FILIAL, 5, 20, False),
    ("XL-02", "获评好婆婆、好媳妇", PointCategory.FILIAL, 10, 10, True),
    ("HJ-01", "门前三包、庭院整洁", PointCategory.SANITATION, 3, 12, False),
    ("HJ-02", "参与屋场环境整治", PointCategory.SANITATION, 5, 15, False),
    (RULE_VOLUNTEER_HOUR, "志愿服务（每小时）", PointCategory.VOLUNTEER, 2, 40, False),
    (RULE_PATROL_HOUR, "参加治安巡防（每小时）", PointCategory.VOLUNTEER, 2, 40, False),
    (RULE_SIMPLE_FUNERAL, "丧事简办", PointCategory.CUSTOMS, 20, 20, False),
    ("YF-03", "承诺不办无事酒", PointCategory.CUSTOMS, 5, 5, False),
    ("YS-01", "参加屋场会、议事会", PointCategory.DELIBERATION, 3, 9, False),
    ("LL-01", "邻里互助、化解纠纷", PointCategory.NEIGHBOURLY, 5, 10, False),
    (RULE_BANQUET_OVER_CAP, "红白事超标操办", PointCategory.DEDUCTION, -20, 40, False),
    ("KF-01", "乱扔垃圾、乱堆乱放", PointCategory.DEDUCTION, -5, 15, False),
    ("KF-02", "不赡养老人", PointCategory.DEDUCTION, -10, 20, False),
]
EVERYDAY = ["XL-01", "HJ-01", "HJ-02", "YS-01", "LL-01"]
DEDUCTIONS = ["KF-01", "KF-02"]

# The seed article's figures since 2024.
DISSUADED = 424
HELD_ANYWAY = 37
SIMPLE_FUNERALS = 805
OFFICIALS_ABSTAINED = 179
STATIONS = 205

ITEMS = [("洗衣粉", 20), ("食用油（5L）", 80), ("大米（10kg）", 100), ("毛巾", 10), ("肥皂", 5), ("酱油", 15)]


def past_months(count: int) -> list[datetime.date]:
    """The first days of the ``count`` full months before the current one, oldest first."""
    this_month = month_start(timezone.localdate())
    start = this_month
    for _i in range(count):
        start = month_start(start - datetime.timedelta(days=1))
    return months_between(start, this_month - datetime.timedelta(days=1))


@registry.demo("civility.rules", order=60)
def seed_rules(*, stdout, options) -> None:
    root = district()
    existing = set(PointRule.objects.values_list("code", flat=True))
    PointRule.objects.bulk_create(
        [
            PointRule(
                code=code,
                behaviour=text,
                category=cat,
                points=pts,
                monthly_cap=cap,
                evidence_required=ev,
                division=root,
            )
            for code, text, cat, pts, cap, ev in RULES
            if code not in existing
        ]
    )
    stdout.write(f"  积分规则：{PointRule.objects.count()} 条")


def _units(root: Division, levels: list[str]) -> list[Division]:
    return list(Division.objects.in_subtree(root).filter(level__in=levels).order_by("path"))


@registry.demo("civility.customs", order=61)
def seed_customs(*, stdout, options) -> None:
    """Caps for every village/community, a service team each, and declarations, dissuasions and
    Party members' abstentions reproducing the article's 424 / 805 / 179."""
    root = district()
    rng = random.Random(805)
    units = _units(root, [DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY])
    have_rule = set(VillageRule.objects.values_list("division_id", flat=True))
    VillageRule.objects.bulk_create(
        [
            VillageRule(
                division=u,
                gift_money_cap=Decimal(rng.choice([100, 100, 200])),
                tables_cap=rng.choice([10, 15, 20]),
                days_cap=1,
                banned_kinds=[BanquetKind.NO_OCCASION, BanquetKind.HOUSEWARMING],
            )
            for u in units
            if u.pk not in have_rule
        ]
    )
    have_team = set(BanquetServiceTeam.objects.values_list("division_id", flat=True))
    BanquetServiceTeam.objects.bulk_create(
        [
            BanquetServiceTeam(
                division=u,
                name=f"{u.name}红白理事服务队",
                place=f"{u.name}综合服务中心",
                price_list="每桌 400 元（含菜品、餐具）",
            )
            for u in units
            if u.pk not in have_team
        ]
    )
    if BanquetDeclaration.objects.in_subtree(root).exists():
        stdout.write("  移风易俗：已有演示数据")
        return
    households = list(Household.objects.in_subtree(root).select_related("division").order_by("pk"))
    caps = {r.division.path: r for r in VillageRule.objects.select_related("division")}

    def cap_of(household: Household) -> VillageRule:
        """The caps of the household's unit or its nearest ancestor (as ``village_rule_for``, from memory)."""
        for path in reversed(path_ancestors(household.division.path)):
            if path in caps:
                return caps[path]
        raise LookupError(household.number)

    start = datetime.date(2024, 1, 1)
    span = (timezone.localdate() - start).days

    def day() -> datetime.date:
        return start + datetime.timedelta(days=rng.randrange(span))

    declarations = []
    outcomes = []
    for n in range(DISSUADED + HELD_ANYWAY):
        household = households[rng.randrange(len(households))]
        cap = cap_of(household)
        kind = rng.choice([BanquetKind.NO_OCCASION, BanquetKind.WEDDING, BanquetKind.BIRTHDAY])
        tables = cap.tables_cap + rng.randint(5, 20)
        violations = (["banned_kind"] if kind in cap.banned_kinds else []) + ["tables"]
        declarations.append(
            BanquetDeclaration(
                household=household,
                kind=kind,
                held_on=day(),
                tables=tables,
                days=1,
                gift_money=cap.gift_money_cap,
                is_flagged=True,
                violations=violations,
            )
        )
        if n < DISSUADED:
            outcomes.append(DissuasionOutcome.DISSUADED if n % 3 else DissuasionOutcome.SCALED_DOWN)
        else:
            outcomes.append(DissuasionOutcome.HELD_ANYWAY)
    for _n in range(SIMPLE_FUNERALS):
        household = households[rng.randrange(len(households))]
        cap = cap_of(household)
        declarations.append(
            BanquetDeclaration(
                household=household,
                kind=BanquetKind.FUNERAL,
                held_on=day(),
                tables=rng.randint(3, cap.tables_cap),
                days=1,
                gift_money=min(cap.gift_money_cap, Decimal(50)),
                is_simple=True,
            )
        )
    with transaction.atomic():
        BanquetDeclaration.objects.bulk_create(declarations, batch_size=2000)
        Dissuasion.objects.bulk_create(
            [
                Dissuasion(
                    declaration=d,
                    kind=DissuasionKind.NO_OCCASION if d.kind == BanquetKind.NO_OCCASION else DissuasionKind.OVER_CAP,
                    outcome=o,
                    occurred_on=max(d.held_on - datetime.timedelta(days=3), start),
                )
                for d, o in zip(declarations, outcomes, strict=False)
            ]
        )
        members = list(Person.objects.in_subtree(root).party_members().order_by("pk").values_list("pk", flat=True))
        BanquetAbstention.objects.bulk_create(
            [
                BanquetAbstention(
                    person_id=members[n % len(members)],
                    kind=rng.choice([BanquetKind.BIRTHDAY, BanquetKind.HOUSEWARMING, BanquetKind.WEDDING]),
                    occurred_on=day(),
                    note="党员干部带头不办酒",
                )
                for n in range(OFFICIALS_ABSTAINED)
            ]
        )
    stdout.write(
        f"  移风易俗：劝阻 {DISSUADED} 起，丧事简办 {SIMPLE_FUNERALS} 起，党员干部不办酒 {OFFICIALS_ABSTAINED} 人"
    )


@registry.demo("civility.ledger", order=62)
def seed_ledger(*, stdout, options) -> None:
    """Wallets for every household and three past months of entries (plus this month so far),
    with hashes chained as the services write them; simple funerals since then earn their reward."""
    root = district()
    opened = accounts_ensure()
    rules = {r.code: r for r in PointRule.objects.all()}
    months = past_months(3)
    today = timezone.localdate()
    accounts = list(
        PointAccount.objects.in_subtree(root).filter(entry_count=0).select_related("household").order_by("pk")
    )
    funerals: dict[int, list[BanquetDeclaration]] = {}
    for declaration in BanquetDeclaration.objects.filter(
        kind=BanquetKind.FUNERAL, is_simple=True, is_flagged=False, held_on__gte=months[0]
    ).order_by("held_on", "pk"):
        funerals.setdefault(declaration.household_id, []).append(declaration)
    entries: list[PointEntry] = []
    for account in accounts:
        rng = random.Random(account.household.number)
        plan: list[tuple[str, datetime.date, str, str]] = []  # rule, day, source, key suffix
        for month in [*months, month_start(today)]:
            last_day = today.day if month == month_start(today) else 28
            for code in rng.sample(EVERYDAY, rng.randint(1, 4)):
                plan.append((code, month.replace(day=rng.randint(1, last_day)), EntrySource.VISIT, ""))
            if rng.random() < 0.08:
                plan.append(
                    (rng.choice(DEDUCTIONS), month.replace(day=rng.randint(1, last_day)), EntrySource.VISIT, "")
                )
        for declaration in funerals.get(account.household_id, [])[:1]:
            plan.append((RULE_SIMPLE_FUNERAL, declaration.held_on, EntrySource.BANQUET, f"banquet:{declaration.pk}"))
        if rng.random() < 0.05:
            plan.append(("LL-01", today, EntrySource.SELF_REPORT, "self"))
        plan.sort(key=lambda p: p[1])
        prev, balance = GENESIS_HASH, 0
        for seq, (code, day, source, key) in enumerate(plan, start=1):
            rule = rules[code]
            status = EntryStatus.PENDING if source == EntrySource.SELF_REPORT else EntryStatus.CONFIRMED
            key = key or f"demo:{code}:{day.isoformat()}"
            entry = PointEntry(
                account=account,
                seq=seq,
                rule=rule,
                points=rule.points,
                occurred_on=day,
                source=source,
                status=status,
                idempotency_key=key,
                prev_hash=prev,
                note="演示数据",
                confirmed_at=timezone.now() if status == EntryStatus.CONFIRMED else None,
            )
            entry.hash = entry.compute_hash()
            entries.append(entry)
            prev = entry.hash
            balance += rule.points if status == EntryStatus.CONFIRMED else 0
        account.entry_count, account.last_hash, account.balance = len(plan), prev, balance
    with transaction.atomic():
        bulk_create_audited(PointEntry, entries, batch_size=5000)
        _accounts_update(accounts)
    stdout.write(f"  积分账户：新开 {opened} 个；积分流水：新增 {len(entries)} 笔")


def _accounts_update(accounts: list[PointAccount]) -> None:
    """The wallets' counters in one ``UPDATE … FROM (VALUES …)`` per 2 000 (``bulk_update``'s CASE per row
    took seconds for the demo's 2 000 wallets)."""
    table = connection.ops.quote_name(PointAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")  # opened in this step: without statistics the join below loops
    for start in range(0, len(accounts), 2000):
        batch = accounts[start : start + 2000]
        values = ", ".join(["(%s::bigint, %s::integer, %s::varchar, %s::integer)"] * len(batch))
        params = [x for a in batch for x in (a.pk, a.entry_count, a.last_hash, a.balance)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} AS a SET entry_count = v.n, last_hash = v.h, balance = v.b "
                f"FROM (VALUES {values}) AS v(id, n, h, b) WHERE a.id = v.id",
                params,
            )


@registry.demo("civility.shops", order=63)
def seed_shops(*, stdout, options) -> None:
    """A points shop per village/community with a small shelf."""
    root = district()
    units = _units(root, [DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY])
    have = set(Shop.objects.values_list("division_id", flat=True))
    shops = Shop.objects.bulk_create(
        [
            Shop(name=f"{u.name}文明积分超市", division=u, address=f"{u.name}党群服务中心")
            for u in units
            if u.pk not in have
        ]
    )
    RewardItem.objects.bulk_create(
        [RewardItem(shop=s, name=name, points_price=price, stock=50) for s in shops for name, price in ITEMS]
    )
    stdout.write(f"  积分超市：{Shop.objects.count()} 个，商品 {RewardItem.objects.count()} 种")


@registry.demo("civility.volunteers", order=64)
def seed_volunteers(*, stdout, options) -> None:
    """The 文明实践 centre, an institute per township (13) and 205 stations; the three volunteer brands."""
    root = district()
    townships = _units(root, [DivisionLevel.TOWNSHIP, DivisionLevel.SUBDISTRICT])
    units = _units(root, [DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY])
    wanted = [(root, f"{root.name}新时代文明实践中心", StationLevel.CENTRE)]
    wanted += [(t, f"{t.name}新时代文明实践所", StationLevel.INSTITUTE) for t in townships]
    stations = [(u, f"{u.name}新时代文明实践站", StationLevel.STATION) for u in units]
    # One community runs a second station (a neighbourhood one): 205 in all, as in the article.
    extra = STATIONS - len(stations)
    stations += [(units[i], f"{units[i].name}新时代文明实践站（二站）", StationLevel.STATION) for i in range(extra)]
    wanted += stations
    have = set(PracticeStation.objects.values_list("division_id", "name"))
    PracticeStation.objects.bulk_create(
        [PracticeStation(division=d, name=n, level=lvl) for d, n, lvl in wanted if (d.pk, n) not in have]
    )
    if VolunteerTeam.objects.exists():
        stdout.write(f"  文明实践阵地：{PracticeStation.objects.filter(level=StationLevel.STATION).count()} 个站")
        return
    centre = PracticeStation.objects.get(level=StationLevel.CENTRE, division=root)
    by_name = {t.name: t for t in townships}
    institutes = {s.division_id: s for s in PracticeStation.objects.filter(level=StationLevel.INSTITUTE)}
    teams = [
        VolunteerTeam(name="星连心志愿服务队", brand=VolunteerBrand.XINGLIANXIN, station=centre),
        VolunteerTeam(
            name="乐坪乐志愿服务队", brand=VolunteerBrand.LEPINGLE, station=institutes[by_name["乐坪街道"].pk]
        ),
        VolunteerTeam(
            name="长青藤志愿服务队", brand=VolunteerBrand.CHANGQINGTENG, station=institutes[by_name["长青街道"].pk]
        ),
    ]
    VolunteerTeam.objects.bulk_create(teams)
    rng = random.Random(205)
    people = list(Person.objects.in_subtree(root).filter(household_membership__isnull=False).order_by("pk")[:90])
    volunteers = Volunteer.objects.bulk_create(
        [Volunteer(person=p, joined_on=datetime.date(2024, 3, 5)) for p in people]
    )
    through = Volunteer.teams.through
    through.objects.bulk_create([through(volunteer=v, volunteerteam=teams[i % 3]) for i, v in enumerate(volunteers)])
    months = past_months(3)
    activities = []
    for i in range(24):
        month = months[i % 3]
        activities.append(
            ServiceActivity(
                team=teams[i % 3],
                held_on=month.replace(day=rng.randint(1, 28)),
                kind=list(ActivityKind)[i % 4],
                hours=Decimal(rng.choice([2, 3, 4])),
            )
        )
    ServiceActivity.objects.bulk_create(activities)
    activity_through = ServiceActivity.participants.through
    links = []
    for i, activity in enumerate(activities):
        team_members = [v for j, v in enumerate(volunteers) if j % 3 == i % 3]
        for volunteer in rng.sample(team_members, 4):
            links.append(activity_through(serviceactivity=activity, volunteer=volunteer))
    activity_through.objects.bulk_create(links)
    converted = sum(activity_convert(activity=a) for a in activities)
    stdout.write(
        f"  文明实践阵地：{PracticeStation.objects.filter(level=StationLevel.STATION).count()} 个站；"
        f"志愿服务队 3 支，活动 {len(activities)} 次，转化积分 {converted} 笔"
    )


@registry.demo("civility.rankings", order=65)
def seed_rankings(*, stdout, options) -> None:
    """Rankings of the past three months, published (frozen)."""
    root = district()
    done = 0
    for month in past_months(3):
        run = RankingMonth.objects.filter(division=root, month=month).first()
        if run and run.status == RankingStatus.PUBLISHED:
            continue
        ranking_publish(run=ranking_compute(month=month, division=root), by=None)
        done += 1
    stdout.write(f"  月度评比：新公布 {done} 个月")


@registry.demo("civility.boards", order=66)
def seed_boards(*, stdout, options) -> None:
    """A 红榜 proposed (awaiting review) for the village with the most ranked households in the latest
    published month, so the 红黑榜 pages show the propose → confirm → publish flow."""
    run = RankingMonth.objects.filter(division=district(), status=RankingStatus.PUBLISHED).order_by("-month").first()
    if run is None or HonorList.objects.filter(ranking_month=run).exists():
        return
    village_id = (
        (run.rankings.filter(level="village").values("group_id").annotate(n=Count("id")).order_by("-n", "group_id"))
        .values_list("group_id", flat=True)
        .first()
    )
    if village_id is None:
        return
    board = honor_list_propose(village=Division.objects.get(pk=village_id), month=run.month, kind="red", by=None)
    stdout.write(f"  红榜：{board} 待审核（{board.entries.count()} 户）")


@registry.demo("civility.shop_operators", order=91)
def seed_shop_operators(*, stdout, options) -> None:
    """Every shop operator account (demo_shop_operator among them) runs the shops of the division it
    was granted: only a shop's own operators may redeem there."""
    assignments = list(RoleAssignment.objects.filter(role=Role.SHOP_OPERATOR).values_list("user_id", "division_id"))
    shops: dict[int, list[int]] = {}
    for shop_id, division_id in Shop.objects.filter(division_id__in={d for _u, d in assignments}).values_list(
        "pk", "division_id"
    ):
        shops.setdefault(division_id, []).append(shop_id)
    through = Shop.operators.through
    links = [through(shop_id=s, user_id=u) for u, d in assignments for s in shops.get(d, [])]
    through.objects.bulk_create(links, ignore_conflicts=True)
    stdout.write(f"  积分超市管理员：{through.objects.count()} 人次")
