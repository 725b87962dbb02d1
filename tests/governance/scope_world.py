"""The cross-scope matrix's world (tests/governance/test_scope_matrix.py): two sibling townships, each
with a village holding one row (at least) of every scoped model, a user per role and level, and a
marker in every text of every row, so an answer that names a row can be traced to it.

Built once per module by the matrix, set-based where it can (the apps' own factories and services
for rows with invariants: the ledger, redemptions, rankings, credit evaluations, land transfers)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import DatabaseError, models, transaction
from django.db.models import CharField, F, TextField, Value
from django.db.models.functions import Cast, Concat, Left
from django.utils import timezone

from civility.models import (
    BanquetAbstention,
    BanquetKindCap,
    BanquetServiceFee,
    BanquetServiceTeam,
    CivilityUnit,
    CivilizedFamily,
    Dissuasion,
    PlaceLocation,
    PointEntry,
    RankingCorrection,
    UnitKind,
    UnitReview,
)
from civility.services import points_redeem, ranking_compute, ranking_publish
from civility.services.boards import honor_list_propose
from civility.services.shop import RedemptionRequest
from governance.models import (
    DistrictRun,
    DistrictRunStatus,
    Division,
    DivisionLevel,
    ImportJob,
    Role,
    User,
    WebhookAttempt,
    WebhookDelivery,
)
from governance.services import api_key_create
from governance.webhooks import webhook_subscribe
from integrity.models import CultureActivity, CultureSite, Evaluation, EvaluationItem
from integrity.services import access_log_record
from residential.models import (
    BuildingCouncilMeeting,
    CommitteeRectification,
    EnforcementVisit,
    MeetingParticipant,
    PropertyContract,
)
from residential.models import MeetingResolution as CouncilResolution
from residential.services import credit_evaluation_publish, evaluation_save, red_black_list_draft
from security.models import (
    DisputeLink,
    DisputeRating,
    DutyShift,
    FollowUpVisit,
    JurisdictionReferral,
    LeaderCase,
    LeaderCaseProgress,
    MediationAgreement,
    MediationBody,
    PoliceRoom,
    PoliceRoomStaff,
    ProtectiveResource,
    RoutingRule,
    SecurityStat,
)
from security.services.tracking import tracking_token
from tests.civility.factories import (
    BanquetDeclarationFactory,
    PointRuleFactory,
    PracticeStationFactory,
    RewardItemFactory,
    ServiceActivityFactory,
    ShopFactory,
    VillageRuleFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    account_in,
)
from tests.factories import DivisionFactory, OrganizationFactory, PersonFactory, PostFactory, tree, user_with_role
from tests.integrity.factories import (
    CampaignFactory,
    CampaignMatterFactory,
    CleanUnitFactory,
    ClueReporterFactory,
    IntegrityCaseFactory,
    LivelihoodProjectFactory,
    MeasureFactory,
    MilestoneFactory,
    RecoveryFactory,
    SanctionFactory,
    SupervisionVisitFactory,
    UnitRuleFactory,
)
from tests.residential.factories import (
    CompoundFactory,
    CreditPeriodFactory,
    PetitionFactory,
    PropertyCompanyFactory,
    ScoringItemFactory,
    committee_with_members,
)
from tests.security.factories import PatrolLogFactory, PatrolTeamFactory, intake, make_bodies, police_rule, staff
from tests.villages.factories import make_household, make_operator, make_plot
from villages.models import HamletMeeting, ShareRule
from villages.models import MeetingResolution as HamletResolution
from villages.services import hamlet_create, land_transfer_create

DAY = datetime.date(2025, 6, 10)

# Who probes: one user per role and level, all in township 1 (village 11 for the village level).
PROBES = {
    "district_admin": (Role.DISTRICT_ADMIN, "district"),
    "leader_t1": (Role.LEADER, "t1"),
    "township_officer_t1": (Role.TOWNSHIP_OFFICER, "t1"),
    "community_officer_v11": (Role.COMMUNITY_OFFICER, "v11"),
    "mediator_t1": (Role.MEDIATOR, "t1"),
    "police_t1": (Role.POLICE, "t1"),
    "inspector_t1": (Role.DISCIPLINE_INSPECTOR, "t1"),
    "shop_operator_v11": (Role.SHOP_OPERATOR, "v11"),
    "api_client_t1": (Role.API_CLIENT, "t1"),
}

# A marker put in front of every text of every scoped row: ``@<model index>.<pk>@``.
MARKER = re.compile(r"@(\d+)\.(\d+)@")
# Texts that are not names: codes, hashes, keys, numbers with a format of their own.
UNMARKED = {"code", "path", "id_number", "phone", "uscc", "key_hash", "prefix", "hash", "prev_hash"}
UNMARKED |= {"idempotency_key", "external_id", "month", "reasons", "risk_reasons", "banned_kinds"}


@dataclass
class World:
    divisions: dict[str, Division]
    users: dict[str, User] = field(default_factory=dict)
    api_keys: dict[str, str] = field(default_factory=dict)
    models: list[type[models.Model]] = field(default_factory=list)


def _side(s: int, d: dict[str, Division], bodies, users: dict[str, User]) -> None:
    """One row of every scoped model in township ``t<s>`` and its village ``v<s>1``."""
    township, village = d[f"t{s}"], d[f"v{s}1"]
    inspector = users[f"inspector_{s}"]
    shop_operator = users[f"shop_operator_{s}"]
    # governance: people, households (with members), organisations, posts
    person = PersonFactory(division=village)
    org = OrganizationFactory(division=village)
    PostFactory(organization=org, person=person)
    # governance: the township key's webhook subscription, a delivery and its attempt
    subscription = webhook_subscribe(
        key=users[f"api_client_{s}"].api_key,
        event_types=["dispute.event"],
        division=township,
        url=f"https://receiver{s}.example.gov.cn/hook",
    )
    delivery = WebhookDelivery.objects.create(subscription=subscription, event_type="dispute.event", payload={})
    WebhookAttempt.objects.create(delivery=delivery, status_code=200)
    # governance: a township officer's background import of people
    ImportJob.objects.create(
        created_by=users[f"township_officer_{s}"],
        division=township,
        model_label="governance.person",
        file_name=f"乡镇{s}人员.xlsx",
        data=b"",
        message=f"乡镇{s}",
    )
    # governance: a per-district job's record (in a real run its division is a 区县; here each side's
    # township stands in, so the matrix proves the record is scoped like every other row)
    DistrictRun.objects.create(
        job="civility.ranking",
        key=f"side-{s}",
        division=township,
        status=DistrictRunStatus.DONE,
        started_at=timezone.now(),
        result={"side": s},
    )
    # residential
    community = DivisionFactory(
        code=f"{township.code}101", name=f"社区{s}1", level=DivisionLevel.COMMUNITY, parent=township
    )
    compound = CompoundFactory(community=community)
    committee = committee_with_members(compound, party=1, masses=0)
    company = PropertyCompanyFactory(division=township)
    PropertyContract.objects.create(compound=compound, company=company, start_date=datetime.date(2024, 1, 1))
    item = ScoringItemFactory(division=township)
    period = CreditPeriodFactory(division=township)
    evaluation = evaluation_save(
        company=company, period=period, scores=[(item, 50)], evaluated_on=datetime.date(2024, 12, 20)
    )
    credit_evaluation_publish(evaluation=evaluation, by=None)
    red_black_list_draft(period=period)
    meeting = BuildingCouncilMeeting.objects.create(compound=compound, held_on=DAY, topics="楼宇议题")
    MeetingParticipant.objects.create(meeting=meeting, kind="owners_committee", name="参会代表")
    CouncilResolution.objects.create(
        meeting=meeting, content="楼宇决议", owner_kind="owners_committee", owner="业委会", deadline=DAY
    )
    CommitteeRectification.objects.create(
        committee=committee, kind="inaction", found_on=DAY, problem="长期不履职", deadline=DAY
    )
    EnforcementVisit.objects.create(compound=compound, department="城管", visited_on=DAY)
    PetitionFactory(compound=compound, company=company)
    # villages
    hamlet = hamlet_create(village=village, code=f"{village.code}0001", name=f"屋场{s}")
    cooperative = hamlet.division.organizations.get(kind="cooperative")
    ShareRule.objects.get_or_create(cooperative=cooperative)
    household = make_household(hamlet)
    plot = make_plot(household)
    operator = make_operator(village)
    land_transfer_create(
        hamlet=hamlet,
        operator=operator,
        transferor="household",
        household=household,
        area=Decimal("0.50"),
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2030, 12, 31),
        annual_rent=Decimal("300.00"),
        plots=[plot],
    )
    hamlet_meeting = HamletMeeting.objects.create(hamlet=hamlet, held_on=DAY, topics="屋场议题")
    hamlet_meeting.attendees.add(household.head)
    HamletResolution.objects.create(meeting=hamlet_meeting, text="屋场决议")
    # security: a case at the township's police-station 矛调中心 (parties, events), its agreement and visit
    dispute = intake(village)
    MediationAgreement.objects.create(dispute=dispute, terms="赔偿协议", signed_on=DAY)
    FollowUpVisit.objects.create(dispute=dispute, visited_on=DAY, visitor=users[f"mediator_{s}"], satisfaction=3)
    # 一案一码 and 群众评价 (rows written directly: the rating service wants a resolved case)
    tracking_token(dispute=dispute)
    DisputeRating.objects.create(dispute=dispute, party=dispute.parties.first(), satisfaction=3, solved=True)
    # issue 20: a repeat linked to the case, its 领导包案 with progress, a referral to the township's centre
    repeat = intake(village)
    DisputeLink.objects.create(dispute=repeat, original=dispute, kind="repeat", created_by=users[f"mediator_{s}"])
    leader_case = LeaderCase.objects.create(dispute=dispute, reasons=["重复信访"])
    LeaderCaseProgress.objects.create(leader_case=leader_case, note="进展", recorded_by=users[f"mediator_{s}"])
    centre = MediationBody.objects.get(division=township, kind="centre")
    JurisdictionReferral.objects.create(dispute=dispute, centre=centre, bounces=2, due_on=DAY)
    room = PoliceRoom.objects.create(name=f"警务室{s}", division=village)
    room.covers.add(village)
    PoliceRoomStaff.objects.create(room=room, name="驻室民警", kind="police")
    patrol = PatrolLogFactory(team=PatrolTeamFactory(division=village), division=village, date=DAY)
    patrol.participants.add(person)
    # issue 16: a 物防/技防 resource of the village, a duty shift at the township's 矛调中心
    ProtectiveResource.objects.create(
        division=village, category="camera", name="村口监控", location="村口", owner="派出所", last_inspected_on=DAY
    )
    DutyShift.objects.create(
        body=bodies[f"t{s}_station_centre"],
        name="值班民警",
        phone="07388123456",
        place="矛调中心值班室",
        starts_at=timezone.now(),
        ends_at=timezone.now() + datetime.timedelta(hours=8),
    )
    SecurityStat.objects.create(division=township, month=datetime.date(2025, 5, 1))
    RoutingRule.objects.create(name=f"乡镇规则{s}", division=township, channel="walk_in", target_kind="centre")
    # integrity
    campaign = CampaignFactory(division=township)
    CampaignMatterFactory(campaign=campaign, division=village)
    case = IntegrityCaseFactory(division=village, campaign=campaign)
    clue = case.clues.get()
    ClueReporterFactory(clue=clue)
    MeasureFactory(case=case)
    SanctionFactory(case=case)
    RecoveryFactory(case=case)
    access_log_record(user=inspector, obj=clue, via="page", path=f"/integrity/clues/{clue.pk}/")
    project = LivelihoodProjectFactory(division=village)
    MilestoneFactory(project=project)
    SupervisionVisitFactory(project=project)
    unit = CleanUnitFactory(organization=org)
    evaluation = Evaluation.objects.create(unit=unit, round=1, evaluated_on=DAY, result="building")
    EvaluationItem.objects.create(evaluation=evaluation, item="制度建设", max_score=10, score=8)
    UnitRuleFactory(unit=unit, loopholes_closed=12, savings_percent=Decimal("18.60"))
    # issue 16: 廉洁文化阵地 and an activity at it
    site = CultureSite.objects.create(
        name=f"廉洁文化主题公园{s}", kind="theme_park", division=village, organization=org, opened_on=DAY
    )
    CultureActivity.objects.create(
        title=f"廉洁文化进企业{s}", target="enterprise", division=village, site=site, held_on=DAY, participants=30
    )
    # civility: a funded account (ledger), banquets, the month's ranking, a shop and a redemption
    rule = PointRuleFactory(code=f"RULE{s}", division=township, points=5)
    account = account_in(village, balance=100, rule=rule)
    village_rule = VillageRuleFactory(division=village)
    BanquetKindCap.objects.create(rule=village_rule, kind="wedding", per_table_cap=Decimal("800"))
    banquet_team = BanquetServiceTeam.objects.create(division=village, name=f"宴席服务队{s}", services="厨师")
    BanquetServiceFee.objects.create(team=banquet_team, item="每桌", price=Decimal("600"), per_table=True)
    # issue 16: “8+N” kinds (kept by the township here), a unit and its review round
    unit_kind = UnitKind.objects.create(division=township, code=f"kind{s}", name=f"文明村{s}", level="village")
    civility_unit = CivilityUnit.objects.create(kind=unit_kind, division=village, name=f"文明村创建{s}", applied_on=DAY)
    UnitReview.objects.create(unit=civility_unit, round=1, reviewed_on=DAY, result="building")
    declaration = BanquetDeclarationFactory(household=account.household)
    Dissuasion.objects.create(declaration=declaration, outcome="dissuaded", occurred_on=DAY)
    BanquetAbstention.objects.create(person=person, kind="wedding", occurred_on=DAY)
    run = ranking_publish(run=ranking_compute(month=datetime.date(2025, 6, 1), division=township), by=None)
    # 红榜 copied from the published ranking, and a 补录 to it (written directly: the service wants a late
    # confirmation)
    honor_list_propose(village=village, month=datetime.date(2025, 6, 1), kind="red", by=None)
    RankingCorrection.objects.create(
        ranking_month=run,
        household=account.household,
        entry=PointEntry.objects.filter(account=account).first(),
        entry_account=account,
        points=5,
    )
    CivilizedFamily.objects.create(household=account.household, year=2025, points=100)
    shop = ShopFactory(division=village, operators=[shop_operator])
    reward = RewardItemFactory(shop=shop)
    points_redeem(
        account=account,
        shop=shop,
        lines=[RedemptionRequest(item=reward, quantity=1)],
        operator=shop_operator,
        idempotency_key=f"matrix-{s}",
    )
    station = PracticeStationFactory(division=village, latitude=Decimal(f"27.{s}"), longitude=Decimal("112.0"))
    team = VolunteerTeamFactory(station=station)
    team.serves.add(hamlet.division)
    PlaceLocation.objects.create(division=hamlet.division, latitude=Decimal(f"27.{s}05"), longitude=Decimal("112.0"))
    volunteer = VolunteerFactory(person=person)
    volunteer.teams.add(team)
    activity = ServiceActivityFactory(team=team)
    activity.participants.add(volunteer)


def _mark(model_index: dict[type[models.Model], int], only: dict[type[models.Model], str]) -> None:
    """Put ``@<index>.<pk>@`` in front of every text field of every row (one UPDATE per model; for a
    model in ``only``, that field alone)."""
    for model, index in model_index.items():
        updates = {}
        for f in model._meta.concrete_fields:
            if not isinstance(f, CharField | TextField) or f.choices or f.name in UNMARKED:
                continue
            if model in only and f.name != only[model]:
                continue
            if f.max_length is not None and f.max_length < 16:
                continue
            marker = Concat(
                Value(f"@{index}."), Cast("pk", TextField()), Value("@"), F(f.name), output_field=TextField()
            )
            updates[f.name] = Left(marker, f.max_length) if f.max_length else marker
        if updates:
            try:
                with transaction.atomic():
                    model._default_manager.all().update(**updates)
            except DatabaseError:  # append-only (a trigger refuses): its rows are checked by pk only
                continue


def build(scoped: list[type[models.Model]]) -> World:
    """The world (see the module): two townships × every scoped model, probes, markers."""
    divisions = tree()
    world = World(divisions=divisions, models=scoped)
    bodies = make_bodies(divisions)
    police_rule()
    for s in (1, 2):
        township = divisions[f"t{s}"]
        world.users[f"mediator_{s}"] = staff(
            Role.MEDIATOR, township, bodies[f"t{s}_station_centre"], username=f"m_mediator_{s}"
        )
        world.users[f"police_{s}"] = staff(Role.POLICE, township, bodies[f"t{s}_station"], username=f"m_police_{s}")
        world.users[f"inspector_{s}"] = user_with_role(Role.DISCIPLINE_INSPECTOR, township, username=f"m_insp_{s}")
        world.users[f"shop_operator_{s}"] = user_with_role(
            Role.SHOP_OPERATOR, divisions[f"v{s}1"], username=f"m_shop_{s}"
        )
        world.users[f"township_officer_{s}"] = user_with_role(
            Role.TOWNSHIP_OFFICER, township, username=f"m_officer_{s}"
        )
        key, raw = api_key_create(name=f"matrix-{s}", role=Role.API_CLIENT, division=township)
        world.api_keys[f"api_client_{s}"] = raw
        world.users[f"api_client_{s}"] = key.user
    for s in (1, 2):
        _side(s, divisions, bodies, world.users)
    for name, (role, level) in PROBES.items():
        if name.endswith("_t1") or name.endswith("_v11"):
            short = name.rsplit("_", 1)[0] + "_1"
            if short in world.users:
                world.users[name] = world.users[short]
                continue
        world.users[name] = user_with_role(role, divisions[level], username=f"m_{name}")
    world.api_keys["api_client_t1"] = world.api_keys["api_client_1"]
    world.users["root"] = User.objects.create_superuser("m_root", "root@example.gov.cn", "x-Pass-2026")
    # Accounts are not scoped rows but are named too (报备人, 劝导人…): their full name carries a marker.
    _mark({**{model: index for index, model in enumerate(scoped)}, User: len(scoped)}, only={User: "full_name"})
    return world
