"""Freshness of the leaders' dashboard (issue 12): a dispute saved through the intake service → the
district's 受理纠纷 on the dashboard one higher, with a real Celery worker and beat (``celery worker -B``,
the database scheduler, ``governance.rollups_refresh`` every 15 seconds) on Redis, and nothing
recomputed on read (``ROLLUPS_REFRESH_ON_READ`` off, as in production), for last month (a whole month,
read from the subtree cells alone; the running month would be read from the day cells, kept by the
same refresh). Prints
``RESULT dashboard_freshness trials=… lag_s_median=… lag_s_max=…``; the goal is ≤ 60 s.

    BENCH_FRESHNESS_TRIALS=3   BENCH_REDIS_URL=redis://127.0.0.1:6379/13   BENCH_HOUSEHOLDS=300"""

from __future__ import annotations

import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from io import StringIO

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, result

TRIALS = int(os.environ.get("BENCH_FRESHNESS_TRIALS", "3"))
HOUSEHOLDS = int(os.environ.get("BENCH_HOUSEHOLDS", "300"))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
TIMEOUT_S = 180


def _worker_with_beat(database_url: str, schedule_dir: str) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS, "DJANGO_LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "celery", "-A", "governance", "worker", "-B", "-c", "1", "--loglevel", "WARNING"]
    return subprocess.Popen(
        [*command, "--without-gossip", "--without-mingle", "-s", os.path.join(schedule_dir, "beat-schedule")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
    )


def main() -> None:
    import redis
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from governance.celery import app
    from governance.dashboard.periods import period_from
    from governance.dashboard.selectors import dashboard_compute
    from governance.models import Division, Person
    from governance.rollups import rollups_rebuild
    from governance.services import schedules_sync
    from governance.tasks import ping
    from security.choices import Category, Channel, PartyRole
    from security.services.intake import PartyInput, dispute_intake

    try:
        redis.Redis.from_url(REDIS).ping()
    except redis.RedisError:
        print(f"no Redis at {REDIS}: the freshness bench needs a real broker and worker; skipped")
        return

    def received(district: Division, period) -> int:
        for section in dashboard_compute(division=district, period=period).sections:
            for figure in section.figures:
                if figure.key == "security.received":
                    return int(figure.value or 0)
        raise AssertionError("security.received is not on the dashboard")

    with bench_database():
        call_command("seed_demo", households=HOUSEHOLDS, stdout=StringIO())
        schedules_sync()  # the periodic tasks the beat reads (governance.rollups_refresh every minute)
        rollups_rebuild()
        settings.ROLLUPS_REFRESH_ON_READ = False  # as in production: only the worker refreshes cells
        district = Division.objects.get(code="431302")
        # A place with two people registered (the parties of each new case).
        place = Person.objects.values("division").annotate(n=Count("id")).filter(n__gte=2).order_by("division")[0]
        village = Division.objects.get(pk=place["division"])
        # Last month, a whole month: its figures come from the cells only (the running month's are read
        # from the base tables as the page is drawn, so a case received today would show at once and
        # measure nothing). Each case is received on that month's 15th.
        last = timezone.localdate().replace(day=1) - datetime.timedelta(days=1)
        period = period_from({"period": "month", "year": last.year, "month": last.month})[1]
        assert period is not None
        received_at = timezone.make_aware(datetime.datetime(last.year, last.month, 15, 12))
        db = connection.settings_dict
        database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
        app.conf.update(task_always_eager=False, broker_url=REDIS, result_backend=REDIS)
        redis.Redis.from_url(REDIS).flushdb()
        lags: list[float] = []
        with tempfile.TemporaryDirectory() as schedule_dir:
            worker = _worker_with_beat(database_url, schedule_dir)
            try:
                assert ping.apply_async(queue="celery").get(timeout=300) == "pong"
                people = list(Person.objects.filter(division=village)[:2])
                for trial in range(TRIALS):
                    before = received(district, period)
                    dispute_intake(
                        channel=Channel.POLICE,
                        category=Category.NEIGHBOUR,
                        division=village,
                        description=f"新鲜度测试第{trial + 1}件",
                        parties=[
                            PartyInput(person=people[0], role=PartyRole.APPLICANT),
                            PartyInput(person=people[1], role=PartyRole.RESPONDENT),
                        ],
                        received_by=None,
                        received_at=received_at,
                    )
                    saved_at = time.perf_counter()
                    while received(district, period) == before:
                        if time.perf_counter() - saved_at > TIMEOUT_S:
                            raise AssertionError(f"the dashboard did not move within {TIMEOUT_S} s")
                        time.sleep(0.25)
                    lags.append(time.perf_counter() - saved_at)
                    print(f"  trial {trial + 1}: visible on the dashboard after {lags[-1]:.1f} s", flush=True)
            finally:
                worker.terminate()
                worker.wait(timeout=60)
                app.conf.update(saved)
        print(
            f"freshness (saved → on the dashboard, worker and beat running): median {statistics.median(lags):.1f} s, "
            f"max {max(lags):.1f} s over {len(lags)} trials (goal ≤ 60 s)"
        )
        result("dashboard_freshness", trials=len(lags), lag_s_median=statistics.median(lags), lag_s_max=max(lags))


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")
    django.setup()
    main()
