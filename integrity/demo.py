"""Demo data of the integrity app, from the seed article (as of 2025-06-30): a rectification campaign
whose records reproduce its funnel exactly (667 clues, 602 people handled, 379 cases, 306 people
sanctioned, 21 detained, 17,989,600.00 yuan recovered, 109 matters resolved), the 2024 and 2025
livelihood projects, clean units and the rules they adopted. Idempotent and bulk-written."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from governance.demo import TOWNSHIPS, district
from governance.models import Division, DivisionLevel, Organization, OrganizationKind
from governance.registry import registry
from integrity.choices import (
    CleanUnitKind,
    CleanUnitStatus,
    ClueCategory,
    ClueSource,
    ClueStatus,
    Disposition,
    MeasureKind,
    ProjectLevel,
    RecoveryKind,
    SanctionKind,
    SubjectLevel,
    VisitMethod,
)
from integrity.demo_culture import HEALTH_LOOPHOLES, HEALTH_RULE, HEALTH_SAVINGS_PERCENT
from integrity.models import (
    Campaign,
    CampaignMatter,
    CleanUnit,
    Clue,
    Evaluation,
    EvaluationItem,
    IntegrityCase,
    LivelihoodProject,
    Measure,
    Milestone,
    Recovery,
    Sanction,
    Subject,
    SupervisionVisit,
    UnitRule,
)

CAMPAIGN_NAME = "群众身边不正之风和腐败问题集中整治"
AS_OF = datetime.date(2025, 6, 30)
START = datetime.date(2024, 4, 1)

# The seed's figures, reproduced by the records below (never stored as totals).
CLUES, HANDLED, CASES, SANCTIONED, DETAINED, MATTERS = 667, 602, 379, 306, 21, 109
RECOVERED = Decimal("17989600.00")
TALKS = HANDLED - CASES  # 谈话函询 clues ending in an organisational handling
SHELVED = 20
CLOSED = CLUES - CASES - TALKS - SHELVED  # 予以了结: handles nobody

_SURNAMES = "李王张刘陈杨黄赵周吴徐孙朱胡郭何罗谢曾彭邓肖唐蒋贺龙谭颜廖邹"
_GIVEN = "伟芳敏静丽强磊军洋勇艳杰涛明超秀平刚桂华建国志红德福春生海"
_POSTS = ["村党支部书记", "村委会主任", "村会计", "村报账员", "社区居委会委员", "网格员", "站所负责人"]
_SUMMARIES = {
    ClueCategory.NEAR_THE_PEOPLE: "反映在低保、救助等惠民资金发放中优亲厚友、吃拿卡要",
    ClueCategory.CORRUPTION: "反映侵占、挪用集体“三资”及惠农补贴资金",
    ClueCategory.FORMALISM: "反映民生项目推进中敷衍应付、弄虚作假",
}
PARTY_KINDS = [
    SanctionKind.PARTY_WARNING,
    SanctionKind.PARTY_SERIOUS_WARNING,
    SanctionKind.PARTY_REMOVAL,
    SanctionKind.PARTY_PROBATION,
    SanctionKind.PARTY_EXPULSION,
]
GOV_KINDS = [
    SanctionKind.GOV_WARNING,
    SanctionKind.GOV_DEMERIT,
    SanctionKind.GOV_MAJOR_DEMERIT,
    SanctionKind.GOV_DEMOTION,
    SanctionKind.GOV_DISMISSAL,
]

DEPARTMENTS = [
    "区纪委监委",
    "区教育局",
    "区卫健局",
    "区财政局",
    "区民政局",
    "区住建局",
    "区农业农村局",
    "区人社局",
    "区医保局",
    "区水利局",
    "区城管局",
    "区市场监管局",
    "区交通运输局",
    "区自然资源局",
]


def _org(name: str, division: Division, kind: str = OrganizationKind.DEPARTMENT) -> Organization:
    org, _created = Organization.objects.get_or_create(division=division, kind=kind, name=name)
    return org


@registry.demo("integrity.campaign", order=60)
@transaction.atomic
def seed_campaign(*, stdout, options) -> None:
    """The campaign, with every clue, person, case, sanction, detention, recovery and matter behind its funnel."""
    root = district()
    campaign, _created = Campaign.objects.get_or_create(
        name=CAMPAIGN_NAME,
        defaults={
            "division": root,
            "start_date": START,
            "end_date": datetime.date(2025, 12, 31),
            "scope": "全区乡镇（街道）、村（社区）及区直涉民生部门",
        },
    )
    if Clue.objects.filter(campaign=campaign).exists():
        stdout.write(f"  集中整治：已存在（线索 {Clue.objects.filter(campaign=campaign).count()} 件）")
        return
    rng = random.Random(2025_06_30)
    units = list(
        Division.objects.in_subtree(root)
        .filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY])
        .order_by("path")
    )
    plan = [Disposition.VERIFY] * CASES + [Disposition.TALK] * TALKS + [Disposition.SHELVE] * SHELVED
    plan += [Disposition.CLOSE] * CLOSED
    rng.shuffle(plan)
    span = (datetime.date(2025, 5, 25) - START).days

    subjects, clues = [], []
    for i, disposition in enumerate(plan):
        unit = units[i % len(units)]
        subjects.append(
            Subject(
                division=unit,
                name=rng.choice(_SURNAMES) + rng.choice(_GIVEN) + (rng.choice(_GIVEN) if rng.random() < 0.5 else ""),
                unit=unit.name + ("村民委员会" if unit.level == DivisionLevel.VILLAGE else "居民委员会"),
                post=rng.choice(_POSTS),
                level=SubjectLevel.VILLAGE,
                is_party_member=i % 5 != 4,
                is_public_official=True,
            )
        )
        received = START + datetime.timedelta(days=i * span // CLUES)
        category = rng.choice(list(_SUMMARIES))
        clues.append(
            Clue(
                number=f"LXJW-{received.year}-{i + 1:04d}",
                division=unit,
                campaign=campaign,
                source=rng.choice(ClueSource.values),
                received_on=received,
                category=category,
                summary=_SUMMARIES[category],
                disposition=disposition,
                disposed_on=received + datetime.timedelta(days=10),
                decided_by="区纪委监委主要负责人",
                status={
                    Disposition.VERIFY: ClueStatus.FILED,
                    Disposition.TALK: ClueStatus.CONCLUDED,
                    Disposition.SHELVE: ClueStatus.DISPOSED,
                    Disposition.CLOSE: ClueStatus.CONCLUDED,
                }[disposition],
            )
        )
    Subject.objects.bulk_create(subjects)
    Clue.objects.bulk_create(clues)
    Clue.subjects.through.objects.bulk_create(
        [Clue.subjects.through(clue_id=c.pk, subject_id=s.pk) for c, s in zip(clues, subjects, strict=True)]
    )

    verified = [(c, s) for c, s in zip(clues, subjects, strict=True) if c.disposition == Disposition.VERIFY]
    cases = [
        IntegrityCase(
            number=f"LXLA-{clue.received_on.year}-{k + 1:04d}",
            division=clue.division,
            campaign=campaign,
            filed_on=clue.disposed_on + datetime.timedelta(days=10),
            findings="经初步核实，问题属实，予以立案审查调查。",
        )
        for k, (clue, _subject) in enumerate(verified)
    ]
    for k, case in enumerate(cases):
        if k < SANCTIONED:
            case.closed_on = case.filed_on + datetime.timedelta(days=5)
        if k < DETAINED:
            case.transferred_to_procuratorate = True
            case.transferred_on = case.filed_on + datetime.timedelta(days=4)
    IntegrityCase.objects.bulk_create(cases)
    IntegrityCase.clues.through.objects.bulk_create(
        [
            IntegrityCase.clues.through(integritycase_id=case.pk, clue_id=c.pk)
            for case, (c, _s) in zip(cases, verified, strict=True)
        ]
    )
    IntegrityCase.subjects.through.objects.bulk_create(
        [
            IntegrityCase.subjects.through(integritycase_id=case.pk, subject_id=s.pk)
            for case, (_c, s) in zip(cases, verified, strict=True)
        ]
    )

    sanctions, measures = [], []
    for k, (case, (_clue, subject)) in enumerate(zip(cases, verified, strict=True)):
        decided = case.filed_on + datetime.timedelta(days=5)
        if k < SANCTIONED:
            if subject.is_party_member:
                sanctions.append(Sanction(subject=subject, case=case, kind=PARTY_KINDS[k % 5], decided_on=decided))
            if not subject.is_party_member or k % 3 == 0:
                sanctions.append(Sanction(subject=subject, case=case, kind=GOV_KINDS[k % 5], decided_on=decided))
        else:
            sanctions.append(Sanction(subject=subject, case=case, kind=SanctionKind.ORG_ADMONITION, decided_on=decided))
        if k < DETAINED:
            start = case.filed_on + datetime.timedelta(days=1)
            measures.append(
                Measure(
                    case=case,
                    subject=subject,
                    kind=MeasureKind.DETENTION,
                    start_on=start,
                    end_on=start + datetime.timedelta(days=2),
                )
            )
    for clue, subject in zip(clues, subjects, strict=True):
        if clue.disposition == Disposition.TALK:
            sanctions.append(
                Sanction(
                    subject=subject,
                    clue=clue,
                    kind=SanctionKind.ORG_CRITICISM,
                    decided_on=clue.disposed_on + datetime.timedelta(days=7),
                )
            )
    Sanction.objects.bulk_create(sanctions)
    Measure.objects.bulk_create(measures)

    # 追缴退缴 in 120 cases, split by weight to the hundred yuan; the last one takes the remainder.
    weights = [rng.randint(1, 20) for _i in range(120)]
    amounts = [(RECOVERED * w / sum(weights)).quantize(Decimal("100")) for w in weights[:-1]]
    amounts.append(RECOVERED - sum(amounts))
    assert all(a > 0 for a in amounts) and sum(amounts) == RECOVERED
    Recovery.objects.bulk_create(
        [
            Recovery(
                case=case,
                amount=amount.quantize(Decimal("0.01")),
                kind=RecoveryKind.SEIZED if k % 3 else RecoveryKind.RETURNED,
                recovered_on=case.filed_on + datetime.timedelta(days=8),
            )
            for k, (case, amount) in enumerate(zip(cases, amounts, strict=False))
        ]
    )

    matters = []
    titles = [
        "农村饮水安全",
        "惠民资金发放",
        "校园餐食品安全",
        "养老服务",
        "农村道路维护",
        "医保报销",
        "殡葬收费",
        "物业收费",
    ]
    for i in range(MATTERS + 12):
        opened = START + datetime.timedelta(days=30 + i * 3)
        matters.append(
            CampaignMatter(
                campaign=campaign,
                division=units[(i * 7) % len(units)],
                title=f"{titles[i % len(titles)]}问题整治（{i + 1}）",
                opened_on=opened,
                resolved_on=min(opened + datetime.timedelta(days=40), AS_OF) if i < MATTERS else None,
            )
        )
    CampaignMatter.objects.bulk_create(matters)
    stdout.write(
        f"  集中整治：线索 {len(clues)} 件，立案 {len(cases)} 件，处分处理 {len(sanctions)} 条，"
        f"追缴退缴 {RECOVERED:,.2f} 元，民生实事 {MATTERS} 件已解决"
    )


PROJECTS_2024 = [
    "农村饮水安全巩固提升",
    "城区老旧小区改造",
    "义务教育学位扩容",
    "农村公路提质改造",
    "城乡居民医保参保服务",
    "困难群众救助资金规范发放",
    "校园食品安全",
    "居家养老服务",
    "农村危房改造",
    "城区停车位建设",
    "就业创业补贴发放",
    "农村人居环境整治",
    "社区卫生服务能力提升",
    "城区排水防涝",
    "集贸市场改造",
    "公共厕所新建改建",
    "农村集体“三资”清理",
]
PROJECTS_2025_CCDI = [
    "农村集体“三资”管理",
    "养老服务监管",
    "校园餐和膳食经费管理",
    "医保基金管理使用",
    "乡村振兴资金使用",
    "农村低保规范管理",
    "就业创业补贴发放",
    "殡葬领域突出问题",
    "群众看病就医",
    "欠薪问题治理",
    "燃气安全",
    "耕地保护",
    "住房保障",
    "义务教育",
    "涉企乱收费",
    "惠民惠农财政补贴“一卡通”",
]
PROJECTS_2025_DISTRICT = ["城区学校扩容", "老旧管网改造", "社区嵌入式服务设施", "农贸市场提质", "城乡公交一体化"]


ONGOING_CLUES_A_MONTH = 20  # after the campaign's figures (as of 2025-06-30), up to the seeding day


@registry.demo("integrity.ongoing", order=61)
def seed_ongoing_clues(*, stdout, options) -> None:
    """Clues outside the campaign since July 2025, up to the day the demo is seeded: older ones
    concluded, those of the last month awaiting disposition. The campaign's funnel is untouched; the
    same rows for the same day, only the missing ones written."""
    root = district()
    today = timezone.localdate()
    units = list(
        Division.objects.in_subtree(root)
        .filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY])
        .order_by("path")
    )
    wanted: dict[str, datetime.date] = {}
    month = datetime.date(2025, 7, 1)
    while month <= today:
        for k in range(ONGOING_CLUES_A_MONTH):
            received = month + datetime.timedelta(days=k * 28 // ONGOING_CLUES_A_MONTH)
            if received <= today:
                wanted[f"LXJW-{received:%Y%m}-R{k + 1:02d}"] = received
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    have = set(Clue.objects.filter(number__in=wanted).values_list("number", flat=True))
    clues = []
    for number, received in wanted.items():
        if number in have:
            continue
        rng = random.Random(number)
        category = rng.choice(list(_SUMMARIES))
        settled = (today - received).days > 30
        disposition = rng.choice([Disposition.TALK, Disposition.CLOSE]) if settled else ""
        clues.append(
            Clue(
                number=number,
                division=units[rng.randrange(len(units))],
                source=rng.choice(ClueSource.values),
                received_on=received,
                category=category,
                summary=_SUMMARIES[category],
                disposition=disposition,
                disposed_on=received + datetime.timedelta(days=10) if settled else None,
                decided_by="区纪委监委主要负责人" if settled else "",
                status=ClueStatus.CONCLUDED if settled else ClueStatus.RECEIVED,
            )
        )
    Clue.objects.bulk_create(clues)
    stdout.write(f"  日常问题线索：新建 {len(clues)} 件（2025 年 7 月起，至今日）")


@registry.demo("integrity.projects", order=61)
@transaction.atomic
def seed_projects(*, stdout, options) -> None:
    """2024's 17 projects (looked back at in 2025), 2025's 16 CCDI-pushed, 5 district-level and one per township."""
    root = district()
    if LivelihoodProject.objects.filter(year__in=[2024, 2025]).exists():
        stdout.write(f"  民生实事：已存在（{LivelihoodProject.objects.count()} 项）")
        return
    departments = [_org(name, root) for name in DEPARTMENTS[1:]]
    townships = list(Division.objects.filter(parent=root).order_by("code"))[: len(TOWNSHIPS)]
    rng = random.Random(2025)
    plan: list[tuple[int, str, str, Organization, Division]] = []
    plan += [(2024, ProjectLevel.CCDI, t, departments[i % len(departments)], root) for i, t in enumerate(PROJECTS_2024)]
    plan += [
        (2025, ProjectLevel.CCDI, t, departments[i % len(departments)], root) for i, t in enumerate(PROJECTS_2025_CCDI)
    ]
    plan += [
        (2025, ProjectLevel.DISTRICT, t, departments[i % len(departments)], root)
        for i, t in enumerate(PROJECTS_2025_DISTRICT)
    ]
    for township in townships:
        office = _org(
            f"{township.name}{'人民政府' if township.level == DivisionLevel.TOWNSHIP else '办事处'}", township
        )
        plan.append((2025, ProjectLevel.TOWNSHIP, f"{township.name}一镇街一实事", office, township))
    projects = LivelihoodProject.objects.bulk_create(
        [
            LivelihoodProject(
                year=year,
                level=level,
                title=title,
                owner_unit=owner,
                division=division,
                budget=Decimal(rng.randint(50, 3000) * 10000),
            )
            for year, level, title, owner, division in plan
        ]
    )
    milestones, visits = [], []
    for i, project in enumerate(projects):
        year = project.year
        late = i % 9 == 4  # a few projects run late: the supervision page lists them
        milestones.append(
            Milestone(
                project=project,
                title="制定实施方案",
                planned_on=datetime.date(year, 3, 31),
                actual_on=datetime.date(year, 3, 28),
                progress=100,
            )
        )
        milestones.append(
            Milestone(
                project=project,
                title="全面完成",
                planned_on=datetime.date(year, 12, 31),
                actual_on=None if late else datetime.date(year, 12, 20),
                progress=80 if late else 100,
            )
        )
        method = [VisitMethod.TALK, VisitMethod.DOCUMENTS, VisitMethod.SITE][i % 3]
        visits.append(
            SupervisionVisit(
                project=project,
                visited_on=datetime.date(2025, 5, 10 + i % 15),
                method=method,
                is_review=year == 2024,
                findings="进度滞后，资金拨付不及时" if late else "推进有序",
                follow_up="已督促责任单位限期整改" if late else "",
            )
        )
    Milestone.objects.bulk_create(milestones)
    SupervisionVisit.objects.bulk_create(visits)
    counts = {y: sum(1 for p in plan if p[0] == y) for y in (2024, 2025)}
    stdout.write(f"  民生实事：2024 年 {counts[2024]} 项，2025 年 {counts[2025]} 项（16 + 5 + {len(townships)}）")


EDUCATION_RULES = ["教育专项资金管理办法", "教育项目招投标管理细则"] + [
    f"{name}管理制度"
    for name in [
        "学校食堂",
        "校服征订",
        "教辅资料",
        "招生入学",
        "教师招聘",
        "职称评审",
        "评优评先",
        "基建项目",
        "政府采购",
        "公务接待",
        "公车使用",
        "差旅费",
        "学生资助",
        "课后服务收费",
        "校外培训监管",
        "财务内控",
        "固定资产",
        "合同管理",
        "廉政谈话",
    ]
]


@registry.demo("integrity.clean_units", order=62)
@transaction.atomic
def seed_clean_units(*, stdout, options) -> None:
    """Clean offices, villages, a school, a hospital and an enterprise, with an evaluation and their rules."""
    root = district()
    if CleanUnit.objects.exists():
        stdout.write(f"  清廉单元：已存在（{CleanUnit.objects.count()} 个）")
        return
    education, health, finance = _org("区教育局", root), _org("区卫健局", root), _org("区财政局", root)
    others = [
        (_org("娄星区第一实验小学", root, OrganizationKind.OTHER), CleanUnitKind.SCHOOL, CleanUnitStatus.STANDARD),
        (_org("娄星区人民医院", root, OrganizationKind.OTHER), CleanUnitKind.HOSPITAL, CleanUnitStatus.STANDARD),
        (
            _org("娄星区城市建设投资有限公司", root, OrganizationKind.OTHER),
            CleanUnitKind.ENTERPRISE,
            CleanUnitStatus.BUILDING,
        ),
    ]
    villages = Organization.objects.filter(
        division__in=Division.objects.in_subtree(root).filter(level=DivisionLevel.VILLAGE),
        kind=OrganizationKind.VILLAGERS_COMMITTEE,
    ).order_by("division__code")[:6]
    plan = [
        (education, CleanUnitKind.OFFICE, CleanUnitStatus.MODEL),
        (health, CleanUnitKind.OFFICE, CleanUnitStatus.MODEL),
        (finance, CleanUnitKind.OFFICE, CleanUnitStatus.STANDARD),
        *others,
        *[
            (
                v,
                CleanUnitKind.VILLAGE,
                [CleanUnitStatus.MODEL, CleanUnitStatus.STANDARD, CleanUnitStatus.BUILDING][i % 3],
            )
            for i, v in enumerate(villages)
        ],
    ]
    units = CleanUnit.objects.bulk_create(
        [
            CleanUnit(organization=org, kind=kind, status=status, started_on=datetime.date(2024, 3, 1))
            for org, kind, status in plan
        ]
    )
    evaluations = Evaluation.objects.bulk_create(
        [Evaluation(unit=u, round=1, evaluated_on=datetime.date(2025, 6, 20), result=u.status) for u in units]
    )
    items = ["组织领导", "制度建设", "权力运行监督", "廉洁文化"]
    score = {CleanUnitStatus.MODEL: 24, CleanUnitStatus.STANDARD: 20, CleanUnitStatus.BUILDING: 15}
    EvaluationItem.objects.bulk_create(
        [
            EvaluationItem(evaluation=e, item=item, max_score=25, score=score[e.result])
            for e in evaluations
            for item in items
        ]
    )
    by_org = {u.organization_id: u for u in units}
    rules = [
        UnitRule(
            unit=by_org[education.pk],
            title=f"《{title}》",
            adopted_on=datetime.date(2024, 9, 1),
            closes="规范教育领域资金、项目和人事管理",
        )
        for title in EDUCATION_RULES
    ]
    rules.append(
        UnitRule(
            unit=by_org[health.pk],
            title=HEALTH_RULE,
            adopted_on=datetime.date(2024, 3, 15),
            closes="通过电子追溯系统堵塞12项管理漏洞；2024年通过省级平台采购药品耗材节约成本18.6%",
            loopholes_closed=HEALTH_LOOPHOLES,
            savings_percent=HEALTH_SAVINGS_PERCENT,
        )
    )
    rules.append(
        UnitRule(
            unit=by_org[finance.pk],
            title="《娄星区区属监管企业监督管理办法（试行）》",
            adopted_on=datetime.date(2024, 11, 1),
            closes="将清廉国企建设和靠企吃企问题专项整治融入国有企业管理考核体系",
        )
    )
    UnitRule.objects.bulk_create(rules)
    stdout.write(f"  清廉单元：{len(units)} 个，制度 {len(rules)} 项")
