"""我的待办 (issue 13 item 6): what waits for the signed-in user or the body they work for, gathered
from the kinds of work each app registers (``registry.todo``, from the app's ``todo.py``): cases to
accept, cases due within three working days (``governance.calendar``), overdue cases and follow-ups,
ledger entries to confirm, clues to dispose of. One page, ``/todo/``, and the total on the home page's
tile. governance/ imports no app: the sources come only through the registry."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.generic import TemplateView

from governance.calendar import working_days_add
from governance.registry import TodoItem, TodoSource, registry

# "Due soon" everywhere in 我的待办: within this many working days from today (issue 13 item 6).
DUE_SOON_WORKING_DAYS = 3
# Rows shown per kind of work; the kind's list page has the rest.
TODO_ROWS = 10


def due_soon_horizon(today: datetime.date | None = None) -> datetime.date:
    """The last day counted as "due soon": ``DUE_SOON_WORKING_DAYS`` working days after ``today``
    (Asia/Shanghai), by the district's calendar (holidays and 调休 included)."""
    return working_days_add(today or timezone.localdate(), DUE_SOON_WORKING_DAYS)


@dataclass
class TodoGroup:
    """One kind of work on the page: its source, how many wait, the first rows and the full list's URL."""

    source: TodoSource
    count: int
    items: list[TodoItem]
    url: str


def todo_sources(user: Any) -> list[TodoSource]:
    """The kinds of work open to ``user`` (by role and permission), in their order."""
    sources = sorted(registry.todo_sources.values(), key=lambda s: (s.order, s.key))
    return [source for source in sources if source.open_to(user)]


def _url(source: TodoSource) -> str:
    if not source.url_name:
        return ""
    try:
        return reverse(source.url_name) + (f"?{source.query}" if source.query else "")
    except NoReverseMatch:
        return ""


def todo_groups(user: Any, *, rows: int = TODO_ROWS) -> list[TodoGroup]:
    """Every kind of work open to ``user`` with its count and first ``rows`` rows (none are dropped for
    a zero count, so the page says "无" rather than hiding a duty). Two queries per kind, whatever the
    number of rows."""
    groups = []
    for source in todo_sources(user):
        count = source.count(user)
        items = source.items(user, rows) if count else []
        groups.append(TodoGroup(source=source, count=count, items=items, url=_url(source)))
    return groups


def todo_total(user: Any) -> int:
    """How many things wait for ``user`` in all (the home page's 我的待办 tile). One query per kind."""
    return sum(source.count(user) for source in todo_sources(user))


class TodoView(LoginRequiredMixin, TemplateView):
    """我的待办: a section per kind of work open to the user, what waits first (overdue marked)."""

    template_name = "governance/todo.html"

    def get_context_data(self, **kwargs):
        groups = todo_groups(self.request.user)
        return super().get_context_data(groups=groups, total=sum(g.count for g in groups), **kwargs)
