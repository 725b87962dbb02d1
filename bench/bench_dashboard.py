"""The leaders' dashboard for the whole district (issue 12): the page as served (no page cache; rolled-up
indicators read from roll-up cells) against the same figures computed from the base tables, and the
roll-ups' rebuild from scratch. Prints ``RESULT dashboard size=… cold_ms=… base_ms=… queries=…`` and
``RESULT rollup_rebuild size=… seconds=…``; fails if the figures differ or the query count changes
with the data.

Measured at demo size (``seed_demo``; BENCH_HOUSEHOLDS, default 2000), then at ten times its disputes
(with their events) and ledger entries, generated set-based; the bench fails if the page's query count
differs between the two. BENCH_DASHBOARD_DISPUTES and BENCH_DASHBOARD_ENTRIES (totals; the issue's
district scale is 1 000 000 and 10 000 000, with BENCH_DASHBOARD_EVENTS_PER events per generated dispute,
default 10) add a third step. BENCH_DASHBOARD_REPEAT sets the timed runs per size (default 5).
``BENCH_DASHBOARD_KEEP=1`` keeps the database (``bench_<db>``) after the run, and a later run with it
finding the district-scale rows already there measures the district step only (roll-ups rebuilt by the
code of the day), without generating them again."""

from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from dataclasses import replace
from io import StringIO

from tests.auth import verified_login

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, disputes_generate, ledger_entries_generate, median_ms, result

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "2000"))
DISTRICT_DISPUTES = int(os.environ.get("BENCH_DASHBOARD_DISPUTES", "0"))
DISTRICT_ENTRIES = int(os.environ.get("BENCH_DASHBOARD_ENTRIES", "0"))
DISTRICT_EVENTS_PER = int(os.environ.get("BENCH_DASHBOARD_EVENTS_PER", "10"))
REPEAT = int(os.environ.get("BENCH_DASHBOARD_REPEAT", "5"))
KEEP = os.environ.get("BENCH_DASHBOARD_KEEP") == "1"
# With a kept database: BENCH_DASHBOARD_REBUILD=0 measures the cells as they are (built by an earlier run of
# the same code), BENCH_DASHBOARD_BASE=0 leaves out the base-table reference (minutes at district scale).
REBUILD = os.environ.get("BENCH_DASHBOARD_REBUILD", "1") == "1"
BASE = os.environ.get("BENCH_DASHBOARD_BASE", "1") == "1"


def _counts(cursor) -> tuple[int, int, int]:
    cursor.execute(
        "SELECT (SELECT count(*) FROM security_dispute), (SELECT count(*) FROM security_disputeevent), "
        "(SELECT count(*) FROM civility_pointentry)"
    )
    return cursor.fetchone()


def _grow(cursor, *, disputes: int, events_per: int, entries: int) -> None:
    """Add ``disputes`` disputes (``events_per`` events each) and about ``entries`` ledger entries,
    spread like the demo's: disputes over the last 700 days, entries over its last four months."""
    from django.utils import timezone

    if disputes > 0:
        cursor.execute("SELECT COALESCE(max(id), 0) FROM security_dispute")
        disputes_generate(
            cursor,
            disputes=disputes,
            events_per=events_per,
            overdue_every=20,  # about as many overdue as in the demo
            first=cursor.fetchone()[0],
        )
    if entries > 0:
        cursor.execute("SELECT count(*) FROM civility_pointaccount")
        accounts = cursor.fetchone()[0]
        cursor.execute("SELECT min(occurred_on) FROM civility_pointentry")
        start = cursor.fetchone()[0] or timezone.localdate().replace(day=1)
        days = (timezone.localdate() - start).days + 1
        ledger_entries_generate(cursor, per_account=max(1, round(entries / accounts)), start=start, days=days)
    for table in ("security_dispute", "security_disputeevent", "civility_pointentry", "civility_pointaccount"):
        cursor.execute(f"VACUUM ANALYZE {table}")
    cursor.execute("ANALYZE")


@contextmanager
def _from_base_tables():
    """Every indicator computed from the base tables, as before the roll-ups (their declarations hidden)."""
    from governance.registry import registry

    saved = dict(registry.indicators)
    registry.indicators.update({key: replace(i, rollup=None) for key, i in saved.items()})
    try:
        yield
    finally:
        registry.indicators.clear()
        registry.indicators.update(saved)


def _values(dashboard) -> list:
    return [(f.key, f.value, f.previous) for section in dashboard.sections for f in section.figures] + [
        (s.key, s.values) for section in dashboard.sections for s in (*section.by_child, *section.by_month)
    ]


def main() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings

    from governance.dashboard.periods import period_from
    from governance.dashboard.selectors import dashboard_compute
    from governance.models import Division, User
    from governance.rollups import rollups_rebuild

    rows: list[dict] = []

    def rebuild(label: str) -> float:
        started = time.perf_counter()
        cells = sum(rollups_rebuild().values())
        seconds = time.perf_counter() - started
        with connection.cursor() as cursor:
            for table in ("governance_rollupcell", "governance_rolluptreecell", "governance_rollupdaycell"):
                cursor.execute(f"ANALYZE {table}")
        print(f"[{label}] roll-up rebuild from scratch: {cells} cells in {seconds:.2f} s", flush=True)
        result("rollup_rebuild", size=label, seconds=seconds, cells=cells)
        return seconds

    def measure(label: str, district, client, period) -> dict:
        def render() -> None:
            assert client.get("/dashboard/").status_code == 200

        page_queries: list[str] = []  # an execute wrapper, since each request resets connection.queries

        def count(execute, sql, params, many, context):
            page_queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            render()
        cold_ms = median_ms(render, repeat=REPEAT)
        # A township's page and its drill-down to one of its villages (goal ≤ 100 ms each, cold).
        township = Division.objects.filter(parent=district, is_active=True).order_by("code").first()
        village = Division.objects.filter(parent=township, is_active=True).order_by("code").first()
        drill: dict[str, float] = {}
        for name, place in (("township", township), ("village", village)):
            url = f"/dashboard/{place.code}/"
            assert client.get(url).status_code == 200, url
            drill[name] = median_ms(lambda url=url: client.get(url), repeat=REPEAT)
        rolled = dashboard_compute(division=district, period=period)
        if not BASE:
            print(
                f"[{label}] dashboard page, cold: {len(page_queries)} queries, {cold_ms:.0f} ms; a township's page "
                f"{drill['township']:.0f} ms, its village's {drill['village']:.0f} ms (no base-table reference)",
                flush=True,
            )
            result("dashboard", size=label, cold_ms=cold_ms, queries=len(page_queries))
            result("dashboard_drill", size=label, township_ms=drill["township"], village_ms=drill["village"])
            return {}
        with _from_base_tables():
            # Timed once: minutes at district scale, and only the reference the page is compared with.
            started = time.perf_counter()
            base = dashboard_compute(division=district, period=period)
            base_ms = (time.perf_counter() - started) * 1000
        same = _values(rolled) == _values(base)
        with connection.cursor() as cursor:
            disputes, events, entries = _counts(cursor)
        row = {
            "label": label,
            "disputes": disputes,
            "events": events,
            "entries": entries,
            "page_queries": len(page_queries),
            "cold_ms": cold_ms,
            "base_ms": base_ms,
            "township_ms": drill["township"],
            "village_ms": drill["village"],
        }
        print(
            f"[{label}] {disputes} disputes, {events} events, {entries} ledger entries; period {period.label}\n"
            f"  dashboard page, cold (no page cache): {len(page_queries)} queries, {cold_ms:.0f} ms\n"
            f"  the same figures from the base tables: {base_ms:.0f} ms ({cold_ms / base_ms:.3f}×); "
            f"figures {'identical' if same else 'DIFFERENT'}",
            flush=True,
        )
        result("dashboard", size=label, cold_ms=cold_ms, base_ms=base_ms, queries=len(page_queries), same=same)
        print(f"  a township's page {drill['township']:.0f} ms, its village's {drill['village']:.0f} ms", flush=True)
        result("dashboard_drill", size=label, township_ms=drill["township"], village_ms=drill["village"])
        assert same, "the roll-ups' figures differ from the base tables'"
        rows.append(row)
        return row

    with bench_database(keep=KEEP), override_settings(ALLOWED_HOSTS=["testserver"]):
        if KEEP and DISTRICT_DISPUTES and Division.objects.exists():
            with connection.cursor() as cursor:
                disputes, _events, entries = _counts(cursor)
            if disputes >= 0.99 * DISTRICT_DISPUTES and entries >= 0.99 * DISTRICT_ENTRIES:  # generated per account
                print(f"  (kept database: {disputes} disputes, {entries} entries; district step only)", flush=True)
                client = Client()
                verified_login(client, User.objects.get(username="demo_leader"))
                if REBUILD:
                    rebuild("district")
                measure("district", Division.objects.get(code="431302"), client, period_from({})[1])
                return
            raise SystemExit("BENCH_DASHBOARD_KEEP: the kept database is not at district scale; drop bench_<db> first")
        started = time.perf_counter()
        call_command("seed_demo", households=HOUSEHOLDS, stdout=StringIO())
        print(f"  (seed_demo in {time.perf_counter() - started:.1f} s, roll-ups built at its end)", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        rebuild("demo")
        district = Division.objects.get(code="431302")
        leader = User.objects.get(username="demo_leader")
        client = Client()
        verified_login(client, leader)
        period = period_from({})[1]
        demo = measure("demo", district, client, period)

        # Ten times the demo: nine more disputes (with as many events each) and entries for each one,
        # written with triggers off (set-based generators), so the cells are rebuilt from scratch.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            _grow(
                cursor,
                disputes=9 * demo["disputes"],
                events_per=max(1, round(demo["events"] / demo["disputes"])),
                entries=9 * demo["entries"],
            )
        print(f"  (generated ×10 in {time.perf_counter() - started:.1f} s)", flush=True)
        rebuild("10x")
        tenfold = measure("10x", district, client, period)
        same = tenfold["page_queries"] == demo["page_queries"]
        print(
            f"QUERY COUNT demo {demo['page_queries']} vs 10x {tenfold['page_queries']}: "
            f"{'the same' if same else 'DIFFERENT'}",
            flush=True,
        )

        if DISTRICT_DISPUTES or DISTRICT_ENTRIES:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                _grow(
                    cursor,
                    disputes=DISTRICT_DISPUTES - tenfold["disputes"],
                    events_per=DISTRICT_EVENTS_PER,
                    entries=DISTRICT_ENTRIES - tenfold["entries"],
                )
            print(f"  (generated district scale in {time.perf_counter() - started:.1f} s)", flush=True)
            rebuild("district")
            measure("district", district, client, period)

        print(
            f"{'size':<9}{'disputes':>10}{'events':>11}{'entries':>11}{'queries':>9}{'cold ms':>9}{'base ms':>9}"
            f"{'township':>10}{'village':>9}"
        )
        for row in rows:
            print(
                f"{row['label']:<9}{row['disputes']:>10}{row['events']:>11}{row['entries']:>11}"
                f"{row['page_queries']:>9}{row['cold_ms']:>9.0f}{row['base_ms']:>9.0f}"
                f"{row['township_ms']:>10.0f}{row['village_ms']:>9.0f}"
            )
        print("goal: the same query count at every size (≤ 15 with every indicator rolled up); cold ≤ 0.05× base")
        counts = [row["page_queries"] for row in rows]
        assert len(set(counts)) == 1, f"the dashboard's query count changed with the data: {counts}"


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")
    django.setup()
    main()
