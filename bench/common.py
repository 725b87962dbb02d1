"""Helpers for benchmarks: a private database and a median timer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection
from django.test.utils import setup_databases, teardown_databases


@contextmanager
def bench_database(*, keep: bool = False):
    """A fresh ``bench_<db>`` database with migrations applied, dropped afterwards (not ``test_<db>``,
    so a benchmark and the test suite can run at the same time on one server). ``keep``: reuse the
    database if it exists (migrations applied on top) and leave it afterwards — for a district-scale
    run measured again without generating its tens of millions of rows again."""
    settings = connection.settings_dict
    settings.setdefault("TEST", {})["NAME"] = f"bench_{settings['NAME']}"
    # Not serialised (``serialized_aliases``): no test rolls back to it, and a kept database holds millions of rows.
    old = setup_databases(verbosity=0, interactive=False, keepdb=keep, serialized_aliases=set())
    try:
        yield connection
    finally:
        if not keep:
            teardown_databases(old, verbosity=0)


def median_ms(func: Callable[[], object], repeat: int = 15) -> float:
    func()  # warm up caches and connections
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


# --- set-based generators (throwaway databases only: they run with the triggers off) ----------------

# Disputes ``first + 1 … first + disputes`` spread over the villages' mediation committees and the last
# 700 days, every ``overdue_every``-th one overdue, each with ``events_per`` timeline events.
DISPUTES_SQL = """
DROP TABLE IF EXISTS bench_units;
CREATE TEMP TABLE bench_units AS
SELECT row_number() OVER (ORDER BY d.path) - 1 AS idx, d.id AS division_id, b.id AS body_id
FROM governance_division d
JOIN security_mediationbody b ON b.division_id = d.id AND b.kind = 'peoples_mediation'
WHERE d.level IN ('village', 'community');

INSERT INTO security_dispute (id, number, channel, external_id, category, division_id, description, threats_noted,
    received_at, received_by_id, risk_level, risk_score, risk_reasons, current_body_id, status, handling_days,
    deadline, resolved_at, closed_at, updated_at, address, media_url)
SELECT g, '431302' || lpad(g::text, 12, '0'),
    (ARRAY['police','litigation','petition','walk_in','hotline','grid','other_system'])[1 + g %% 7],
    NULL,
    (ARRAY['marriage_family','neighbour','land','demolition','labour','contract_debt','property','medical',
           'traffic','damage','consumer','other'])[1 + (g / 7) %% 12],
    u.division_id, '纠纷简况 ' || g, g %% 50 = 0,
    now() - ((g %% 700) || ' days')::interval, NULL, 1 + (g / 3) %% 3, (g * 7) %% 100, '{}', u.body_id,
    CASE WHEN g %% %(overdue_every)s = 0 THEN 'accepted'
         ELSE (ARRAY['closed','closed','closed','closed','agreement','mediating','accepted','routed'])[1 + g %% 8] END,
    10,
    CASE WHEN g %% %(overdue_every)s = 0 THEN current_date - 3 ELSE current_date + 5 END,
    NULL, NULL, now(), '', ''
FROM generate_series(%(first)s + 1, %(first)s + %(disputes)s) g
JOIN bench_units u ON u.idx = g %% (SELECT count(*) FROM bench_units);

SELECT setval(pg_get_serial_sequence('security_dispute', 'id'),
              GREATEST(%(first)s + %(disputes)s, (SELECT max(id) FROM security_dispute)));

INSERT INTO security_disputeevent (dispute_id, action, from_status, to_status, from_body_id, to_body_id, actor_id,
    rule_id, reason, created_at)
SELECT d.id, (ARRAY['received','routed','accepted','mediating','risk','visit','mediating','agreement','closed',
                    'visit'])[1 + (k - 1) %% 10],
    '', '', d.current_body_id, d.current_body_id, NULL, NULL, '', d.received_at + (k || ' hours')::interval
FROM security_dispute d CROSS JOIN generate_series(1, %(events_per)s) k
WHERE d.id > %(first)s;
"""


def disputes_generate(cursor, *, disputes: int, events_per: int, overdue_every: int, first: int = 0) -> None:
    """Insert disputes with ids ``first + 1 …`` (numbers ``431302`` + 12 digits, which no real case has)
    and their events, with the audit triggers off. The caller vacuums and analyses afterwards."""
    cursor.execute("SET session_replication_role = replica")
    try:
        cursor.execute(
            DISPUTES_SQL,
            {"disputes": disputes, "events_per": events_per, "overdue_every": max(1, overdue_every), "first": first},
        )
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")


def households_with_accounts_generate(cursor, *, households: int, prefix: str = "B") -> None:
    """Insert ``households`` households (numbers ``prefix`` + 8 digits) spread over the villages and
    communities, each with an empty point account, with the audit triggers off."""
    cursor.execute("SET session_replication_role = replica")
    try:
        cursor.execute(
            """
            WITH units AS (
                SELECT array_agg(id ORDER BY path) AS ids FROM governance_division
                WHERE level IN ('village', 'community')
            )
            INSERT INTO governance_household (number, address, division_id, created_at, updated_at)
            SELECT %(prefix)s || lpad(n::text, 8, '0'), '', units.ids[1 + n %% array_length(units.ids, 1)], now(), now()
            FROM generate_series(1, %(households)s) n, units
            """,
            {"prefix": prefix, "households": households},
        )
        cursor.execute(
            "INSERT INTO civility_pointaccount (household_id, balance, entry_count, last_hash, created_at) "
            "SELECT h.id, 0, 0, repeat('0', 64), now() FROM governance_household h "
            "WHERE NOT EXISTS (SELECT 1 FROM civility_pointaccount a WHERE a.household_id = h.id)"
        )
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")


def ledger_entries_generate(cursor, *, per_account: int, start, days: int) -> None:
    """Append ``per_account`` confirmed entries to every point account (after its existing ones), on days
    ``start … start + days - 1``, and bring the accounts' balance and entry count up to date. The
    append-only and hash-chain triggers are off (and the hashes dummies): throwaway databases only."""
    cursor.execute("SET session_replication_role = replica")
    try:
        cursor.execute("SELECT id FROM civility_pointrule WHERE points > 0 ORDER BY id LIMIT 1")
        rule_id = cursor.fetchone()[0]
        cursor.execute(
            """
            INSERT INTO civility_pointentry (account_id, seq, rule_id, points, occurred_on, source, status,
                idempotency_key, note, evidence, prev_hash, hash, created_at)
            SELECT a.id, a.entry_count + s.seq, %(rule)s, (ARRAY[3, 5, 5, 10, -5])[1 + (a.id + s.seq) %% 5],
                   %(start)s::date + ((a.id * 7 + s.seq) %% %(days)s)::int, 'visit', 'confirmed',
                   'b' || (a.entry_count + s.seq), '', '', repeat('0', 64), repeat('0', 64), now()
            FROM civility_pointaccount a
            CROSS JOIN LATERAL generate_series(1, %(per)s) AS s(seq)
            """,
            {"rule": rule_id, "start": start, "days": max(1, days), "per": per_account},
        )
        cursor.execute(
            """
            UPDATE civility_pointaccount a SET balance = s.total, entry_count = s.n
            FROM (SELECT account_id, SUM(points) FILTER (WHERE status = 'confirmed') AS total, COUNT(*) AS n
                  FROM civility_pointentry GROUP BY account_id) s
            WHERE s.account_id = a.id
            """
        )
    finally:
        cursor.execute("SET session_replication_role = DEFAULT")


def result(name: str, **values) -> None:
    """One machine-readable line per measurement: ``RESULT <name> key=value …`` (floats to 3 places),
    beside the human-readable lines, so a script can collect every benchmark's figures."""
    parts = [f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}" for key, value in values.items()]
    print(f"RESULT {name} {' '.join(parts)}", flush=True)
