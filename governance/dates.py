"""Calendar arithmetic every app shares. Dates are Asia/Shanghai calendar dates (``timezone.localdate()``).
Working days and deadlines are counted by ``governance.calendar``."""

from __future__ import annotations

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The dates a report may ask about: the comparisons go a year back, which year 1 cannot, and nothing
# the portal keeps lies before the People's Republic's first statistics.
MIN_REPORT_DATE = datetime.date(1950, 1, 1)
MAX_REPORT_DATE = datetime.date(2099, 12, 31)
ERR_DATE_OUT_OF_RANGE = "date_out_of_range"


def report_date_validate(value: datetime.date) -> None:
    """Validator of a report's dates. Raises ``ValidationError`` (``ERR_DATE_OUT_OF_RANGE``) outside
    ``MIN_REPORT_DATE``–``MAX_REPORT_DATE``."""
    if not MIN_REPORT_DATE <= value <= MAX_REPORT_DATE:
        raise ValidationError(
            _("日期应在 %(min)s 至 %(max)s 之间。"),
            code=ERR_DATE_OUT_OF_RANGE,
            params={"min": MIN_REPORT_DATE.isoformat(), "max": MAX_REPORT_DATE.isoformat()},
        )


ERR_DATE_IN_FUTURE = "date_in_future"


def past_date_validate(value: datetime.date) -> None:
    """Validator of the date of something that has happened (a clue received, a measure begun, an
    evaluation held): within ``MIN_REPORT_DATE``–``MAX_REPORT_DATE`` and not after today (Asia/Shanghai).
    Raises ``ValidationError`` (``ERR_DATE_OUT_OF_RANGE`` / ``ERR_DATE_IN_FUTURE``)."""
    from django.utils import timezone

    report_date_validate(value)
    if value > timezone.localdate():
        raise ValidationError(_("日期不能晚于今天。"), code=ERR_DATE_IN_FUTURE)


def months_add(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` months later; a day the month lacks falls back to its last day."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def year_shift(day: datetime.date, years: int = -1) -> datetime.date:
    """The same day ``years`` years away; 29 February falls back to the 28th in a common year
    (the year-over-year comparisons of the dashboard, petitions and security figures)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def month_start(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    """The last day of ``day``'s month."""
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def month_next(day: datetime.date) -> datetime.date:
    """The first day of the month after ``day``'s."""
    return month_end(day) + datetime.timedelta(days=1)


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """``(first day, first day of the next month)`` of ``day``'s month: a half-open range."""
    return month_start(day), month_next(day)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """The first day of every month that ``start``–``end`` (inclusive) touches, in order."""
    months, day = [], month_start(start)
    while day <= end:
        months.append(day)
        day = month_next(day)
    return months


def term_covering(first_start: datetime.date, years: int, on: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The term of ``years`` years, in the cycle that began on ``first_start``, that runs on ``on``:
    ``(start, last day)``; the first term when ``on`` is before ``first_start`` (the demo's
    owners' committees, whose terms must be current whatever the day it is seeded)."""
    start = first_start
    while year_shift(start, years) <= on:
        start = year_shift(start, years)
    return start, year_shift(start, years) - datetime.timedelta(days=1)
