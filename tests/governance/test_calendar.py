"""The one working-day calendar: the State Council's schedule (2025 and 2026 checked day by day against
the notices), the district's overrides, and never a silent guess for a year nobody published."""

from __future__ import annotations

import datetime
import importlib
import logging
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from governance.calendar import (
    calendar_years_missing,
    package_years,
    working_days_add,
    working_days_due,
)
from governance.models import CalendarDay, CalendarYear
from governance.registry import registry
from governance.tasks import calendar_check
from tests.auth import verified_login

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = datetime.date


def _days(first: D, last: D) -> set[D]:
    return {first + datetime.timedelta(days=n) for n in range((last - first).days + 1)}


# From the State Council's notices (国办发明电〔2024〕12号 for 2025, 〔2025〕7号 for 2026), written out
# here by hand so that the package is checked, not trusted: days off (weekends inside a holiday
# included) and the 调休 weekend days worked.
HOLIDAYS = {
    2025: _days(D(2025, 1, 1), D(2025, 1, 1))
    | _days(D(2025, 1, 28), D(2025, 2, 4))
    | _days(D(2025, 4, 4), D(2025, 4, 6))
    | _days(D(2025, 5, 1), D(2025, 5, 5))
    | _days(D(2025, 5, 31), D(2025, 6, 2))
    | _days(D(2025, 10, 1), D(2025, 10, 8)),
    2026: _days(D(2026, 1, 1), D(2026, 1, 3))
    | _days(D(2026, 2, 15), D(2026, 2, 23))
    | _days(D(2026, 4, 4), D(2026, 4, 6))
    | _days(D(2026, 5, 1), D(2026, 5, 5))
    | _days(D(2026, 6, 19), D(2026, 6, 21))
    | _days(D(2026, 9, 25), D(2026, 9, 27))
    | _days(D(2026, 10, 1), D(2026, 10, 7)),
}
MAKE_UP_DAYS = {
    2025: {D(2025, 1, 26), D(2025, 2, 8), D(2025, 4, 27), D(2025, 9, 28), D(2025, 10, 11)},
    2026: {D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10)},
}
# The first year the package does not carry (2027 as of chinese-calendar 1.11): the tests follow the
# package when it learns a new year.
UNPUBLISHED = package_years()[-1] + 1


def worked(day: D) -> bool:
    """Whether ``day`` counts: it is the first working day after the day before it."""
    return working_days_add(day - datetime.timedelta(days=1), 1) == day


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 1, 2), D(2026, 1, 4)),  # 元旦 to Saturday 3rd; Sunday 4th worked
        (D(2026, 2, 27), D(2026, 2, 28)),  # Saturday 28th worked after 春节
        (D(2026, 5, 8), D(2026, 5, 9)),  # Saturday 9th worked after 劳动节
        (D(2026, 9, 18), D(2026, 9, 20)),  # Sunday 20th worked before 国庆节
        (D(2026, 10, 9), D(2026, 10, 10)),  # Saturday 10th worked after 国庆节
        (D(2025, 1, 24), D(2025, 1, 26)),  # 2025 stays right: Sunday 26th worked before 春节
        (D(2025, 9, 30), D(2025, 10, 9)),  # 国庆节 and 中秋节 1–8 October 2025
        (D(2025, 10, 10), D(2025, 10, 11)),  # Saturday 11 October 2025 worked
    ],
)
def test_one_working_day_after_follows_the_state_council_schedule(start, expected):
    assert working_days_add(start, 1) == expected
    assert working_days_due(start, 1) == (expected, False)


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_make_up_day_is_a_working_day(year):
    assert all(day.weekday() >= 5 for day in MAKE_UP_DAYS[year])
    assert [day for day in sorted(MAKE_UP_DAYS[year]) if not worked(day)] == []


@pytest.mark.parametrize("year", [2025, 2026])
def test_no_official_holiday_is_a_working_day(year):
    assert [day for day in sorted(HOLIDAYS[year]) if worked(day)] == []


@pytest.mark.parametrize("year", [2025, 2026])
def test_every_other_day_is_worked_monday_to_friday(year):
    others = _days(D(year, 1, 1), D(year, 12, 31)) - HOLIDAYS[year] - MAKE_UP_DAYS[year]
    assert [day for day in sorted(others) if worked(day) != (day.weekday() < 5)] == []


def test_working_days_skip_weekends_and_holidays_and_count_make_up_days():
    # Moved from the security app's tests with the calendar; overrides here agree with the schedule.
    thursday = D(2026, 4, 30)
    CalendarDay.objects.create(date=D(2026, 5, 1), name="劳动节")
    CalendarDay.objects.create(date=D(2026, 5, 9), name="调休上班", is_workday=True)
    # 1–5 May off → 6 May is the first working day
    assert working_days_add(thursday, 1) == D(2026, 5, 6)
    # 6–8 May are three working days, Saturday 9 May is worked
    assert working_days_add(thursday, 4) == D(2026, 5, 9)


def test_district_overrides_win_over_the_official_schedule():
    CalendarDay.objects.create(date=D(2026, 5, 11), name="区防汛停工")
    CalendarDay.objects.create(date=D(2026, 5, 16), name="区集中办案日", is_workday=True)
    assert working_days_add(D(2026, 5, 8), 2) == D(2026, 5, 12)  # Sat 9th worked, Mon 11th off
    assert working_days_add(D(2026, 5, 15), 1) == D(2026, 5, 16)


def test_zero_days_is_the_start_and_negative_days_are_refused():
    assert working_days_due(D(2026, 10, 3), 0) == (D(2026, 10, 3), False)
    with pytest.raises(ValueError):
        working_days_add(D(2026, 10, 3), -1)


def test_a_count_into_a_year_with_no_schedule_runs_on_weekdays_and_is_provisional():
    new_year = D(UNPUBLISHED, 1, 1)
    last_day = D(UNPUBLISHED - 1, 12, 31)
    due = working_days_due(last_day, 3)
    weekdays = sorted(d for d in _days(new_year, new_year + datetime.timedelta(days=9)) if d.weekday() < 5)
    assert due == (weekdays[2], True)  # 元旦 is not known yet: counted as a plain weekday, and marked
    assert working_days_due(D(UNPUBLISHED - 1, 12, 1), 3).provisional is False


def test_overrides_alone_do_not_publish_a_year_but_are_applied():
    new_year = D(UNPUBLISHED, 1, 1)
    CalendarDay.objects.create(date=new_year, name="元旦")
    due = working_days_due(new_year - datetime.timedelta(days=1), 1)
    assert due.date > new_year and due.provisional is True


def test_recording_the_year_as_loaded_makes_its_counts_final():
    CalendarYear.objects.create(year=UNPUBLISHED, notice="国办发明电〔2026〕X号")
    assert working_days_due(D(UNPUBLISHED, 3, 1), 5).provisional is False


def test_next_years_schedule_is_missed_from_the_first_of_november():
    last = UNPUBLISHED - 1  # carried by the package
    assert calendar_years_missing(D(last, 10, 31)) == []
    assert calendar_years_missing(D(last, 11, 1)) == [UNPUBLISHED]
    assert calendar_years_missing(D(UNPUBLISHED, 3, 1)) == [UNPUBLISHED]
    CalendarYear.objects.create(year=UNPUBLISHED)
    assert calendar_years_missing(D(last, 12, 31)) == []


def test_nightly_check_warns_from_the_first_of_november_in_shanghai(caplog):
    last = UNPUBLISHED - 1
    assert any(s.task == "governance.calendar_check" for s in registry.schedules.values())
    # 31 October 16:30 UTC is already 1 November in Louxing.
    moment = datetime.datetime(last, 10, 31, 16, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False), caplog.at_level(logging.WARNING, logger="governance.tasks"):
        assert calendar_check.apply().get() == {"missing": [UNPUBLISHED]}
    assert str(UNPUBLISHED) in caplog.text
    caplog.clear()
    moment = datetime.datetime(last, 10, 31, 15, 30, tzinfo=datetime.UTC)
    with time_machine.travel(moment, tick=False), caplog.at_level(logging.WARNING, logger="governance.tasks"):
        assert calendar_check.apply().get() == {"missing": []}
    assert caplog.text == ""


def test_admin_warns_until_the_year_is_loaded(client, district_admin):
    verified_login(client, district_admin)
    with time_machine.travel(datetime.datetime(UNPUBLISHED - 1, 11, 2, 9, 0, tzinfo=SHANGHAI), tick=False):
        page = client.get(reverse("admin:index")).content.decode()
        assert 'id="calendar-warning"' in page and f"{UNPUBLISHED} 年的国务院节假日安排尚未录入" in page
        assert reverse("admin:governance_calendaryear_add") in page
        response = client.post(
            reverse("admin:governance_calendaryear_add"), {"year": UNPUBLISHED, "notice": "国办发明电〔2026〕X号"}
        )
        assert response.status_code == 302
        assert 'id="calendar-warning"' not in client.get(reverse("admin:index")).content.decode()


def test_admin_shows_no_warning_before_november(client, district_admin):
    verified_login(client, district_admin)
    with time_machine.travel(datetime.datetime(UNPUBLISHED - 1, 10, 31, 23, 0, tzinfo=SHANGHAI), tick=False):
        assert 'id="calendar-warning"' not in client.get(reverse("admin:index")).content.decode()


def test_admin_keeps_overrides_with_the_official_schedule_beside_them(client, district_admin):
    verified_login(client, district_admin)
    response = client.post(
        reverse("admin:governance_calendarday_add"), {"date": "2026-05-11", "name": "区防汛停工", "is_workday": ""}
    )
    assert response.status_code == 302
    page = client.get(reverse("admin:governance_calendarday_changelist")).content.decode()
    # Beside the override, the official schedule: Monday 11 May is worked.
    assert "区防汛停工" in page and '<td class="field-official">上班</td>' in page
    assert working_days_add(D(2026, 5, 8), 2) == D(2026, 5, 12)


def test_an_override_in_an_unloaded_year_reminds_to_record_the_year(client, district_admin):
    verified_login(client, district_admin)
    response = client.post(
        reverse("admin:governance_calendarday_add"),
        {"date": f"{UNPUBLISHED}-01-01", "name": "元旦", "is_workday": ""},
        follow=True,
    )
    assert "尚未登记为已录入" in response.content.decode()


def test_a_year_out_of_range_is_refused_in_the_admin(client, district_admin):
    verified_login(client, district_admin)
    response = client.post(reverse("admin:governance_calendaryear_add"), {"year": 1999})
    assert response.status_code == 200 and "年度应在 2000 至 2100 之间。" in response.content.decode()
    assert not CalendarYear.objects.exists()


def test_the_migration_carries_securitys_holidays_and_their_history_over_and_back():
    """security 0003's data step, both ways, on the tables as they stood at security 0002 (a database
    from before the squash still runs it): rows keep their ids and bring their audit history."""
    module = importlib.import_module("security.migrations.0003_holidays_to_governance")
    forward, backward = module.Migration.operations[0].code, module.Migration.operations[0].reverse_code
    loader = MigrationLoader(None, replace_migrations=False)
    old = loader.project_state([("security", "0002_audit_links"), ("governance", "0003_calendar")]).apps
    Holiday, HolidayEvent = old.get_model("security", "Holiday"), old.get_model("security", "HolidayEvent")
    with connection.schema_editor() as editor:
        editor.create_model(Holiday)
        editor.create_model(HolidayEvent)
        holiday = Holiday.objects.create(date=D(2027, 2, 6), name="春节调休", is_workday=True)  # audited then
        assert HolidayEvent.objects.filter(pgh_obj_id=holiday.pk).count() == 1
        forward(old, editor)
        day = CalendarDay.objects.get()
        assert (day.pk, day.date, day.name, day.is_workday) == (holiday.pk, D(2027, 2, 6), "春节调休", True)
        assert day.events.filter(pgh_label="insert").count() == 2  # security's own record, and the move
        Holiday.objects.all().delete()
        backward(old, editor)
        assert list(Holiday.objects.values_list("date", "is_workday")) == [(D(2027, 2, 6), True)]
    # The test's transaction is rolled back, schema included (PostgreSQL).
