"""Civility results: 补录 for late confirmations (the 30 June / 1 July case), 红黑榜 and 文明家庭
propose → confirm → publish with published lists frozen, and idempotent conversion of hours."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction

from civility.choices import BoardKind, BoardStatus, EntrySource, FamilyStatus, RankingLevel
from civility.errors import ERR_BOARD_SAME_PERSON, ERR_BOARD_TRANSITION, ERR_RANKING_NOT_PUBLISHED
from civility.models import (
    CivilizedFamily,
    HonorList,
    HonorListEntry,
    MonthlyRanking,
    PointEntry,
    PointRule,
    RankingCorrection,
)
from civility.selectors import ranking_board
from civility.services import (
    RULE_PATROL_HOUR,
    RULE_VOLUNTEER_HOUR,
    activities_convert_due,
    board_actions,
    civilized_family_advance,
    entry_confirm,
    family_actions,
    honor_list_advance,
    honor_list_propose,
    ledger_verify,
    points_record,
    ranking_compute,
    ranking_publish,
)
from civility.tasks import activities_convert_task
from governance.models import HouseholdMember, Relation
from tests.civility.factories import (
    PointRuleFactory,
    PracticeStationFactory,
    ServiceActivityFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    account_in,
)
from tests.errors import codes
from tests.factories import HouseholdFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 1)
JULY = datetime.date(2025, 7, 1)


@pytest.fixture
def rule(divisions):
    return PointRuleFactory(code="XL-9", points=5, monthly_cap=None, division=divisions["district"])


def give(account, rule, points, key, day, source=EntrySource.VISIT):
    entry, _created = points_record(
        account=account, rule=rule, occurred_on=day, recorded_by=None, idempotency_key=key, points=points, source=source
    )
    return entry


def row(run, household, level=RankingLevel.VILLAGE):
    return MonthlyRanking.objects.get(ranking_month=run, household=household, level=level)


# --- late confirmations ---------------------------------------------------------------------------


def test_self_report_of_30_june_confirmed_1_july_is_a_correction_to_the_published_june(rule, divisions, officer):
    account = account_in(divisions["v11"])
    give(account, rule, 20, "visit", datetime.date(2025, 6, 5))
    report = give(account, rule, 7, "self", datetime.date(2025, 6, 30), source=EntrySource.SELF_REPORT)
    june = ranking_publish(run=ranking_compute(month=JUNE), by=None)  # 1 July, 01:30: June closes

    entry_confirm(entry=report, by=officer)  # 1 July, later that morning

    correction = RankingCorrection.objects.get()
    assert (correction.ranking_month, correction.entry, correction.points) == (june, report, 7)
    assert row(june, account.household).points == 20  # the published row is frozen, not updated
    board = {r.household_id: r for r in ranking_board(run=june, division=divisions["v11"])}
    assert (board[account.household_id].points, board[account.household_id].late) == (20, 7)
    july = ranking_compute(month=JULY)
    assert row(july, account.household).points == 0  # July does not count an act of June
    assert ledger_verify() == []  # the hash chain and balances still hold
    account.refresh_from_db()
    assert account.balance == 27


def test_entry_confirmed_before_publication_counts_in_its_month_without_correction(rule, divisions, officer):
    account = account_in(divisions["v11"])
    report = give(account, rule, 7, "self", datetime.date(2025, 6, 30), source=EntrySource.SELF_REPORT)
    run = ranking_compute(month=JUNE)  # computed while still pending
    entry_confirm(entry=report, by=officer)

    run = ranking_publish(run=run, by=None)  # publication recomputes: the confirmation counts

    assert row(run, account.household).points == 7
    assert not RankingCorrection.objects.exists()


def test_entry_recorded_late_for_a_closed_month_is_a_correction_and_corrections_are_append_only(rule, divisions):
    account = account_in(divisions["v11"])
    june = ranking_publish(run=ranking_compute(month=JUNE), by=None)
    entry = give(account, rule, 5, "late", datetime.date(2025, 6, 12))
    correction = RankingCorrection.objects.get(entry=entry)
    assert correction.ranking_month == june
    with pytest.raises(DatabaseError), transaction.atomic():
        RankingCorrection.objects.filter(pk=correction.pk).update(points=500)
    with pytest.raises(DatabaseError), transaction.atomic():
        RankingCorrection.objects.filter(pk=correction.pk).delete()


def test_rejected_or_open_month_entries_are_no_correction(rule, divisions, officer):
    account = account_in(divisions["v11"])
    ranking_publish(run=ranking_compute(month=JUNE), by=None)
    report = give(account, rule, 7, "self", datetime.date(2025, 6, 30), source=EntrySource.SELF_REPORT)
    entry_confirm(entry=report, by=officer, accept=False)
    give(account, rule, 3, "july", datetime.date(2025, 7, 2))
    assert not RankingCorrection.objects.exists()


# --- 红黑榜 ------------------------------------------------------------------------------------------


@pytest.fixture
def published_june(rule, divisions):
    penalty = PointRuleFactory(code="KF-9", points=-5, monthly_cap=None, division=divisions["district"])
    accounts = [account_in(divisions["v11"]) for _ in range(3)]
    for i, account in enumerate(accounts):
        give(account, rule, 10 * (i + 1), f"a{i}", datetime.date(2025, 6, 3))
    give(accounts[0], penalty, -15, "p0", datetime.date(2025, 6, 4))
    return ranking_publish(run=ranking_compute(month=JUNE), by=None), accounts


def test_red_list_propose_confirm_publish_then_frozen(published_june, divisions, officer):
    _run, accounts = published_june
    board = honor_list_propose(village=divisions["v11"], month=JUNE, kind=BoardKind.RED, by=officer)
    assert list(board.entries.values_list("household_id", "rank")) == [
        (accounts[2].household_id, 1),
        (accounts[1].household_id, 2),
    ]  # the third has -5 points: not on the red list
    with pytest.raises(ValidationError) as exc:
        honor_list_advance(board=board, action="publish", by=officer)  # not confirmed yet
    assert codes(exc, "status") == [ERR_BOARD_TRANSITION]
    with pytest.raises(ValidationError) as exc:
        honor_list_advance(board=board, action="confirm", by=officer)  # the proposer confirming alone
    assert codes(exc, "confirmed_by") == [ERR_BOARD_SAME_PERSON]
    assert "另一人审核" in " ".join(exc.value.messages)
    board.refresh_from_db()
    assert board.status == BoardStatus.PROPOSED and board.confirmed_by is None  # nothing written
    second = user_with_role("community_officer", divisions["v11"], username="officer_v11_b")
    board = honor_list_advance(board=board, action="confirm", by=second)
    board = honor_list_advance(board=board, action="publish", by=second)
    assert board.status == BoardStatus.PUBLISHED and board.published_by == second
    assert board.proposed_by == officer and board.confirmed_by == second

    with pytest.raises(ValidationError) as exc:
        honor_list_advance(board=board, action="confirm", by=second)
    assert codes(exc, "status") == [ERR_BOARD_TRANSITION]
    with pytest.raises(DatabaseError), transaction.atomic():
        HonorList.objects.filter(pk=board.pk).update(status=BoardStatus.PROPOSED)
    with pytest.raises(DatabaseError), transaction.atomic():
        HonorListEntry.objects.filter(board=board).update(points=999)
    with pytest.raises(DatabaseError), transaction.atomic():
        HonorListEntry.objects.create(board=board, household=accounts[0].household, rank=9, points=1)


def test_black_list_takes_deductions_reaching_the_threshold(published_june, divisions, officer):
    _run, accounts = published_june
    board = honor_list_propose(village=divisions["v11"], month=JUNE, kind=BoardKind.BLACK, by=officer)
    assert list(board.entries.values_list("household_id", "deductions")) == [(accounts[0].household_id, -15)]


def test_board_of_an_unpublished_month_is_refused(rule, divisions, officer):
    ranking_compute(month=JUNE)
    with pytest.raises(ValidationError) as exc:
        honor_list_propose(village=divisions["v11"], month=JUNE, kind=BoardKind.RED, by=officer)
    assert codes(exc, "month") == [ERR_RANKING_NOT_PUBLISHED]
    assert not HonorList.objects.exists()


def test_civilized_family_publish_freezes_it(divisions):
    officer = user_with_role("township_officer", divisions["t1"], username="family_t1")
    family = CivilizedFamily.objects.create(household=HouseholdFactory(division=divisions["v11"]), year=2025, points=9)
    family = civilized_family_advance(family=family, action="confirm", by=officer)
    family = civilized_family_advance(family=family, action="publish", by=officer)
    assert family.status == FamilyStatus.PUBLISHED and family.published_at is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        CivilizedFamily.objects.filter(pk=family.pk).update(points=100)


# --- conversion ------------------------------------------------------------------------------------


def member(household):
    person = PersonFactory(division=household.division)
    HouseholdMember.objects.create(household=household, person=person, relation=Relation.HEAD)
    return VolunteerFactory(person=person)


@pytest.fixture
def activities(divisions):
    PointRuleFactory(code=RULE_VOLUNTEER_HOUR, points=2, monthly_cap=40, division=divisions["district"])
    PointRuleFactory(code=RULE_PATROL_HOUR, points=3, monthly_cap=10, division=divisions["district"])
    team = VolunteerTeamFactory(station=PracticeStationFactory(division=divisions["v11"]))
    one, two = HouseholdFactory(division=divisions["v11"]), HouseholdFactory(division=divisions["v11"])
    service = ServiceActivityFactory(team=team, kind="elderly", hours=Decimal("3"), held_on=datetime.date(2025, 6, 3))
    patrol = ServiceActivityFactory(team=team, kind="patrol", hours=Decimal("4"), held_on=datetime.date(2025, 6, 4))
    service.participants.add(member(one))
    patrol.participants.add(member(two))
    return {"one": one, "two": two, "service": service, "patrol": patrol}


def ledger():
    return sorted(PointEntry.objects.values_list("account__household_id", "rule__code", "points", "occurred_on"))


def test_conversion_uses_each_rule_and_cap_and_running_twice_gives_the_same_ledger(activities):
    first = activities_convert_due(until=datetime.date(2025, 6, 30))
    assert (first["activities"], first["entries"], first["refused"]) == (2, 2, [])
    before = ledger()
    assert before == [
        (activities["one"].pk, RULE_VOLUNTEER_HOUR, 6, datetime.date(2025, 6, 3)),  # 3 h × 2
        (activities["two"].pk, RULE_PATROL_HOUR, 10, datetime.date(2025, 6, 4)),  # 4 h × 3 = 12, capped at 10
    ]
    second = activities_convert_due(until=datetime.date(2025, 6, 30))
    assert (second["activities"], second["entries"]) == (0, 0)
    assert ledger() == before
    assert ledger_verify() == []


def test_conversion_task_leaves_future_activities_for_later(activities):
    activities["patrol"].held_on = datetime.date(2025, 7, 9)
    activities["patrol"].save(update_fields=["held_on"])
    result = activities_convert_task(until="2025-06-30")
    assert (result["activities"], result["entries"]) == (1, 1)
    assert activities_convert_task(until="2025-07-31")["entries"] == 1
    assert activities_convert_task(until="2025-07-31")["entries"] == 0


def test_conversion_of_an_activity_without_a_rule_in_force_is_reported_and_others_go_on(activities):
    PointRule.objects.filter(code=RULE_PATROL_HOUR).update(active_from=datetime.date(2026, 1, 1))
    result = activities_convert_due(until=datetime.date(2025, 6, 30))
    assert result["activities"] == 1
    assert [r["activity"] for r in result["refused"]] == [activities["patrol"].pk]
    activities["patrol"].refresh_from_db()
    assert activities["patrol"].converted_at is None  # tried again next night


def test_conversion_runs_nightly_by_beat():
    from governance.registry import registry

    nightly = [s for s in registry.schedules.values() if s.task == "civility.activities_convert"]
    assert len(nightly) == 1 and nightly[0].crontab.get("hour") == "2"


def test_the_moves_offered_are_the_moves_allowed_for_the_proposer_and_for_another(published_june, divisions, officer):
    """A trial showed the proposer 审核通过 on their own 红黑榜 and 文明家庭, which the service then
    refused: what is shown comes from the same rule, so every move shown succeeds."""
    board = honor_list_propose(village=divisions["v11"], month=JUNE, kind=BoardKind.RED, by=officer)
    second = user_with_role("community_officer", divisions["v11"], username="officer_v11_moves")
    assert board_actions(board, officer) == []
    assert board_actions(board, second) == ["confirm"]
    for action in board_actions(board, second):
        board = honor_list_advance(board=board, action=action, by=second)
    assert board_actions(board, officer) == ["publish"]  # publishing is not the proposer's own review

    proposer = user_with_role("township_officer", divisions["t1"], username="family_proposer")
    decider = user_with_role("township_officer", divisions["t1"], username="family_decider")
    family = CivilizedFamily.objects.create(
        household=HouseholdFactory(division=divisions["v11"]), year=2025, points=9, proposed_by=proposer
    )
    assert family_actions(family, proposer) == []
    assert family_actions(family, decider) == ["confirm"]
    family = civilized_family_advance(family=family, action="confirm", by=decider)
    assert family_actions(family, proposer) == ["publish"]
