"""Demo data of 星物管: 171 compounds across the 60 communities (households moved into them),
property companies with two periods of evaluations and published 红黑榜, owners' committees (some
under 50 % Party members), 楼宇会 meetings, enforcement visits, and petitions for 2023 (250) and
2024 (130): −48 %. Every step is idempotent and writes in bulk."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from governance.dates import months_between, term_covering
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
from governance.models.people import PARTY_STATUSES
from governance.registry import registry
from governance.selectors import household_member_ids
from governance.validators import uscc_check_char
from residential.choices import (
    ParticipantKind,
    PetitionCategory,
    PetitionChannel,
    PetitionStatus,
    PetitionTarget,
    RectificationKind,
    WorkStatus,
)
from residential.models import (
    BuildingCouncilMeeting,
    CommitteeRectification,
    Compound,
    CreditEvaluation,
    CreditPeriod,
    EnforcementVisit,
    MeetingParticipant,
    MeetingResolution,
    OwnersCommittee,
    Petition,
    PropertyCompany,
    PropertyContract,
    RedBlackList,
    ScoringItem,
)
from residential.services import (
    credit_evaluation_publish,
    evaluation_save,
    period_items,
    red_black_list_draft,
    red_black_list_publish,
)

COMPOUND_COUNT = 171  # 星物管 compounds, as in the seed article
PETITIONS = {2023: 250, 2024: 130}  # −48 %, as in the seed article
ONGOING_PETITIONS_A_YEAR = 120  # since 2025, up to the day the demo is seeded
BREAKING_EVERY = 6  # every 6th committee is short of Party members
_SUFFIXES = ["华庭", "家园", "花园", "名苑", "雅居", "新村"]
COMPANIES = [
    "娄底星城物业服务有限公司",
    "娄星区乐坪物业管理有限公司",
    "湖南涟水物业服务有限公司",
    "娄底华鑫物业管理有限公司",
    "娄星区长青物业服务有限公司",
    "湖南湘中物业管理有限公司",
    "娄底和美物业服务有限公司",
    "娄星区花山物业管理有限公司",
    "娄底安居物业服务有限公司",
    "娄底恒通物业管理有限公司",
    "娄星区润家物业服务有限公司",
    "娄底众信物业管理有限公司",
]
SCORING_ITEMS = [("服务质量", 30), ("安全管理", 20), ("设施设备维护", 20), ("环境卫生", 15), ("业主满意度", 15)]


def _compound_plan(communities: list[Division]) -> list[tuple[Division, int]]:
    """Compounds per community, spread as evenly as possible to 171 in all."""
    base, extra = divmod(COMPOUND_COUNT, len(communities))
    return [(community, base + (1 if i < extra else 0)) for i, community in enumerate(communities)]


@registry.demo("residential.compounds", order=40)
def seed_compounds(*, stdout, options) -> None:
    root = district()
    communities = list(Division.objects.in_subtree(root).filter(level=DivisionLevel.COMMUNITY).order_by("path"))
    if not communities:
        return
    plan = _compound_plan(communities)
    wanted = {f"{community.code}{k:03d}": (community, k) for community, n in plan for k in range(1, n + 1)}
    with transaction.atomic():
        existing = set(Division.objects.filter(code__in=wanted).values_list("code", flat=True))
        Division.objects.bulk_create(
            [
                Division(
                    code=code,
                    name=community.name.removesuffix("社区") + _SUFFIXES[k % len(_SUFFIXES)],
                    level=DivisionLevel.COMPOUND,
                    parent=community,
                    sort_order=k,
                )
                for code, (community, k) in wanted.items()
                if code not in existing
            ]
        )
        nodes = {d.code: d for d in Division.objects.filter(code__in=wanted).select_related("parent")}
        branches = {
            o.division_id: o
            for o in Organization.objects.filter(division__in=nodes.values(), kind=OrganizationKind.PARTY_BRANCH)
        }
        new_branches = [
            Organization(kind=OrganizationKind.PARTY_BRANCH, name=f"中共{node.name}支部委员会", division=node)
            for node in nodes.values()
            if node.pk not in branches
        ]
        for branch in Organization.objects.bulk_create(new_branches):
            branches[branch.division_id] = branch
        have = set(Compound.objects.filter(division__in=nodes.values()).values_list("division_id", flat=True))
        Compound.objects.bulk_create(
            [
                Compound(
                    division=node,
                    address=f"{node.parent.name}{node.sort_order}号",
                    joined_on=datetime.date(2021 + index % 4, 1 + index % 12, 1),
                    party_branch=branches[node.pk],
                )
                for index, node in enumerate(sorted(nodes.values(), key=lambda d: d.code))
                if node.pk not in have
            ]
        )
        moved = _move_households(root, {c: [nodes[f"{c.code}{k:03d}"] for k in range(1, n + 1)] for c, n in plan})
    stdout.write(f"  小区：星物管小区 {Compound.objects.in_subtree(root).star().count()} 个，迁入家庭户 {moved} 户")


def _move_households(root: Division, compounds_of: dict[Division, list[Division]]) -> int:
    """Households still at community level go to one of its compounds (or stay), decided by their
    number, so a second run moves nothing. One UPDATE per compound for households and one for people."""
    by_pk = {community.pk: nodes for community, nodes in compounds_of.items()}
    targets: dict[int, list[int]] = defaultdict(list)
    rows = Household.objects.filter(division_id__in=by_pk).values_list("pk", "number", "division_id")
    for pk, number, division_id in rows:
        nodes = by_pk[division_id]
        slot = int(number[-4:]) % (len(nodes) + 1) if number[-4:].isdigit() else len(nodes)
        if slot < len(nodes):
            targets[nodes[slot].pk].append(pk)
    for node_pk, ids in targets.items():
        Household.objects.filter(pk__in=ids).update(division_id=node_pk)
        Person.objects.filter(pk__in=household_member_ids(ids)).update(division_id=node_pk)
    return sum(len(ids) for ids in targets.values())


def _uscc(index: int) -> str:
    first17 = f"91431302MA4L{index:05d}"
    return first17 + uscc_check_char(first17)


@registry.demo("residential.companies", order=41)
def seed_companies(*, stdout, options) -> None:
    root = district()
    codes = {_uscc(i): name for i, name in enumerate(COMPANIES, start=1)}
    with transaction.atomic():
        have = set(PropertyCompany.objects.filter(uscc__in=codes).values_list("uscc", flat=True))
        PropertyCompany.objects.bulk_create(
            [
                PropertyCompany(name=name, uscc=code, division=root, contact_person="李经理", phone="0738-8321000")
                for code, name in codes.items()
                if code not in have
            ]
        )
        companies = list(PropertyCompany.objects.filter(uscc__in=codes).order_by("uscc"))
        compounds = Compound.objects.in_subtree(root).filter(contracts__isnull=True).order_by("division__code")
        PropertyContract.objects.bulk_create(
            [
                PropertyContract(
                    compound=compound, company=companies[i % len(companies)], start_date=datetime.date(2022, 1, 1)
                )
                for i, compound in enumerate(compounds)
            ]
        )
        have_items = set(ScoringItem.objects.filter(division=root).values_list("name", flat=True))
        ScoringItem.objects.bulk_create(
            [
                ScoringItem(division=root, name=name, max_score=score, sort_order=i)
                for i, (name, score) in enumerate(SCORING_ITEMS)
                if name not in have_items
            ]
        )
        for year in PETITIONS:
            CreditPeriod.objects.get_or_create(
                division=root,
                name=f"{year}年度",
                defaults={
                    "start_date": datetime.date(year, 1, 1),
                    "end_date": datetime.date(year, 12, 31),
                    "petition_penalty": 1,
                    "petition_penalty_cap": 5,
                },
            )
    stdout.write(f"  物业服务企业 {len(companies)} 家，评分项 {len(SCORING_ITEMS)} 项，评价周期 {len(PETITIONS)} 个")


@registry.demo("residential.committees", order=42)
def seed_committees(*, stdout, options) -> None:
    """An owners' committee in every 星物管 compound with at least three residents; every 6th is short of
    Party members, the others are at least half Party members and share people with the Party branch."""
    root = district()
    compounds = list(
        Compound.objects.in_subtree(root)
        .star()
        .filter(owners_committees__isnull=True)
        .select_related("division")
        .order_by("division__code")
    )
    residents: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for person_id, status, division_id in (
        HouseholdMember.objects.filter(household__division__in=[c.division_id for c in compounds])
        .order_by("household__division_id", "person_id")
        .values_list("person_id", "person__political_status", "household__division_id")
    ):
        residents[division_id].append((person_id, status))
    all_numbers = Compound.objects.in_subtree(root).order_by("division__code").values_list("pk", flat=True)
    position = {pk: i for i, pk in enumerate(all_numbers)}
    plans, promote = [], []
    for compound in compounds:
        people = residents.get(compound.division_id, [])
        if len(people) < 3:
            continue
        size = min(5, len(people))
        breaking = position[compound.pk] % BREAKING_EVERY == 0
        is_party = [status in PARTY_STATUSES for _p, status in people]
        order = sorted(range(len(people)), key=lambda i: is_party[i] == breaking)  # party first unless breaking
        chosen = [people[i][0] for i in order[:size]]
        party = {people[i][0] for i in order[:size] if is_party[i]}
        if not breaking:
            for person_id in chosen:
                if len(party) * 2 >= size:
                    break
                if person_id not in party:
                    promote.append(person_id)
                    party.add(person_id)
            chosen.sort(key=lambda p: p not in party)  # a Party member chairs
        plans.append((compound, chosen, party, breaking))
    today = timezone.localdate()
    with transaction.atomic():
        Person.objects.filter(pk__in=promote).update(political_status=PoliticalStatus.PARTY_MEMBER)
        orgs = Organization.objects.bulk_create(
            [
                Organization(
                    kind=OrganizationKind.OWNERS_COMMITTEE, name=f"{c.division.name}业主委员会", division=c.division
                )
                for c, *_rest in plans
            ]
        )
        committees = OwnersCommittee.objects.bulk_create(
            [
                OwnersCommittee(compound=compound, organization=org, term_start=start, term_end=end)
                for i, ((compound, *_rest), org) in enumerate(zip(plans, orgs, strict=True))
                # Five-year terms elected in June 2021, 2022 or 2023 and renewed since: current on the seeding day.
                for start, end in [term_covering(datetime.date(2021 + i % 3, 6, 1), 5, today)]
            ]
        )
        posts, rectifications = [], []
        for committee, (compound, chosen, party, breaking) in zip(committees, plans, strict=True):
            for rank, person_id in enumerate(chosen):
                posts.append(
                    Post(
                        organization_id=committee.organization_id,
                        person_id=person_id,
                        title="主任" if rank == 0 else "委员",
                        is_head=rank == 0,
                        start_date=committee.term_start,
                    )
                )
            # 双向进入、交叉任职: the committee's Party members also sit in the compound's Party branch.
            for rank, person_id in enumerate(p for p in chosen if p in party):
                posts.append(
                    Post(
                        organization_id=compound.party_branch_id,
                        person_id=person_id,
                        title="书记" if rank == 0 else "委员",
                        is_head=rank == 0,
                        start_date=committee.term_start,
                    )
                )
            if breaking:
                # Found in the last two months, due within the next two: an officer's open work.
                found_on = today - datetime.timedelta(days=20 + position[compound.pk] % 40)
                rectifications.append(
                    CommitteeRectification(
                        committee=committee,
                        kind=RectificationKind.NON_PERFORMANCE,
                        found_on=found_on,
                        problem="业委会党员比例不足，长期未召开业主大会",
                        measures="社区党委指导补选党员委员，限期召开业主大会",
                        deadline=found_on + datetime.timedelta(days=60),
                    )
                )
        Post.objects.bulk_create(posts)
        CommitteeRectification.objects.bulk_create(rectifications)
    stdout.write(
        f"  业委会：新建 {len(committees)} 个（共 {OwnersCommittee.objects.in_subtree(root).count()} 个，"
        f"党员占比不足50% {OwnersCommittee.objects.in_subtree(root).out_of_compliance().count()} 个）"
    )


@registry.demo("residential.petitions", order=43)
def seed_petitions(*, stdout, options) -> None:
    """250 petitions in 2023 and 130 in 2024 (−48 %), spread over the compounds; then the two periods'
    evaluations (petitions against a company cost it points) and their published 红黑榜."""
    root = district()
    compounds = list(
        Compound.objects.in_subtree(root)
        .star()
        .order_by("division__code")
        .values_list("pk", "contracts__company_id", "owners_committees__id")
        .distinct("division__code")
    )
    if not compounds:
        return
    numbers = [f"XF{year}{i:04d}" for year, count in PETITIONS.items() for i in range(1, count + 1)]
    have = set(Petition.objects.filter(number__in=numbers).values_list("number", flat=True))
    today = timezone.localdate()
    channels, categories = PetitionChannel.values, PetitionCategory.values
    rows = []
    for number in numbers:
        if number in have:
            continue
        year, i = int(number[2:6]), int(number[6:])
        compound_id, company_id, committee_id = compounds[(i * 7 + year) % len(compounds)]
        category = categories[i % len(categories)]
        against = PetitionTarget.OTHER
        if category == PetitionCategory.OWNERS_COMMITTEE and committee_id:
            against = PetitionTarget.COMMITTEE
        elif company_id and i % 5 != 0:
            against = PetitionTarget.COMPANY
        rows.append(
            Petition(
                number=number,
                compound_id=compound_id,
                received_on=datetime.date(year, 1 + i % 12, 1 + i % 28),
                channel=channels[i % len(channels)],
                category=category,
                against=against,
                company_id=company_id if against == PetitionTarget.COMPANY else None,
                committee_id=committee_id if against == PetitionTarget.COMMITTEE else None,
                summary="反映小区物业服务问题",
                status=PetitionStatus.RESOLVED,
                outcome="已协调物业整改并回访",
                closed_on=datetime.date(year, 1 + i % 12, 1 + i % 28),
            )
        )
    rows += _ongoing_petitions(compounds, today)
    Petition.objects.bulk_create(rows)
    evaluated = _seed_evaluations(root)
    stdout.write(f"  物业信访：新建 {len(rows)} 件；信用评价：新建 {evaluated} 份；红黑榜已发布")


def _ongoing_petitions(compounds: list[tuple[int, int | None, int | None]], today: datetime.date) -> list[Petition]:
    """Petitions since 2025 up to ``today`` (``ONGOING_PETITIONS_A_YEAR``, evenly over the year), those
    of the last three weeks still open: the same rows for the same day, whenever seeded; only the
    missing ones."""
    wanted: dict[str, datetime.date] = {}
    for year in range(2025, today.year + 1):
        for i in range(1, ONGOING_PETITIONS_A_YEAR + 1):
            received_on = datetime.date(year, 1, 1) + datetime.timedelta(days=(i - 1) * 365 // ONGOING_PETITIONS_A_YEAR)
            if received_on <= today:
                wanted[f"XF{year}{i:04d}"] = received_on
    have = set(Petition.objects.filter(number__in=wanted).values_list("number", flat=True))
    rows = []
    for number, received_on in wanted.items():
        if number in have:
            continue
        i = int(number[6:])
        compound_id, company_id, _committee_id = compounds[(i * 7 + received_on.year) % len(compounds)]
        open_days = (today - received_on).days
        status = PetitionStatus.RESOLVED if open_days > 21 else PetitionStatus.HANDLING
        if open_days <= 3:
            status = PetitionStatus.RECEIVED
        against = PetitionTarget.COMPANY if company_id and i % 5 != 0 else PetitionTarget.OTHER
        closed_on = received_on + datetime.timedelta(days=5 + i % 15)
        rows.append(
            Petition(
                number=number,
                compound_id=compound_id,
                received_on=received_on,
                channel=PetitionChannel.values[i % len(PetitionChannel.values)],
                category=PetitionCategory.values[i % len(PetitionCategory.values)],
                against=against,
                company_id=company_id if against == PetitionTarget.COMPANY else None,
                summary="反映小区物业服务问题",
                status=status,
                outcome="已协调物业整改并回访" if status == PetitionStatus.RESOLVED else "",
                closed_on=closed_on if status == PetitionStatus.RESOLVED else None,
            )
        )
    return rows


def _seed_evaluations(root: Division) -> int:
    periods = list(CreditPeriod.objects.filter(division=root, name__in=[f"{y}年度" for y in PETITIONS]))
    companies = list(PropertyCompany.objects.filter(uscc__in=[_uscc(i) for i in range(1, len(COMPANIES) + 1)]))
    companies.sort(key=lambda c: c.uscc)
    done = set(CreditEvaluation.objects.filter(period__in=periods).values_list("company_id", "period_id"))
    created = 0
    with transaction.atomic():
        for period in periods:
            items = list(period_items(period))
            for index, company in enumerate(companies):
                if (company.pk, period.pk) in done:
                    continue
                rng = random.Random(f"{company.uscc}{period.name}")
                # three model companies, three failing ones, the rest in between
                low, high = (0.45, 0.7) if index >= len(companies) - 3 else (0.97, 1.0) if index < 3 else (0.75, 0.95)
                scores = [(item, round(item.max_score * rng.uniform(low, high))) for item in items]
                evaluation = evaluation_save(
                    company=company, period=period, scores=scores, evaluated_on=period.end_date, note="年度评价"
                )
                credit_evaluation_publish(evaluation=evaluation, by=None)
                created += 1
            red_black_list = RedBlackList.objects.filter(period=period).first()
            if red_black_list is None or not red_black_list.is_published:
                red_black_list = red_black_list_draft(period=period, red_size=3, black_size=3)
                red_black_list_publish(red_black_list=red_black_list, by=None)
    return created


@registry.demo("residential.meetings", order=44)
def seed_meetings(*, stdout, options) -> None:
    """A 楼宇会 in 2024 for every 星物管 compound, and law-enforcement visits to every fourth one."""
    root = district()
    compounds = list(
        Compound.objects.in_subtree(root).star().filter(meetings__isnull=True).select_related("division__parent")
    )
    with transaction.atomic():
        meetings = BuildingCouncilMeeting.objects.bulk_create(
            [
                BuildingCouncilMeeting(
                    compound=c,
                    held_on=datetime.date(2024, 1 + c.pk % 12, 10),
                    place=f"{c.division.name}党群服务站",
                    topics="小区停车秩序整治；电梯维保费用分摊",
                )
                for c in compounds
            ]
        )
        participants, resolutions = [], []
        for meeting, compound in zip(meetings, compounds, strict=True):
            for kind, name in (
                (ParticipantKind.RESIDENTS_COMMITTEE, f"{compound.division.parent.name}居委会"),
                (ParticipantKind.PARTY_BRANCH, f"中共{compound.division.name}支部委员会"),
                (ParticipantKind.OWNERS_COMMITTEE, f"{compound.division.name}业主委员会"),
                (ParticipantKind.PROPERTY_COMPANY, "物业项目经理"),
                (ParticipantKind.RESIDENT_REPRESENTATIVE, "居民代表3名"),
            ):
                participants.append(MeetingParticipant(meeting=meeting, kind=kind, name=name))
            resolutions.append(
                MeetingResolution(
                    meeting=meeting,
                    content="规划增设临时停车位并公示",
                    owner_kind=ParticipantKind.PROPERTY_COMPANY,
                    owner="物业项目经理",
                    deadline=meeting.held_on + datetime.timedelta(days=30),
                    status="done",
                    done_on=meeting.held_on + datetime.timedelta(days=25),
                )
            )
        MeetingParticipant.objects.bulk_create(participants)
        MeetingResolution.objects.bulk_create(resolutions)
        EnforcementVisit.objects.bulk_create(
            [
                EnforcementVisit(
                    compound=c,
                    department="娄星区城市管理和综合执法局",
                    visited_on=datetime.date(2024, 5, 20),
                    problems_found="占道经营、违规搭建",
                    problem_count=2,
                    rectify_by=datetime.date(2024, 6, 20),
                    rectified_on=datetime.date(2024, 6, 15),
                )
                for c in compounds
                if c.pk % 4 == 0
            ]
        )
    ongoing = _ongoing_meetings(root, timezone.localdate())
    stdout.write(f"  楼宇会：新建 {len(meetings)} 次（2024 年），{ongoing} 次（2025 年以来每季度）")


def _ongoing_meetings(root: Division, today: datetime.date) -> int:
    """A 楼宇会 every quarter since 2025 in every 星物管 compound, up to ``today``; resolutions of the last
    month still open. The same rows for the same day; only the missing ones are written."""
    compounds = list(Compound.objects.in_subtree(root).star().select_related("division"))
    quarters = [m for m in months_between(datetime.date(2025, 1, 1), today) if m.month % 3 == 1]
    wanted = [
        (c, held_on)
        for c in compounds
        for quarter in quarters
        for held_on in [quarter + datetime.timedelta(days=c.pk % 60)]
        if held_on <= today
    ]
    have = set(
        BuildingCouncilMeeting.objects.filter(
            compound__in=compounds, held_on__gte=quarters[0] if quarters else today
        ).values_list("compound_id", "held_on")
    )
    todo = [(c, held_on) for c, held_on in wanted if (c.pk, held_on) not in have]
    with transaction.atomic():
        meetings = BuildingCouncilMeeting.objects.bulk_create(
            [
                BuildingCouncilMeeting(
                    compound=c, held_on=held_on, place=f"{c.division.name}党群服务站", topics="季度楼宇会：物业服务评议"
                )
                for c, held_on in todo
            ]
        )
        resolutions = []
        for meeting in meetings:
            deadline = meeting.held_on + datetime.timedelta(days=30)
            done = deadline < today
            resolutions.append(
                MeetingResolution(
                    meeting=meeting,
                    content="物业公示本季度收支并整改评议问题",
                    owner_kind=ParticipantKind.PROPERTY_COMPANY,
                    owner="物业项目经理",
                    deadline=deadline,
                    status=WorkStatus.DONE if done else WorkStatus.IN_PROGRESS,
                    done_on=meeting.held_on + datetime.timedelta(days=25) if done else None,
                )
            )
        MeetingResolution.objects.bulk_create(resolutions)
    return len(meetings)
