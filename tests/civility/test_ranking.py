"""一月一评比: one SQL statement per level, ties share a rank, re-runs are identical, published months are frozen."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from civility.models import MonthlyRanking, RankingLevel, RankingMonth
from civility.selectors import black_list, red_list
from civility.services import (
    ERR_RANKING_PUBLISHED,
    RedemptionRequest,
    civilized_families_propose,
    civilized_family_confirm,
    points_record,
    points_redeem,
    ranking_compute,
    ranking_publish,
)
from governance.models import Division, DivisionLevel
from tests.civility.factories import PointRuleFactory, RewardItemFactory, ShopFactory, account_in
from tests.factories import DivisionFactory, user_with_role

JUNE = datetime.date(2025, 6, 1)


def give(account, rule, points, key, day=datetime.date(2025, 6, 10)):
    points_record(account=account, rule=rule, occurred_on=day, recorded_by=None, idempotency_key=key, points=points)


@pytest.fixture
def scene(divisions):
    """Hamlet h1 in v11 (3 households), v11 itself (1), v12 (1), v21 (1) with points in June."""
    hamlet = DivisionFactory(code="431302001001001", name="屋场1", level=DivisionLevel.HAMLET, parent=divisions["v11"])
    rule = PointRuleFactory(points=1, division=divisions["district"])
    penalty = PointRuleFactory(points=-1, division=divisions["district"])
    a = account_in(hamlet)
    b = account_in(hamlet)
    c = account_in(hamlet)
    d = account_in(divisions["v11"])
    e = account_in(divisions["v12"])
    f = account_in(divisions["v21"])
    give(a, rule, 30, "a")
    give(b, rule, 30, "b")  # tie with a
    give(c, rule, 10, "c")
    give(c, penalty, -15, "c-")
    give(d, rule, 50, "d")
    give(e, rule, 30, "e")
    give(f, rule, 70, "f")
    give(f, rule, 999, "f-july", day=datetime.date(2025, 7, 1))  # another month: not counted
    return {"hamlet": hamlet, "accounts": {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f}, "rule": rule}


def snapshot(run) -> list[tuple]:
    return sorted(run.rankings.values_list("household_id", "level", "group_id", "points", "deductions", "rank"))


def ranks(run, level) -> dict:
    return dict(run.rankings.filter(level=level).values_list("household_id", "rank"))


@pytest.mark.django_db
class TestRankingCompute:
    def test_each_level_ranks_within_its_group_and_ties_share_a_rank(self, scene, divisions):
        run = ranking_compute(month=JUNE)
        acc = {k: v.household_id for k, v in scene["accounts"].items()}
        unit = ranks(run, RankingLevel.UNIT)
        assert (unit[acc["a"]], unit[acc["b"]], unit[acc["c"]]) == (1, 1, 3)
        assert unit[acc["d"]] == 1  # alone in the village node itself
        village = ranks(run, RankingLevel.VILLAGE)
        assert (village[acc["d"]], village[acc["a"]], village[acc["b"]], village[acc["c"]]) == (1, 2, 2, 4)
        township = ranks(run, RankingLevel.TOWNSHIP)
        assert township[acc["e"]] == 2 and township[acc["c"]] == 5
        district = ranks(run, RankingLevel.DISTRICT)
        assert district[acc["f"]] == 1 and district[acc["c"]] == 6
        groups = dict(run.rankings.filter(level=RankingLevel.VILLAGE).values_list("household_id", "group_id"))
        assert groups[acc["a"]] == divisions["v11"].pk
        row = run.rankings.get(level=RankingLevel.UNIT, household_id=acc["c"])
        assert (row.points, row.deductions) == (-5, -15)

    def test_redemptions_do_not_lower_the_civility_score(self, scene, divisions):
        item = RewardItemFactory(shop=ShopFactory(division=divisions["v21"]), points_price=10)
        points_redeem(
            account=scene["accounts"]["f"],
            shop=item.shop,
            lines=[RedemptionRequest(item, 5)],
            operator=None,
            idempotency_key="r",
        )
        run = ranking_compute(month=datetime.date(2025, 6, 1))
        assert run.rankings.get(level=RankingLevel.UNIT, household_id=scene["accounts"]["f"].household_id).points == 70

    def test_rerun_gives_identical_rows_and_replaces_the_month(self, scene):
        first = snapshot(ranking_compute(month=JUNE))
        second = snapshot(ranking_compute(month=JUNE))
        assert first == second
        assert MonthlyRanking.objects.count() == len(first) and RankingMonth.objects.count() == 1

    def test_rerun_after_new_points_reflects_them(self, scene):
        ranking_compute(month=JUNE)
        give(scene["accounts"]["c"], scene["rule"], 100, "late")
        run = ranking_compute(month=JUNE)
        assert ranks(run, RankingLevel.DISTRICT)[scene["accounts"]["c"].household_id] == 1

    def test_one_statement_per_level(self, scene):
        with CaptureQueriesContext(connection) as ctx:
            ranking_compute(month=JUNE)
        inserts = [q["sql"] for q in ctx.captured_queries if "INSERT INTO civility_monthlyranking" in q["sql"]]
        assert len(inserts) == 4
        assert all("RANK() OVER (PARTITION BY" in sql for sql in inserts)

    def test_published_month_cannot_change(self, scene):
        run = ranking_compute(month=JUNE)
        before = snapshot(run)
        ranking_publish(run=run, by=None)
        give(scene["accounts"]["c"], scene["rule"], 100, "late")
        with pytest.raises(ValidationError) as exc:
            ranking_compute(month=JUNE)
        assert [e.code for e in exc.value.error_dict["month"]] == [ERR_RANKING_PUBLISHED]
        assert snapshot(run) == before

    def test_database_refuses_to_change_or_delete_a_published_months_rows(self, scene):
        run = ranking_compute(month=JUNE)
        ranking_publish(run=run, by=None)
        before = snapshot(run)
        row = run.rankings.first()
        for write in (
            lambda: MonthlyRanking.objects.filter(pk=row.pk).update(rank=99),
            lambda: MonthlyRanking.objects.filter(pk=row.pk).delete(),
            lambda: MonthlyRanking.objects.create(
                ranking_month=run, household=row.household, level=row.level, group=row.group, points=1, rank=1
            ),
            lambda: RankingMonth.objects.filter(pk=run.pk).delete(),
            lambda: RankingMonth.objects.filter(pk=run.pk).update(households=0),
        ):
            with pytest.raises(DatabaseError), transaction.atomic():
                write()
        assert snapshot(run) == before

    def test_an_unpublished_months_rows_can_still_be_replaced(self, scene):
        run = ranking_compute(month=JUNE)
        MonthlyRanking.objects.filter(ranking_month=run).delete()
        assert snapshot(ranking_compute(month=JUNE))

    def test_red_and_black_lists_derive_from_the_village_ranking(self, scene, divisions):
        run = ranking_compute(month=JUNE)
        acc = scene["accounts"]
        red = [(r.household_id, r.rank) for r in red_list(run=run, village=divisions["v11"], top=2)]
        assert red[0] == (acc["d"].household_id, 1)
        assert set(red[1:]) == {(acc["a"].household_id, 2), (acc["b"].household_id, 2)}
        assert [r.household_id for r in black_list(run=run, village=divisions["v11"], threshold=10)] == [
            acc["c"].household_id
        ]

    def test_civilized_families_are_proposed_from_published_rankings_and_confirmed(self, scene, divisions, officer):
        ranking_publish(run=ranking_compute(month=JUNE), by=None)
        proposed = civilized_families_propose(year=2025, division=divisions["district"], top=1, by=officer)
        assert proposed == 3  # v11, v12, v21
        assert civilized_families_propose(year=2025, division=divisions["district"], top=1) == 0
        family = scene["accounts"]["d"].household.civilized_ratings.get(year=2025)
        assert (family.points, family.proposed_by) == (50, officer) and family.proposed_at is not None
        with pytest.raises(ValidationError):  # a village officer proposes; the township decides
            civilized_family_confirm(family=family, by=officer)
        township = user_with_role("township_officer", divisions["t1"], username="family_t1")
        civilized_family_confirm(family=family, by=township)
        family.refresh_from_db()
        assert (family.status, family.confirmed_by) == ("confirmed", township)


@pytest.mark.django_db
class TestRankMonthCommand:
    def test_command_twice_gives_identical_rankings(self, scene):
        call_command("rank_month", "2025-06")
        first = snapshot(RankingMonth.objects.get())
        call_command("rank_month", "2025-06")
        assert snapshot(RankingMonth.objects.get()) == first and first

    def test_bad_month_is_refused(self, scene):
        with pytest.raises(CommandError, match="YYYY-MM"):
            call_command("rank_month", "June")
        assert not RankingMonth.objects.exists()

    def test_published_month_is_refused_by_the_command(self, scene):
        call_command("rank_month", "2025-06")
        ranking_publish(run=RankingMonth.objects.get(), by=None)
        with pytest.raises(CommandError):
            call_command("rank_month", "2025-06")
        assert Division.objects.exists()
