import logging
import os

import pytest
from django.db import transaction

from governance.celery import app
from governance.models import Division
from governance.tasking import enqueue_on_commit, send_now
from governance.tasks import division_tree_verify, ping

REDIS_URL = os.environ.get("REDIS_URL", "")
# CI sets REQUIRE_CELERY_WORKER=1: there a missing Redis is a failure, not a skip.
needs_redis = pytest.mark.skipif(
    not REDIS_URL and os.environ.get("REQUIRE_CELERY_WORKER") != "1",
    reason="REDIS_URL is not set; CI runs this against a real worker",
)


def test_tree_verify_finds_no_break_in_a_trigger_kept_tree(divisions):
    assert division_tree_verify.apply().get() == {"checked": 7, "broken": []}


def test_tree_verify_reports_a_broken_path(divisions):
    # Only a superuser disabling triggers could do this; the nightly task must still catch it.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # skips triggers (superuser only)
        cursor.execute("UPDATE governance_division SET path = 'X/' WHERE code = '431302001001'")
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert division_tree_verify.apply().get()["broken"] == ["431302001001"]


def test_task_is_sent_only_after_commit(db, django_capture_on_commit_callbacks, monkeypatch):
    sent = []
    monkeypatch.setattr("governance.tasking.send_now", lambda task, *a, **k: sent.append(task.name))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue_on_commit(ping)
        assert sent == []
    assert len(callbacks) == 1
    assert sent == ["governance.ping"]


def test_dead_broker_does_not_raise():
    """With Redis down, publishing gives up after the short broker timeouts instead of hanging."""
    from celery import Celery

    dead = Celery("dead-broker", set_as_current=False)
    dead.config_from_object("django.conf:settings", namespace="CELERY")  # the portal's own timeouts
    dead.conf.task_always_eager = False
    dead.conf.broker_url = "redis://127.0.0.1:9/0"  # nothing listens on port 9

    @dead.task(name="dead.noop")
    def noop():
        return None

    assert send_now(noop) is False


def test_a_dead_broker_is_reported_once_a_minute_not_per_message(caplog, monkeypatch):
    from governance import tasking
    from governance.cache import OutageLog

    class Unreachable:
        name = "dead.noop"

        def apply_async(self, **kwargs):
            raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(tasking, "_broker_outage", OutageLog("celery broker"))
    with caplog.at_level(logging.WARNING):
        assert [send_now(Unreachable()) for _ in range(20)] == [False] * 20
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


@pytest.fixture
def celery_worker_app():
    from celery.contrib.testing.worker import start_worker

    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL, result_backend=REDIS_URL)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            yield app
    finally:
        app.conf.update(saved)


@needs_redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_real_worker_runs_a_task_against_the_database(celery_worker_app):
    from tests.factories import tree

    tree()
    result = division_tree_verify.delay()
    assert result.get(timeout=30) == {"checked": Division.objects.count(), "broken": []}
    assert ping.delay().get(timeout=30) == "pong"
