"""Issue 12, third pass: the residential and integrity figures that cannot roll up (业委会 compliance and
民生实事 as of a period's end, the latest 红黑榜 — possibly a list of a division above —, 物业信访同比, and
the funnel's distinct people 处理/处分/留置) are computed for every period the dashboard asks in one
call (``Indicator.compute_spans``), each group in ONE query. Each ``compute_spans`` equals
``[compute(span) for span]`` for random divisions and spans after inserts, updates, bulk
``queryset.update``, raw SQL, deletes, moves and a newly published list; the nine cost the dashboard
two queries, the same for 3 and 30 rows."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.aggregates import aggregate_together
from governance.dashboard.selectors import as_number
from governance.dates import month_end
from governance.models import Division, DivisionLevel, Person, PoliticalStatus, Post
from governance.registry import registry
from governance.shared_figures import figures_shared
from integrity.choices import MeasureKind, SanctionKind
from integrity.models import LivelihoodProject, Measure, Milestone, Recovery, Sanction, Subject
from residential.choices import Grade, ListSide
from residential.models import Compound, OwnersCommittee, Petition, RedBlackEntry, RedBlackList
from tests.auth import verified_login
from tests.factories import DivisionFactory, user_with_role
from tests.integrity.factories import (
    IntegrityCaseFactory,
    LivelihoodProjectFactory,
    MeasureFactory,
    MilestoneFactory,
    RecoveryFactory,
    SanctionFactory,
    SubjectFactory,
)
from tests.residential.factories import (
    CompoundFactory,
    CreditPeriodFactory,
    PetitionFactory,
    PropertyCompanyFactory,
    committee_with_members,
)

TODAY = timezone.localdate()
KEYS = [
    "residential.committees_failing",
    "residential.petitions_yoy",
    "residential.red_list",
    "residential.black_list",
    "integrity.funnel.handled",
    "integrity.funnel.sanctioned",
    "integrity.funnel.detained",
    "integrity.projects.on_time",
    "integrity.projects.late",
]
TABLES = (
    "residential_ownerscommittee",
    "residential_petition",
    "residential_redblackentry",
    "integrity_sanction",
    "integrity_measure",
    "integrity_livelihoodproject",
)


def _day(rng: random.Random, back: int = 800) -> datetime.date:
    return TODAY - datetime.timedelta(days=rng.randint(-30, back))


def _spans(rng: random.Random) -> list[tuple[datetime.date, datetime.date]]:
    """What the dashboard asks (this year to date and the year before, months) and random spans, some
    across 29 February (a year-over-year edge)."""
    year_start = TODAY.replace(month=1, day=1)
    spans = [(year_start, TODAY), (year_start.replace(year=TODAY.year - 1), TODAY.replace(year=TODAY.year - 1))]
    for _ in range(rng.randint(0, 4)):
        start = TODAY - datetime.timedelta(days=rng.randint(0, 900))
        end = start + datetime.timedelta(days=rng.choice([0, 5, 31, 120, 400]))
        if rng.random() < 0.4:
            start, end = start.replace(day=1), month_end(end)
        spans.append((start, end))
    if rng.random() < 0.3:
        spans.append((datetime.date(2025, 2, 1), datetime.date(2025, 2, 28)))
        spans.append((datetime.date(2024, 2, 29), datetime.date(2024, 3, 31)))
    return list(dict.fromkeys(spans))


def _assert_match(seed: int, rounds: int = 4) -> int:
    """Every indicator's ``compute_spans`` == its ``compute`` per span, random divisions of the tree
    (district, townships, villages, communities, compounds) and spans, outside and inside
    ``figures_shared`` (the dashboard's block)."""
    rng = random.Random(seed)
    divisions = list(Division.objects.filter(path__startswith=_DISTRICT_PATH).order_by("path"))
    checked = 0
    for _ in range(rounds):
        spans = _spans(rng)
        for division in (divisions[0], rng.choice(divisions[1:7]), rng.choice(divisions)):
            with figures_shared():
                shared = {key: registry.indicators[key].compute_spans(division=division, spans=spans) for key in KEYS}
            for key in KEYS:
                indicator = registry.indicators[key]
                alone = indicator.compute_spans(division=division, spans=spans)
                base = [as_number(indicator.compute(division=division, start=a, end=b)) for a, b in spans]
                assert [as_number(v) for v in alone] == base, (key, division.code, spans, alone, base)
                assert shared[key] == alone, (key, division.code)
                checked += len(spans)
    return checked


# --- data -----------------------------------------------------------------------------------------


def _compounds(divisions) -> list[Compound]:
    made = []
    for index, village in enumerate([divisions[k] for k in ("v11", "v12", "v21", "t2")]):
        community = DivisionFactory(
            code=f"{village.code}5{index}", name=f"社区{index}", level=DivisionLevel.COMMUNITY, parent=village
        )
        made += [CompoundFactory(community=community), CompoundFactory(community=community)]
    return made


def _residential(rng: random.Random, compounds: list[Compound], rows: int = 6) -> None:
    """Committees whose members come and go (post dates), petitions over three years, 红黑榜 of the
    district, a township and a village (the latest published one counts; drafts do not)."""
    for compound in compounds[:rows]:
        committee = committee_with_members(compound, party=rng.randint(1, 3), masses=rng.randint(1, 3))
        for post in Post.objects.filter(organization=committee.organization):  # some serve part of the time
            if rng.random() < 0.5:
                start = _day(rng) if rng.random() < 0.7 else None
                end = (start or TODAY) - datetime.timedelta(days=rng.randint(-200, 300)) if rng.random() < 0.6 else None
                if start and end and end < start:
                    start, end = end, start
                Post.objects.filter(pk=post.pk).update(start_date=start, end_date=end)
    for _ in range(rows * 4):
        PetitionFactory(compound=rng.choice(compounds), received_on=_day(rng, 1100))
    PetitionFactory(compound=compounds[0], received_on=datetime.date(2024, 2, 29))
    PetitionFactory(compound=compounds[1], received_on=datetime.date(2025, 2, 28))
    for place in ("district", "t1", "v21"):
        _red_black_list(rng, place)


def _red_black_list(rng: random.Random, place, *, publish: bool = True, end=None) -> RedBlackList:
    division = place if isinstance(place, Division) else Division.objects.get(code=_CODES[place])
    end = end or _day(rng, 400)
    period = CreditPeriodFactory(division=division, start_date=end - datetime.timedelta(days=364), end_date=end)
    red_black = RedBlackList.objects.create(period=period, title=f"{division.name}红黑榜")
    for rank in range(rng.randint(1, 4)):
        for side in ListSide.values:
            RedBlackEntry.objects.create(
                list=red_black, company=PropertyCompanyFactory(), side=side, rank=rank + 1, total=90, grade=Grade.A
            )
    if publish:
        RedBlackList.objects.filter(pk=red_black.pk).update(published_at=timezone.now())
    return red_black


_CODES: dict[str, str] = {}
_DISTRICT_PATH = "431302/"


def _integrity(rng: random.Random, places: list[Division], rows: int = 6) -> None:
    """Sanctions (formal or not, several per person), detentions and other measures, projects whose
    milestones are due, reached, reached late or open."""
    for _ in range(rows):
        place = rng.choice(places)
        case = IntegrityCaseFactory(division=place, filed_on=_day(rng))
        subject = case.subjects.first()
        for _ in range(rng.randint(1, 3)):
            SanctionFactory(
                case=case,
                subject=subject,
                kind=rng.choice([SanctionKind.PARTY_WARNING, SanctionKind.ORG_CRITICISM, SanctionKind.GOV_DEMERIT]),
                decided_on=_day(rng),
            )
        other = SubjectFactory(division=rng.choice(places))
        SanctionFactory(case=case, subject=other, kind=SanctionKind.ORG_ADMONITION, decided_on=_day(rng))
        for kind in (MeasureKind.DETENTION, MeasureKind.DETENTION, MeasureKind.TALK):
            MeasureFactory(case=case, subject=subject, kind=kind, start_on=_day(rng))
        RecoveryFactory(case=case, recovered_on=_day(rng))
        project = LivelihoodProjectFactory(division=rng.choice(places), year=rng.choice([2024, 2025, 2026]))
        for _ in range(rng.randint(0, 3)):
            planned = _day(rng)
            late = planned + datetime.timedelta(days=rng.randint(1, 60))
            actual = rng.choice([None, None, None, planned, planned - datetime.timedelta(days=3), late])
            MilestoneFactory(project=project, planned_on=planned, actual_on=actual)


@pytest.fixture
def world(divisions):
    _CODES.update({key: division.code for key, division in divisions.items()})
    assert divisions["district"].path == _DISTRICT_PATH
    return divisions


def test_every_span_figure_equals_the_base_tables_after_every_kind_of_write(world):
    divisions = world
    rng = random.Random(1203)
    compounds = _compounds(divisions)
    places = [divisions[k] for k in ("v11", "v12", "v21", "v22", "t1")]
    _residential(rng, compounds)
    _integrity(rng, places, rows=10)
    assert _assert_match(seed=1) > 300

    # Updates (bulk): members change party, terms end, milestones reached, sanctions reclassified.
    Person.objects.filter(pk__in=Post.objects.values("person_id")[:5]).update(
        political_status=PoliticalStatus.PARTY_MEMBER
    )
    Post.objects.filter(pk__in=Post.objects.values("pk")[:4]).update(end_date=TODAY - datetime.timedelta(days=10))
    Milestone.objects.filter(actual_on__isnull=True).filter(pk__in=Milestone.objects.values("pk")[:3]).update(
        actual_on=TODAY
    )
    Sanction.objects.filter(kind=SanctionKind.ORG_CRITICISM).update(kind=SanctionKind.PARTY_EXPULSION)
    Measure.objects.filter(kind=MeasureKind.TALK).update(kind=MeasureKind.DETENTION)
    # A newer list published by a village (it becomes the latest there and for the tree above it).
    _red_black_list(rng, "v11", end=TODAY)
    _red_black_list(rng, "t2", publish=False, end=TODAY + datetime.timedelta(days=30))  # a draft: never counts
    _assert_match(seed=2)

    # Raw SQL: dates move, a person leaves the Party.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE integrity_sanction SET decided_on = decided_on - 200")
        cursor.execute("UPDATE integrity_milestone SET planned_on = planned_on + 90")
        cursor.execute("UPDATE residential_petition SET received_on = received_on - 365 WHERE id % 2 = 0")
        cursor.execute(
            "UPDATE governance_person SET political_status = 'masses' WHERE id = "
            "(SELECT min(person_id) FROM governance_post)"
        )
    _assert_match(seed=3)

    # Moves: people, projects, compounds and petitions to other divisions.
    Subject.objects.filter(pk__in=Sanction.objects.values("subject_id")[:3]).update(division=divisions["t2"])
    LivelihoodProject.objects.filter(pk__in=LivelihoodProject.objects.values("pk")[:2]).update(
        division=divisions["v22"]
    )
    OwnersCommittee.objects.filter(pk=OwnersCommittee.objects.first().pk).update(compound=compounds[-1])
    Petition.objects.filter(pk__in=Petition.objects.values("pk")[:5]).update(compound=compounds[-2])
    _assert_match(seed=4)

    # Deletes: milestones, posts, petitions, a committee, a sanction and a measure.
    Milestone.objects.filter(pk__in=Milestone.objects.values("pk")[:2]).delete()
    Post.objects.filter(pk__in=Post.objects.values("pk")[:3]).delete()
    Petition.objects.filter(pk__in=Petition.objects.values("pk")[:6]).delete()
    committee = OwnersCommittee.objects.first()
    Post.objects.filter(organization=committee.organization).delete()
    committee.delete()
    Sanction.objects.filter(pk=Sanction.objects.first().pk).delete()
    Measure.objects.filter(pk=Measure.objects.first().pk).delete()
    _assert_match(seed=5)


def test_aggregate_together_gives_what_each_aggregate_gives_in_one_query(world):
    rng = random.Random(7)
    _integrity(rng, [world["v11"], world["v21"]], rows=3)
    parts = [
        (Sanction.objects.in_subtree(world["t1"]), {"n": Count("pk"), "people": Count("subject_id", distinct=True)}),
        (Recovery.objects.all(), {"amount": Sum("amount")}),
        (Recovery.objects.none(), {"amount": Sum("amount"), "n": Count("pk")}),
        (Recovery.objects.filter(amount__lt=0), {"amount": Sum("amount"), "n": Count("pk")}),
        (Milestone.objects.all(), {}),
    ]
    with CaptureQueriesContext(connection) as captured:
        together = aggregate_together(parts)
    assert len(captured) == 1
    assert together[:2] == [queryset.aggregate(**aggregates) for queryset, aggregates in parts[:2]]
    assert isinstance(together[1]["amount"], Decimal) and together[1]["amount"] > 0
    assert together[2:] == [{"amount": None, "n": 0}, {"amount": None, "n": 0}, {}]
    assert aggregate_together([(Recovery.objects.none(), {"n": Count("pk")})]) == [{"n": 0}]


# --- query counts ---------------------------------------------------------------------------------


def _rows(world, count: int) -> Division:
    """A township with ``count`` rows of each kind behind the nine figures."""
    township = DivisionFactory(
        code=f"431302{70 + count:03d}", name=f"乡镇{count}", level=DivisionLevel.TOWNSHIP, parent=world["district"]
    )
    village = DivisionFactory(code=f"{township.code}001", name="村", level=DivisionLevel.VILLAGE, parent=township)
    rng = random.Random(count)
    compounds = _compounds_under(village, count)
    _residential(rng, compounds, rows=count)
    _red_black_list(rng, township, end=TODAY)
    _integrity(rng, [village, township], rows=count)
    return township


def _compounds_under(village: Division, count: int) -> list[Compound]:
    community = DivisionFactory(code=f"{village.code}401", name="社区", level=DivisionLevel.COMMUNITY, parent=village)
    return [CompoundFactory(community=community) for _ in range(count)]


def _nine_queries(division: Division) -> int:
    year_start = TODAY.replace(month=1, day=1)
    spans = [(year_start, TODAY), (year_start.replace(year=TODAY.year - 1), TODAY.replace(year=TODAY.year - 1))]
    with CaptureQueriesContext(connection) as captured, figures_shared():
        for key in KEYS:
            registry.indicators[key].compute_spans(division=division, spans=spans)
    return len(captured)


def _page_queries(client, division: Division) -> tuple[int, int]:
    """(all queries, queries reading the nine figures' tables) of a cold dashboard page."""
    client.get(reverse("dashboard:division", args=[division.code]))
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard:division", args=[division.code]))
    assert response.status_code == 200
    mine = [q for q in captured if any(table in q["sql"] for table in TABLES)]
    return len(captured), len(mine)


def test_the_nine_figures_cost_two_queries_for_3_and_30_rows(client, world):
    assert all(registry.indicators[key].compute_spans is not None for key in KEYS)
    few, many = _rows(world, 3), _rows(world, 30)
    assert _nine_queries(few) == _nine_queries(many) == 2
    verified_login(client, user_with_role("leader", world["district"], username="leader_third"))
    page_few, mine_few = _page_queries(client, few)
    page_many, mine_many = _page_queries(client, many)
    assert page_few == page_many
    assert mine_few == mine_many == 2, (mine_few, mine_many)
