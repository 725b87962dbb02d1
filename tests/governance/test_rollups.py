"""Roll-ups (issue 12, item 1): each rolled-up indicator read from cells equals the same indicator
computed from the base tables, for random divisions and periods, after inserts through the services,
updates, reversals, bulk ``queryset.update`` and raw SQL; cells are refreshed only where triggers
marked them dirty; the nightly verify finds and repairs a wrong cell; the rebuild command; and the
dashboard's query count does not grow with child divisions or rows."""

from __future__ import annotations

import datetime
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civility.choices import EntrySource
from civility.services import entry_reverse, points_record
from governance.dashboard.periods import Period
from governance.dashboard.selectors import as_number, dashboard_compute
from governance.dates import month_end
from governance.models import Division, DivisionLevel, Household, Person, RollupCell, RollupDirty
from governance.models.people import PoliticalStatus
from governance.registry import registry
from governance.rollups import (
    indicator_rollup_value,
    rolled_indicators,
    rollups_rebuild,
    rollups_refresh,
    rollups_verify,
)
from integrity.models import Clue, IntegrityCase
from security.choices import RiskLevel, Status
from security.models import Dispute
from tests.auth import verified_login
from tests.civility.factories import PointRuleFactory, account_in
from tests.factories import DivisionFactory, PersonFactory, user_with_role
from tests.integrity.factories import CampaignMatterFactory, IntegrityCaseFactory, RecoveryFactory
from tests.security.factories import intake, make_bodies, police_rule
from tests.villages.factories import make_hamlet

TODAY = timezone.localdate()


@pytest.fixture
def world(divisions):
    make_bodies(divisions)
    police_rule()
    return divisions


def _periods(rng: random.Random, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """Random ranges over the last two years: whole months, partial months, single days, year to date."""
    periods = [(TODAY.replace(month=1, day=1), TODAY), (TODAY.replace(day=1), TODAY)]
    for _ in range(count):
        start = TODAY - datetime.timedelta(days=rng.randint(0, 760))
        end = min(start + datetime.timedelta(days=rng.choice([0, 3, 31, 95, 400])), TODAY + datetime.timedelta(days=40))
        if rng.random() < 0.4:
            start, end = start.replace(day=1), month_end(end)
        periods.append((start, end))
    return periods


def _assert_cells_match_base_tables(seed: int, periods: int = 12) -> int:
    """Every rolled-up indicator, every division of the tree, random periods: cells == base tables."""
    rng = random.Random(seed)
    divisions = list(Division.objects.all())
    checked = 0
    for indicator in rolled_indicators():
        for start, end in _periods(rng, periods):
            division = rng.choice(divisions)
            rolled = as_number(indicator_rollup_value(indicator, division=division, start=start, end=end))
            base = as_number(indicator.compute(division=division, start=start, end=end))
            assert rolled == base, (indicator.key, division.code, start, end, rolled, base)
            checked += 1
    return checked


def _disputes(world, rng: random.Random, count: int) -> list[Dispute]:
    villages = [world[k] for k in ("v11", "v12", "v21", "v22")]
    made = []
    for _ in range(count):
        dispute = intake(rng.choice(villages))
        made.append(dispute)
    # Spread them over two years and through every status the figures read (bulk updates).
    zone = timezone.get_current_timezone()
    for dispute in made:
        received = timezone.now() - datetime.timedelta(days=rng.randint(0, 700), hours=rng.randint(0, 23))
        received = received.astimezone(zone).replace(hour=rng.choice([0, 7, 16, 23]), minute=30)
        resolved = received + datetime.timedelta(days=rng.randint(1, 60)) if rng.random() < 0.5 else None
        status = Status.CLOSED if resolved else rng.choice([Status.ACCEPTED, Status.ROUTED, Status.MEDIATING])
        Dispute.objects.filter(pk=dispute.pk).update(
            received_at=received,
            resolved_at=resolved,
            status=status,
            risk_level=rng.choice(list(RiskLevel)),
            deadline=(received + datetime.timedelta(days=30)).date(),
        )
    return made


def test_every_rolled_up_indicator_equals_the_base_tables_after_every_kind_of_write(world):
    rng = random.Random(12)
    assert {i.key for i in rolled_indicators()} >= {
        "security.received",
        "security.resolution_rate",
        "security.mean_days_to_resolve",
        "security.overdue",
        "civility.points_issued",
        "civility.points_redeemed",
        "integrity.funnel.clues",
        "integrity.funnel.cases",
        "governance.households",
        "villages.completeness",
    }
    # Inserts through the services, then bulk updates (queryset.update).
    made = _disputes(world, rng, 24)
    rule = PointRuleFactory(code="ROLL", points=5, division=world["district"])
    accounts = [account_in(world[k]) for k in ("v11", "v12", "v21", "t2")]
    officer = user_with_role("community_officer", world["district"], username="roll_officer")
    entries = []
    for index in range(30):
        account = rng.choice(accounts)
        entry, _created = points_record(
            account=account,
            rule=rule,
            occurred_on=TODAY - datetime.timedelta(days=rng.randint(0, 400)),
            recorded_by=None,
            source=EntrySource.MANUAL,
            idempotency_key=f"roll{index}",
            points=rng.randint(1, 9),
        )
        entries.append(entry)
    for entry in rng.sample(entries, 5):  # reversals (dated today, taking the award back)
        account = entry.account
        account.refresh_from_db()
        entry_reverse(account=account, entry=entry, by=officer, reason="录入错误")
    rollups_refresh()
    assert not RollupDirty.objects.exists()
    assert _assert_cells_match_base_tables(seed=1) > 100

    # Bulk updates: cases move division and month; raw SQL: a case resolved, a household moves.
    Dispute.objects.filter(pk__in=[d.pk for d in made[:6]]).update(division=world["v22"])
    Dispute.objects.filter(pk__in=[d.pk for d in made[6:10]]).update(
        received_at=timezone.now() - datetime.timedelta(days=400)
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE security_dispute SET status = %s, resolved_at = received_at + interval '3 days' WHERE id = ANY(%s)",
            [Status.CLOSED, [d.pk for d in made[10:14]]],
        )
        cursor.execute(
            "UPDATE governance_household SET division_id = %s WHERE id = %s",
            [world["v22"].pk, accounts[0].household_id],
        )
    Household.objects.filter(pk=accounts[1].household_id).update(division=world["t1"])
    Person.objects.filter(division=world["v11"]).update(political_status=PoliticalStatus.PARTY_MEMBER)
    # Integrity records (factories: plain ORM inserts), then moved by bulk update and raw SQL.
    villages = [world[k] for k in ("v11", "v12", "v21", "v22", "t1")]
    for _ in range(6):
        day = TODAY - datetime.timedelta(days=rng.randint(0, 500))
        case = IntegrityCaseFactory(division=rng.choice(villages), filed_on=day)
        RecoveryFactory(case=case, amount=Decimal(rng.randint(100, 99999)) / 100, recovered_on=day)
        CampaignMatterFactory(division=rng.choice(villages), opened_on=day, resolved_on=day)
    IntegrityCase.objects.filter(pk=case.pk).update(division=world["v11"])
    with connection.cursor() as cursor:
        clue = Clue.objects.first().pk
        cursor.execute("UPDATE integrity_clue SET received_on = received_on - 40 WHERE id = %s", [clue])
    # 屋场: complete, then one loses its Party member's status (a person's update marks it).
    hamlets = [make_hamlet(world["v11"]), make_hamlet(world["v21"]), make_hamlet(world["v21"], complete=False)]
    Person.objects.filter(division=hamlets[0].division, political_status=PoliticalStatus.PARTY_MEMBER).update(
        political_status=PoliticalStatus.MASSES
    )
    assert RollupDirty.objects.exists()
    rollups_refresh()
    assert not RollupDirty.objects.exists()
    _assert_cells_match_base_tables(seed=2)

    # A new person and household: snapshot cells follow too.
    PersonFactory(division=world["v12"], political_status=PoliticalStatus.PARTY_MEMBER)
    rollups_refresh()
    _assert_cells_match_base_tables(seed=3, periods=3)


def test_refresh_recomputes_only_the_dirty_cells_and_is_idempotent(world):
    rng = random.Random(3)
    _disputes(world, rng, 6)
    rollups_rebuild()
    stamps = dict(RollupCell.objects.values_list("pk", "computed_at"))
    assert stamps and not RollupDirty.objects.exists()
    dispute = intake(world["v21"])
    marks = list(RollupDirty.objects.values_list("source", "division_id", "month"))
    assert ("security.disputes", world["v21"].pk, dispute.received_at.astimezone().date().replace(day=1)) in marks
    assert {m[0] for m in marks} <= {
        "security.disputes",
        "security.three_mediations",
        "security.three_situations",
        "security.responses",  # the intake's routing is an assignment
        "governance.people",
        "villages.completeness",
    }
    assert rollups_refresh()["security.disputes"] >= 1
    cells = {(c.indicator, c.division_id, c.month): (c.numerator, c.denominator) for c in RollupCell.objects.all()}
    # Nothing dirty: a second run does nothing and changes nothing.
    assert rollups_refresh().get("security.disputes") == 0
    again = {(c.indicator, c.division_id, c.month): (c.numerator, c.denominator) for c in RollupCell.objects.all()}
    assert again == cells
    # Cells of other divisions and months kept their computation time.
    untouched = RollupCell.objects.exclude(division=world["v21"]).filter(indicator__startswith="security.")
    assert untouched.exists()
    assert all(stamps.get(cell.pk) == cell.computed_at for cell in untouched)


def test_verify_finds_and_repairs_a_wrong_cell(world, caplog):
    _disputes(world, random.Random(5), 8)
    rollups_rebuild()
    cell = RollupCell.objects.filter(indicator="security.received").first()
    RollupCell.objects.filter(pk=cell.pk).update(numerator=cell.numerator + 7)
    RollupCell.objects.filter(indicator="security.resolved", numerator__gt=0).exclude(
        division_id=cell.division_id, month=cell.month
    ).first().delete()
    with caplog.at_level("ERROR", logger="governance.rollups"):
        result = rollups_verify(sample=1000)
    assert result["mismatched"] >= 2
    assert "stored" in caplog.text
    assert rollups_verify(sample=1000)["mismatched"] == 0
    repaired = RollupCell.objects.get(indicator=cell.indicator, division_id=cell.division_id, month=cell.month)
    assert repaired.numerator == cell.numerator
    _assert_cells_match_base_tables(seed=5, periods=4)


def test_rebuild_command_rebuilds_everything_from_scratch(world):
    _disputes(world, random.Random(7), 5)
    rollups_refresh()
    RollupCell.objects.all().delete()
    out = StringIO()
    call_command("rollups_rebuild", stdout=out)
    assert "指标汇总已重建" in out.getvalue()
    assert RollupCell.objects.filter(indicator="security.received").exists()
    _assert_cells_match_base_tables(seed=7, periods=4)


def test_the_refresh_task_is_scheduled_every_15_seconds(db):
    from django_celery_beat.models import PeriodicTask

    from governance.services import schedules_sync

    schedule = next(s for s in registry.schedules.values() if s.task == "governance.rollups_refresh")
    assert schedule.every_seconds == 15
    assert any(s.task == "governance.rollups_verify" for s in registry.schedules.values())
    PeriodicTask.objects.filter(task="governance.rollups_refresh").delete()
    schedules_sync()
    task = PeriodicTask.objects.get(task="governance.rollups_refresh")
    assert (task.crontab, task.interval.every, task.interval.period) == (None, 15, "seconds")


def test_the_migration_moves_only_the_old_default_minute_schedule_to_15_seconds(db):
    import importlib

    from django.apps import apps
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    migration = importlib.import_module("governance.migrations.0014_rollups_refresh_every_15_seconds")
    PeriodicTask.objects.filter(task="governance.rollups_refresh").delete()
    every_minute, _new = CrontabSchedule.objects.get_or_create(minute="*", hour="*")
    task = PeriodicTask.objects.create(name=migration.NAME, task="governance.rollups_refresh", crontab=every_minute)
    migration.forwards(apps, None)
    task.refresh_from_db()
    assert (task.crontab, task.interval.every) == (None, 15)
    # An administrator's own choice (every five minutes) stays as it is.
    five, _new = CrontabSchedule.objects.get_or_create(minute="*/5", hour="*")
    PeriodicTask.objects.filter(pk=task.pk).update(crontab=five, interval=None)
    migration.forwards(apps, None)
    task.refresh_from_db()
    assert (task.crontab, task.interval) == (five, None)


# --- query counts ---------------------------------------------------------------------------------


def _township_with_children(world, count: int) -> Division:
    township = DivisionFactory(
        code=f"431302{90 + count:03d}", name=f"乡镇{count}", level=DivisionLevel.TOWNSHIP, parent=world["district"]
    )
    for index in range(count):
        village = DivisionFactory(
            code=f"{township.code}{index + 1:03d}", name=f"村{index}", level=DivisionLevel.VILLAGE, parent=township
        )
        intake(village)
    return township


def _dashboard_queries(client, division: Division) -> int:
    client.get(reverse("dashboard:division", args=[division.code]))  # refreshes what the writes made dirty
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("dashboard:division", args=[division.code]), {"period": "year"})
    assert response.status_code == 200
    return len(captured)


def test_dashboard_query_count_is_the_same_for_3_and_30_child_divisions_and_rows(client, world):
    leader = user_with_role("leader", world["district"], username="leader_district")
    verified_login(client, leader)
    few = _dashboard_queries(client, _township_with_children(world, 3))
    many = _dashboard_queries(client, _township_with_children(world, 30))
    assert many == few
    for _ in range(27):
        intake(world["v11"])
    assert _dashboard_queries(client, world["district"]) == _dashboard_queries(client, world["t1"])


def test_rolled_up_part_of_the_dashboard_is_a_constant_handful_of_queries(world):
    """The cells of every rolled-up indicator, for the period, a year before, every child and month, in
    one query (subtree cells of the division and its children, and day cells for partial months)."""
    _disputes(world, random.Random(9), 5)
    rollups_refresh()
    whole_months = Period(TODAY.replace(year=TODAY.year - 1, month=1, day=1), month_end(TODAY.replace(month=1)), "x")
    with CaptureQueriesContext(connection) as captured:
        dashboard_compute(division=world["district"], period=whole_months)
    rollup_queries = [q for q in captured.captured_queries if "cell " in q["sql"] and "governance_rollup" in q["sql"]]
    assert len(rollup_queries) == 1
    assert "governance_rolluptreecell" in rollup_queries[0]["sql"]
