"""What the civility app adds to 我的待办 (``governance.todo``): villagers' self-reported entries in the
officer's scope waiting for confirmation (``civility.selectors.pending_entries``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civility.models import PointEntry
from governance.models import Role
from governance.registry import TodoItem, TodoSource, registry


def _pending(user: Any):
    return PointEntry.objects.for_user(user).pending()


def _items(user: Any, limit: int) -> list[TodoItem]:
    rows = _pending(user).order_by("created_at", "id").values("account__household__number", "points", "occurred_on")
    url = reverse("civility:pending")
    return [
        TodoItem(
            title=str(
                _("%(household)s 自报 %(points)s 分")
                % {"household": row["account__household__number"], "points": row["points"]}
            ),
            url=url,
            date=row["occurred_on"],
        )
        for row in rows[:limit]
    ]


registry.todo(
    TodoSource(
        key="civility.pending",
        title=_("待确认的村民自报积分"),
        roles=frozenset({Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER}),
        permission="civility.change_pointentry",
        count=lambda user: _pending(user).count(),
        items=_items,
        url_name="civility:pending",
        order=20,
    )
)
