"""Figures several indicators share, computed once per dashboard (issue 12 item 2).

Some indicators that cannot roll up read the same selector for different keys (接处警、刑事立案、行政案件
同比 all read one comparison; the red and the black list one latest list; 按期 and 滞后 one projects
count). ``dashboard_compute`` runs inside ``figures_shared()``; an app wraps the call its indicators
share with ``@shared_figure``, and within that block a call with the same keyword arguments is
answered from memory instead of querying again. Outside the block (an API view, a report) the
function simply runs. Nothing outlives the block, so figures are never stale."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

_memo: ContextVar[dict | None] = ContextVar("shared_figures", default=None)

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def figures_shared() -> Iterator[None]:
    """The span within which ``@shared_figure`` calls with equal arguments are computed once."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _hashable(value: Any) -> Any:
    """A model instance by its class and primary key (two loads of one division are the same key)."""
    pk = getattr(value, "pk", None)
    if pk is not None and hasattr(value, "_meta"):
        return (value._meta.label, pk)
    return value


def shared_figure(func: F) -> F:
    """Decorator for a function of keyword arguments only (dates, numbers, strings, model
    instances): within ``figures_shared()`` each distinct call runs once."""

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        memo = _memo.get()
        if memo is None:
            return func(**kwargs)
        key = (func.__module__, func.__qualname__, tuple(sorted((k, _hashable(v)) for k, v in kwargs.items())))
        if key not in memo:
            memo[key] = func(**kwargs)
        return memo[key]

    return wrapper  # type: ignore[return-value]
