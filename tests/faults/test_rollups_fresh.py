"""Freshness of the roll-ups with a real Celery worker (issue 12): a dispute saved through the service is
on the dashboard's cells once the worker has run ``governance.rollups_refresh`` (beat sends it every
minute; here the test sends it as beat would, so the measured lag is the task's part of the ≤ 60 s)."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from governance.models import RollupCell, RollupDirty
from governance.rollups import rollups_rebuild
from tests.factories import tree
from tests.faults.services import REDIS_SERVER
from tests.security.factories import intake, make_bodies, police_rule

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        REDIS_SERVER is None and os.environ.get("REQUIRE_CELERY_WORKER") != "1", reason="redis-server is not on PATH"
    ),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]


def _received(division) -> int:
    cells = RollupCell.objects.filter(indicator="security.received", division=division)
    return int(sum(cell.numerator for cell in cells))


def test_a_saved_dispute_reaches_the_cells_through_the_worker(redis_server, tmp_path):
    divisions = tree()
    make_bodies(divisions)
    police_rule()
    rollups_rebuild()
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "governance.settings.test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "REDIS_URL": redis_server.url,
    }
    log = tmp_path / "worker.log"
    command = [sys.executable, "-m", "celery", "-A", "governance", "worker", "--pool=solo", "--concurrency=1"]
    command += ["--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "info", "-n", "fresh@%h"]
    producer = Celery("fresh-producer", set_as_current=False)
    producer.config_from_object(settings, namespace="CELERY")
    producer.conf.update(task_always_eager=False, broker_url=redis_server.url, result_backend=None)
    with log.open("ab") as out:
        worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        # The worker is up once it has refreshed a first mark (its start is not the lag measured).
        RollupDirty.objects.create(source="security.disputes", division_id=divisions["v12"].pk, month="2025-01-01")
        producer.send_task("governance.rollups_refresh")
        started = time.monotonic()
        while RollupDirty.objects.exists():
            if time.monotonic() - started > 120:
                pytest.fail(f"the worker did not start\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        before = _received(divisions["v11"])
        saved = time.monotonic()
        intake(divisions["v11"])
        assert RollupDirty.objects.filter(source="security.disputes", division_id=divisions["v11"].pk).exists()
        producer.send_task("governance.rollups_refresh")
        while _received(divisions["v11"]) != before + 1:
            if time.monotonic() - saved > 60:
                pytest.fail(f"not fresh within 60 s\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        lag = time.monotonic() - saved
        print(f"RESULT rollup_freshness task_lag_s={lag:.2f} (plus up to 60 s to beat's next minute)")
        assert not RollupDirty.objects.filter(source="security.disputes").exists()
    finally:
        worker.kill()
        worker.wait(timeout=10)
