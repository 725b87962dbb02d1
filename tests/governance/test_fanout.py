"""Per-district work (issue 18, item 3; ``governance.fanout``): one Celery task per 区县, recorded in
``DistrictRun``, resumable, one district's failure reported without stopping the others, routed to
queues by district. Eager here; the last test runs the same through a real worker on Redis."""

from __future__ import annotations

import datetime
import logging
import time
import zlib

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from civility.models import MonthlyRanking, RankingMonth
from governance import fanout
from governance.models import DistrictRun, DistrictRunStatus, Household
from governance.registry import DistrictJob, registry
from tests.civility.factories import account_in
from tests.factories import tree
from tests.governance.test_tasks import REDIS_URL, needs_redis

pytestmark = pytest.mark.django_db

CODES = ("431302", "431321", "431381")  # 娄星区, 双峰县, 冷水江市
MONTH = "2025-06"  # account_in's entries are dated 2025-06-01


@pytest.fixture
def districts():
    """Three districts, each with two funded households (a third in 双峰县)."""
    trees = {code: tree(code) for code in CODES}
    for nodes in trees.values():
        account_in(nodes["v11"], balance=10)
        account_in(nodes["v12"], balance=20)
    account_in(trees["431321"]["v21"], balance=5)
    return trees


def _runs(job: str, key: str) -> dict[str, DistrictRun]:
    return {r.division.code: r for r in DistrictRun.objects.filter(job=job, key=key).select_related("division")}


def test_the_ranking_runs_once_per_district_and_each_ranks_its_own_households(districts):
    answer = fanout.dispatch(job="civility.ranking", key=MONTH)
    assert answer["sent"] == sorted(CODES) and answer["already_done"] == []
    runs = _runs("civility.ranking", MONTH)
    assert {code: run.status for code, run in runs.items()} == dict.fromkeys(CODES, DistrictRunStatus.DONE)
    for code, nodes in districts.items():
        own = Household.objects.in_subtree(nodes["district"]).count()
        assert runs[code].result == {"households": own}
        ranking = RankingMonth.objects.get(division=nodes["district"], month="2025-06-01")
        assert ranking.households == own
        ranked = MonthlyRanking.objects.filter(ranking_month=ranking).values_list(
            "household__division__path", flat=True
        )
        assert ranked and all(path.startswith(nodes["district"].path) for path in ranked)
    assert runs["431321"].result == {"households": 3}


def test_dispatching_again_skips_the_districts_done_and_runs_the_failed_again(districts, monkeypatch, caplog):
    calls: list[str] = []

    def flaky(*, district, key):
        calls.append(district.code)
        if district.code == "431321" and calls.count("431321") == 1:
            raise RuntimeError("数据库连接中断")
        return {"ok": district.code}

    monkeypatch.setitem(
        registry.district_jobs, "test.flaky", DistrictJob("test.flaky", "测试", flaky, default_key=lambda: "k1")
    )
    with caplog.at_level(logging.ERROR, logger="governance.fanout"):
        first = fanout.dispatch(job="test.flaky")
    assert first["key"] == "k1" and first["sent"] == sorted(CODES)
    runs = _runs("test.flaky", "k1")
    assert runs["431321"].status == DistrictRunStatus.FAILED and "数据库连接中断" in runs["431321"].error
    assert "Traceback" not in runs["431321"].error  # the traceback goes to the log, not to the admin
    assert runs["431302"].status == runs["431381"].status == DistrictRunStatus.DONE
    assert any("failed in 431321" in r.getMessage() for r in caplog.records)

    second = fanout.dispatch(job="test.flaky")
    assert second["sent"] == ["431321"] and second["already_done"] == ["431302", "431381"]
    runs = _runs("test.flaky", "k1")
    assert runs["431321"].status == DistrictRunStatus.DONE and runs["431321"].attempts == 2
    assert runs["431321"].error == ""
    assert sorted(calls) == sorted([*CODES, "431321"])  # the districts done were not run twice
    third = fanout.dispatch(job="test.flaky")
    assert third["sent"] == [] and third["report"] is None


def test_a_broken_ledger_fails_its_own_district_and_is_reported(districts, caplog):
    broken = districts["431321"]["district"]
    with transaction.atomic(), connection.cursor() as cursor:
        # Only a superuser switching triggers off can do this — what the nightly check is for.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE civility_pointentry SET points = 5000 WHERE account_id IN (SELECT a.id FROM"
            " civility_pointaccount a JOIN governance_household h ON h.id = a.household_id"
            " JOIN governance_division d ON d.id = h.division_id WHERE d.path LIKE %s)",
            [broken.path + "%"],
        )
    with caplog.at_level(logging.ERROR, logger="governance.fanout"):
        fanout.dispatch(job="civility.ledger_verify", key="2026-12-01")
    runs = _runs("civility.ledger_verify", "2026-12-01")
    assert runs["431321"].status == DistrictRunStatus.FAILED
    assert "积分流水核验发现" in runs["431321"].error
    assert runs["431302"].status == runs["431381"].status == DistrictRunStatus.DONE
    assert runs["431302"].result == {"problems": 0}
    assert any("431321" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_the_report_lists_every_district_by_outcome():
    summary = fanout.report(
        [
            {"district": "431302", "status": "done", "result": {}},
            {"district": "431321", "status": "failed", "error": "x"},
            {"district": "431381", "status": "skipped", "result": {}},
        ],
        job="civility.ranking",
        key=MONTH,
    )
    assert summary == {
        "job": "civility.ranking",
        "key": MONTH,
        "done": ["431302"],
        "failed": ["431321"],
        "skipped": ["431381"],
    }


def test_an_unknown_job_or_an_unreadable_key_is_refused_in_chinese_and_sends_nothing(districts):
    with pytest.raises(ValidationError) as unknown:
        fanout.dispatch(job="civility.nothing")
    assert "没有名为" in unknown.value.message_dict["job"][0]
    for job, key in [("civility.ranking", "2025-13"), ("civility.ledger_verify", "12/01"), ("security.sweep", "x")]:
        with pytest.raises(ValidationError) as bad:
            fanout.dispatch(job=job, key=key)
        assert any("应为" in m for m in bad.value.message_dict["key"]), bad.value.message_dict
    assert not DistrictRun.objects.exists()


def test_queues_are_stable_per_district_and_share_a_province_between_them(settings):
    settings.CELERY_DISTRICT_QUEUES = 0
    assert fanout.district_queue("431302") is None
    settings.CELERY_DISTRICT_QUEUES = 4
    assert fanout.district_queue("431302") == f"districts-{zlib.crc32(b'431302') % 4}"
    hunan = [f"43{city:02d}{county:02d}" for city in range(1, 15) for county in range(1, 10)]  # 126 codes
    used = [fanout.district_queue(code) for code in hunan]
    assert set(used) == {f"districts-{k}" for k in range(4)}
    assert max(used.count(q) for q in set(used)) < 2 * len(hunan) / 4  # no queue takes twice its share


def test_dispatch_costs_the_same_queries_for_3_and_30_districts_done():
    for code in CODES:
        tree(code)
    job = DistrictJob("test.noop", "测试", lambda *, district, key: {}, default_key=lambda: "k")
    registry.district_jobs["test.noop"] = job
    try:
        with CaptureQueriesContext(connection) as three:
            fanout.dispatch(job="test.noop")
        for n in range(27):
            tree(f"4399{n:02d}")
        DistrictRun.objects.all().delete()
        with CaptureQueriesContext(connection) as thirty:
            fanout.dispatch(job="test.noop")
    finally:
        del registry.district_jobs["test.noop"]
    # Dispatch itself: two queries (the runs done, the districts); each district's task then does its own
    # constant few (get the district, create its run, mark it done).
    assert len(thirty) - len(three) == 27 * (len(three) - 2) / 3


@pytest.fixture
def district_worker(settings):
    from celery.contrib.testing.worker import start_worker

    from governance.celery import app

    settings.CELERY_DISTRICT_QUEUES = 2
    saved = {key: app.conf[key] for key in ("task_always_eager", "broker_url", "result_backend")}
    app.conf.update(task_always_eager=False, broker_url=REDIS_URL, result_backend=REDIS_URL)
    try:
        # One worker taking both district queues, as `celery worker -Q districts-0,districts-1` would.
        queues = ["districts-0", "districts-1", "celery"]
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30, queues=queues):
            yield app
    finally:
        app.conf.update(saved)


@needs_redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_each_district_from_its_queue_and_reports_the_one_that_failed(districts, district_worker):
    from celery.result import AsyncResult

    broken = districts["431381"]["district"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE civility_pointaccount SET balance = balance + 1 WHERE household_id IN (SELECT h.id FROM"
            " governance_household h JOIN governance_division d ON d.id = h.division_id WHERE d.path LIKE %s)",
            [broken.path + "%"],
        )
    assert {fanout.district_queue(code) for code in CODES} <= {"districts-0", "districts-1"}
    answer = fanout.dispatch(job="civility.ledger_verify", key="2026-12-01")
    summary = AsyncResult(answer["report"], app=district_worker).get(timeout=60)
    assert summary["done"] == ["431302", "431321"] and summary["failed"] == ["431381"]
    deadline = time.monotonic() + 10
    while DistrictRun.objects.filter(status=DistrictRunStatus.RUNNING).exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _runs("civility.ledger_verify", "2026-12-01")["431381"].status == DistrictRunStatus.FAILED


def _run_rows(district, count: int) -> None:
    from django.utils import timezone

    first = DistrictRun.objects.count()
    DistrictRun.objects.bulk_create(
        DistrictRun(
            job="civility.ranking",
            key=f"k{first + n}",
            division=district,
            status=DistrictRunStatus.DONE,
            started_at=timezone.now(),
        )
        for n in range(count)
    )


def test_the_admin_shows_a_district_admin_only_their_district_s_runs_in_constant_queries(client):
    from django.urls import reverse

    from tests.auth import verified_login
    from tests.factories import user_with_role

    own, other = tree("431302")["district"], tree("431321")["district"]
    verified_login(client, user_with_role("district_admin", own, username="admin_431302"))
    url = reverse("admin:governance_districtrun_changelist")
    _run_rows(other, 3)
    foreign = DistrictRun.objects.filter(division=other).first()
    assert client.get(reverse("admin:governance_districtrun_change", args=[foreign.pk])).status_code in (302, 404)
    counts = []
    for total in (3, 30):
        _run_rows(own, total - DistrictRun.objects.filter(division=own).count())
        with CaptureQueriesContext(connection) as queries:
            page = client.get(url)
        assert page.status_code == 200
        shown = list(page.context["cl"].result_list)
        assert len(shown) == total and {run.division_id for run in shown} == {own.pk}  # never the other's
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert client.get(url, {"status": "nonsense"}).status_code in (200, 302)  # a bad filter is no 500


@pytest.mark.django_db(transaction=True)
def test_a_district_s_ranking_does_not_wait_for_another_district_s_statistics(districts):
    """Districts ranked at the same time must not queue behind each other's ANALYZE (it holds its lock
    until its transaction ends): with another connection holding that lock, a ranking still finishes."""
    import psycopg

    from civility.services import ranking_compute

    db = connection.settings_dict
    other = psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"], dbname=db["NAME"])
    try:
        other.execute("BEGIN")
        other.execute("ANALYZE civility_monthlyranking")  # held: the other district's run, mid-transaction
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = '20s'")  # without the fix: a timeout error, not a hang
        run = ranking_compute(month=datetime.date(2025, 6, 1), division=districts["431321"]["district"])
        assert run.households == 3
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = DEFAULT")
        other.rollback()
        other.close()
