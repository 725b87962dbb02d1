"""Counting and paging over tables that grow to millions of rows (issue 12 item 3), for the admin's
changelists (``governance.admin_site.BigTableAdminMixin``) and the API's page-numbered lists
(``governance.api.pagination.StandardPagination``).

No full ``COUNT(*)``: PostgreSQL's planner estimate first (``EXPLAIN``, about a millisecond); an exact
count only when that estimate says the rows are few, and then capped at ``EXACT_COUNT_LIMIT + 1`` rows.
A page is read as its primary keys first (``OFFSET`` over the ordering's index, no joins) and then
those rows with their related rows; whether another page follows is read (one key more), never
derived from an estimated count, so no row is ever out of reach because the estimate was low."""

from __future__ import annotations

import json
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import QuerySet
from django.db.models.query import ModelIterable
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

#: Up to this many rows a list counts exactly; above it the count is the planner's estimate.
EXACT_COUNT_LIMIT = 10_000


def planner_rows(queryset: QuerySet) -> int:
    """PostgreSQL's estimate of how many rows ``queryset`` returns (``EXPLAIN``: ``pg_class.reltuples``
    scaled by the selectivity of its conditions), read without running it. Rows, ≥ 0."""
    if queryset.query.is_empty():  # ``.none()``: nothing to plan (EXPLAIN would answer nothing)
        return 0
    text = queryset.order_by().values("pk").explain(format="json")
    try:
        return max(int(json.loads(text)[0]["Plan"]["Plan Rows"]), 0)
    except (ValueError, LookupError, TypeError):  # an answer without a plan: count (capped) instead
        return 0


def capped_count(queryset: QuerySet, limit: int) -> int:
    """``COUNT(*)`` over at most ``limit + 1`` rows: exact below the cap, ``limit + 1`` at or above it."""
    return queryset.order_by().values("pk")[: limit + 1].count()


class EstimatedPage(Page):
    """A page that knows whether another follows from having read one row more."""

    def __init__(self, object_list: Any, number: int, paginator: Paginator, more: bool) -> None:
        super().__init__(object_list, number, paginator)
        self.more = more

    def has_next(self) -> bool:
        return self.more

    def end_index(self) -> int:
        return (self.number - 1) * self.paginator.per_page + len(self.object_list)


class EstimatedCountPaginator(Paginator):
    """``count`` exact up to ``exact_limit`` rows, else the planner's estimate (``estimated`` is then
    true: pages write 约 before it); pages read by key (see the module's docstring). Over a list that
    is not a queryset it is Django's paginator."""

    exact_limit = EXACT_COUNT_LIMIT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.estimated = False

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if not isinstance(rows, QuerySet):
            return super().count
        estimate = planner_rows(rows)
        if estimate <= self.exact_limit:
            exact = capped_count(rows, self.exact_limit)
            if exact <= self.exact_limit:
                return exact
        self.estimated = True
        return max(estimate, self.exact_limit + 1)

    def validate_number(self, number: Any) -> int:
        if not (self.count and self.estimated):
            return super().validate_number(number)
        # An estimate may be low: any page is tried, and an empty one is refused by ``page``.
        try:
            value = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("页码须为整数。")) from None
        if value < 1:
            raise EmptyPage(_("页码须为正整数。"))
        return value

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        rows = self.object_list
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page + 1
        if isinstance(rows, QuerySet) and rows._iterable_class is ModelIterable:
            keys = list(rows.values_list("pk", flat=True)[bottom:top])
            more = len(keys) > self.per_page
            keys = keys[: self.per_page]
            position = {key: index for index, key in enumerate(keys)}
            page_rows = sorted(rows.order_by().filter(pk__in=keys), key=lambda row: position[row.pk])
        else:  # plain values or a list: one extra row tells whether another page follows
            page_rows = list(rows[bottom:top])
            more = len(page_rows) > self.per_page
            page_rows = page_rows[: self.per_page]
        if not page_rows and number > 1:
            raise EmptyPage(_("该页没有数据。"))
        return EstimatedPage(page_rows, number, self, more)
