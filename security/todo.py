"""What the security app adds to 我的待办 (``governance.todo``): cases waiting for a body the user works
for to accept them, cases being handled whose deadline falls within three working days, and open
cases past their deadline. "A body the user works for" is ``MediationBody.objects.acting_for``: the
bodies a mediator or police officer staffs (a station's 矛调中心 too), and for officers the bodies in
their scope."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import TodoItem, TodoSource, registry
from governance.todo import due_soon_horizon
from security.choices import AWAITING_ACCEPTANCE, OPEN_STATUSES, Status
from security.models import Dispute, MediationBody

HANDLING = (Status.ACCEPTED, Status.MEDIATING)
CASE_ROLES = frozenset({Role.MEDIATOR, Role.POLICE, Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER})


def _mine(user: Any, condition: Q):
    """Cases the user may see that are now with a body they act for, matching ``condition``."""
    bodies = MediationBody.objects.acting_for(user).values("pk")
    return Dispute.objects.for_user(user).filter(condition, current_body__in=bodies)


def _awaiting(user: Any) -> Q:
    return Q(status__in=AWAITING_ACCEPTANCE)


def _due_soon(user: Any) -> Q:
    today = timezone.localdate()
    return Q(status__in=HANDLING, deadline__gte=today, deadline__lte=due_soon_horizon(today))


def _overdue(user: Any) -> Q:
    return Q(status__in=OPEN_STATUSES, deadline__lt=timezone.localdate())


def _items(condition, order: str, *, overdue: bool = False):
    def items(user: Any, limit: int) -> list[TodoItem]:
        rows = _mine(user, condition(user)).order_by(order, "id").values("pk", "number", "category", "deadline")[:limit]
        return [
            TodoItem(
                title=f"{row['number']}",
                url=reverse("security:dispute-detail", args=[row["pk"]]),
                date=row["deadline"],
                overdue=overdue,
            )
            for row in rows
        ]

    return items


def _count(condition):
    return lambda user: _mine(user, condition(user)).count()


registry.todo(
    TodoSource(
        key="security.awaiting",
        title=_("待接收的纠纷"),
        roles=CASE_ROLES,
        permission="security.change_dispute",
        count=_count(_awaiting),
        items=_items(_awaiting, "received_at"),
        url_name="security:dispute-list",
        query="status=routed&status=transferred&status=escalated&status=returned&acting=true",
        order=10,
    )
)
registry.todo(
    TodoSource(
        key="security.due_soon",
        title=_("三个工作日内到期的纠纷"),
        roles=CASE_ROLES,
        permission="security.change_dispute",
        count=_count(_due_soon),
        items=_items(_due_soon, "deadline"),
        url_name="security:dispute-list",
        query="due_soon=true&acting=true",
        order=11,
    )
)
registry.todo(
    TodoSource(
        key="security.overdue",
        title=_("已超期的纠纷"),
        roles=CASE_ROLES,
        permission="security.change_dispute",
        count=_count(_overdue),
        items=_items(_overdue, "deadline", overdue=True),
        url_name="security:dispute-list",
        query="overdue=true&acting=true",
        order=12,
    )
)
