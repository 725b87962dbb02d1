"""Dispute events partitioned by month against one plain table (issue 18 item 4).

BENCH_DISPUTES cases (default 300 000) with BENCH_EVENTS_PER events each (default 10: 3 M events over
the last ~700 days, so ~24 monthly partitions) generated set-based as ``bench_security`` does, into the
migrated (partitioned) table; then a plain copy of the same rows with the same indexes. Each layout is
renamed into place as ``security_disputeevent`` in turn and the same code measures:

* a case's timeline (the events of one dispute, as the detail page reads them), over BENCH_CASES
  (default 200) disputes spread over the ids — and the same with a lower bound on ``created_at`` (the
  case's ``received_at``), which lets the planner skip the months before the case;
* the dashboard's month range scan: events of one closed month counted by action;
* the dispute list API (50 rows, three filters, as ``bench_security``) and its detail (timeline
  prefetched).

Times are medians (this machine is shared: compare the two layouts in the same run); the shared-buffer
pages each query touches (``EXPLAIN (ANALYZE, BUFFERS)``) are the load-independent figure. Prints
``RESULT partition_events layout=month|plain …``."""

from __future__ import annotations

import datetime
import json
import os
import statistics
import sys
import time
from io import StringIO

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, disputes_generate, result

DISPUTES = int(os.environ.get("BENCH_DISPUTES", "300000"))
EVENTS_PER = int(os.environ.get("BENCH_EVENTS_PER", "10"))
CASES = int(os.environ.get("BENCH_CASES", "200"))
DISTRICTS = int(os.environ.get("BENCH_DISTRICTS", "24"))
TABLE = "security_disputeevent"


def _copy(cursor, layout: str) -> None:
    """``security_disputeevent_<layout>``: the same rows with the same secondary indexes (named
    ``…_<layout>``) — ``plain``: one table, primary key ``id``; ``district``: LIST-partitioned by a
    ``district`` column, one partition per district (``DISTRICTS`` equal districts, the case's
    ``dispute_id % DISTRICTS`` standing in for its district code), primary key ``(id, district)``."""
    target = f"{TABLE}_{layout}"
    if layout == "plain":
        cursor.execute(f"CREATE TABLE {target} (LIKE {TABLE} INCLUDING DEFAULTS)")
        cursor.execute(f"INSERT INTO {target} SELECT * FROM {TABLE}")
        cursor.execute(f"ALTER TABLE {target} ADD CONSTRAINT {target}_pkey PRIMARY KEY (id)")
    else:
        cursor.execute(
            f"CREATE TABLE {target} (LIKE {TABLE} INCLUDING DEFAULTS, district integer NOT NULL) "
            "PARTITION BY LIST (district)"
        )
        for district in range(DISTRICTS):
            cursor.execute(f"CREATE TABLE {target}_{district} PARTITION OF {target} FOR VALUES IN ({district})")
        cursor.execute(f"INSERT INTO {target} SELECT e.*, e.dispute_id % {DISTRICTS} FROM {TABLE} e")
        cursor.execute(f"ALTER TABLE {target} ADD CONSTRAINT {target}_pkey PRIMARY KEY (id, district)")
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary",
        [TABLE],
    )
    for name, definition in cursor.fetchall():
        columns = definition[definition.index(" USING ") :]
        cursor.execute(f"CREATE INDEX {name}_{layout} ON {target}{columns}")
    cursor.execute(f"VACUUM ANALYZE {target}")


IN_PLACE = ["month"]  # the layout now named security_disputeevent (the migrated table at first)


def _swap(cursor, layout: str) -> None:
    """Put ``layout``'s table in place as ``security_disputeevent`` (the one there back under its name)."""
    if IN_PLACE[0] != layout:
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {TABLE}_{IN_PLACE[0]}")
        cursor.execute(f"ALTER TABLE {TABLE}_{layout} RENAME TO {TABLE}")
        IN_PLACE[0] = layout


def _buffers(cursor, sql: str, params: list) -> int:
    """Shared-buffer pages (hit + read) the statement touches."""
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
    raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    return int(plan.get("Shared Hit Blocks", 0) + plan.get("Shared Read Blocks", 0))


def _per_call_ms(calls) -> float:
    times = []
    for call in calls:
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _district_sql(layout: str) -> str:
    """The predicate "this row's case is in district %s": the partition key in the district layout; in
    the others the same stand-in computed from the case (as a join to the case's division would)."""
    return "district = %s" if layout == "district" else f"mod(dispute_id, {DISTRICTS}) = %s"


def _raw_ms(sql: str, params_list: list[list]) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        return _per_call_ms([lambda p=p: (cursor.execute(sql, p), cursor.fetchall()) for p in params_list])


def _measure(layout: str, cases: list[tuple[int, datetime.datetime]], month: tuple, client, params) -> dict:
    from django.db import connection
    from django.db.models import Count

    from security.models import DisputeEvent

    def timeline(dispute_id, since=None):
        events = DisputeEvent.objects.filter(dispute_id=dispute_id)
        if since is not None:
            events = events.filter(created_at__gte=since)
        return list(events.order_by("created_at", "id").values_list("id", "action", "created_at"))

    def month_scan():
        return list(
            DisputeEvent.objects.filter(created_at__gte=month[0], created_at__lt=month[1])
            .values("action")
            .annotate(n=Count("id"))
        )

    for dispute_id, _since in cases[:20]:  # warm the caches the same way for both layouts
        timeline(dispute_id)
    figures = {
        "timeline_ms": _per_call_ms([lambda d=d: timeline(d) for d, _s in cases]),
        "timeline_bounded_ms": _per_call_ms([lambda d=d, s=s: timeline(d, s) for d, s in cases]),
        "month_scan_ms": _per_call_ms([month_scan] * 7),
        "api_list_ms": _per_call_ms([lambda: client.get("/api/v1/security/disputes/", params)] * 21),
        "api_detail_ms": _per_call_ms(
            [lambda d=d: client.get(f"/api/v1/security/disputes/{d}/") for d, _s in cases[:60]]
        ),
    }
    dispute_id, since = cases[len(cases) // 2]
    with connection.cursor() as cursor:
        base = f"SELECT id, action, created_at FROM {TABLE} WHERE dispute_id = %s"
        figures["timeline_buffers"] = _buffers(cursor, base + " ORDER BY created_at, id", [dispute_id])
        figures["timeline_bounded_buffers"] = _buffers(
            cursor, base + " AND created_at >= %s ORDER BY created_at, id", [dispute_id, since]
        )
        figures["month_scan_buffers"] = _buffers(
            cursor,
            f"SELECT action, count(id) FROM {TABLE} WHERE created_at >= %s AND created_at < %s GROUP BY action",
            list(month),
        )
    assert timeline(dispute_id) == timeline(dispute_id, since), "the bound dropped events"
    # A district's own reads: a case's timeline with its district named, and one district's month.
    where = _district_sql(layout)
    timeline_sql = (
        f"SELECT id, action, created_at FROM {TABLE} WHERE dispute_id = %s AND {where} ORDER BY created_at, id"
    )
    month_sql = (
        f"SELECT action, count(id) FROM {TABLE} WHERE created_at >= %s AND created_at < %s AND {where} GROUP BY action"
    )
    figures["timeline_district_ms"] = _raw_ms(timeline_sql, [[d, d % DISTRICTS] for d, _s in cases])
    figures["month_district_scan_ms"] = _raw_ms(month_sql, [[*month, k] for k in range(min(DISTRICTS, 7))])
    with connection.cursor() as cursor:
        figures["timeline_district_buffers"] = _buffers(cursor, timeline_sql, [dispute_id, dispute_id % DISTRICTS])
        figures["month_district_scan_buffers"] = _buffers(cursor, month_sql, [*month, 3])
    return figures


def main() -> None:
    from django.db import connection
    from django.test import override_settings
    from django.utils import timezone
    from rest_framework.test import APIClient

    from governance.models import Division
    from governance.registry import registry
    from governance.services import role_grant

    with bench_database(), override_settings(ALLOWED_HOSTS=["testserver"]):
        for name in ("governance.divisions", "security.bodies", "security.rules"):
            registry.demo_steps[name].func(stdout=StringIO(), options={})
        started = time.perf_counter()
        with connection.cursor() as cursor:
            disputes_generate(cursor, disputes=DISPUTES, events_per=EVENTS_PER, overdue_every=1000)
            # Months the generator reaches that the migration's partitions do not: made as beat would.
            cursor.execute(
                "SELECT security_disputeevent_partition_ensure(m::date) FROM generate_series("
                "(SELECT date_trunc('month', min(received_at) AT TIME ZONE 'Asia/Shanghai') FROM security_dispute),"
                " date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai'), interval '1 month') m"
            )
            cursor.execute("VACUUM ANALYZE security_dispute")
            cursor.execute(f"VACUUM ANALYZE {TABLE}")
            cursor.execute("ANALYZE")
            cursor.execute(f"SELECT count(*), count(DISTINCT tableoid) FROM {TABLE}")
            events, partitions = cursor.fetchone()
            cursor.execute(f"SELECT count(*) FROM {TABLE}_default")
            in_default = cursor.fetchone()[0]
            print(
                f"generated {DISPUTES} disputes, {events} events in {partitions} partitions "
                f"({in_default} in DEFAULT) in {time.perf_counter() - started:.1f} s"
            )
            started = time.perf_counter()
            _copy(cursor, "plain")
            _copy(cursor, "district")
            print(f"plain and by-district copies with their indexes in {time.perf_counter() - started:.1f} s")
            step = max(1, DISPUTES // CASES)
            cursor.execute(
                "SELECT id, received_at FROM security_dispute WHERE id %% %s = 7 ORDER BY id LIMIT %s", [step, CASES]
            )
            cases = cursor.fetchall()
        first = (timezone.localdate().replace(day=1) - datetime.timedelta(days=80)).replace(day=1)
        after = (first + datetime.timedelta(days=32)).replace(day=1)
        tz = timezone.get_default_timezone()
        month = (
            datetime.datetime.combine(first, datetime.time(), tzinfo=tz),
            datetime.datetime.combine(after, datetime.time(), tzinfo=tz),
        )

        admin = role_grant(username="bench_admin", role="district_admin", division=Division.objects.get(code="431302"))
        client = APIClient()
        client.force_authenticate(admin)
        params = {"channel": "police", "status": "closed", "risk_level": "2", "page_size": 50}
        reported = {}
        layouts = ("plain", "month", "district")
        for layout in layouts * 2:  # turn about, twice: the second round counts
            with connection.cursor() as cursor:
                _swap(cursor, layout)
            reported[layout] = figures = _measure(layout, cases, month, client, params)
            print(
                f"{layout:>8}: timeline {figures['timeline_ms']:.2f} ms ({figures['timeline_buffers']} pages), "
                f"from received_at {figures['timeline_bounded_ms']:.2f} ms ({figures['timeline_bounded_buffers']}), "
                f"district named {figures['timeline_district_ms']:.2f} ms ({figures['timeline_district_buffers']}); "
                f"month {first:%Y-%m} scan {figures['month_scan_ms']:.1f} ms ({figures['month_scan_buffers']}), "
                f"one district's {figures['month_district_scan_ms']:.1f} ms "
                f"({figures['month_district_scan_buffers']}); "
                f"API list {figures['api_list_ms']:.1f} ms, detail {figures['api_detail_ms']:.1f} ms"
            )
        for layout, figures in reported.items():
            result(
                "partition_events",
                layout=layout,
                events=events,
                partitions={"plain": 1, "month": partitions, "district": DISTRICTS}[layout],
                **figures,
            )
        with connection.cursor() as cursor:
            _swap(cursor, "month")
            cursor.execute(f"DROP TABLE {TABLE}_plain, {TABLE}_district")
