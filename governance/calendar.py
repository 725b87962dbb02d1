"""The one working-day calendar every app counts deadlines on.

A day is a working day by, in order: the district's override (``CalendarDay``, edited in the admin);
the State Council's schedule of that year as the ``chinese-calendar`` package carries it (holidays and
调休 make-up working days on weekends); Monday to Friday. A year is *published* when the package
carries it or the district has recorded it as loaded (``CalendarYear``); a count that runs through a
year that is not published is still made (on weekdays and the overrides entered so far) but is marked
provisional, never passed off as final. ``calendar_years_missing`` names the years the admin warns
about and the nightly ``governance.calendar_check`` logs. Dates are Asia/Shanghai calendar dates."""

from __future__ import annotations

import datetime
import functools
from typing import NamedTuple

import chinese_calendar
from django.utils import timezone

from governance.models import CalendarDay, CalendarYear

# The years whose official schedule the package carries (it refuses any other year).
_PACKAGE_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

# From this day of a year on (1 November), next year's schedule is expected: the State Council
# publishes it in October or November.
NEXT_YEAR_DUE = (11, 1)


class DueDate(NamedTuple):
    """The day a count of working days ends on, and whether it is provisional: it ran through a year
    with no published schedule, where Monday to Friday stood in for the official working days."""

    date: datetime.date
    provisional: bool


def package_years() -> range:
    """The years whose State Council schedule the ``chinese-calendar`` package carries."""
    return _PACKAGE_YEARS


def years_published(years: set[int]) -> set[int]:
    """Those of ``years`` that have a schedule: carried by the package or recorded by the district
    (``CalendarYear``). At most one query, none when the package carries them all."""
    published = {year for year in years if year in _PACKAGE_YEARS}
    rest = years - published
    if rest:
        published.update(CalendarYear.objects.filter(year__in=rest).values_list("year", flat=True))
    return published


def year_published(year: int) -> bool:
    """Whether ``year`` has a schedule (see ``years_published``)."""
    return bool(years_published({year}))


def official_working_day(day: datetime.date) -> bool:
    """Whether ``day`` is worked by the State Council's schedule (Monday to Friday in a year the package
    does not carry), before the district's overrides. No query."""
    if day.year in _PACKAGE_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


@functools.cache
def _official_exceptions() -> tuple[tuple[datetime.date, bool], ...]:
    """The days on which the package's schedule differs from Monday to Friday: holidays on weekdays
    (False) and 调休 working weekends (True), as ``chinese_calendar.is_workday`` decides them."""
    days = {day: False for day in chinese_calendar.holidays if day.weekday() < 5}
    days.update({day: True for day in chinese_calendar.workdays if day.weekday() >= 5})
    return tuple(sorted(days.items()))


def working_days_sql(first: datetime.date | str, last: datetime.date | str) -> str:
    """The calendar of ``official_working_day`` and the district's overrides (``CalendarDay``) as SQL:
    a parenthesised SELECT of one row per day from ``first`` to ``last`` (inclusive; dates, or SQL
    expressions of type date such as a scalar subquery), columns ``day`` (date) and ``work`` (boolean)
    — the override, else the package's schedule, else Monday to Friday (the same order as
    ``working_days_add``). For set-based figures that count working days in SQL (a roll-up source's
    acceptance windows); no query to build it, the overrides are joined where it runs. Its own
    aliases start with ``cal_``."""

    def bound(value: datetime.date | str) -> str:
        return f"DATE '{value:%Y-%m-%d}'" if isinstance(value, datetime.date) else f"({value})"

    exceptions = ", ".join(f"(DATE '{day:%Y-%m-%d}', {work})" for day, work in _official_exceptions())
    days = (
        f"SELECT cal_b.lo + cal_i AS day FROM (SELECT {bound(first)} AS lo, {bound(last)} AS hi) cal_b "
        "CROSS JOIN generate_series(0, cal_b.hi - cal_b.lo) AS cal_i"
    )
    return (
        "(SELECT cal_g.day, COALESCE(cal_o.is_workday, cal_x.work, extract(isodow FROM cal_g.day) < 6) AS work "
        f"FROM ({days}) cal_g "
        "LEFT JOIN governance_calendarday cal_o ON cal_o.date = cal_g.day "
        f"LEFT JOIN (VALUES {exceptions}) AS cal_x(day, work) ON cal_x.day = cal_g.day)"
    )


def _overrides(first: datetime.date, last: datetime.date) -> dict[datetime.date, bool]:
    return dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday"))


def working_days_add(start: datetime.date, days: int) -> datetime.date:
    """The ``days``-th working day after ``start`` (``start`` itself never counts; 0 gives ``start``),
    in the district's calendar: its overrides, else the official schedule, else Monday to Friday in a
    year with no published schedule (``working_days_due`` says whether that happened). Raises
    ``ValueError`` for a negative ``days``. One query (the overrides) for any count a case has."""
    if days < 0:
        raise ValueError("days must not be negative")
    day, left = start, days
    # Overrides are read a window at a time; the first window covers any count up to its ``days``.
    window_end: datetime.date = start
    overrides: dict[datetime.date, bool] = {}
    while left > 0:
        day += datetime.timedelta(days=1)
        if day > window_end:
            window_end = day + datetime.timedelta(days=days * 2 + 30)
            overrides = _overrides(day, window_end)
        override = overrides.get(day)
        if official_working_day(day) if override is None else override:
            left -= 1
    return day


def working_days_due(start: datetime.date, days: int) -> DueDate:
    """``working_days_add`` with its provisional mark: whether a day counted lies in a year with no
    published schedule. What a deadline that is stored keeps (a case's ``deadline_provisional``).
    Raises ``ValueError`` for a negative ``days``. One query, two when a year is not in the package."""
    due = working_days_add(start, days)
    counted = set(range((start + datetime.timedelta(days=1)).year, due.year + 1)) if due > start else set()
    return DueDate(due, provisional=years_published(counted) != counted)


def calendar_years_missing(today: datetime.date | None = None) -> list[int]:
    """The years that should have a schedule by ``today`` (default: today in Asia/Shanghai) and have
    none: this year, and from 1 November on next year too. What the admin warns about and the nightly
    check logs. At most one query."""
    today = today or timezone.localdate()
    wanted = {today.year}
    if (today.month, today.day) >= NEXT_YEAR_DUE:
        wanted.add(today.year + 1)
    return sorted(wanted - years_published(wanted))
