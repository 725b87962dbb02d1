"""Big lists at scale (issue 12 item 3): the admin changelist of ledger entries (page 1 and page 1000)
and the ledger API (first page and a page deep in the list), at ``BENCH_LISTS_ENTRIES`` entries
(default 200 000; the issue's 10× size is 2 000 000, district scale 10 000 000).

The entries are appended set-based but through the ledger's own rules: one ``INSERT … SELECT`` per
round appends the next entry of every account, its hash computed in SQL over its fields and the
account's last hash (``ENTRY_HASH_SQL``, the chain ``ledger_verify`` checks), and the same statement
moves the account's balance, count and last hash. Every trigger stays on (append-only, audit);
``BENCH_LISTS_VERIFY=1`` runs ``ledger_verify`` over the result afterwards. ``BENCH_LISTS_FILL=fast``
writes the entries in one statement with the triggers off and dummy hashes instead
(``bench.common.ledger_entries_generate``): the lists read no hash, and the district scale (10 000 000
entries) is then minutes of generation, not hours.

Prints ``RESULT ledger_admin size=… rows=… page1_ms=… deep_ms=…`` and
``RESULT ledger_api size=… first_ms=… deep_ms=… queries=…`` (plus the village officer's deep page)."""

from __future__ import annotations

import base64
import datetime
import json
import os
import sys
import time
from io import StringIO
from urllib.parse import urlencode

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import (
    bench_database,
    households_with_accounts_generate,
    ledger_entries_generate,
    median_ms,
    result,
)

ENTRIES = int(os.environ.get("BENCH_LISTS_ENTRIES", "200000"))
HOUSEHOLDS = int(os.environ.get("BENCH_LISTS_HOUSEHOLDS", str(max(1, min(20_000, ENTRIES // 10)))))
SIZE = os.environ.get("BENCH_LISTS_SIZE", f"{ENTRIES}")
START = datetime.date(2024, 1, 1)
DAYS = 700
REPEAT = 7
DEEP_PAGE = 1000
FAST = os.environ.get("BENCH_LISTS_FILL") == "fast"  # the admin's page 1000: rows 99 901 – 100 000


def _round_sql() -> str:
    from civility.models.ledger import ENTRY_HASH_SQL

    return f"""
    WITH new AS (
        INSERT INTO civility_pointentry (account_id, seq, rule_id, points, occurred_on, source, status,
            idempotency_key, reverses_id, note, evidence, recorded_by_id, confirmed_by_id, confirmed_at,
            prev_hash, hash, created_at)
        SELECT x.account_id, x.seq, x.rule_id, x.points, x.occurred_on, x.source, 'confirmed',
            x.idempotency_key, x.reverses_id, '', '', NULL, NULL, NULL, x.prev_hash, {ENTRY_HASH_SQL.format(t="x")},
            now()
        FROM (
            SELECT a.id AS account_id, a.entry_count + 1 AS seq, %(rule)s::bigint AS rule_id,
                (ARRAY[3, 5, 5, 10, -5])[1 + a.entry_count %% 5] AS points,
                %(start)s::date + ((a.id * 7 + a.entry_count * 13) %% %(days)s)::int AS occurred_on,
                'visit'::varchar AS source, 'bench-' || (a.entry_count + 1) AS idempotency_key,
                NULL::bigint AS reverses_id, a.last_hash AS prev_hash
            FROM civility_pointaccount a
        ) x
        RETURNING account_id, points, hash
    )
    UPDATE civility_pointaccount a
    SET entry_count = a.entry_count + 1, balance = a.balance + new.points, last_hash = new.hash
    FROM new WHERE a.id = new.account_id
    """


def _ledger_fill(cursor, rounds: int) -> None:
    from django.db import transaction

    cursor.execute("SELECT id FROM civility_pointrule WHERE points > 0 ORDER BY id LIMIT 1")
    rule = cursor.fetchone()[0]
    sql = _round_sql()
    for done in range(rounds):
        # One transaction a round, foreign keys checked per statement (as seed_demo does): the audit
        # trigger's subtransactions would otherwise rescan the queue of deferred checks for every row,
        # quadratic in the rows of a statement.
        with transaction.atomic():
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(sql, {"rule": rule, "start": START, "days": DAYS})
        if done % 20 == 19:
            print(f"  … {done + 1} of {rounds} rounds", flush=True)


def _cursor_at(entry_id: int) -> str:
    """The API's cursor for "after ``entry_id``" in the default order (``-id``), as DRF encodes it."""
    return base64.b64encode(urlencode({"p": json.dumps([entry_id])}).encode("ascii")).decode("ascii")


def main() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from bench.bench_pages import _signed_in
    from civility.models import PointEntry
    from civility.services import ledger_verify
    from governance.models import Division, User
    from governance.services import role_grant

    with bench_database(), override_settings(ALLOWED_HOSTS=["testserver"]):
        call_command("seed_demo", only=["governance.divisions", "civility.rules"], stdout=StringIO())
        started = time.perf_counter()
        with connection.cursor() as cursor:
            households_with_accounts_generate(cursor, households=HOUSEHOLDS)
            if FAST:
                ledger_entries_generate(cursor, per_account=max(1, ENTRIES // HOUSEHOLDS), start=START, days=DAYS)
            else:
                _ledger_fill(cursor, max(1, ENTRIES // HOUSEHOLDS))
            cursor.execute("VACUUM ANALYZE civility_pointentry")
            cursor.execute("ANALYZE")
        rows = PointEntry.objects.count()
        print(f"appended {rows} entries to {HOUSEHOLDS} accounts in {time.perf_counter() - started:.0f} s", flush=True)
        if os.environ.get("BENCH_LISTS_VERIFY"):
            started = time.perf_counter()
            problems = ledger_verify()
            print(f"ledger_verify: {len(problems)} problems in {time.perf_counter() - started:.1f} s", flush=True)

        district = Division.objects.get(code="431302")
        admin = role_grant(username="bench_lists_admin", role="district_admin", division=district)
        browser = _signed_in(Client(), admin)
        changelist = "/admin/civility/pointentry/"
        deep = min(DEEP_PAGE, max(1, rows // 100))
        for url in (changelist, f"{changelist}?p={deep}"):
            response = browser.get(url)
            assert response.status_code == 200, (url, response.status_code)
            assert b'id="result_list"' in response.content, url  # rows listed
        if os.environ.get("BENCH_VERBOSE"):
            for url in (changelist, f"{changelist}?p={deep}"):
                with CaptureQueriesContext(connection) as queries:
                    browser.get(url)
                print(f"  {url}: {len(queries)} queries")
                for query in queries.captured_queries:
                    print(f"    {query['time']} s  {query['sql'][:200]}")
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(lambda: browser.get(changelist))
            pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
        page1_ms = median_ms(lambda: browser.get(changelist), REPEAT)
        deep_ms = median_ms(lambda: browser.get(f"{changelist}?p={deep}"), REPEAT)
        print(f"ledger admin, district admin: page 1 {page1_ms:.0f} ms, page {deep} {deep_ms:.0f} ms")
        result("ledger_admin", size=SIZE, rows=rows, page=deep, page1_ms=page1_ms, deep_ms=deep_ms)

        api = APIClient()
        api.force_authenticate(admin)
        url = "/api/v1/civility/entries/"
        ids = PointEntry.objects.order_by("id").values_list("id", flat=True)
        low, high = ids.first(), ids.last()
        deep_cursor = _cursor_at(low + (high - low) // 20)  # 95 % of the way down the list
        # The queries of one request as a caller makes it: the user read afresh (roles, scope and
        # permissions not yet cached on it), authentication itself (session or key) not counted.
        fresh = APIClient()
        fresh.force_authenticate(User.objects.get(pk=admin.pk))
        connection.queries_log.clear()  # a full log (9 000 queries, DEBUG on) would capture nothing
        with CaptureQueriesContext(connection) as queries:
            body = fresh.get(url, {"cursor": deep_cursor}).json()
        # Read now: with DEBUG on, the connection's log of 9 000 queries rotates under later requests.
        api_queries = len(queries)
        assert len(body["results"]) == 50, body
        if os.environ.get("BENCH_VERBOSE"):
            for query in queries.captured_queries:
                print(f"    {query['time']} s  {query['sql'][:200]}")
        first_ms = median_ms(lambda: api.get(url), REPEAT)
        api_deep_ms = median_ms(lambda: api.get(url, {"cursor": deep_cursor}), REPEAT)

        village = Division.objects.filter(level="village").order_by("path").first()
        officer = role_grant(username="bench_lists_officer", role="community_officer", division=village)
        officer_api = APIClient()
        officer_api.force_authenticate(officer)
        village_deep_ms = median_ms(lambda: officer_api.get(url, {"cursor": deep_cursor}), REPEAT)
        print(
            f"ledger API: first page {first_ms:.1f} ms, deep page {api_deep_ms:.1f} ms ({api_queries} queries); "
            f"a village officer's deep page {village_deep_ms:.1f} ms"
        )
        result(
            "ledger_api",
            size=SIZE,
            rows=rows,
            first_ms=first_ms,
            deep_ms=api_deep_ms,
            queries=api_queries,
            village_deep_ms=village_deep_ms,
        )


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")
    django.setup()
    main()
