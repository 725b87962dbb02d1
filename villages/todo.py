"""What the villages app adds to 我的待办 (``governance.todo``): 屋场会决议 in the officer's scope not yet
done (落实情况 not 已办结) whose 办结时限 is past, or falls within three working days."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import TodoItem, TodoSource, registry
from governance.todo import due_soon_horizon
from villages.choices import FollowUpStatus
from villages.models import MeetingResolution

OFFICERS = frozenset({Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER})


def _rows(user: Any, overdue: bool):
    today = timezone.localdate()
    window = Q(due_on__lt=today) if overdue else Q(due_on__gte=today, due_on__lte=due_soon_horizon(today))
    return (
        MeetingResolution.objects.for_user(user)
        .exclude(follow_up=FollowUpStatus.DONE)
        .filter(window, due_on__isnull=False)
    )


def _source(overdue: bool) -> TodoSource:
    state = "state=overdue" if overdue else "state=due_soon"

    def items(user: Any, limit: int) -> list[TodoItem]:
        rows = (
            _rows(user, overdue)
            .order_by("due_on", "id")
            .values("pk", "text", "due_on", "meeting__hamlet_id", "meeting__hamlet__division__name")[:limit]
        )
        return [
            TodoItem(
                title=f"{row['meeting__hamlet__division__name']} · {row['text'][:40]}",
                url=f"{reverse('villages:follow-ups')}?{state}#resolution-{row['pk']}",
                date=row["due_on"],
                overdue=overdue,
            )
            for row in rows
        ]

    return TodoSource(
        key=f"villages.resolutions.{'overdue' if overdue else 'due_soon'}",
        title=_("超期的屋场会决议") if overdue else _("三个工作日内到期的屋场会决议"),
        roles=OFFICERS,
        permission="villages.change_meetingresolution",
        count=lambda user: _rows(user, overdue).count(),
        items=items,
        url_name="villages:follow-ups",
        query=state,
        order=36 if overdue else 37,
    )


registry.todo(_source(True))
registry.todo(_source(False))
