"""Roll-ups: the dashboard's figures kept per division, month and indicator in ``RollupCell``.

Each app declares, next to its indicators, the base rows they roll up from (``RollupSource``: one
``GROUP BY`` division, month) and how each figure stands on the measures (``Indicator.rollup``).
Cells hold the measures of the rows of exactly one division (``RollupCell``); ``RollupTreeCell`` holds
each division's whole subtree, summed from them over the division paths when they change. A dashboard
reads the subtree cells of its division and its children: a fixed handful of rows whatever the tree
below, so a write touches one own cell and the subtree cells of its ancestors.

Freshness: statement-level triggers on the base tables (AFTER INSERT/UPDATE/DELETE, with transition
tables) mark (source, division, month) dirty in ``RollupDirty`` — services, bulk updates and raw SQL
alike. ``rollups_refresh`` (Celery beat, every 15 seconds) claims dirty marks (``FOR UPDATE SKIP LOCKED``,
deleted with ``RETURNING``) and recomputes just those cells with one set-based query per source.
``rollups_verify`` (nightly) recomputes a sample from the base tables, logs and repairs mismatches;
``manage.py rollups_rebuild`` rebuilds everything.

Periods that do not start and end on month boundaries (this year *to date*, the same days a year
before) read their whole months from ``RollupCell`` and their partial months from ``RollupDayCell``:
month-to-date measures per division and day, kept from the same dirty marks for the last
``DAY_CELL_MONTHS`` months, so a part of a month is one cell (through its last day) or two (less the
day before its first) whatever the rows in it. The cells and day cells of a read are one query. Only a
partial month older than that is read from the base tables (one query for all sources, ``UNION ALL``).
"""

from __future__ import annotations

import datetime
import logging
import zlib
from collections.abc import Sequence
from typing import Any

from django.db import connection, connections, transaction
from django.utils import timezone

from governance.dates import month_end, month_start, months_add
from governance.registry import Indicator, RollupSource, RollupTrigger, registry

logger = logging.getLogger(__name__)

TZ = "Asia/Shanghai"
# The month under which a snapshot source's cells are kept (they do not depend on the period).
SNAPSHOT_MONTH = datetime.date(1970, 1, 1)
CLAIM_BATCH = 5000
# Months (the running one included) whose month-to-date day cells are kept: this month and the same
# month a year before, which the dashboard compares, with one to spare.
DAY_CELL_MONTHS = 14
TRIGGER_PREFIX = "rollup_dirty"


# --- declarations ---------------------------------------------------------------------------------


def rolled_indicators(source: str | None = None) -> list[Indicator]:
    """Registered indicators read from cells (their source declared), optionally of one source."""
    return [
        indicator
        for indicator in registry.indicators.values()
        if indicator.rollup is not None
        and indicator.rollup.source in registry.rollup_sources
        and (source is None or indicator.rollup.source == source)
    ]


def rollup_sources() -> list[RollupSource]:
    """Declared sources that at least one registered indicator reads."""
    used = {indicator.rollup.source for indicator in rolled_indicators() if indicator.rollup}
    return [registry.rollup_sources[key] for key in sorted(used)]


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _day_expr(source: RollupSource) -> str:
    if source.day_is_timestamp:
        return f"({source.day_column} AT TIME ZONE '{TZ}')::date"
    return source.day_column


def _month_expr(source: RollupSource) -> str:
    if not source.day_column:
        return f"DATE '{SNAPSHOT_MONTH:%Y-%m-%d}'"
    return f"date_trunc('month', {_day_expr(source)})::date"


def _bound(source: RollupSource, day: datetime.date) -> str:
    """SQL comparing ``source.day_column`` to the start of ``day`` (local midnight for a timestamp), so
    that an index on the raw column serves the range."""
    if source.day_is_timestamp:
        return f"(DATE '{day:%Y-%m-%d}'::timestamp AT TIME ZONE '{TZ}')"
    return f"DATE '{day:%Y-%m-%d}'"


def _from(source: RollupSource) -> str:
    return source.from_sql() if callable(source.from_sql) else source.from_sql


def _measures_sql(source: RollupSource) -> str:
    """The measures' SELECT list; ``{today}`` in a measure is today's local date (Django's, so a test's
    frozen clock counts as it does for the base-table figures)."""
    today = f"DATE '{timezone.localdate():%Y-%m-%d}'"
    return ", ".join(f"{sql.replace('{today}', today)} AS m_{name}" for name, sql in source.measures.items())


def source_select(source: RollupSource, where: str = "") -> str:
    """``SELECT division_id, month, m_<measure>… FROM <source> WHERE … GROUP BY 1, 2``."""
    conditions = " AND ".join(f"({c})" for c in (source.where, where) if c) or "TRUE"
    return (
        f"SELECT {source.division} AS division_id, {_month_expr(source)} AS month, {_measures_sql(source)} "
        f"FROM {_from(source)} WHERE {conditions} GROUP BY 1, 2"
    )


def day_cells_from(today: datetime.date | None = None) -> datetime.date:
    """The first month (its first day) whose day cells are kept: ``DAY_CELL_MONTHS`` months back,
    counting the running one (Asia/Shanghai ``today``)."""
    return months_add(month_start(today or timezone.localdate()), -(DAY_CELL_MONTHS - 1))


def source_day_select(source: RollupSource, where: str = "") -> str:
    """``SELECT division_id, day, m_<measure>…``: for each division and each day from its first day with
    rows in a month to that month's end, the measures summed from the month's first day through ``day``
    (month to date), over the months from ``day_cells_from()``. Measures are sums, so a running sum
    (window over the days) is exact. Only for a dated source (``day_column``)."""
    assert source.day_column, source.key
    since = f"{source.day_column} >= {_bound(source, day_cells_from())}"
    conditions = " AND ".join(f"({c})" for c in (source.where, where, since) if c)
    names = list(source.measures)
    running = ", ".join(f"COALESCE(sum(g.m_{name}) OVER w, 0) AS m_{name}" for name in names)
    return (
        f"WITH g AS (SELECT {source.division} AS division_id, {_day_expr(source)} AS day, {_measures_sql(source)} "
        f"FROM {_from(source)} WHERE {conditions} GROUP BY 1, 2) "
        f"SELECT f.division_id, gs.day::date AS day, {running} "
        "FROM (SELECT division_id, min(day) AS first FROM g WHERE division_id IS NOT NULL "
        "GROUP BY division_id, date_trunc('month', day)) f "
        "CROSS JOIN LATERAL generate_series(f.first::timestamp, "
        "date_trunc('month', f.first) + interval '1 month - 1 day', interval '1 day') AS gs(day) "
        "LEFT JOIN g ON g.division_id = f.division_id AND g.day = gs.day::date "
        "WINDOW w AS (PARTITION BY f.division_id, f.first ORDER BY gs.day)"
    )


def _cells_insert(source: RollupSource, select_sql: str, *, days: bool = False) -> str:
    """INSERT the cells of every indicator of ``source`` from ``select_sql``'s measures (one statement):
    ``RollupCell`` from ``source_select``'s (division, month) rows, or with ``days`` ``RollupDayCell``
    from ``source_day_select``'s (division, day) rows."""
    values = []
    for indicator in rolled_indicators(source.key):
        rollup = indicator.rollup
        assert rollup is not None
        den = f"s.m_{rollup.denominator}::numeric" if rollup.denominator else "NULL::numeric"
        values.append(f"({_quote(indicator.key)}, s.m_{rollup.numerator}::numeric, {den}, {_quote(rollup.kind)})")
    if days:
        table, columns, selected, key = "governance_rollupdaycell", "day", "s.day", "day"
    else:
        table, columns, selected, key = "governance_rollupcell", "month, kind", "s.month, x.kind", "month"
    return (
        f"INSERT INTO {table} (indicator, division_id, {columns}, numerator, denominator, computed_at) "
        f"SELECT x.indicator, s.division_id, {selected}, COALESCE(x.num, 0), x.den, now() "
        f"FROM ({select_sql}) s CROSS JOIN LATERAL (VALUES {', '.join(values)}) AS x(indicator, num, den, kind) "
        "WHERE s.division_id IS NOT NULL "
        f"ON CONFLICT (indicator, division_id, {key}) DO UPDATE SET numerator = EXCLUDED.numerator, "
        "denominator = EXCLUDED.denominator, computed_at = EXCLUDED.computed_at"
        + ("" if days else ", kind = EXCLUDED.kind")
    )


def _keys(source: RollupSource) -> list[str]:
    return [indicator.key for indicator in rolled_indicators(source.key)]


def _lock(cursor, source: RollupSource) -> bool:
    """One refresh of a source at a time (others skip it): a transaction-level advisory lock."""
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s, %s)", [4242, zlib.crc32(source.key.encode()) & 0x7FFFFFFF])
    return bool(cursor.fetchone()[0])


# --- triggers -------------------------------------------------------------------------------------


def source_triggers(source: RollupSource) -> tuple[RollupTrigger, ...]:
    """The source's own trigger tables and those other apps added (``registry.rollup_trigger``)."""
    return (*source.triggers, *registry.rollup_extra_triggers.get(source.key, ()))


def _trigger_name(source: RollupSource, index: int) -> str:
    """The name of the functions and triggers of ``source_triggers(source)[index]``: unique per trigger.
    The first trigger of a source on a table keeps the name it always had (source and table); a further
    one on the same table (e.g. a second way the same rows make cells dirty) adds its index."""
    triggers = source_triggers(source)
    trig = triggers[index]
    label = f"{source.key}:{trig.table}"
    if any(other.table == trig.table for other in triggers[:index]):
        label += f":{index}"
    return f"{TRIGGER_PREFIX}_{zlib.crc32(label.encode()):08x}"


def _trigger_sql(source: RollupSource) -> list[str]:
    """The functions and statement-level triggers marking (source, division, month) dirty, per table."""
    statements = []
    for index, trig in enumerate(source_triggers(source)):
        name = _trigger_name(source, index)
        month = f"date_trunc('month', ({trig.day}))::date" if trig.day else f"DATE '{SNAPSHOT_MONTH:%Y-%m-%d}'"

        def body(rows: str, trig=trig, month=month) -> str:
            return (
                "INSERT INTO governance_rollupdirty (source, division_id, month) "
                f"SELECT DISTINCT {_quote(source.key)}, ({trig.division}), {month} FROM {rows} r {trig.joins} "
                f"WHERE ({trig.division}) IS NOT NULL" + (f" AND ({trig.day}) IS NOT NULL" if trig.day else "")
            )

        both = "(SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows)"
        statements.append(
            f"""
CREATE OR REPLACE FUNCTION {name}_ins() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {body("new_rows")}; RETURN NULL; END $$;
CREATE OR REPLACE FUNCTION {name}_del() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {body("old_rows")}; RETURN NULL; END $$;
CREATE OR REPLACE FUNCTION {name}_upd() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN {body(both)}; RETURN NULL; END $$;
DROP TRIGGER IF EXISTS {name}_ins ON {trig.table};
DROP TRIGGER IF EXISTS {name}_del ON {trig.table};
DROP TRIGGER IF EXISTS {name}_upd ON {trig.table};
CREATE TRIGGER {name}_ins AFTER INSERT ON {trig.table} REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_ins();
CREATE TRIGGER {name}_del AFTER DELETE ON {trig.table} REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_del();
CREATE TRIGGER {name}_upd AFTER UPDATE ON {trig.table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_upd();
"""
        )
    return statements


def rollup_triggers_install(using: str = "default") -> int:
    """Create (or replace) the dirty-marking triggers of every declared source; idempotent. Run after
    ``migrate`` (post_migrate), since the base tables belong to other apps. Returns the tables covered."""

    count = 0
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass('governance_rollupdirty') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0
        for source in rollup_sources():
            for trig, sql in zip(source_triggers(source), _trigger_sql(source), strict=True):
                cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [trig.table])
                if cursor.fetchone()[0]:
                    cursor.execute(sql)
                    count += 1
    return count


def rollups_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    """post_migrate receiver: installs the triggers once per migrate (on the governance app's turn), and
    marks dirty the recent months of cells that have no day cells yet (a database upgraded to day
    cells, or a new dated source), so the next refresh writes them."""
    if sender.label == "governance":
        rollup_triggers_install(using)
        tree_cells_fill_missing(using)
        day_cells_mark_missing(using)


def tree_cells_fill_missing(using: str = "default") -> bool:
    """Build the subtree cells from the own cells when there are own cells and no subtree cell at all (a
    database upgraded to subtree cells): seconds at district size. Returns whether it built them."""
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass('governance_rolluptreecell') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return False
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM governance_rollupcell) "
            "AND NOT EXISTS (SELECT 1 FROM governance_rolluptreecell)"
        )
        if not cursor.fetchone()[0]:
            return False
        with transaction.atomic(using=using):
            _tree_rebuild(cursor, [i.key for i in rolled_indicators()])
    return True


def day_cells_mark_missing(using: str = "default") -> int:
    """Mark dirty each (source, division, month) from ``day_cells_from()`` that has month cells but no
    day cell; returns the marks written. Idempotent."""
    marked = 0
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT to_regclass('governance_rollupdaycell') IS NOT NULL")
        if not cursor.fetchone()[0]:
            return 0
        for source in rollup_sources():
            if not source.day_column:
                continue
            cursor.execute(
                "INSERT INTO governance_rollupdirty (source, division_id, month) "
                "SELECT DISTINCT %s, c.division_id, c.month FROM governance_rollupcell c "
                "WHERE c.indicator = ANY(%s) AND c.month >= %s AND NOT EXISTS (SELECT 1 "
                "FROM governance_rollupdaycell x WHERE x.indicator = c.indicator AND x.division_id = c.division_id "
                "AND x.day >= c.month AND x.day < c.month + interval '1 month')",
                [source.key, _keys(source), day_cells_from()],
            )
            marked += cursor.rowcount
    return marked


# --- refresh, rebuild, verify ---------------------------------------------------------------------


def _pairs_filter(source: RollupSource, months: Sequence[datetime.date]) -> str:
    """Rows of the claimed (division, month) pairs (bound as ``%s::bigint[]``, ``%s::date[]``); the
    day range of those months helps an index on the day column."""
    condition = f"({source.division}, {_month_expr(source)}) IN (SELECT * FROM unnest(%s::bigint[], %s::date[]))"
    if source.day_column:
        last = month_end(max(months)) + datetime.timedelta(days=1)
        column = source.day_column
        condition += f" AND {column} >= {_bound(source, min(months))} AND {column} < {_bound(source, last)}"
    return condition


def _no_jit(cursor: Any) -> None:
    """No JIT compilation for the rest of this transaction: a source's ``GROUP BY`` over partitioned
    tables (dispute events by month) plans hundreds of functions, and compiling them took 2 s where
    the query itself takes 0.1 s."""
    cursor.execute("SET LOCAL jit = off")


def _up_sql(path: str) -> str:
    """``CROSS JOIN LATERAL`` giving ``up.path``: every ancestor path of ``path`` (an SQL expression),
    itself included: ``"a/b/"`` → ``"a/"``, ``"a/b/"``."""
    parts = f"string_to_array(rtrim({path}, '/'), '/')"
    return (
        f"CROSS JOIN LATERAL (SELECT array_to_string(({parts})[1:n], '/') || '/' AS path "
        f"FROM generate_series(1, array_length({parts}, 1)) AS n) up"
    )


def _tree_select(where: str) -> str:
    """``SELECT indicator, division_id, month, numerator, denominator``: the subtree totals of the own
    cells (``governance_rollupcell c``, filtered by ``where``), each cell counted in every ancestor of its
    division (itself included)."""
    return (
        "SELECT c.indicator, a.id AS division_id, c.month, sum(c.numerator) AS numerator, "
        "sum(c.denominator) AS denominator FROM governance_rollupcell c "
        f"JOIN governance_division d ON d.id = c.division_id {_up_sql('d.path')} "
        f"JOIN governance_division a ON a.path = up.path WHERE {where} GROUP BY 1, 2, 3"
    )


def _tree_insert(select_sql: str) -> str:
    return (
        "INSERT INTO governance_rolluptreecell (indicator, division_id, month, numerator, denominator, computed_at) "
        f"SELECT t.indicator, t.division_id, t.month, t.numerator, t.denominator, now() FROM ({select_sql}) t"
    )


_ANCESTORS_OF = (
    "SELECT DISTINCT a.id FROM governance_division x {up} JOIN governance_division a ON a.path = up.path "
    "WHERE x.id = ANY(%s::bigint[])"
).format(up=_up_sql("x.path"))


def _tree_refresh(cursor: Any, keys: list[str], divisions: list, months: list) -> None:
    """Recompute the subtree cells of ``keys`` for every ancestor of ``divisions`` (themselves included)
    in ``months``, from the own cells (the root's read every own cell of those months: a few thousand
    rows a month at district size)."""
    months = sorted(set(months))
    cursor.execute(
        f"DELETE FROM governance_rolluptreecell WHERE division_id IN ({_ANCESTORS_OF}) "
        "AND month = ANY(%s::date[]) AND indicator = ANY(%s)",
        [list(set(divisions)), months, keys],
    )
    where = (
        f"a.id IN ({_ANCESTORS_OF}) AND c.month = ANY(%s::date[]) AND c.indicator = ANY(%s) "
        "AND (c.numerator <> 0 OR c.denominator <> 0)"
    )
    cursor.execute(_tree_insert(_tree_select(where)), [list(set(divisions)), months, keys])


def _tree_rebuild(cursor: Any, keys: list[str]) -> None:
    """All the subtree cells of ``keys`` from the own cells."""
    cursor.execute("DELETE FROM governance_rolluptreecell WHERE indicator = ANY(%s)", [keys])
    cursor.execute(
        _tree_insert(_tree_select("c.indicator = ANY(%s) AND (c.numerator <> 0 OR c.denominator <> 0)")), [keys]
    )


def source_refresh(source: RollupSource, *, batch: int = CLAIM_BATCH) -> int:
    """Recompute the cells of the dirty (division, month) pairs of one source: claims up to ``batch``
    marks, one GROUP BY over just those pairs. Returns the pairs recomputed (0 if another worker holds
    the source). Idempotent and safe under concurrency (advisory lock, SKIP LOCKED, upsert)."""
    keys = _keys(source)
    with transaction.atomic(), connection.cursor() as cursor:
        if not _lock(cursor, source):
            return 0
        _no_jit(cursor)
        cursor.execute(
            "WITH claimed AS (DELETE FROM governance_rollupdirty WHERE id IN (SELECT id FROM governance_rollupdirty "
            "WHERE source = %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING division_id, month) "
            "SELECT DISTINCT division_id, month FROM claimed",
            [source.key, batch],
        )
        pairs = cursor.fetchall()
        if not pairs:
            return 0
        divisions = [row[0] for row in pairs]
        months = [row[1] for row in pairs]
        cursor.execute(
            "DELETE FROM governance_rollupcell WHERE indicator = ANY(%s) AND (division_id, month) IN "
            "(SELECT * FROM unnest(%s::bigint[], %s::date[]))",
            [keys, divisions, months],
        )
        cursor.execute(_cells_insert(source, source_select(source, _pairs_filter(source, months))), [divisions, months])
        _tree_refresh(cursor, keys, divisions, months)
        if source.day_column:
            since = day_cells_from()
            recent = [(d, m) for d, m in zip(divisions, months, strict=True) if m >= since]
            if recent:
                _day_cells_refresh(cursor, source, keys, [d for d, _ in recent], [m for _, m in recent])
    return len(pairs)


def _day_cells_refresh(cursor: Any, source: RollupSource, keys: list[str], divisions: list, months: list) -> None:
    """Recompute the day cells of the (division, month) pairs (bound as two arrays) of one source."""
    cursor.execute(
        "DELETE FROM governance_rollupdaycell WHERE indicator = ANY(%s) AND day >= %s AND day <= %s "
        "AND (division_id, date_trunc('month', day)::date) IN (SELECT * FROM unnest(%s::bigint[], %s::date[]))",
        [keys, min(months), month_end(max(months)), divisions, months],
    )
    cursor.execute(
        _cells_insert(source, source_day_select(source, _pairs_filter(source, months)), days=True),
        [divisions, months],
    )


def source_rebuild(source: RollupSource) -> int:
    """All the cells of one source from its base tables (one GROUP BY); clears its dirty marks.
    Returns the cells written."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4242, zlib.crc32(source.key.encode()) & 0x7FFFFFFF])
        _no_jit(cursor)
        cursor.execute("DELETE FROM governance_rollupdirty WHERE source = %s", [source.key])
        cursor.execute("DELETE FROM governance_rollupcell WHERE indicator = ANY(%s)", [_keys(source)])
        # Always with parameters (none), so that a ``%`` in a source's SQL is written ``%%`` everywhere.
        cursor.execute(_cells_insert(source, source_select(source)), [])
        written = cursor.rowcount
        _tree_rebuild(cursor, _keys(source))
        cursor.execute("DELETE FROM governance_rollupdaycell WHERE indicator = ANY(%s)", [_keys(source)])
        if source.day_column:
            cursor.execute(_cells_insert(source, source_day_select(source), days=True), [])
        return written


def rollups_rebuild() -> dict[str, int]:
    """Rebuild every source's cells from scratch: ``{source key: cells written}``. Also drops the cells
    of indicators no longer declared."""
    declared = [i.key for i in rolled_indicators()]
    with connection.cursor() as cursor:
        for table in ("governance_rollupcell", "governance_rolluptreecell", "governance_rollupdaycell"):
            cursor.execute(f"DELETE FROM {table} WHERE NOT (indicator = ANY(%s))", [declared])
    return {source.key: source_rebuild(source) for source in rollup_sources()}


def _volatile_stale(source: RollupSource) -> bool:
    """A source whose measures depend on today and whose cells were computed before today's midnight."""
    midnight = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM governance_rollupcell WHERE indicator = ANY(%s) AND computed_at < %s)",
            [_keys(source), midnight],
        )
        return bool(cursor.fetchone()[0])


def rollups_refresh() -> dict[str, int]:
    """Recompute every dirty cell (each source until no mark is left; a source that depends on today is
    rebuilt once a day): ``{source key: pairs (or cells, when rebuilt) recomputed}``."""
    done: dict[str, int] = {}
    for source in rollup_sources():
        if source.volatile and _volatile_stale(source):
            done[source.key] = source_rebuild(source)
            continue
        total = 0
        while count := source_refresh(source):
            total += count
        done[source.key] = total
    return done


def rollups_refresh_if_dirty() -> dict[str, int]:
    """``rollups_refresh`` when any mark is waiting (one query when none is): read-your-writes for tests
    and for ``ROLLUPS_REFRESH_ON_READ``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM governance_rollupdirty)")
        if not cursor.fetchone()[0]:
            return {}
    return rollups_refresh()


# The verify and read halves live in their own modules (each under 600 lines); their public names are
# still reachable here, loaded on first use (they import this module).
_MOVED = {
    "rollups_verify": "governance.rollup_verify",
    "RollupReader": "governance.rollup_reader",
    "indicator_rollup_value": "governance.rollup_reader",
    "TOTAL": "governance.rollup_reader",
    "Range": "governance.rollup_reader",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        import importlib

        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(name)
