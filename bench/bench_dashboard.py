"""The leaders' dashboard for the whole district: server-side render (cold cache) against its
indicators' SQL replayed back to back. Goal (issue 8): render ≤ 1.3 × raw SQL, and a query count that
does not grow with the data. BENCH_HOUSEHOLDS sets the demo size (default 2000)."""

from __future__ import annotations

import os
import sys
from io import StringIO

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, median_ms

HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "2000"))


def main() -> None:
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from governance.dashboard.periods import period_from
    from governance.dashboard.selectors import dashboard_compute
    from governance.models import Division, User
    from security.models import Dispute

    with bench_database(), override_settings(ALLOWED_HOSTS=["testserver"]):
        call_command("seed_demo", households=HOUSEHOLDS, stdout=StringIO())
        district = Division.objects.get(code="431302")
        leader = User.objects.get(username="demo_leader")
        client = Client()
        client.force_login(leader)
        period = period_from({})[1]
        with CaptureQueriesContext(connection) as captured:
            dashboard_compute(division=district, period=period)
        statements = [q["sql"] for q in captured.captured_queries]

        def raw() -> None:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    cursor.fetchall()

        def render() -> None:
            cache.clear()
            assert client.get("/dashboard/").status_code == 200

        page_queries: list[str] = []  # an execute wrapper, since each request resets connection.queries

        def count(execute, sql, params, many, context):
            page_queries.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            render()
        raw_ms, render_ms = median_ms(raw, repeat=5), median_ms(render, repeat=5)
        cache.clear()
        client.get("/dashboard/")
        cached_ms = median_ms(lambda: client.get("/dashboard/"), repeat=5)
        print(f"seeded {HOUSEHOLDS} households, {Dispute.objects.count()} disputes; period {period.label}")
        print(f"dashboard indicators' SQL back to back: {len(statements)} queries, {raw_ms:.0f} ms")
        print(
            f"dashboard page, cold cache: {len(page_queries)} queries, {render_ms:.0f} ms "
            f"({render_ms / raw_ms:.2f} × raw SQL); warm cache: {cached_ms:.1f} ms"
        )


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")
    django.setup()
    main()
