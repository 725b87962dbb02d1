"""Demo data of the villages app: exactly 1042 屋场 over the 144 villages, their "三屋同治" bodies and
heads (a few deliberately incomplete), households moved into them, contract plots, shares, land
transfers and 屋场会. Idempotent and bulk: a second run creates nothing."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import OuterRef, Subquery, Sum
from django.utils import timezone

from governance.audit import bulk_create_audited
from governance.demo import district
from governance.models import (
    Division,
    DivisionLevel,
    Household,
    HouseholdMember,
    Organization,
    OrganizationKind,
    Person,
    PoliticalStatus,
    Post,
)
from governance.registry import registry
from governance.selectors import household_member_ids
from governance.validators import USCC_CHARS, id_number_check_char, uscc_check_char
from villages.choices import BODY_KINDS, FollowUpStatus, OperatorKind, TransferFrom, TransferStatus
from villages.models import (
    ContractPlot,
    Hamlet,
    HamletMeeting,
    LandTransfer,
    MeetingResolution,
    Operator,
    ShareHolding,
    ShareRule,
)
from villages.services import body_name

HAMLET_TOTAL = 1042  # "将144个村划分为1042个屋场"
INCOMPLETE_PER_KIND = 4  # no council / cooperative without head / Party group without a Party member
INCOMPLETE_TOTAL = 3 * INCOMPLETE_PER_KIND

_FIRST = "上下大小老新前后东西南北高塘石竹枫杉茶桃李罗刘彭谢黄"
_SECOND = "家屋冲湾坪岭塘垅坳山坡园"
_SURNAMES = "李王张刘陈杨黄赵周吴罗谢曾彭邓肖唐蒋贺龙谭颜廖邹"
_GIVEN = "伟芳敏静强军洋勇杰涛明超秀平刚桂英华建国志红梅德福春生海"
_PLACES = ["屋前垅", "大塘冲", "后山坡", "长丘田", "塘边", "渠道边", "坳上", "老屋场前"]
_TOPICS = [
    "屋场环境整治与门前三包",
    "小丘变大丘：承包地整合流转方案",
    "屋场合作社年度分红方案",
    "移风易俗：红白喜事简办",
    "机耕道与水渠修缮筹资筹劳",
    "矛盾纠纷排查化解",
]
_RESOLUTIONS = [
    "组织党员志愿者每周清理公共区域",
    "理事会牵头测量地块，报合作社统一流转",
    "分红方案张榜公示七天",
    "修缮资金由理事会公开收支",
    "屋场红白理事会统一备案",
]


def counts_per_village(village_count: int, total: int = HAMLET_TOTAL, seed: int = 1042) -> list[int]:
    """A deterministic spread of ``total`` 屋场 over the villages (each gets the base number, a seeded
    choice of villages one more)."""
    base, extra = divmod(total, village_count)
    bonus = set(random.Random(seed).sample(range(village_count), extra))
    return [base + (1 if index in bonus else 0) for index in range(village_count)]


def _hamlet_names(village_code: str, count: int) -> list[str]:
    rng = random.Random(village_code)
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(_FIRST) + rng.choice(_SECOND) + "屋场"
        if name not in names:
            names.append(name)
    return names


def _uscc(seed: str) -> str:
    rng = random.Random(seed)
    first17 = "93" + "431302" + "".join(rng.choice(USCC_CHARS) for _ in range(9))
    return first17 + uscc_check_char(first17)


class _People:
    """Makes demo people with valid, unused 身份证号."""

    def __init__(self) -> None:
        self.used = set(Person.objects.exclude(id_number=None).values_list("id_number", flat=True))

    def make(self, rng: random.Random, division_id: int, party: bool) -> Person:
        year = rng.randint(1955, 1990)
        while True:
            first17 = f"431302{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
            number = first17 + id_number_check_char(first17)
            if number not in self.used:
                self.used.add(number)
                break
        return Person(
            name=rng.choice(_SURNAMES) + rng.choice(_GIVEN) + rng.choice(_GIVEN),
            id_number=number,
            phone=f"13{rng.randint(0, 999999999):09d}",
            political_status=PoliticalStatus.PARTY_MEMBER if party else PoliticalStatus.MASSES,
            division_id=division_id,
        )


@registry.demo("villages.hamlets", order=40)
@transaction.atomic
def seed_hamlets(*, stdout, options) -> None:
    """1042 屋场 with their division nodes, bodies and heads (12 deliberately incomplete)."""
    root = district()
    villages = list(Division.objects.in_subtree(root).filter(level=DivisionLevel.VILLAGE).order_by("code"))
    if not villages:
        return
    existing = set(Division.objects.in_subtree(root).filter(level=DivisionLevel.HAMLET).values_list("code", flat=True))
    new_divisions = []
    for village, count in zip(villages, counts_per_village(len(villages)), strict=True):
        for index, name in enumerate(_hamlet_names(village.code, count), start=1):
            code = f"{village.code}{index:03d}"
            if code not in existing:
                new_divisions.append(
                    Division(code=code, name=name, level=DivisionLevel.HAMLET, parent=village, sort_order=index)
                )
    Division.objects.bulk_create(new_divisions)
    nodes = list(
        Division.objects.in_subtree(root)
        .filter(level=DivisionLevel.HAMLET, parent__level=DivisionLevel.VILLAGE)
        .order_by("code")
        .values_list("id", "code", "name")
    )
    with_hamlet = set(
        Hamlet.objects.filter(division_id__in=[n[0] for n in nodes]).values_list("division_id", flat=True)
    )
    Hamlet.objects.bulk_create([Hamlet(division_id=node_id) for node_id, _c, _n in nodes if node_id not in with_hamlet])

    # Bodies and heads only for 屋场 that have no body yet, so a second run adds nothing.
    has_body = set(
        Organization.objects.filter(division_id__in=[n[0] for n in nodes], kind__in=BODY_KINDS).values_list(
            "division_id", flat=True
        )
    )
    fresh = [node for node in nodes if node[0] not in has_body]
    rng = random.Random(431302040)
    odd = rng.sample([node[1] for node in fresh], min(INCOMPLETE_TOTAL, len(fresh))) if len(fresh) == len(nodes) else []
    no_council = set(odd[:INCOMPLETE_PER_KIND])
    headless_coop = set(odd[INCOMPLETE_PER_KIND : 2 * INCOMPLETE_PER_KIND])
    no_party_member = set(odd[2 * INCOMPLETE_PER_KIND :])
    bodies: list[Organization] = []
    for node_id, code, name in fresh:
        for kind in BODY_KINDS:
            if kind == OrganizationKind.COUNCIL and code in no_council:
                continue
            bodies.append(Organization(kind=kind, name=body_name(kind, name), division_id=node_id))
    Organization.objects.bulk_create(bodies)
    maker = _People()
    people: list[Person] = []
    plan: list[tuple[Organization, int, str, bool]] = []  # body, person index, title, head
    by_division: dict[int, dict[str, Organization]] = defaultdict(dict)
    for body in bodies:
        by_division[body.division_id][body.kind] = body
    for node_id, code, _name in fresh:
        own = by_division[node_id]
        prng = random.Random(code)
        leader = len(people)
        people.append(maker.make(prng, node_id, party=code not in no_party_member))
        plan.append((own[OrganizationKind.PARTY_GROUP], leader, "党小组组长", True))
        member = len(people)
        people.append(maker.make(prng, node_id, party=code not in no_party_member and prng.random() < 0.5))
        plan.append((own[OrganizationKind.PARTY_GROUP], member, "党员", False))
        if OrganizationKind.COUNCIL in own:
            # 交叉任职: the Party group leader also sits on the council.
            chair = len(people)
            people.append(maker.make(prng, node_id, party=prng.random() < 0.3))
            plan.append((own[OrganizationKind.COUNCIL], chair, "理事长", True))
            plan.append((own[OrganizationKind.COUNCIL], leader, "理事", False))
        manager = len(people)
        people.append(maker.make(prng, node_id, party=False))
        plan.append(
            (
                own[OrganizationKind.COOPERATIVE],
                manager,
                "社长" if code not in headless_coop else "社员",
                code not in headless_coop,
            )
        )
    bulk_create_audited(Person, people)
    bulk_create_audited(
        Post,
        [Post(organization=body, person=people[index], title=title, is_head=head) for body, index, title, head in plan],
    )
    stdout.write(
        f"  屋场：新建 {len(new_divisions)} 个（共 {len(nodes)} 个），组织 {len(bodies)} 个，职务 {len(plan)} 个，"
        f"故意不完整 {len(odd)} 个"
    )


@registry.demo("villages.households", order=41)
@transaction.atomic
def seed_hamlet_households(*, stdout, options) -> None:
    """Move each village's households (and their members) into the village's 屋场, round robin."""
    root = district()
    hamlets_of: dict[int, list[int]] = defaultdict(list)
    for node_id, parent_id in (
        Division.objects.in_subtree(root)
        .filter(level=DivisionLevel.HAMLET)
        .order_by("code")
        .values_list("id", "parent_id")
    ):
        hamlets_of[parent_id].append(node_id)
    households = list(
        Household.objects.filter(division_id__in=list(hamlets_of))
        .order_by("division_id", "number")
        .only("id", "division_id")
    )
    # Round robin per village.
    counters: dict[int, int] = defaultdict(int)
    for household in households:
        village = household.division_id
        counters[village] += 1
        household.division_id = hamlets_of[village][(counters[village] - 1) % len(hamlets_of[village])]
    Household.objects.bulk_update(households, ["division"], batch_size=1000)
    moved = [h.pk for h in households]
    if moved:
        Person.objects.filter(pk__in=household_member_ids(moved)).update(
            division_id=Subquery(
                HouseholdMember.objects.filter(person_id=OuterRef("pk")).values("household__division_id")[:1]
            ),
            updated_at=timezone.now(),
        )
    stdout.write(f"  屋场住户：迁入 {len(moved)} 户")


def _holding(
    rule: ShareRule,
    household_id: int,
    area: Decimal,
    valid_from: datetime.date,
    reason: str,
    valid_to: datetime.date | None = None,
) -> ShareHolding:
    """One version of a household's shares in its cooperative, under the cooperative's rule."""
    return ShareHolding(
        cooperative_id=rule.cooperative_id,
        household_id=household_id,
        contracted_area=area,
        shares=rule.shares_for(area),
        valid_from=valid_from,
        valid_to=valid_to,
        reason=reason,
    )


@registry.demo("villages.land", order=42)
@transaction.atomic
def seed_land(*, stdout, options) -> None:
    """Contract plots of households in 屋场, share rules and holdings (some with an older version)."""
    root = district()
    coop_of = dict(
        Organization.objects.in_subtree(root)
        .filter(kind=OrganizationKind.COOPERATIVE, division__level=DivisionLevel.HAMLET)
        .values_list("division_id", "id")
    )
    ShareRule.objects.bulk_create(
        [
            ShareRule(cooperative_id=coop, shares_per_mu=Decimal("1.20") if coop % 5 == 0 else Decimal("1.00"))
            for coop in set(coop_of.values()) - set(ShareRule.objects.values_list("cooperative_id", flat=True))
        ]
    )
    rules = {r.cooperative_id: r for r in ShareRule.objects.filter(cooperative_id__in=list(coop_of.values()))}
    households = list(
        Household.objects.filter(division_id__in=list(coop_of), contract_plots__isnull=True)
        .order_by("number")
        .values_list("id", "number", "division_id")
    )
    plots = []
    for household_id, number, _division in households:
        rng = random.Random(number)
        for k in range(1, rng.randint(1, 4) + 1):
            plots.append(
                ContractPlot(
                    household_id=household_id,
                    contract_number=f"CB{number[1:]}-{k}",
                    area=Decimal(rng.randint(30, 250)) / 100,
                    location=rng.choice(_PLACES),
                )
            )
    ContractPlot.objects.bulk_create(plots)
    held = set(
        ShareHolding.objects.filter(household_id__in=[h[0] for h in households]).values_list("household_id", flat=True)
    )
    areas = dict(
        ContractPlot.objects.filter(household_id__in=[h[0] for h in households], is_active=True)
        .values("household_id")
        .annotate(total=Sum("area"))
        .values_list("household_id", "total")
    )
    holdings = []
    first, adjusted = datetime.date(2019, 1, 1), datetime.date(2023, 1, 1)
    for household_id, number, division_id in households:
        if household_id in held or household_id not in areas:
            continue
        rule, area = rules[coop_of[division_id]], areas[household_id]
        if random.Random(number).random() < 0.1:
            # The 2023 adjustment took some land back: the earlier, larger holding stays in the register.
            before = area + Decimal("0.50")
            holdings.append(_holding(rule, household_id, before, first, "确权入股", valid_to=adjusted))
            holdings.append(_holding(rule, household_id, area, adjusted, "承包地调整"))
        else:
            holdings.append(_holding(rule, household_id, area, first, "确权入股"))
    ShareHolding.objects.bulk_create(holdings)
    stdout.write(f"  承包地：新建 {len(plots)} 块；股权登记 {len(holdings)} 条")


@registry.demo("villages.transfers", order=43)
@transaction.atomic
def seed_transfers(*, stdout, options) -> None:
    """One operator per village, and a cooperative transfer (小丘变大丘) in every third 屋场 with land."""
    root = district()
    villages = list(Division.objects.in_subtree(root).filter(level=DivisionLevel.VILLAGE).order_by("code"))
    kinds = list(OperatorKind)
    wanted = {
        _uscc(v.code): Operator(
            kind=kinds[i % len(kinds)],
            name=f"{v.name}{['兴农家庭农场', '丰收种植专业合作社', '绿源农业发展有限公司'][i % 3]}",
            uscc=_uscc(v.code),
            legal_representative=random.Random(v.code).choice(_SURNAMES) + "某",
            division=v,
        )
        for i, v in enumerate(villages)
    }
    known = set(Operator.objects.filter(uscc__in=list(wanted)).values_list("uscc", flat=True))
    Operator.objects.bulk_create([op for code, op in wanted.items() if code not in known])
    operator_of = dict(Operator.objects.filter(uscc__in=list(wanted)).values_list("division_id", "id"))

    # Which 屋场 get a transfer depends on their place in the full list, so a second run picks none.
    done = set(LandTransfer.objects.in_subtree(root).values_list("hamlet_id", flat=True))
    hamlets = [
        h
        for index, h in enumerate(Hamlet.objects.in_subtree(root).select_related("division").order_by("division__code"))
        if index % 3 == 0 and h.pk not in done
    ]
    plots_of: dict[int, list[ContractPlot]] = defaultdict(list)
    for plot in ContractPlot.objects.filter(
        household__division_id__in=[h.division_id for h in hamlets], is_active=True
    ).order_by("contract_number"):
        plots_of[plot.household_id].append(plot)
    household_division = dict(Household.objects.filter(pk__in=list(plots_of)).values_list("id", "division_id"))
    by_hamlet: dict[int, list[ContractPlot]] = defaultdict(list)
    for household_id, plots in plots_of.items():
        by_hamlet[household_division[household_id]].extend(plots)
    transfers, links = [], []
    for hamlet in hamlets:
        plots = sorted(by_hamlet.get(hamlet.division_id, []), key=lambda p: p.contract_number)
        if len(plots) < 2:
            continue
        chosen = plots[: max(2, len(plots) * 2 // 3)]
        area = sum((p.area for p in chosen), Decimal("0"))
        transfer = LandTransfer(
            hamlet=hamlet,
            transferor=TransferFrom.COOPERATIVE,
            operator_id=operator_of[hamlet.division.parent_id],
            area=area,
            start_date=datetime.date(2023, 3, 1),
            end_date=datetime.date(2033, 2, 28),
            annual_rent=(area * Decimal("600")).quantize(Decimal("0.01")),
            status=TransferStatus.ACTIVE,
        )
        transfers.append(transfer)
        links.append(chosen)
    LandTransfer.objects.bulk_create(transfers)
    through = LandTransfer.plots.through
    through.objects.bulk_create(
        [
            through(landtransfer_id=transfer.pk, contractplot_id=plot.pk)
            for transfer, chosen in zip(transfers, links, strict=True)
            for plot in chosen
        ]
    )
    stdout.write(f"  土地流转：经营主体 {len(wanted) - len(known)} 个，流转合同 {len(transfers)} 份")


@registry.demo("villages.meetings", order=44)
@transaction.atomic
def seed_meetings(*, stdout, options) -> None:
    """A 屋场会 in every other 屋场 over the last two months, with attendees and resolutions."""
    root = district()
    done = set(HamletMeeting.objects.in_subtree(root).values_list("hamlet_id", flat=True))
    hamlets = [
        (index, h)
        for index, h in enumerate(Hamlet.objects.in_subtree(root).order_by("division__code"))
        if index % 2 == 0 and h.pk not in done
    ]
    attendees_of: dict[int, list[int]] = defaultdict(list)
    for division_id, person_id in (
        Post.objects.filter(organization__division_id__in=[h.division_id for _i, h in hamlets])
        .order_by("id")
        .values_list("organization__division_id", "person_id")
    ):
        if person_id not in attendees_of[division_id]:
            attendees_of[division_id].append(person_id)
    today = timezone.localdate()
    meetings = []
    for index, hamlet in hamlets:
        rng = random.Random(hamlet.division_id)
        meetings.append(
            HamletMeeting(
                hamlet=hamlet,
                held_on=today - datetime.timedelta(days=index % 60),
                topics=rng.choice(_TOPICS),
            )
        )
    HamletMeeting.objects.bulk_create(meetings)
    through = HamletMeeting.attendees.through
    through.objects.bulk_create(
        [
            through(hamletmeeting_id=m.pk, person_id=person_id)
            for m in meetings
            for person_id in attendees_of[m.hamlet.division_id]
        ]
    )
    resolutions = []
    for m in meetings:
        rng = random.Random(m.hamlet.division_id)
        for text in rng.sample(_RESOLUTIONS, 2):
            status = rng.choice(list(FollowUpStatus))
            resolutions.append(
                MeetingResolution(
                    meeting=m,
                    text=text,
                    follow_up=status,
                    due_on=m.held_on + datetime.timedelta(days=30),
                    done_on=m.held_on + datetime.timedelta(days=20) if status == FollowUpStatus.DONE else None,
                )
            )
    MeetingResolution.objects.bulk_create(resolutions)
    stdout.write(f"  屋场会：新建 {len(meetings)} 次，决议 {len(resolutions)} 条")
