"""What the security app adds to 我的待办 (``governance.todo``): cases waiting for a body the user works
for to accept them, cases being handled whose deadline falls within three working days, and open
cases past their deadline. "A body the user works for" is ``MediationBody.objects.acting_for``: the
bodies a mediator or police officer staffs (a station's 矛调中心 too), and for officers the bodies in
their scope."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import TodoItem, TodoSource, registry
from security.models import Dispute

CASE_ROLES = frozenset({Role.MEDIATOR, Role.POLICE, Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER})


def _items(cases, *, order: str, overdue: bool = False):
    def items(user: Any, limit: int) -> list[TodoItem]:
        rows = cases(user).order_by(order, "id").values("pk", "number", "category", "deadline")[:limit]
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


def _mine(user: Any):
    """Cases the user may see that are now with a body they act for."""
    return Dispute.objects.for_user(user).with_bodies_of(user)


# (key, title, the cases, work-list order, overdue?, the dispute list's query for "查看全部", order):
# the query's filters select with the same conditions (``security.querysets``) as the count.
SOURCES = (
    (
        "security.awaiting",
        _("待接收的纠纷"),
        lambda user: _mine(user).awaiting(),
        "received_at",
        False,
        "status=routed&status=transferred&status=escalated&status=returned&acting=true",
        10,
    ),
    (
        "security.due_soon",
        _("三个工作日内到期的纠纷"),
        lambda user: _mine(user).due_soon(),
        "deadline",
        False,
        "due_soon=true&acting=true",
        11,
    ),
    (
        "security.overdue",
        _("已超期的纠纷"),
        lambda user: _mine(user).overdue(),
        "deadline",
        True,
        "overdue=true&acting=true",
        12,
    ),
)

for key, title, cases, order, overdue, query, position in SOURCES:
    registry.todo(
        TodoSource(
            key=key,
            title=title,
            roles=CASE_ROLES,
            permission="security.change_dispute",
            count=lambda user, cases=cases: cases(user).count(),
            items=_items(cases, order=order, overdue=overdue),
            url_name="security:dispute-list",
            query=query,
            order=position,
        )
    )
