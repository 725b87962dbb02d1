"""Follow-ups (跟进) shared by the apps (issue 13 item 5): rows followed until they are done by a due
date — residential's 业委会整治, 执法进小区 rectification and 楼宇会决议, villages' 屋场会决议. One queryset
for the list states (open, overdue, due by a day, done, open first) and one rule for recording a
follow-up (the status allowed, not reopened, the day it was done between the row's start and today,
the dated note appended). Each app keeps its own fields and says which they are."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Self

from django.core.exceptions import ValidationError
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.querysets import ScopedQuerySet

ERR_FOLLOW_UP_DATE = "follow_up_done_on"
ERR_FOLLOW_UP_STATUS = "follow_up_status"
ERR_FOLLOW_UP_DONE = "follow_up_already_done"
NOTE_LIMIT = 2000


class FollowUpQuerySet(ScopedQuerySet):
    """A follow-up list's reads. A subclass names its due-date field (``due_field``), what "done" means
    (``done_condition``), and whether a row without a due date is open (``open_needs_due``). ``overdue()``
    and ``due_by()`` are what the follow-up lists, 我的待办 and the dashboard's overdue figure read;
    dates are Asia/Shanghai."""

    due_field = "deadline"
    open_needs_due = True

    def done_condition(self) -> Q:
        raise NotImplementedError

    def open(self) -> Self:
        """Not done yet (whatever the date); with ``open_needs_due``, only rows with a due date."""
        rows = self.exclude(self.done_condition())
        return rows.filter(**{f"{self.due_field}__isnull": False}) if self.open_needs_due else rows

    def done(self) -> Self:
        return self.filter(self.done_condition())

    def overdue(self, today: datetime.date | None = None) -> Self:
        """Open and past the due date (the due date itself is still in time)."""
        return self.open().filter(**{f"{self.due_field}__lt": today or timezone.localdate()})

    def due_by(self, last: datetime.date, today: datetime.date | None = None) -> Self:
        """Open and due from ``today`` up to ``last`` inclusive (not yet overdue)."""
        today = today or timezone.localdate()
        return self.open().filter(**{f"{self.due_field}__gte": today, f"{self.due_field}__lte": last})

    def open_first(self, *then: str) -> Self:
        """Work-list order: open rows first, the nearest due date first (none last), then ``then``
        (default newest first)."""
        rank = Case(When(self.done_condition(), then=Value(1)), default=Value(0))
        return self.alias(done_rank=rank).order_by(
            "done_rank", F(self.due_field).asc(nulls_last=True), *(then or ("-id",))
        )


def follow_up_check(
    *,
    status: str,
    allowed: Iterable[str],
    done_status: str,
    already_done: bool,
    done_on: datetime.date | None,
    start: datetime.date,
) -> datetime.date | None:
    """The rule of recording a follow-up: ``status`` must be one of ``allowed``; a row ``already_done``
    is not reopened; when ``status`` is ``done_status`` the day it was done (default today) lies between
    ``start`` (the day the row was found, the visit, the meeting) and today. Returns that day, or None
    when ``status`` is not done. Raises ``ValidationError`` on ``status`` (``ERR_FOLLOW_UP_STATUS``,
    ``ERR_FOLLOW_UP_DONE``) or ``done_on`` (``ERR_FOLLOW_UP_DATE``), before anything is written."""
    if status not in tuple(allowed):
        raise ValidationError({"status": ValidationError(_("该事项不能设为此跟进状态。"), code=ERR_FOLLOW_UP_STATUS)})
    if already_done:
        raise ValidationError({"status": ValidationError(_("该事项已办结。"), code=ERR_FOLLOW_UP_DONE)})
    if status != done_status:
        return None
    today = timezone.localdate()
    done_on = done_on or today
    if done_on > today or done_on < start:
        raise ValidationError(
            {
                "done_on": ValidationError(
                    _("办结日期应在 %(start)s 至今天（%(today)s）之间。"),
                    code=ERR_FOLLOW_UP_DATE,
                    params={"start": start, "today": today},
                )
            }
        )
    return done_on


def follow_up_note(record: str, note: str) -> str:
    """``record`` with ``note`` (at most ``NOTE_LIMIT`` characters, the forms' limit) appended on a new
    line after today's date (Asia/Shanghai); ``record`` unchanged for a blank note. The record itself
    keeps every earlier note (a text field): nothing written before is cut."""
    note = note.strip()[:NOTE_LIMIT]
    if not note:
        return record
    return f"{record}\n{timezone.localdate():%Y-%m-%d} {note}".strip()
