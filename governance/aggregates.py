"""Several querysets' aggregates in one query (issue 12: the dashboard's base-table figures).

``queryset.aggregate(**aggregates)`` costs a query per call. A dashboard figure that cannot roll up may
still need a few aggregates of different tables, or of one table for different periods; each is
compiled here as an aggregate subquery without ``GROUP BY`` (always exactly one row) and the subqueries
are cross-joined, so they all cost one round trip whatever their number. The querysets and aggregates
are the selectors' own, so the rules stay written once."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Aggregate, QuerySet, Value

# One part: the rows (a queryset) and the aggregates wanted of them, as ``queryset.aggregate`` takes them.
AggregatePart = tuple[QuerySet, Mapping[str, Aggregate]]


def aggregate_together(parts: Sequence[AggregatePart]) -> list[dict[str, Any]]:
    """What ``queryset.aggregate(**aggregates)`` gives for each part, in the parts' order, in ONE query
    (none when no part has rows to read). Values are as the database returns them (``int`` for a count,
    ``Decimal`` for a sum of decimals, ``None`` for the sum of no rows). All parts are read where the
    router sends the first part's reads (a replica or the primary)."""
    results: list[dict[str, Any]] = [{} for _ in parts]
    selects: list[str] = []
    params: list[Any] = []
    names: dict[str, tuple[int, str]] = {}  # column alias → (part index, aggregate name)
    for index, (queryset, aggregates) in enumerate(parts):
        if not aggregates:
            continue
        # Grouping by a constant groups nothing: Django leaves GROUP BY out, so the subquery is one row.
        aliased = {f"a{index}_{position}": agg for position, agg in enumerate(aggregates.values())}
        names.update({alias: (index, name) for alias, name in zip(aliased, aggregates, strict=True)})
        query = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(**aliased).values(*aliased)
        try:
            sql, part_params = query.query.sql_with_params()
        except EmptyResultSet:  # ``.none()``: what ``aggregate`` gives for no rows, without asking
            results[index] = {name: agg.empty_result_set_value for name, agg in aggregates.items()}
            continue
        selects.append(f"({sql}) AS p{index}")
        params.extend(part_params)
    if not selects:
        return results
    with connections[parts[0][0].db].cursor() as cursor:
        cursor.execute(f"SELECT * FROM {' CROSS JOIN '.join(selects)}", params)
        row = cursor.fetchone()
        aliases = [column.name for column in cursor.description]
    for alias, value in zip(aliases, row, strict=True):
        index, name = names[alias]
        results[index][name] = value
    return results
