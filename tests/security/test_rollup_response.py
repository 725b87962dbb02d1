"""响应率 rolled up (issue 12): read from cells, it equals ``response_rate_for_division`` for random
divisions and periods after assignments and acceptances through the services, cases moved to another
division (``save`` and bulk ``queryset.update``), events inserted by raw SQL, an accept arriving in the
month after its assignment (the previous assignment's month is marked dirty) and calendar overrides
(``CalendarDay``) that move acceptance windows — every time refreshed from dirty marks only, never
rebuilt. Also: the three …同比 figures and 值班空档 each cost one query and keep their values."""

from __future__ import annotations

import datetime
import random
import zlib
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.dates import month_end
from governance.models import CalendarDay, Division, Role, RollupDirty
from governance.registry import registry
from governance.rollups import _trigger_name, indicator_rollup_value, rollups_refresh
from security.choices import EventAction
from security.models import Dispute, DisputeEvent, DutyShift, SecurityStat
from security.rates import response_rate_for_division
from security.rollup_response import SOURCE
from security.services import dispute_accept, dispute_transfer
from tests.factories import PersonFactory
from tests.security.factories import intake, staff

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
TODAY = timezone.localdate()
KEY = "security.response_rate"


@pytest.fixture
def world(divisions, bodies, rule, centre_mediator, village_mediator):
    """Cases of t1's villages go to t1's 矛调中心, of t2's to t2's; a mediator at each and at v11."""
    t2_mediator = staff(Role.MEDIATOR, divisions["t2"], bodies["t2_station_centre"], username="t2_mediator")
    return {
        "divisions": divisions,
        "bodies": bodies,
        "mediators": {
            bodies["t1_station_centre"].pk: centre_mediator,
            bodies["t2_station_centre"].pk: t2_mediator,
            bodies["v11"].pk: village_mediator,
        },
    }


def _moment(rng: random.Random) -> datetime.datetime:
    day = TODAY - datetime.timedelta(days=rng.randint(1, 420))
    return datetime.datetime.combine(day, datetime.time(rng.randint(7, 21), rng.choice([0, 30])), SH)


def _periods(rng: random.Random, count: int) -> list[tuple[datetime.date, datetime.date]]:
    """Year to date, this month, and random ranges: single days, partial and whole months, a year."""
    periods = [(TODAY.replace(month=1, day=1), TODAY), (TODAY.replace(day=1), TODAY), (None, None)]
    for _ in range(count):
        start = TODAY - datetime.timedelta(days=rng.randint(0, 450))
        end = min(start + datetime.timedelta(days=rng.choice([0, 6, 31, 95, 400])), TODAY)
        if rng.random() < 0.4:
            start, end = start.replace(day=1), month_end(end)
        periods.append((start, end))
    return periods


def _assert_match(seed: int, periods: int = 14) -> int:
    """Dirty cells refreshed (never a daily rebuild: the cells are today's), then for random divisions
    and periods: the rolled-up figure == ``response_rate_for_division`` from the records."""
    done = rollups_refresh()
    indicator = registry.indicators[KEY]
    rng = random.Random(seed)
    divisions = list(Division.objects.order_by("path"))
    checked = decided = 0
    for start, end in _periods(rng, periods):
        for division in (divisions[0], rng.choice(divisions), rng.choice(divisions)):
            lo = start or datetime.date(2000, 1, 1)
            hi = end or TODAY
            rolled = indicator_rollup_value(indicator, division=division, start=lo, end=hi)
            base = response_rate_for_division(division=division, start=start, end=end)
            assert rolled == base, (division.code, start, end, rolled, base)
            checked += 1
            decided += base is not None
    assert decided >= 5, "too few periods with a figure to prove anything"
    return done.get(SOURCE, 0)


def _case(world, rng: random.Random, moment: datetime.datetime) -> Dispute:
    """A police matter received (and routed to its 矛调中心) at ``moment``; sometimes accepted (in time or
    late), sometimes then handed to v11's committee, which may accept it."""
    divisions = world["divisions"]
    village = divisions[rng.choice(["v11", "v12", "v21", "v22"])]
    with time_machine.travel(moment, tick=False):
        dispute = intake(village, people=[PersonFactory(division=village), PersonFactory(division=village)])
    roll = rng.random()
    if roll < 0.25:
        return dispute  # never answered: decided only once its window has ended
    later = moment + datetime.timedelta(hours=rng.choice([1, 20, 50, 75, 120, 200]))
    body = dispute.current_body
    with time_machine.travel(later, tick=False):
        dispute = dispute_accept(dispute=dispute, by=world["mediators"][body.pk])
        if roll < 0.6 or body.pk != world["bodies"]["t1_station_centre"].pk:
            return dispute
        dispute = dispute_transfer(
            dispute=dispute, to_body=world["bodies"]["v11"], by=world["mediators"][body.pk], reason="转人民调解"
        )
    if roll < 0.8:
        with time_machine.travel(later + datetime.timedelta(hours=rng.choice([2, 30, 100])), tick=False):
            dispute = dispute_accept(dispute=dispute, by=world["mediators"][world["bodies"]["v11"].pk])
    return dispute


def _raw_event(dispute_id: int, action: str, at: datetime.datetime, to_body_id: int | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO security_disputeevent (dispute_id, action, from_status, to_status, reason, created_at, "
            "to_body_id) VALUES (%s, %s, '', '', '', %s, %s)",
            [dispute_id, action, at, to_body_id],
        )


def test_the_two_triggers_on_one_table_have_their_own_names_and_the_first_keeps_its_old_one():
    source = registry.rollup_sources[SOURCE]
    names = [_trigger_name(source, index) for index in range(len(source.triggers))]
    assert len(set(names)) == len(names)
    assert [t.table for t in source.triggers[:2]] == ["security_disputeevent", "security_disputeevent"]
    # Other sources' names are what they were before (source key and table only).
    ratings = registry.rollup_sources["security.ratings"]
    assert _trigger_name(ratings, 0) == f"rollup_dirty_{zlib.crc32(b'security.ratings:security_disputerating'):08x}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s)", [[f"{n}_ins" for n in names]])
        assert cursor.fetchone()[0] == len(names)


def test_the_rolled_up_response_rate_equals_the_records_after_every_kind_of_write(world):
    divisions, bodies = world["divisions"], world["bodies"]
    rng = random.Random(1212)
    made = [_case(world, rng, _moment(rng)) for _ in range(30)]
    assert DisputeEvent.objects.filter(action=EventAction.ACCEPTED).count() >= 15
    _assert_match(seed=1)

    # Updates: a case moved by save(), then several by a bulk update (their assignments go along).
    moved = made[0]
    moved.division = divisions["v22"]
    moved.save(update_fields=["division"])
    assert RollupDirty.objects.filter(source=SOURCE).exists()
    Dispute.objects.filter(pk__in=[d.pk for d in made[1:8]]).update(division=divisions["t2"])
    assert _assert_match(seed=2) > 0  # refreshed from the marks

    # Raw SQL: accepts for cases still waiting (one in time, one late) and a new transfer to v11.
    waiting = [
        d for d in Dispute.objects.filter(pk__in=[d.pk for d in made]) if d.events.order_by("-id")[0].action == "routed"
    ]
    assert len(waiting) >= 2
    for index, dispute in enumerate(waiting[:2]):
        routed_at = dispute.events.order_by("-id")[0].created_at
        _raw_event(dispute.pk, EventAction.ACCEPTED, routed_at + datetime.timedelta(hours=3 + 300 * index), None)
    _raw_event(made[9].pk, EventAction.TRANSFERRED, _moment(rng), bodies["v11"].pk)
    _assert_match(seed=3)


def test_an_accept_in_the_month_after_its_assignment_marks_the_assignments_month(world):
    divisions = world["divisions"]
    friday = datetime.datetime(2026, 10, 30, 16, 0, tzinfo=SH)  # window: Mon 2, Tue 3 November
    with time_machine.travel(friday, tick=False):
        dispute = intake(divisions["v11"])
    october = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))
    indicator = registry.indicators[KEY]
    rollups_refresh()
    # Nothing answered, the window long ended: decided, not in time.
    assert indicator_rollup_value(indicator, division=divisions["district"], start=october[0], end=october[1]) == 0
    # The accept inserted by raw SQL (no write to the case itself): only the event's triggers mark cells.
    _raw_event(dispute.pk, EventAction.ACCEPTED, friday + datetime.timedelta(days=3), None)  # Monday 2 November
    marked = set(RollupDirty.objects.filter(source=SOURCE).values_list("month", flat=True))
    assert marked == {datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)}
    assert _assert_match(seed=4) > 0
    assert indicator_rollup_value(indicator, division=divisions["district"], start=october[0], end=october[1]) == 100
    # Through the service as well: a case of November accepted in December (today, the window's last day).
    with time_machine.travel(datetime.datetime(2026, 11, 27, 15, 0, tzinfo=SH), tick=False):  # Fri; Mon 30, Tue 1
        late = intake(divisions["v21"])
    rollups_refresh()
    dispute_accept(dispute=late, by=world["mediators"][late.current_body_id])
    _assert_match(seed=6)


def test_a_calendar_override_moves_the_windows_and_the_cells_follow(world):
    divisions = world["divisions"]
    monday = datetime.datetime(2026, 11, 9, 10, 0, tzinfo=SH)  # window: Tue 10, Wed 11 → ends Thu 12 00:00
    thursday = datetime.datetime(2026, 11, 12, 9, 0, tzinfo=SH)
    friday = datetime.datetime(2026, 11, 13, 11, 0, tzinfo=SH)  # window: Mon 16, Tue 17; the 14th a Saturday
    cases = []
    for moment, answered in ((monday, thursday), (friday, datetime.datetime(2026, 11, 17, 20, 0, tzinfo=SH))):
        with time_machine.travel(moment, tick=False):
            dispute = intake(divisions["v12"])
        with time_machine.travel(answered, tick=False):
            cases.append(dispute_accept(dispute=dispute, by=world["mediators"][dispute.current_body_id]))
    november = (datetime.date(2026, 11, 1), datetime.date(2026, 11, 30))
    indicator = registry.indicators[KEY]

    def figure():
        rollups_refresh()
        rolled = indicator_rollup_value(indicator, division=divisions["t1"], start=november[0], end=november[1])
        assert rolled == response_rate_for_division(division=divisions["t1"], start=november[0], end=november[1])
        return rolled

    assert figure() == Decimal("50.0")  # Monday's accept on Thursday is late; Friday's on Tuesday in time
    # The district makes Tuesday 10th a day off: Monday's window now ends Friday 13th — in time.
    CalendarDay.objects.create(date=datetime.date(2026, 11, 10), name="调休", is_workday=False)
    assert RollupDirty.objects.filter(source=SOURCE, month=datetime.date(2026, 11, 1)).exists()
    assert figure() == Decimal("100.0")
    # A working Saturday 14th shortens Friday's window to Mon 16th: Tuesday's accept is late.
    CalendarDay.objects.create(date=datetime.date(2026, 11, 14), name="调休上班", is_workday=True)
    assert figure() == Decimal("50.0")
    # The override changed back (an update, not a new row).
    CalendarDay.objects.filter(date=datetime.date(2026, 11, 10)).update(is_workday=True)
    assert figure() == Decimal("0.0")
    _assert_match(seed=5)


# --- one query each: …同比 and 值班空档 -------------------------------------------------------------


def test_the_three_yoy_figures_cost_one_query_and_keep_their_values(divisions):
    for year, incidents in ((2024, 100), (2025, 80)):
        for township in ("t1", "t2"):
            for month in range(1, 13):
                SecurityStat.objects.create(
                    division=divisions[township],
                    month=datetime.date(year, month, 1),
                    is_complete=True,
                    police_incidents=incidents,
                    criminal_cases=10,
                    administrative_cases=year - 2020,
                )
    start, end = datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)
    keys = ["security.police_incidents_yoy", "security.criminal_cases_yoy", "security.administrative_cases_yoy"]
    from governance.shared_figures import figures_shared

    with CaptureQueriesContext(connection) as captured, figures_shared():
        values = [registry.indicators[k].compute(division=divisions["district"], start=start, end=end) for k in keys]
    assert len(captured) == 1, [q["sql"] for q in captured]
    assert values == [Decimal("-20.00"), Decimal("0.00"), Decimal("25.00")]
    # A township with no active reporting unit below it has no data, whatever the returns say.
    with CaptureQueriesContext(connection) as captured:
        village = registry.indicators[keys[0]].compute(division=divisions["v11"], start=start, end=end)
    assert village is None and len(captured) == 1
    # One township's return missing for a month: no data for the district (the rule kept).
    SecurityStat.objects.filter(division=divisions["t2"], month=datetime.date(2025, 5, 1)).update(is_complete=False)
    assert registry.indicators[keys[0]].compute(division=divisions["district"], start=start, end=end) is None


def test_the_duty_gap_hours_cost_one_query_and_keep_their_value(divisions, bodies):
    now = timezone.now()
    start = timezone.localtime(now).replace(minute=0, second=0, microsecond=0)
    centre = bodies["t1_station_centre"]
    for offset, hours in ((0, 10), (14, 30), (50, 100)):  # gaps 10–14 h and 44–50 h and 150–168 h
        DutyShift.objects.create(
            body=centre,
            name="甲",
            phone="07388123456",
            starts_at=start + datetime.timedelta(hours=offset),
            ends_at=start + datetime.timedelta(hours=offset + hours),
        )
    DutyShift.objects.create(  # another body's shift and one outside the window change nothing here
        body=bodies["t2_station_centre"],
        name="乙",
        phone="07388123456",
        starts_at=start + datetime.timedelta(hours=200),
        ends_at=start + datetime.timedelta(hours=210),
    )
    indicator = registry.indicators["security.duty_gap_hours"]
    with time_machine.travel(now, tick=False), CaptureQueriesContext(connection) as captured:
        t1 = indicator.compute(division=divisions["t1"])
        district = indicator.compute(division=divisions["district"])
    assert len(captured) == 2, [q["sql"] for q in captured]
    assert t1 == Decimal("28.0")  # 4 + 6 + 18
    assert district == Decimal("196.0")  # and t2's 矛调中心 with nobody all week


def test_partial_months_of_the_period_and_the_year_before_read_together_match_the_records(world):
    """The dashboard's ranges (this year to date and the same days a year before) read in one reader:
    each partial month scanned by its own day range, the figures as the records give them."""
    from governance.rollups import RollupReader

    rng = random.Random(7)
    for _ in range(12):
        _case(world, rng, _moment(rng))
    for days in (1, 3, 12):  # cases in this month and in the same month a year before
        for moment in (TODAY - datetime.timedelta(days=days), TODAY - datetime.timedelta(days=365 + days)):
            _case(world, rng, datetime.datetime.combine(moment, datetime.time(10), SH))
    rollups_refresh()
    first = TODAY.replace(day=1) - datetime.timedelta(days=12)
    ranges = [(first, TODAY), (first.replace(year=first.year - 1), TODAY.replace(year=TODAY.year - 1))]
    keys = [KEY, "security.received", "security.resolved"]
    indicators = [registry.indicators[k] for k in keys]
    district = world["divisions"]["district"]
    reader = RollupReader.load(division_path=district.path, indicators=indicators, ranges=ranges)
    for indicator in indicators:
        for start, end in ranges:
            assert reader.value(indicator, (start, end)) == indicator.compute(division=district, start=start, end=end)
    received = indicators[1]  # both ranges have cases: the check compares something
    assert reader.value(received, ranges[0]) and reader.value(received, ranges[1])
