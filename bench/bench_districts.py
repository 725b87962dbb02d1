"""Per-district work at city scale (issue 18, item 3): the monthly ranking (一月一评比) of 10 districts,
dispatched by ``governance.fanout`` as one Celery task per district over the district queues, run by a
real worker pool of 1, 2 and 4 processes (``celery worker -c K -Q districts-0,…``) on Redis. Prints the
wall time from dispatch to the chord's report for each pool size and the speed-up over one process.
The machine's core count bounds the speed-up (2 cores here: 4 processes cannot beat 2).

    BENCH_DISTRICT_HOUSEHOLDS=10000 (per district)   BENCH_REDIS_URL=redis://127.0.0.1:6379/13
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from io import StringIO

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, households_with_accounts_generate, ledger_entries_generate, result

DISTRICTS = 10
PER_DISTRICT = int(os.environ.get("BENCH_DISTRICT_HOUSEHOLDS", "10000"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
QUEUES = 4

# Nine more districts beside the demo's 娄星区, each 5 townships × 20 villages (the path trigger keeps
# the paths), so households spread evenly over ten districts.
COLUMNS = "code, name, level, parent_id, path, depth, sort_order, is_active, created_at, updated_at"
DISTRICTS_SQL = """
INSERT INTO governance_division ({columns})
SELECT '4399' || lpad(d::text, 2, '0'), '测试区' || d, 'district', NULL, '', 0, 0, true, now(), now()
FROM generate_series(1, %(more)s) d;
INSERT INTO governance_division ({columns})
SELECT p.code || lpad(t::text, 3, '0'), p.name || '镇' || t, 'township', p.id, '', 0, 0, true, now(), now()
FROM governance_division p, generate_series(1, 5) t WHERE p.code LIKE '4399%%' AND p.level = 'district';
INSERT INTO governance_division ({columns})
SELECT p.code || lpad(v::text, 3, '0'), p.name || '村' || v, 'village', p.id, '', 0, 0, true, now(), now()
FROM governance_division p, generate_series(1, 20) v WHERE p.code LIKE '4399%%' AND p.level = 'township';
"""


def _worker(database_url: str, processes: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS,
        "CELERY_DISTRICT_QUEUES": str(QUEUES),
        "DJANGO_LOG_LEVEL": "WARNING",
    }
    queues = ",".join([f"districts-{k}" for k in range(QUEUES)] + ["celery"])
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "governance",
            "worker",
            "-P",
            "prefork",
            "-c",
            str(processes),
            "-Q",
            queues,
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )


def main() -> None:
    import datetime

    import redis
    from celery.result import AsyncResult
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from civility.models import RankingMonth
    from governance import fanout
    from governance.celery import app
    from governance.models import DistrictRun
    from governance.tasks import ping

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError:
        print(f"no Redis at {REDIS}: the per-district bench needs a real broker; skipped")
        return
    month = datetime.date(2026, 10, 1)
    with bench_database():
        call_command("seed_demo", only=["governance.divisions", "civility.rules"], stdout=StringIO())
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(DISTRICTS_SQL.format(columns=COLUMNS), {"more": DISTRICTS - 1})
            households_with_accounts_generate(cursor, households=DISTRICTS * PER_DISTRICT)
            ledger_entries_generate(cursor, per_account=4, start=month, days=28)
            cursor.execute("ANALYZE")
        districts = fanout.districts()
        assert len(districts) == DISTRICTS, [d.code for d in districts]
        print(
            f"{len(districts)} districts, {DISTRICTS * PER_DISTRICT} households with 4 entries each in "
            f"{month:%Y-%m} ({time.perf_counter() - started:.1f} s)"
        )
        db = connection.settings_dict
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
        settings.CELERY_DISTRICT_QUEUES = QUEUES
        app.conf.update(task_always_eager=False, broker_url=REDIS, result_backend=REDIS)
        redis.Redis.from_url(REDIS).flushdb()
        baseline = None
        try:
            for processes in (1, 2, 4):
                DistrictRun.objects.all().delete()
                RankingMonth.objects.all().delete()
                worker = _worker(database_url, processes)
                try:
                    # The pool up (Django loaded, Redis connected) before the clock starts.
                    assert ping.apply_async(queue="celery").get(timeout=300) == "pong"
                    started = time.perf_counter()
                    answer = fanout.dispatch(job="civility.ranking", key=f"{month:%Y-%m}")
                    summary = AsyncResult(answer["report"], app=app).get(timeout=600)
                    seconds = time.perf_counter() - started
                finally:
                    worker.terminate()
                    worker.wait(timeout=60)
                assert summary["done"] == sorted(d.code for d in districts), summary
                baseline = baseline or seconds
                print(f"{processes} worker process(es): {seconds:.2f} s for {DISTRICTS} districts")
                result(
                    "district_ranking",
                    districts=DISTRICTS,
                    households=DISTRICTS * PER_DISTRICT,
                    workers=processes,
                    seconds=seconds,
                    speedup=baseline / seconds,
                )
        finally:
            app.conf.update(saved)
