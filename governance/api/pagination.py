"""API pagination. ``StandardPagination`` (page numbers with a count) for registers of bounded size;
``KeysetPagination`` for lists that grow to millions of rows (disputes, ledger entries).

A keyset page is one index range read after the last row seen: no ``COUNT(*)`` over the caller's whole
scope and no ``OFFSET`` however deep the page. The answer has ``next`` and ``previous`` links (opaque
cursors) instead of ``count``.

DRF's ``CursorPagination`` keys on the first ordering field only and steps over equal values with an
offset it caps at 1 000, so it repeats or skips rows on a field with many equal values (a risk score, a
deadline). Here the key is the whole ordering, always ending with ``id``, so every position is unique."""

from __future__ import annotations

import datetime
import json

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q
from rest_framework.exceptions import NotFound
from rest_framework.pagination import Cursor, CursorPagination, PageNumberPagination, _reverse_ordering

from governance.paging import EXACT_COUNT_LIMIT, EstimatedCountPaginator


class StandardPagination(PageNumberPagination):
    """``?page=`` and ``?page_size=`` (up to ``API_MAX_PAGE_SIZE``) with ``count``. No full ``COUNT(*)``
    of a big table: ``count`` is exact up to ``EXACT_COUNT_LIMIT`` (10 000) rows, above that
    PostgreSQL's estimate; a page is read by key, and ``next`` is given when a row follows (read, not
    derived from the count), so every row stays reachable (``governance.paging``)."""

    page_size_query_param = "page_size"
    django_paginator_class = EstimatedCountPaginator

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"]["description"] = (
            f"行数：{EXACT_COUNT_LIMIT} 行以内为精确值，超过时为数据库的估计值。"
            f" Rows: exact up to {EXACT_COUNT_LIMIT}, PostgreSQL's estimate above."
        )
        return answer

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE


def _isoformat(value) -> str:
    # Full precision: DjangoJSONEncoder cuts microseconds, and two rows would share a position.
    if isinstance(value, datetime.date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _after(field, value, descending: bool) -> Q:
    """Rows strictly after ``value`` on one key (PostgreSQL puts NULLs last ascending, first descending)."""
    name = field.name
    if value is None:
        return Q(**{f"{name}__isnull": False}) if descending else Q(pk__in=[])
    condition = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
    if field.null and not descending:
        condition |= Q(**{f"{name}__isnull": True})
    return condition


def _equal(field, value) -> Q:
    return Q(**{f"{field.name}__isnull": True}) if value is None else Q(**{field.name: value})


class KeysetPagination(CursorPagination):
    """``?page_size=`` (up to ``API_MAX_PAGE_SIZE``) and ``?cursor=``; follows the view's ``ordering``
    filter, with ``id`` added as the last key."""

    ordering = ("-id",)
    page_size_query_param = "page_size"
    # Positions are unique, so the offset DRF keeps for equal positions is never needed.
    offset_cutoff = 0

    @property
    def max_page_size(self) -> int:
        return settings.API_MAX_PAGE_SIZE

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view))
        if not any(key.lstrip("-") in ("id", "pk") for key in ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return tuple(ordering)

    def _fields(self, queryset, ordering):
        return [queryset.model._meta.get_field(key.lstrip("-")) for key in ordering]

    def _get_position_from_instance(self, instance, ordering):
        get = instance.__getitem__ if isinstance(instance, dict) else instance.__getattribute__
        return json.dumps([get(key.lstrip("-")) for key in ordering], default=_isoformat)

    def _decode_position(self, position: str, fields) -> list:
        try:
            values = json.loads(position)
            if not isinstance(values, list) or len(values) != len(fields):
                raise ValueError
            pairs = zip(fields, values, strict=True)
            return [None if value is None else field.to_python(value) for field, value in pairs]
        except (ValueError, TypeError, ValidationError):
            raise NotFound(self.invalid_cursor_message) from None

    def _keyset_filter(self, queryset, ordering, values):
        """``(k1, k2, …) after (v1, v2, …)`` in ``ordering``, written so that the first key bounds an
        index range (``k1 <= v1``) instead of being tested row by row from the top."""
        fields = self._fields(queryset, ordering)
        condition, prefix = Q(pk__in=[]), Q()
        for key, field, value in zip(ordering, fields, values, strict=True):
            condition |= prefix & _after(field, value, key.startswith("-"))
            prefix &= _equal(field, value)
        first_key, first = ordering[0], values[0]
        if first is not None and not fields[0].null:
            condition &= Q(**{f"{fields[0].name}__{'lte' if first_key.startswith('-') else 'gte'}": first})
        return queryset.filter(condition)

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        self.ordering = self.get_ordering(request, queryset, view)
        try:
            fields = self._fields(queryset, self.ordering)
        except FieldDoesNotExist:
            raise NotFound(self.invalid_cursor_message) from None
        self.cursor = self.decode_cursor(request)
        reverse, position = (False, None) if self.cursor is None else (self.cursor.reverse, self.cursor.position)
        ordering = _reverse_ordering(self.ordering) if reverse else self.ordering
        queryset = queryset.order_by(*ordering)
        if position is not None:
            queryset = self._keyset_filter(queryset, ordering, self._decode_position(position, fields))

        # One row more than the page tells whether another page follows.
        results = list(queryset[: self.page_size + 1])
        self.page = results[: self.page_size]
        more = len(results) > len(self.page)
        if reverse:
            self.page.reverse()
        self.has_next = position is not None if reverse else more
        self.has_previous = more if reverse else position is not None
        self.position = position
        self.display_page_controls = self.has_previous or self.has_next
        return self.page

    def _link(self, row, reverse: bool) -> str:
        position = self.position if row is None else self._get_position_from_instance(row, self.ordering)
        return self.encode_cursor(Cursor(offset=0, reverse=reverse, position=position))

    def get_next_link(self):
        return self._link(self.page[-1] if self.page else None, reverse=False) if self.has_next else None

    def get_previous_link(self):
        return self._link(self.page[0] if self.page else None, reverse=True) if self.has_previous else None
