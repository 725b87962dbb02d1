"""跟进 of 屋场会决议 (issue 13): the one service that sets a resolution's 落实情况, its 跟进记录 and its
办结日期, and the follow-up list's reads (the states shared with the residential follow-up list).
``villages.services`` routes a status named in a meeting's write through here."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from governance.follow_ups import (  # noqa: F401  (the error codes, re-exported for callers)
    ERR_FOLLOW_UP_DATE,
    ERR_FOLLOW_UP_DONE,
    ERR_FOLLOW_UP_STATUS,
    follow_up_check,
    follow_up_note,
)
from governance.models import Division, User
from villages.choices import FollowUpStatus
from villages.models import MeetingResolution

FOLLOW_UP_STATES = ("open", "overdue", "due_soon", "done", "all")


@transaction.atomic
def hamlet_resolution_follow_up(
    *,
    resolution: MeetingResolution,
    status: str,
    note: str = "",
    done_on: datetime.date | None = None,
    by: User | None = None,
) -> MeetingResolution:
    """Record the follow-up of a 屋场会决议: ``status`` is 落实中 or 已办结 (``FollowUpStatus``); ``note`` is
    appended to its 跟进记录 with today's date (at most 2000 characters; earlier notes kept); ``done_on``
    (default today, Asia/Shanghai) is the day it was done, for 已办结 only. A resolution already done is
    not reopened. ``by`` is accepted for the callers' symmetry; who did it is in the audit trail.

    Raises ``ValidationError`` on ``status`` (not 落实中/已办结: ``ERR_FOLLOW_UP_STATUS``; already done:
    ``ERR_FOLLOW_UP_DONE``) or ``done_on`` (in the future or before the meeting: ``ERR_FOLLOW_UP_DATE``);
    nothing is written then."""
    row = MeetingResolution.objects.select_for_update().select_related("meeting").get(pk=resolution.pk)
    done_on = follow_up_check(
        status=status,
        allowed=(FollowUpStatus.IN_PROGRESS, FollowUpStatus.DONE),
        done_status=FollowUpStatus.DONE,
        already_done=row.follow_up == FollowUpStatus.DONE,
        done_on=done_on,
        start=row.meeting.held_on,
    )
    row.follow_up_note = follow_up_note(row.follow_up_note, note)
    row.follow_up, row.done_on = status, done_on
    row.full_clean()
    row.save(update_fields=["follow_up", "follow_up_note", "done_on"])
    return row


def hamlet_resolutions_follow_up_list(
    *, state: str, queryset: QuerySet[MeetingResolution], horizon: datetime.date
) -> QuerySet[MeetingResolution]:
    """The 屋场会决议 follow-up list in ``state`` (``FOLLOW_UP_STATES``: open, overdue, due_soon — open and
    due from today to ``horizon`` —, done, all), open first, nearest 办结时限 first, the 屋场 and its
    village joined. ``queryset`` is the caller's ``for_user``. Raises ``KeyError`` for another state."""
    rows = queryset.select_related("meeting__hamlet__division__parent")
    if state == "open":
        rows = rows.open()
    elif state == "overdue":
        rows = rows.overdue()
    elif state == "due_soon":
        rows = rows.due_by(horizon)
    elif state == "done":
        rows = rows.done()
    elif state != "all":
        raise KeyError(state)
    return rows.open_first("id")


def hamlet_resolutions_overdue(*, division: Division) -> int:
    """屋场会决议 not done past their 办结时限 in ``division``'s subtree (one COUNT): the dashboard's
    overdue follow-ups figure adds it (``registry.provided("follow_ups.hamlet_resolutions")``)."""
    return MeetingResolution.objects.in_subtree(division).overdue().count()


def hamlet_resolutions_overdue_rows() -> QuerySet:
    """Every overdue 屋场会决议 as ``division_ref`` rows (its 屋场's division): the part of the overdue
    follow-ups roll-up (``residential.follow_ups``) that this app's rows make; the same rule as
    ``hamlet_resolutions_overdue``."""
    return MeetingResolution.objects.overdue().values(division_ref=F("meeting__hamlet__division")).order_by()


def hamlet_resolutions_follow_up_link() -> tuple[str, str]:
    """The follow-up list's title and URL, for other apps' follow-up pages (through the registry)."""
    from django.urls import reverse

    return str(_("屋场会决议跟进")), reverse("villages:follow-ups")
