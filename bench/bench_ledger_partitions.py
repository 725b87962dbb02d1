"""The points ledger hash-partitioned by account (16 partitions) against one plain table (issue 18 item 4).

BENCH_LEDGER_ENTRIES entries (default 2 000 000; 10 000 000 for a district's size) over
BENCH_LEDGER_PER (default 20) entries per account, dated over the last year, with real hash chains
(computed here as ``PointEntry.compute_hash`` does, so ``ledger_verify`` finds nothing), stored in date
order (BENCH_LEDGER_ORDER=time, as a ledger written day by day is; ``account``: account by account) in
the migrated table — ``civility_pointentry``, ``PARTITION BY HASH (account_id)``, 16 partitions — then
copied to one plain table with the same indexes and unique constraints (``civility_pointentry_whole``).
The same SQL measures both in one run:

* an account's statement: its newest 50 entries by ``seq`` (median over BENCH_LEDGER_ACCOUNTS accounts,
  default 200), and the shared-buffer pages it touches (``EXPLAIN (ANALYZE, BUFFERS)``);
* the ranking's month scan: confirmed points per account of one month (``ranking_compute``'s filter);
* a set-based insert of one entry for every account (rolled back; triggers off on both, so the figure
  is the table's and its indexes' cost), as rows per second, the median of three turns about;
* verify-all: ``ledger_verify`` over the whole plain table in one pass, and over the partitioned table
  partition by partition, 2 at a time on 2 connections (``ledger_verify_partitions(jobs=2)``) — and, for
  comparison, in one pass over the partitioned parent;
* the tables' total size (heap and indexes) and the largest partition's.

Times are medians (this machine is shared: compare the layouts within one run). Prints
``RESULT partition_ledger layout=whole|hash16 …``."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import statistics
import sys
import time
from io import StringIO

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, households_with_accounts_generate, result

ENTRIES = int(os.environ.get("BENCH_LEDGER_ENTRIES", "2000000"))
PER = int(os.environ.get("BENCH_LEDGER_PER", "20"))
ACCOUNTS = int(os.environ.get("BENCH_LEDGER_ACCOUNTS", "200"))
# Physical order of the rows, the same in both layouts: "time" (by occurred_on, as a ledger written day
# by day is; the partitioned table CLUSTERed on its month index) or "account" (account by account).
ORDER = os.environ.get("BENCH_LEDGER_ORDER", "time")
ORDER_BY = {"time": "occurred_on, status", "account": "account_id, seq"}[ORDER]
TABLE = "civility_pointentry"
WHOLE = f"{TABLE}_whole"
GENESIS = "0" * 64
DAYS = 365
AMOUNTS = (3, 5, 5, 10, 2)


def _generate(cursor, rule_id: int, start: datetime.date) -> int:
    """``PER`` entries for every account, hash-chained, COPYed into the ledger with triggers off; the
    accounts' balance, count and last hash brought up to date. Returns the entries written."""
    cursor.execute("SELECT id FROM civility_pointaccount ORDER BY id")
    accounts = [row[0] for row in cursor.fetchall()]
    finals = []
    written = 0
    cursor.execute("SET session_replication_role = replica")
    columns = (
        "account_id, seq, rule_id, points, occurred_on, source, status, idempotency_key, note, evidence, "
        "prev_hash, hash, created_at"
    )
    now = datetime.datetime.now(datetime.UTC)
    with cursor.copy(f"COPY {TABLE} ({columns}) FROM STDIN") as copy:
        for account in accounts:
            previous, balance = GENESIS, 0
            for seq in range(1, PER + 1):
                points = AMOUNTS[(account + seq) % len(AMOUNTS)]
                day = start + datetime.timedelta(days=(account * 7 + seq) % DAYS)
                key = f"b{seq}"
                text = f"{account}|{seq}|{points}|{rule_id}|{day.isoformat()}|visit|{key}||{previous}"
                digest = hashlib.sha256(text.encode()).hexdigest()
                copy.write_row(
                    (account, seq, rule_id, points, day, "visit", "confirmed", key, "", "", previous, digest, now)
                )
                previous, balance = digest, balance + points
                written += 1
            finals.append((account, balance, PER, previous))
    cursor.execute("CREATE TEMP TABLE bench_finals (id bigint, balance int, n int, last_hash varchar(64))")
    with cursor.copy("COPY bench_finals FROM STDIN") as copy:
        for row in finals:
            copy.write_row(row)
    cursor.execute(
        "UPDATE civility_pointaccount a SET balance = f.balance, entry_count = f.n, last_hash = f.last_hash "
        "FROM bench_finals f WHERE f.id = a.id"
    )
    cursor.execute("DROP TABLE bench_finals")
    cursor.execute("SET session_replication_role = DEFAULT")
    return written


def _copy_whole(cursor) -> None:
    """The same rows in one plain table with the same indexes, unique constraints and primary key ``id``,
    in the same physical order as the partitions' (``ORDER``)."""
    cursor.execute(f"CREATE TABLE {WHOLE} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING IDENTITY)")
    cursor.execute(f"INSERT INTO {WHOLE} OVERRIDING SYSTEM VALUE SELECT * FROM {TABLE} ORDER BY {ORDER_BY}")
    cursor.execute(f"SELECT setval(pg_get_serial_sequence('{WHOLE}', 'id'), (SELECT max(id) FROM {WHOLE}))")
    cursor.execute(f"ALTER TABLE {WHOLE} ADD CONSTRAINT {WHOLE}_pkey PRIMARY KEY (id)")
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
        [TABLE],
    )
    for name, definition in cursor.fetchall():
        unique = "UNIQUE " if definition.startswith("CREATE UNIQUE") else ""
        columns = definition[definition.index(" USING ") :]
        cursor.execute(f"CREATE {unique}INDEX {name}_whole ON {WHOLE}{columns}")
    cursor.execute(f"VACUUM ANALYZE {WHOLE}")


def _buffers(cursor, sql: str, params: list) -> int:
    """Shared-buffer pages (hit + read) the statement touches."""
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
    raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    return int(plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0))


def _plan_nodes(cursor, sql: str, params: list) -> str:
    """The plan's distinct scan nodes (``Bitmap Heap Scan``, ``Seq Scan``…), to tell the layouts' plans apart."""
    cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
    raw = cursor.fetchone()[0]
    found: set[str] = set()
    stack = [(json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]]
    while stack:
        node = stack.pop()
        if "Scan" in node["Node Type"]:
            found.add(node["Node Type"])
        stack.extend(node.get("Plans", []))
    return "+".join(sorted(found))


def _median_ms(cursor, sql: str, params_list: list[list]) -> float:
    times = []
    for params in params_list:
        started = time.perf_counter()
        cursor.execute(sql, params)
        cursor.fetchall()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _statement_sql(table: str) -> str:
    return (
        f"SELECT id, seq, points, occurred_on, source, status FROM {table} "
        "WHERE account_id = %s ORDER BY seq DESC LIMIT 50"
    )


def _month_sql(table: str) -> str:
    return (
        f"SELECT account_id, sum(points) FROM {table} WHERE status = 'confirmed' AND source <> 'redemption' "
        "AND occurred_on >= %s AND occurred_on < %s GROUP BY account_id"
    )


def _reads(cursor, table: str, accounts: list[int], month: tuple) -> dict:
    _median_ms(cursor, _statement_sql(table), [[a] for a in accounts[:20]])  # warm both layouts alike
    return {
        "statement_ms": _median_ms(cursor, _statement_sql(table), [[a] for a in accounts]),
        "month_scan_ms": _median_ms(cursor, _month_sql(table), [list(month)] * 5),
        "statement_buffers": _buffers(cursor, _statement_sql(table), [accounts[len(accounts) // 2]]),
        "month_scan_buffers": _buffers(cursor, _month_sql(table), list(month)),
        "month_scan_plan": _plan_nodes(cursor, _month_sql(table), list(month)).replace(" ", "_"),
    }


def _insert_rows_per_s(cursor, table: str) -> float:
    """One new entry for every account, set-based, triggers off, rolled back."""
    from django.db import transaction

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
            started = time.perf_counter()
            cursor.execute(
                f"""
                INSERT INTO {table} (account_id, seq, rule_id, points, occurred_on, source, status,
                    idempotency_key, note, evidence, prev_hash, hash, created_at)
                SELECT a.id, a.entry_count + 1, NULL, 1, current_date, 'visit', 'confirmed',
                       'ins' || a.id, '', '', a.last_hash, repeat('0', 64), now()
                FROM civility_pointaccount a
                """
            )
            rows = cursor.rowcount
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return rows / elapsed


def _verify_s(func) -> float:
    started = time.perf_counter()
    problems = func()
    elapsed = time.perf_counter() - started
    assert problems == [], f"the generated ledger does not verify: {problems[:3]}"
    return elapsed


def _sizes(cursor, table: str) -> tuple[int, int]:
    """Total bytes (heap, indexes, TOAST) of ``table`` with its partitions, and of its largest partition."""
    cursor.execute(
        "SELECT coalesce(sum(pg_total_relation_size(relid)), 0), coalesce(max(pg_total_relation_size(relid)), 0) "
        "FROM pg_partition_tree(%s::regclass) WHERE isleaf",
        [table],
    )
    total, largest = cursor.fetchone()
    if not total:  # a plain table is no partition tree
        cursor.execute("SELECT pg_total_relation_size(%s::regclass)", [table])
        total = largest = cursor.fetchone()[0]
    return total, largest


def main() -> None:
    from django.db import connection

    from civility.choices import PointCategory
    from civility.models import PointRule
    from civility.partitions import ledger_partitions
    from civility.services import ledger_verify, ledger_verify_partitions
    from governance.models import Division
    from governance.registry import registry

    households = max(1, ENTRIES // PER)
    with bench_database():
        registry.demo_steps["governance.divisions"].func(stdout=StringIO(), options={})
        today = datetime.date.today()
        start = today - datetime.timedelta(days=DAYS)
        with connection.cursor() as cursor:
            started = time.perf_counter()
            households_with_accounts_generate(cursor, households=households)
            rule_id = PointRule.objects.create(
                code="BENCH",
                behaviour="基准",
                category=PointCategory.values[0],
                points=5,
                division=Division.objects.filter(level="district").first(),
            ).pk
            written = _generate(cursor, rule_id, start)
            if ORDER == "time":  # written account by account: put each partition in date order
                cursor.execute(f"CLUSTER {TABLE} USING point_entry_month")
            cursor.execute(f"VACUUM ANALYZE {TABLE}")
            cursor.execute("VACUUM ANALYZE civility_pointaccount")
            print(f"generated {written} entries for {households} accounts in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            _copy_whole(cursor)
            print(f"plain copy with its indexes in {time.perf_counter() - started:.1f} s")
            step = max(1, households // ACCOUNTS)
            cursor.execute("SELECT id FROM civility_pointaccount WHERE id %% %s = 3 ORDER BY id", [step])
            accounts = [row[0] for row in cursor.fetchall()][:ACCOUNTS]
        first = (today.replace(day=1) - datetime.timedelta(days=80)).replace(day=1)
        month = (first, (first + datetime.timedelta(days=32)).replace(day=1))
        layouts = {"whole": WHOLE, "hash16": TABLE}
        reported: dict[str, dict] = {}
        with connection.cursor() as cursor:
            for layout in list(layouts) * 2:  # turn about, twice: the second round counts
                reported[layout] = _reads(cursor, layouts[layout], accounts, month)
            inserts: dict[str, list[float]] = {layout: [] for layout in layouts}
            for layout in list(layouts) * 3:  # turn about: a median of three
                inserts[layout].append(_insert_rows_per_s(cursor, layouts[layout]))
            for layout, table in layouts.items():
                reported[layout]["insert_rows_per_s"] = statistics.median(inserts[layout])
                reported[layout]["total_mb"], reported[layout]["largest_mb"] = (
                    round(size / 2**20) for size in _sizes(cursor, table)
                )
            # ledger_verify reads civility_pointentry: the plain table takes that name for its pass.
            cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_hash16")
            cursor.execute(f"ALTER TABLE {WHOLE} RENAME TO {TABLE}")
            try:
                reported["whole"]["verify_s"] = _verify_s(ledger_verify)
            finally:
                cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {WHOLE}")
                cursor.execute(f"ALTER TABLE {TABLE}_hash16 RENAME TO {TABLE}")
        partitions = ledger_partitions()
        reported["hash16"]["verify_s"] = _verify_s(lambda: ledger_verify_partitions(partitions=partitions, jobs=2))
        reported["hash16"]["verify_one_pass_s"] = _verify_s(ledger_verify)
        reported["hash16"]["verify_serial_s"] = _verify_s(lambda: ledger_verify_partitions(jobs=1))
        for layout, figures in reported.items():
            print(
                f"{layout:>7}: statement {figures['statement_ms']:.2f} ms ({figures['statement_buffers']} pages), "
                f"month {first:%Y-%m} scan {figures['month_scan_ms']:.0f} ms ({figures['month_scan_buffers']} pages, "
                f"{figures['month_scan_plan']}), "
                f"insert {figures['insert_rows_per_s']:.0f} rows/s, verify {figures['verify_s']:.1f} s, "
                f"{figures['total_mb']} MB (largest piece {figures['largest_mb']} MB)"
            )
        for layout, figures in reported.items():
            result("partition_ledger", layout=layout, entries=written, accounts=households, order=ORDER, **figures)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {WHOLE}")
