"""Roll-ups, the nightly check (``governance.rollups``): a sample of own, day and subtree cells recomputed
from the base tables (the subtree cells from the own cells), mismatches logged and repaired."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from governance.dates import month_start
from governance.registry import RollupSource
from governance.rollups import (
    _keys,
    _pairs_filter,
    _tree_refresh,
    _tree_select,
    day_cells_from,
    rolled_indicators,
    rollup_sources,
    source_day_select,
    source_refresh,
    source_select,
)

logger = logging.getLogger("governance.rollups")


def rollups_verify(*, sample: int = 200) -> dict[str, int]:
    """Recompute ``sample`` random (division, month) pairs per source from the base tables and compare
    with the cells; every mismatch is logged and repaired (the pair marked dirty and refreshed).
    Returns ``{"checked": n, "mismatched": m}``."""
    checked = mismatched = 0
    for source in rollup_sources():
        keys = _keys(source)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT division_id, month FROM (SELECT DISTINCT division_id, month FROM governance_rollupcell "
                "WHERE indicator = ANY(%s)) p ORDER BY random() LIMIT %s",
                [keys, sample],
            )
            pairs = cursor.fetchall()
            # Pairs with base rows but no cell at all are found by comparing the other way too.
            cursor.execute(
                f"SELECT division_id, month FROM ({source_select(source)}) s ORDER BY random() LIMIT %s", [sample]
            )
            pairs = list({*pairs, *cursor.fetchall()})
        if not pairs:
            continue
        divisions, months = [p[0] for p in pairs], [p[1] for p in pairs]
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indicator, division_id, month, numerator, denominator FROM governance_rollupcell "
                "WHERE indicator = ANY(%s) AND (division_id, month) IN "
                "(SELECT * FROM unnest(%s::bigint[], %s::date[]))",
                [keys, divisions, months],
            )
            stored = {(r[0], r[1], r[2]): (r[3], r[4]) for r in cursor.fetchall()}
            cursor.execute(
                f"SELECT * FROM ({source_select(source, _pairs_filter(source, months))}) s", [divisions, months]
            )
            fresh = _fresh_cells(cursor, source, "month")
        bad = set()
        for key in set(stored) | set(fresh):
            if not _same(stored.get(key), fresh.get(key)):
                bad.add((key[1], key[2]))
                logger.error("rollups: %s %s %s stored %s, base tables %s", *key, stored.get(key), fresh.get(key))
        if source.day_column:
            bad |= _day_cells_mismatched(source, keys, pairs)
        checked += len(pairs)
        mismatched += len(bad)
        if bad:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO governance_rollupdirty (source, division_id, month) VALUES (%s, %s, %s)",
                    [(source.key, d, m) for d, m in bad],
                )
            while source_refresh(source):
                pass
    tree = _tree_verify(sample=sample)
    return {"checked": checked + tree["checked"], "mismatched": mismatched + tree["mismatched"]}


def _tree_verify(*, sample: int) -> dict[str, int]:
    """Compare ``sample`` random (division, month) pairs of subtree cells with the sums of the own cells
    under them (both ways: stored and expected); log and repair mismatches."""
    keys = [i.key for i in rolled_indicators()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT division_id, month FROM (SELECT DISTINCT division_id, month FROM governance_rolluptreecell "
            "UNION SELECT DISTINCT division_id, month FROM governance_rollupcell) p ORDER BY random() LIMIT %s",
            [sample],
        )
        pairs = cursor.fetchall()
        if not pairs:
            return {"checked": 0, "mismatched": 0}
        divisions, months = [p[0] for p in pairs], [p[1] for p in pairs]
        chosen = "(a.id, c.month) IN (SELECT * FROM unnest(%s::bigint[], %s::date[]))"
        cursor.execute(
            f"SELECT * FROM ({_tree_select(chosen + ' AND c.indicator = ANY(%s)')}) t", [divisions, months, keys]
        )
        fresh = {(r[0], r[1], r[2]): (r[3], r[4]) for r in cursor.fetchall()}
        cursor.execute(
            "SELECT indicator, division_id, month, numerator, denominator FROM governance_rolluptreecell "
            "WHERE indicator = ANY(%s) AND (division_id, month) IN (SELECT * FROM unnest(%s::bigint[], %s::date[]))",
            [keys, divisions, months],
        )
        stored = {(r[0], r[1], r[2]): (r[3], r[4]) for r in cursor.fetchall()}
    bad: set[tuple] = set()
    for key in set(stored) | set(fresh):
        if not _same(stored.get(key), fresh.get(key)):
            bad.add((key[1], key[2]))
            logger.error("rollups: subtree %s %s %s stored %s, own cells %s", *key, stored.get(key), fresh.get(key))
    if bad:
        with transaction.atomic(), connection.cursor() as cursor:
            _tree_refresh(cursor, keys, [d for d, _ in bad], [m for _, m in bad])
    return {"checked": len(pairs), "mismatched": len(bad)}


def _day_cells_mismatched(source: RollupSource, keys: list[str], pairs: list[tuple]) -> set[tuple]:
    """The (division, month) pairs, of those from ``day_cells_from()``, whose stored day cells differ
    from the base tables' (each logged)."""
    since = day_cells_from()
    recent = [(d, m) for d, m in pairs if m >= since]
    if not recent:
        return set()
    divisions, months = [p[0] for p in recent], [p[1] for p in recent]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indicator, division_id, day, numerator, denominator FROM governance_rollupdaycell "
            "WHERE indicator = ANY(%s) AND day >= %s AND (division_id, date_trunc('month', day)::date) IN "
            "(SELECT * FROM unnest(%s::bigint[], %s::date[]))",
            [keys, min(months), divisions, months],
        )
        stored = {(r[0], r[1], r[2]): (r[3], r[4]) for r in cursor.fetchall()}
        cursor.execute(
            f"SELECT * FROM ({source_day_select(source, _pairs_filter(source, months))}) s", [divisions, months]
        )
        fresh = _fresh_cells(cursor, source, "day")
    bad = set()
    for key in set(stored) | set(fresh):
        if not _same(stored.get(key), fresh.get(key)):
            bad.add((key[1], month_start(key[2])))
            logger.error("rollups: %s %s day %s stored %s, base tables %s", *key, stored.get(key), fresh.get(key))
    return bad


def _fresh_cells(cursor: Any, source: RollupSource, when: str) -> dict[tuple, tuple]:
    """The cells the just-executed ``source_select`` / ``source_day_select`` gives, per indicator of
    ``source``: ``{(indicator, division_id, <when>): (numerator, denominator)}`` (``when``: "month"
    or "day", the select's period column)."""
    columns = [c.name for c in cursor.description]
    fresh: dict[tuple, tuple] = {}
    for row in cursor.fetchall():
        data = dict(zip(columns, row, strict=True))
        for indicator in rolled_indicators(source.key):
            rollup = indicator.rollup
            assert rollup is not None
            den = data[f"m_{rollup.denominator}"] if rollup.denominator else None
            fresh[(indicator.key, data["division_id"], data[when])] = (data[f"m_{rollup.numerator}"] or 0, den)
    return fresh


def _same(a: tuple | None, b: tuple | None) -> bool:
    def norm(pair: tuple | None) -> tuple:
        if pair is None:
            return (Decimal(0), None)
        num, den = pair
        return (Decimal(num or 0), None if den is None else Decimal(den))

    left, right = norm(a), norm(b)
    # A cell of zeros and no cell at all mean the same.
    return (_is_zero(left) and _is_zero(right)) or left == right


def _is_zero(pair: tuple) -> bool:
    return pair[0] == 0 and (pair[1] is None or pair[1] == 0)
