import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext

from governance.models import Post
from residential.models import (
    ERR_CONTRACT_OVERLAP,
    ERR_SCORE_RANGE,
    CreditEvaluation,
    PropertyContract,
    RedBlackEntry,
    RedBlackList,
)
from residential.selectors import committee_compliance, petition_yoy, petition_yoy_by_child
from residential.services import (
    credit_evaluation_publish,
    evaluation_save,
    red_black_list_draft,
    red_black_list_publish,
)
from tests.residential.factories import (
    CompoundFactory,
    CreditPeriodFactory,
    PetitionFactory,
    PropertyCompanyFactory,
    ScoringItemFactory,
    committee_with_members,
)

pytestmark = pytest.mark.django_db


def test_compliance_report_lists_exactly_committees_under_half_party_members(divisions):
    c11 = divisions["c11"]
    failing = committee_with_members(CompoundFactory(community=c11), party=2, masses=3)
    committee_with_members(CompoundFactory(community=c11), party=2, masses=2)  # exactly 50 %: compliant
    committee_with_members(CompoundFactory(community=c11), party=3, masses=0)
    elsewhere = committee_with_members(CompoundFactory(community=divisions["c21"]), party=0, masses=3)

    assert list(committee_compliance(division=divisions["t1"], only_failing=True)) == [failing]
    assert set(committee_compliance(division=divisions["district"], only_failing=True)) == {failing, elsewhere}


def test_cross_posts_are_counted_both_ways_and_term_expiry_flagged(divisions):
    compound = CompoundFactory(community=divisions["c11"])
    committee = committee_with_members(
        compound, party=2, masses=1, term_start=datetime.date(2018, 1, 1), term_end=datetime.date(2020, 12, 31)
    )
    branch = committee.organization.__class__.objects.create(
        kind="party_branch", name="小区党支部", division=compound.division
    )
    compound.party_branch = branch
    compound.save()
    party_member = committee.organization.posts.filter(person__political_status="party_member").first().person
    Post.objects.create(organization=branch, person=party_member, title="书记")
    Post.objects.create(organization=branch, person=party_member, title="宣传委员")

    row = committee_compliance(division=divisions["c11"]).get()
    assert (row.member_count, row.party_count, row.cross_in_branch, row.branch_in_committee) == (3, 2, 1, 2)
    assert row.term_expired is True


def test_compliance_query_count_does_not_grow_with_committees(divisions):
    def run():
        with CaptureQueriesContext(connection) as ctx:
            rows = list(committee_compliance(division=divisions["district"]))
            [(r.member_count, r.compound.division.parent.name, r.organization.name) for r in rows]
        return len(ctx), len(rows)

    for _i in range(3):
        committee_with_members(CompoundFactory(community=divisions["c11"]), party=1, masses=1)
    few, n_few = run()
    for _i in range(27):
        committee_with_members(CompoundFactory(community=divisions["c21"]), party=1, masses=1)
    many, n_many = run()
    assert (n_few, n_many) == (3, 30)
    assert few == many == 1


def test_petition_yoy_for_any_subtree_and_period(divisions):
    mine = CompoundFactory(community=divisions["c11"])
    other = CompoundFactory(community=divisions["c21"])
    for i in range(25):
        PetitionFactory(compound=mine if i < 20 else other, received_on=datetime.date(2023, 1 + i % 12, 5))
    for i in range(13):
        PetitionFactory(compound=mine if i < 10 else other, received_on=datetime.date(2024, 1 + i % 12, 5))
    year = {"start": datetime.date(2024, 1, 1), "end": datetime.date(2024, 12, 31)}

    district = petition_yoy(division=divisions["district"], **year)
    assert (district.current, district.previous, district.change_pct) == (13, 25, -48.0)
    assert petition_yoy(division=divisions["t1"], **year).change_pct == -50.0
    compound = petition_yoy(division=mine.division, **year)
    assert (compound.current, compound.previous) == (10, 20)
    february = petition_yoy(division=divisions["t2"], start=datetime.date(2024, 2, 1), end=datetime.date(2024, 2, 29))
    assert (february.current, february.previous) == (0, 0) and february.change_pct is None

    by_child = {row.division.code: row.figures for row in petition_yoy_by_child(division=divisions["district"], **year)}
    assert (by_child["431302001"].current, by_child["431302002"].current) == (10, 3)


def test_petition_yoy_by_child_takes_two_queries_whatever_the_rows(divisions):
    year = {"start": datetime.date(2024, 1, 1), "end": datetime.date(2024, 12, 31)}
    compound = CompoundFactory(community=divisions["c11"])
    for _i in range(3):
        PetitionFactory(compound=compound)
    with CaptureQueriesContext(connection) as few:
        petition_yoy_by_child(division=divisions["district"], **year)
    for _i in range(27):
        PetitionFactory(compound=CompoundFactory(community=divisions["c21"]))
    with CaptureQueriesContext(connection) as many:
        rows = petition_yoy_by_child(division=divisions["district"], **year)
    assert sum(row.figures.current for row in rows) == 30
    assert len(few) == len(many) == 2


# --- bad input: nothing written ------------------------------------------------------------------


def test_overlapping_contracts_are_refused_by_clean_and_by_the_database(divisions):
    compound = CompoundFactory(community=divisions["c11"])
    first, second = PropertyCompanyFactory(), PropertyCompanyFactory()
    PropertyContract.objects.create(
        compound=compound, company=first, start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2023, 12, 31)
    )
    clash = PropertyContract(compound=compound, company=second, start_date=datetime.date(2023, 6, 1))
    with pytest.raises(ValidationError) as error:
        clash.full_clean()
    assert error.value.error_dict["start_date"][0].code == ERR_CONTRACT_OVERLAP
    with pytest.raises(IntegrityError), transaction.atomic():
        clash.save()
    assert PropertyContract.objects.count() == 1
    # the next contract may start the day after the last one ends
    PropertyContract(compound=compound, company=second, start_date=datetime.date(2024, 1, 1)).full_clean()


def test_score_outside_its_range_writes_nothing(divisions):
    period = CreditPeriodFactory(division=divisions["district"])
    item = ScoringItemFactory(division=divisions["district"], max_score=30)
    with pytest.raises(ValidationError) as error:
        evaluation_save(
            company=PropertyCompanyFactory(), period=period, scores=[(item, 31)], evaluated_on=period.end_date
        )
    assert error.value.error_dict["scores"][0].code == ERR_SCORE_RANGE
    assert not CreditEvaluation.objects.exists()


def test_published_list_and_entries_are_frozen_in_the_database(divisions):
    period = CreditPeriodFactory(division=divisions["district"])
    item = ScoringItemFactory(division=divisions["district"], max_score=100)
    company = PropertyCompanyFactory()
    evaluation = evaluation_save(company=company, period=period, scores=[(item, 95)], evaluated_on=period.end_date)
    credit_evaluation_publish(evaluation=evaluation, by=None)
    published = red_black_list_publish(red_black_list=red_black_list_draft(period=period), by=None)
    entry = published.entries.get()

    for attempt in (
        lambda: RedBlackList.objects.filter(pk=published.pk).update(title="改"),
        lambda: RedBlackList.objects.filter(pk=published.pk).delete(),
        lambda: RedBlackEntry.objects.filter(pk=entry.pk).update(total=1),
        lambda: RedBlackEntry.objects.filter(pk=entry.pk).delete(),
        lambda: RedBlackEntry.objects.create(
            list=published, company=PropertyCompanyFactory(), side="black", rank=1, total=1, grade="D"
        ),
    ):
        with pytest.raises((IntegrityError, ProgrammingError)), transaction.atomic():
            attempt()
    published.refresh_from_db()
    assert published.entries.count() == 1 and published.entries.get().total == 95
    with pytest.raises(ValidationError):
        red_black_list_draft(period=period)
