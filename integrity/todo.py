"""What the integrity app adds to 我的待办 (``governance.todo``): clues in the discipline officer's scope
still waiting for one of the four dispositions. Only the count and a link to the clue list are shown:
opening and listing clues stays on the integrity pages, which write the access log."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import TodoItem, TodoSource, registry
from integrity.choices import ClueStatus
from integrity.models import Clue


def _count(user: Any) -> int:
    return Clue.objects.for_user(user).filter(status=ClueStatus.RECEIVED).count()


def _items(user: Any, limit: int) -> list[TodoItem]:
    return []


registry.todo(
    TodoSource(
        key="integrity.clues",
        title=_("待处置的问题线索"),
        roles=frozenset({Role.DISCIPLINE_INSPECTOR}),
        permission="integrity.view_clue",
        count=_count,
        items=_items,
        url_name="integrity:clue-list",
        query="status=received",
        order=40,
    )
)
