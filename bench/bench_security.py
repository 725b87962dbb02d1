"""Disputes at scale: BENCH_DISPUTES cases (default 200 000) with BENCH_EVENTS_PER events each (default 10)
generated set-based (generate_series), then

* the API list of 50 disputes with three filters (channel, status, risk level) as a district admin:
  its query count and time, against a bare view returning the same 50 rows with ``.values()``;
* the overdue sweep over BENCH_OVERDUE (default 10 000) overdue village cases, in one run.

The issue's target is 1M disputes / 10M events: ``BENCH_DISPUTES=1000000 make bench``."""

from __future__ import annotations

import os
import statistics
import sys
import time
from io import StringIO

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, disputes_generate, result

DISPUTES = int(os.environ.get("BENCH_DISPUTES", "200000"))
EVENTS_PER = int(os.environ.get("BENCH_EVENTS_PER", "10"))
OVERDUE = int(os.environ.get("BENCH_OVERDUE", "10000"))

# The columns the API list reads for each row (its code, place and body names included).
COLUMNS = (
    "id",
    "number",
    "channel",
    "external_id",
    "category",
    "division_id",
    "division__code",
    "division__name",
    "received_at",
    "status",
    "current_body_id",
    "current_body__name",
    "deadline",
    "deadline_provisional",
    "risk_level",
    "risk_score",
    "risk_reasons",
)


def bare_view_for(user):
    """The baseline: the same 50 rows as the API (same scoping, filters and order), read with ``.values()``
    and returned by ``JsonResponse`` through the same middleware, with no DRF, FilterSet or serializer.
    It scopes for the same user object the API client is forced to, so neither side loads a session."""

    def bare_view(request):
        from django.http import JsonResponse

        from security.models import Dispute

        rows = list(
            Dispute.objects.for_user(user)
            .filter(channel="police", status="closed", risk_level=2)
            .order_by("-received_at", "-id")
            .values(*COLUMNS)[:50]
        )
        return JsonResponse({"results": rows})

    return bare_view


def paired_median_ms(first, second, repeat: int = 41) -> tuple[float, float]:
    """Medians of two calls timed turn about, so that both meet the same background load."""
    first(), second()  # warm up
    times: tuple[list[float], list[float]] = ([], [])
    for _i in range(repeat):
        for func, bucket in ((first, times[0]), (second, times[1])):
            started = time.perf_counter()
            func()
            bucket.append((time.perf_counter() - started) * 1000)
    return statistics.median(times[0]), statistics.median(times[1])


def main() -> None:
    import types

    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings
    from django.test.utils import CaptureQueriesContext
    from django.urls import path
    from rest_framework.test import APIClient

    from governance.models import Division
    from governance.registry import registry
    from governance.services import role_grant
    from governance.urls import urlpatterns
    from security.services import disputes_escalate_overdue

    urls = types.ModuleType("bench_security_urls")
    sys.modules["bench_security_urls"] = urls
    with bench_database(), override_settings(ALLOWED_HOSTS=["testserver"], ROOT_URLCONF="bench_security_urls"):
        for name in ("governance.divisions", "security.bodies", "security.rules"):
            registry.demo_steps[name].func(stdout=StringIO(), options={})
        started = time.perf_counter()
        with connection.cursor() as cursor:
            # Bulk generation only: the audit triggers are skipped (superuser-only setting).
            disputes_generate(
                cursor, disputes=DISPUTES, events_per=EVENTS_PER, overdue_every=max(1, DISPUTES // OVERDUE)
            )
            # As a live database would be: statistics for every table (the divisions and bodies the list
            # joins included) and the disputes vacuumed, so index scans need not visit the heap to check
            # visibility, and no autovacuum of the new rows runs while we measure.
            cursor.execute("VACUUM ANALYZE security_dispute")
            cursor.execute("VACUUM ANALYZE security_disputeevent")
            cursor.execute("ANALYZE")
            cursor.execute("SELECT count(*) FROM security_disputeevent")
            events = cursor.fetchone()[0]
        print(f"generated {DISPUTES} disputes, {events} events in {time.perf_counter() - started:.1f} s")

        admin = role_grant(username="bench_admin", role="district_admin", division=Division.objects.get(code="431302"))
        urls.urlpatterns = [*urlpatterns, path("bench-bare/", bare_view_for(admin))]
        client = APIClient()
        client.force_authenticate(admin)
        params = {"channel": "police", "status": "closed", "risk_level": "2", "page_size": 50}
        client.get("/api/v1/security/disputes/", params)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/api/v1/security/disputes/", params)
        api_queries = len(queries)
        if os.environ.get("BENCH_VERBOSE"):
            for query in queries.captured_queries:
                print(f"  {query['time']} s  {query['sql'][:300]}")
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + queries.captured_queries[0]["sql"])
                print("\n".join(f"    {line}" for (line,) in cursor.fetchall()))
        assert response.status_code == 200 and len(response.json()["results"]) == 50, response.content[:300]
        bare_ids = [row["id"] for row in client.get("/bench-bare/").json()["results"]]
        assert [row["id"] for row in response.json()["results"]] == bare_ids, "the API and the baseline differ"
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(lambda: [client.get("/api/v1/security/disputes/", params) for _i in range(10)])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(35)
        api_ms, bare_ms = paired_median_ms(
            lambda: client.get("/api/v1/security/disputes/", params), lambda: client.get("/bench-bare/")
        )
        print(
            f"API list, 50 rows, 3 filters: {api_queries} queries, {api_ms:.1f} ms median ({1000 / api_ms:.0f} req/s)"
        )
        print(
            f"bare .values() view, same 50 rows: {bare_ms:.1f} ms median ({1000 / bare_ms:.0f} req/s); "
            f"API reaches {100 * bare_ms / api_ms:.0f} % of its throughput"
        )

        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            escalated = disputes_escalate_overdue()
        sweep_queries = len(queries)
        sweep_s = time.perf_counter() - started
        print(f"overdue sweep: escalated {escalated} cases in {sweep_s:.2f} s, {sweep_queries} queries")
        again = disputes_escalate_overdue()
        print(f"second sweep run: escalated {again}")
        result(
            "security_dispute_list",
            disputes=DISPUTES,
            queries=api_queries,
            api_ms=api_ms,
            bare_ms=bare_ms,
            throughput_pct=100 * bare_ms / api_ms,
        )
        result("security_overdue_sweep", escalated=escalated, seconds=sweep_s, queries=sweep_queries, rerun=again)
        call_command("check", stdout=StringIO())
