"""What 星物管 adds to 我的待办 (``governance.todo``): 业委会整治, 执法进小区 rectifications and 楼宇会决议
in the officer's scope that are overdue or due within three working days (``governance.calendar``)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import TodoItem, TodoSource, registry
from governance.todo import due_soon_horizon
from residential.selectors import FOLLOW_UP_KINDS

OFFICERS = frozenset({Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER})
TITLES = {
    "rectification": (_("超期的业委会整治"), _("三个工作日内到期的业委会整治")),
    "enforcement": (_("超期的执法进小区整改"), _("三个工作日内到期的执法进小区整改")),
    "resolution": (_("超期的楼宇会决议"), _("三个工作日内到期的楼宇会决议")),
}
PERMISSIONS = {
    "rectification": "residential.change_committeerectification",
    "enforcement": "residential.change_enforcementvisit",
    "resolution": "residential.change_meetingresolution",
}
LABELS = {
    "rectification": ("committee__compound__division__name", "problem"),
    "enforcement": ("compound__division__name", "department"),
    "resolution": ("meeting__compound__division__name", "content"),
}


def _rows(kind: str, overdue: bool, user: Any):
    rows = FOLLOW_UP_KINDS[kind][0].objects.for_user(user)
    return rows.overdue() if overdue else rows.due_by(due_soon_horizon())


def _source(kind: str, overdue: bool, order: int) -> TodoSource:
    due_field = FOLLOW_UP_KINDS[kind][0].objects.none().due_field
    place, what = LABELS[kind]

    def items(user: Any, limit: int) -> list[TodoItem]:
        rows = _rows(kind, overdue, user).order_by(due_field, "id").values("pk", place, what, due_field)[:limit]
        base = reverse("residential:follow-ups")
        return [
            TodoItem(
                title=f"{row[place]} · {row[what][:40]}",
                url=f"{base}?kind={kind}&state={'overdue' if overdue else 'due_soon'}#follow-up-{row['pk']}",
                date=row[due_field],
                overdue=overdue,
            )
            for row in rows
        ]

    return TodoSource(
        key=f"residential.{kind}.{'overdue' if overdue else 'due_soon'}",
        title=TITLES[kind][0 if overdue else 1],
        roles=OFFICERS,
        permission=PERMISSIONS[kind],
        count=lambda user: _rows(kind, overdue, user).count(),
        items=items,
        url_name="residential:follow-ups",
        query=f"kind={kind}&state={'overdue' if overdue else 'due_soon'}",
        order=order,
    )


for index, kind in enumerate(FOLLOW_UP_KINDS):
    registry.todo(_source(kind, True, 30 + 2 * index))
    registry.todo(_source(kind, False, 31 + 2 * index))
