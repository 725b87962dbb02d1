"""Subtree and day cells (issue 12). Subtree cells: a division's and each child's whole-subtree figures
equal the base tables, verified and repaired. Day cells: the partial months of a period (this month to
date, the same days a year before, any part of a recent month) are read from month-to-date
``RollupDayCell`` rows, not from the base tables, so their cost does not grow with the rows of the
month; they equal the base tables after writes, are verified and repaired with the month cells, and a
database without them (upgraded) gets them at the next refresh. A partial month older than
``DAY_CELL_MONTHS`` still reads the base tables."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.dashboard.selectors import as_number
from governance.dates import month_end, month_start, months_add, year_shift
from governance.models import Division, RollupDayCell, RollupTreeCell
from governance.rollups import (
    DAY_CELL_MONTHS,
    RollupReader,
    day_cells_from,
    day_cells_mark_missing,
    rolled_indicators,
    rollups_refresh,
    rollups_verify,
    tree_cells_fill_missing,
)
from security.models import Dispute
from tests.governance.test_rollups import _disputes
from tests.security.factories import intake, make_bodies, police_rule

TODAY = timezone.localdate()


@pytest.fixture
def world(divisions):
    make_bodies(divisions)
    police_rule()
    return divisions


BASE_TABLES = ("security_dispute", "civility_pointentry", "integrity_clue", "integrity_integritycase")


def _recent_pieces() -> list[tuple[datetime.date, datetime.date]]:
    """Partial months inside the day cells' months: this month to date, the same days a year before,
    a piece in the middle of a month, one ending on a month's last day, one single day."""
    last_month = months_add(month_start(TODAY), -1)
    mid = months_add(month_start(TODAY), -5)
    return [
        (month_start(TODAY), TODAY),
        (month_start(year_shift(TODAY)), year_shift(TODAY)),
        (mid.replace(day=9), mid.replace(day=20)),
        (last_month.replace(day=15), month_end(last_month)),
        (last_month.replace(day=3), last_month.replace(day=3)),
    ]


def _read(division, ranges):
    indicators = rolled_indicators()
    with CaptureQueriesContext(connection) as captured:
        reader = RollupReader.load(division_path=division.path, indicators=indicators, ranges=ranges)
    return reader, [q["sql"] for q in captured.captured_queries]


def _assert_equal_to_base(reader, division, ranges) -> int:
    checked = 0
    for indicator in rolled_indicators():
        for start, end in ranges:
            rolled = as_number(reader.value(indicator, (start, end)))
            base = as_number(indicator.compute(division=division, start=start, end=end))
            assert rolled == base, (indicator.key, division.code, start, end, rolled, base)
            checked += 1
    return checked


def test_recent_partial_months_come_from_day_cells_in_one_query_equal_to_the_base_tables(world):
    _disputes(world, random.Random(31), 30)
    rollups_refresh()
    assert RollupDayCell.objects.exists()
    ranges = [*_recent_pieces(), (TODAY.replace(month=1, day=1), TODAY)]
    for division in (world["district"], world["t1"], world["v11"]):
        reader, queries = _read(division, ranges)
        assert len(queries) == 1, queries
        assert "governance_rollupdaycell" in queries[0]
        assert not any(table in sql for sql in queries for table in BASE_TABLES), queries
        assert _assert_equal_to_base(reader, division, ranges) > 0


def test_a_partial_month_older_than_the_day_cells_reads_the_base_tables(world):
    _disputes(world, random.Random(32), 30)
    rollups_refresh()
    old = months_add(day_cells_from(), -3)
    ranges = [(old.replace(day=5), old.replace(day=25))]
    reader, queries = _read(world["district"], ranges)
    assert len(queries) == 2
    assert "security_dispute" in queries[1]
    _assert_equal_to_base(reader, world["district"], ranges)


def test_day_cells_are_month_to_date_and_follow_a_write_today(world):
    _disputes(world, random.Random(33), 12)
    rollups_refresh()
    received = next(i for i in rolled_indicators() if i.key == "security.received")
    piece = (month_start(TODAY), TODAY)

    def value():
        reader = RollupReader.load(division_path=world["district"].path, indicators=[received], ranges=[piece])
        return as_number(reader.value(received, piece))

    before = value()
    intake(world["v21"])
    intake(world["v12"])
    assert value() == before  # not refreshed yet: cells are what they were
    rollups_refresh()
    assert value() == before + 2 == as_number(received.compute(division=world["district"], start=piece[0], end=TODAY))
    # Month to date: a village's cell through today counts every dispute received there since the 1st.
    cell = RollupDayCell.objects.get(indicator="security.received", division=world["v21"], day=TODAY)
    since_first = Dispute.objects.filter(
        division=world["v21"], received_at__date__gte=month_start(TODAY), received_at__date__lte=TODAY
    ).count()
    assert cell.numerator == since_first


def test_verify_finds_and_repairs_a_wrong_day_cell(world, caplog):
    _disputes(world, random.Random(34), 20)
    intake(world["v11"])
    rollups_refresh()
    cell = RollupDayCell.objects.filter(indicator="security.received", numerator__gt=0).order_by("-day").first()
    RollupDayCell.objects.filter(pk=cell.pk).update(numerator=cell.numerator + 5)
    result = rollups_verify(sample=100_000)
    assert result["mismatched"] >= 1
    assert "day" in caplog.text
    repaired = RollupDayCell.objects.get(indicator=cell.indicator, division_id=cell.division_id, day=cell.day)
    assert repaired.numerator == cell.numerator


def test_an_upgraded_database_gets_its_day_cells_at_the_next_refresh(world):
    _disputes(world, random.Random(35), 20)
    intake(world["v22"])
    rollups_refresh()
    kept = {(c.indicator, c.division_id, c.day): (c.numerator, c.denominator) for c in RollupDayCell.objects.all()}
    assert kept
    RollupDayCell.objects.all().delete()
    assert day_cells_mark_missing() > 0
    assert day_cells_mark_missing() > 0  # idempotent marks (refresh dedupes)
    rollups_refresh()
    again = {(c.indicator, c.division_id, c.day): (c.numerator, c.denominator) for c in RollupDayCell.objects.all()}
    assert again == kept
    assert day_cells_mark_missing() == 0


def test_day_cells_are_kept_only_for_recent_months(world):
    _disputes(world, random.Random(36), 40)
    rollups_refresh()
    first = day_cells_from()
    assert first == months_add(month_start(TODAY), -(DAY_CELL_MONTHS - 1))
    assert not RollupDayCell.objects.filter(day__lt=first).exists()
    assert RollupDayCell.objects.filter(day__gte=first).exists()


@pytest.mark.parametrize("day", [datetime.date(2026, 1, 31), datetime.date(2026, 3, 1), datetime.date(2024, 2, 29)])
def test_day_cells_from_counts_the_running_month(day):
    assert day_cells_from(day) == months_add(month_start(day), -(DAY_CELL_MONTHS - 1))
    assert day_cells_from(day) <= month_start(year_shift(day))


# --- subtree cells ---------------------------------------------------------------------------------


def test_subtree_cells_give_each_child_and_the_whole_subtree_as_the_base_tables(world):
    _disputes(world, random.Random(41), 30)
    intake(world["t1"])  # a row on the township itself, not in any of its children
    rollups_refresh()
    assert RollupTreeCell.objects.filter(division=world["district"]).exists()
    year = (TODAY.replace(month=1, day=1), TODAY)
    last_year = (year_shift(year[0]), year_shift(TODAY))
    checked = 0
    for division in (world["district"], world["t1"]):
        reader, _queries = _read(division, [year, last_year])
        children = list(Division.objects.filter(parent=division))
        assert children
        for indicator in rolled_indicators():
            for span in (year, last_year):
                whole = as_number(indicator.compute(division=division, start=span[0], end=span[1]))
                assert as_number(reader.value(indicator, span)) == whole, (indicator.key, division.code, span)
                for child in children:
                    base = as_number(indicator.compute(division=child, start=span[0], end=span[1]))
                    rolled = as_number(reader.value(indicator, span, child.path))
                    assert rolled == base, (indicator.key, child.code, span, rolled, base)
                    checked += 1
    assert checked > 100


def test_verify_finds_and_repairs_a_wrong_subtree_cell(world, caplog):
    _disputes(world, random.Random(42), 20)
    rollups_refresh()
    cell = RollupTreeCell.objects.filter(division=world["district"], indicator="security.received").first()
    RollupTreeCell.objects.filter(pk=cell.pk).update(numerator=cell.numerator + 3)
    RollupTreeCell.objects.filter(division=world["t2"], indicator="security.received").delete()
    result = rollups_verify(sample=100_000)
    assert result["mismatched"] >= 2
    assert "subtree" in caplog.text
    repaired = RollupTreeCell.objects.get(indicator=cell.indicator, division_id=cell.division_id, month=cell.month)
    assert repaired.numerator == cell.numerator
    assert RollupTreeCell.objects.filter(division=world["t2"], indicator="security.received").exists()
    assert rollups_verify(sample=100_000)["mismatched"] == 0


def test_an_upgraded_database_gets_its_subtree_cells_at_migrate(world):
    _disputes(world, random.Random(43), 20)
    rollups_refresh()
    kept = {(c.indicator, c.division_id, c.month): c.numerator for c in RollupTreeCell.objects.all()}
    RollupTreeCell.objects.all().delete()
    assert tree_cells_fill_missing() is True
    assert {(c.indicator, c.division_id, c.month): c.numerator for c in RollupTreeCell.objects.all()} == kept
    assert tree_cells_fill_missing() is False
