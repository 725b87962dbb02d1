"""Read replicas (issue 18, item 2): governance.db_router.

Unit tests of the router and its middleware need no replica (the replica alias is a second connection
settings entry; reachability is stubbed or pointed at a closed port). The tests marked ``live`` run
against a real PostgreSQL streaming replica of the test server, started with scripts/pg_replica.sh:
they skip when it cannot be started, unless REQUIRE_REPLICA=1 (CI), where that is a failure."""

from __future__ import annotations

import copy
import logging
import os
import subprocess
import time
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.signing import get_cookie_signer
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from governance import db_router
from governance.db_router import PIN_COOKIE, PIN_SALT, ReplicaPinMiddleware, ReplicaRouter
from governance.models import Division
from tests.auth import verified_login
from tests.factories import tree, user_with_role

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "pg_replica.sh"
LIVE_PORT = os.environ.get("PG_REPLICA_PORT", "5433")
REPLICA = "replica_t"  # the alias the tests add (never in settings, so never created or migrated)

router = ReplicaRouter()


# --- helpers ----------------------------------------------------------------------------------------


def _add_alias(alias: str, **changes) -> None:
    """Open a connection object for ``alias`` (a copy of the test database's settings with ``changes``)
    without leaving the alias in ``connections.settings``: Django's test case refuses connections to
    configured aliases the test did not declare, and allows ones created on the fly."""
    settings_dict = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict.update(changes)
    settings_dict["TEST"] = {**settings_dict.get("TEST", {}), "MIRROR": None}
    connections.settings[alias] = settings_dict
    try:
        connections[alias]  # created and kept (thread-local) by the handler
    finally:
        del connections.settings[alias]


def _drop_alias(alias: str) -> None:
    try:
        connection = connections[alias]
    except Exception:
        return
    try:
        connection.close()
    finally:
        del connections[alias]


@pytest.fixture
def replica_alias(settings):
    """A replica alias that is a second connection to the test server (routing only; not a standby)."""
    _add_alias(REPLICA)
    settings.DATABASE_REPLICAS = [REPLICA]
    db_router.replica_health_forget()
    yield REPLICA
    _drop_alias(REPLICA)
    db_router.replica_health_forget()


@pytest.fixture
def reachable(monkeypatch, replica_alias):
    """Routing with the replica taken as up, without connecting to it."""
    monkeypatch.setattr(db_router, "replica_reachable", lambda alias: True)
    return replica_alias


def _middleware(view):
    return ReplicaPinMiddleware(view)


# --- unit: the router -------------------------------------------------------------------------------


def test_no_replica_configured_the_router_is_a_no_op(settings):
    settings.DATABASE_REPLICAS = []
    with db_router.request_state(pinned=False):
        assert router.db_for_read(Division) is None
        assert router.db_for_write(Division) is None
    assert router.allow_migrate("default", "governance") is None


def test_no_replica_configured_the_middleware_sets_no_cookie(settings, rf: RequestFactory):
    settings.DATABASE_REPLICAS = []
    response = _middleware(lambda request: HttpResponse("好"))(rf.post("/x/"))
    assert PIN_COOKIE not in response.cookies
    assert db_router.current_state() is None


def test_reads_in_a_request_go_to_the_replica_writes_to_the_primary(reachable):
    with db_router.request_state(pinned=False) as state:
        assert router.db_for_read(Division) == REPLICA
        assert router.db_for_write(Division) == DEFAULT_DB_ALIAS
        assert state.used == {REPLICA}


def test_a_write_pins_the_rest_of_the_request_to_the_primary(reachable):
    with db_router.request_state(pinned=False) as state:
        assert router.db_for_read(Division) == REPLICA
        router.db_for_write(Division)
        assert state.wrote and state.pinned
        assert router.db_for_read(Division) == DEFAULT_DB_ALIAS


def test_outside_a_request_reads_go_to_the_primary_unless_asked(reachable):
    assert db_router.current_state() is None
    assert router.db_for_read(Division) == DEFAULT_DB_ALIAS
    with db_router.replica_reads():
        assert router.db_for_read(Division) == REPLICA


def test_sessions_and_sign_in_bookkeeping_read_the_primary_and_do_not_pin(reachable):
    from django.contrib.sessions.models import Session

    from governance.models import ApiKey

    with db_router.request_state(pinned=False) as state:
        assert router.db_for_read(Session) == DEFAULT_DB_ALIAS
        assert router.db_for_read(ApiKey) == DEFAULT_DB_ALIAS
        router.db_for_write(Session)
        router.db_for_write(ApiKey)
        assert not state.pinned and not state.wrote
        assert router.db_for_read(Division) == REPLICA


@pytest.mark.django_db
def test_a_read_inside_an_atomic_block_on_the_primary_reads_the_primary(reachable):
    with db_router.request_state(pinned=False), transaction.atomic():
        assert router.db_for_read(Division) == DEFAULT_DB_ALIAS


def test_replicas_are_never_migrated_and_relations_across_them_are_allowed(reachable):
    assert router.allow_migrate(REPLICA, "governance") is False
    assert router.allow_migrate("replica_0", "governance") is False
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "governance") is None
    a, b = Division(), Division()
    a._state.db, b._state.db = REPLICA, DEFAULT_DB_ALIAS
    assert router.allow_relation(a, b) is True
    b._state.db = "other"
    assert router.allow_relation(a, b) is None


# --- unit: the middleware and its cookie ----------------------------------------------------------


def _routing_view(write: bool):
    def view(request):
        first = router.db_for_read(Division)
        if write:
            router.db_for_write(Division)
        return HttpResponse(f"{first} {router.db_for_read(Division)}")

    return view


def test_a_get_that_does_not_write_reads_the_replica_and_sets_no_cookie(reachable, rf):
    response = _middleware(_routing_view(write=False))(rf.get("/x/"))
    assert response.content.decode() == f"{REPLICA} {REPLICA}"
    assert PIN_COOKIE not in response.cookies


def test_a_get_that_writes_reads_its_write_from_the_primary_and_sets_the_pin_cookie(reachable, rf, settings):
    settings.DATABASE_REPLICA_PIN_SECONDS = 7
    response = _middleware(_routing_view(write=True))(rf.get("/x/"))
    assert response.content.decode() == f"{REPLICA} default"
    cookie = response.cookies[PIN_COOKIE]
    assert cookie["max-age"] == 7
    assert cookie["httponly"]


def test_a_post_reads_the_primary_from_its_start_and_sets_the_pin_cookie(reachable, rf):
    response = _middleware(_routing_view(write=False))(rf.post("/x/"))
    assert response.content.decode() == "default default"
    assert PIN_COOKIE in response.cookies


def test_the_pin_cookie_keeps_the_next_request_on_the_primary(reachable, rf):
    wrote = _middleware(_routing_view(write=True))(rf.get("/x/"))
    request = rf.get("/y/")
    request.COOKIES[PIN_COOKIE] = wrote.cookies[PIN_COOKIE].value
    response = _middleware(_routing_view(write=False))(request)
    assert response.content.decode() == "default default"


def test_an_expired_or_forged_pin_cookie_is_no_pin(reachable, rf, settings):
    value = get_cookie_signer(salt=PIN_COOKIE + PIN_SALT).sign("1")
    settings.DATABASE_REPLICA_PIN_SECONDS = 0  # every cookie is older than 0 seconds
    request = rf.get("/y/")
    request.COOKIES[PIN_COOKIE] = value
    time.sleep(0.01)
    assert _middleware(_routing_view(write=False))(request).content.decode() == f"{REPLICA} {REPLICA}"
    settings.DATABASE_REPLICA_PIN_SECONDS = 5
    request = rf.get("/y/")
    request.COOKIES[PIN_COOKIE] = "1:forged"
    assert _middleware(_routing_view(write=False))(request).content.decode() == f"{REPLICA} {REPLICA}"
    request.COOKIES[PIN_COOKIE] = value
    assert _middleware(_routing_view(write=False))(request).content.decode() == "default default"


# --- unit: a replica that cannot be reached ---------------------------------------------------------


@pytest.fixture
def dead_replica(settings):
    """A replica alias on a port nothing listens on."""
    _add_alias(REPLICA, HOST="127.0.0.1", PORT="1", OPTIONS={"connect_timeout": 1})
    settings.DATABASE_REPLICAS = [REPLICA]
    db_router.replica_health_forget()
    yield REPLICA
    _drop_alias(REPLICA)
    db_router.replica_health_forget()


@pytest.mark.django_db
def test_an_unreachable_replica_sends_reads_to_the_primary_with_one_warning_per_interval(
    dead_replica, caplog, monkeypatch, settings
):
    settings.DATABASE_REPLICA_HEALTH_SECONDS = 60
    attempts = []
    original = type(connections[dead_replica]).ensure_connection

    def counting(self):
        attempts.append(self.alias)
        return original(self)

    monkeypatch.setattr(type(connections[dead_replica]), "ensure_connection", counting)
    caplog.set_level(logging.WARNING, logger="governance.db_router")
    with db_router.request_state(pinned=False) as state:
        assert router.db_for_read(Division) == DEFAULT_DB_ALIAS
        assert router.db_for_read(Division) == DEFAULT_DB_ALIAS
        assert state.used == {DEFAULT_DB_ALIAS}
    assert attempts.count(dead_replica) == 1  # the "down" answer is cached
    warnings = [r for r in caplog.records if r.name == "governance.db_router"]
    assert len(warnings) == 1 and warnings[0].levelno == logging.WARNING
    assert "只读副本" in warnings[0].getMessage()

    settings.DATABASE_REPLICA_HEALTH_SECONDS = 0  # the interval is over: tried again
    with db_router.request_state(pinned=False):
        assert router.db_for_read(Division) == DEFAULT_DB_ALIAS
    assert attempts.count(dead_replica) == 2


@pytest.mark.django_db
def test_a_reachable_replica_is_checked_once_per_interval(replica_alias, monkeypatch, settings):
    settings.DATABASE_REPLICA_HEALTH_SECONDS = 60
    probes = []
    original = type(connections[replica_alias]).is_usable

    def counting(self):
        probes.append(self.alias)
        return original(self)

    monkeypatch.setattr(type(connections[replica_alias]), "is_usable", counting)
    with db_router.request_state(pinned=False):
        for _ in range(5):
            assert router.db_for_read(Division) == replica_alias
    assert probes == []  # no open connection to probe at the first check; then cached
    assert connections[replica_alias].connection is not None
    settings.DATABASE_REPLICA_HEALTH_SECONDS = 0
    with db_router.request_state(pinned=False):
        assert router.db_for_read(Division) == replica_alias
    assert probes == [replica_alias]


# --- live: a real streaming replica -------------------------------------------------------------------


def _script(command: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(SCRIPT), command],
        capture_output=True,
        text=True,
        timeout=900,
        env={**os.environ, "PG_REPLICA_PORT": LIVE_PORT},
    )


@pytest.fixture(scope="module")
def standby_port():
    """The port of a running streaming replica of the test server: started by scripts/pg_replica.sh
    (and stopped afterwards) unless one of the script's was already running (then left running)."""
    was_running = _script("status").returncode == 0
    started = _script("start")
    if started.returncode != 0:
        message = f"scripts/pg_replica.sh start failed: {started.stderr.strip()[-800:]}"
        if os.environ.get("REQUIRE_REPLICA") == "1":
            pytest.fail(message)
        pytest.skip(message)
    yield LIVE_PORT
    if not was_running:
        _script("stop")


@pytest.fixture
def live_replica(standby_port, transactional_db, settings):
    """The replica alias pointed at the real standby, serving the test database (committed rows only)."""
    if _script("status").returncode != 0:  # an earlier test stopped it
        assert _script("start").returncode == 0
    _add_alias(REPLICA, HOST="127.0.0.1", PORT=standby_port, OPTIONS={"connect_timeout": 2})
    settings.DATABASE_REPLICAS = [REPLICA]
    db_router.replica_health_forget()
    cache.clear()
    yield REPLICA
    _drop_alias(REPLICA)
    db_router.replica_health_forget()
    cache.clear()


def _wait_replayed(alias: str, timeout: float = 30.0) -> None:
    """Wait until the standby has replayed everything the primary has written so far."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()")
        (lsn,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    while True:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn() >= %s::pg_lsn", [lsn])
            in_recovery, replayed = cursor.fetchone()
        assert in_recovery, "the replica alias is not a standby"
        if replayed:
            return
        assert time.monotonic() < deadline, f"the standby did not replay {lsn} within {timeout} s"
        time.sleep(0.1)


class _Recorder:
    """Records, per connection alias, the SQL run and whether that server is a standby."""

    def __init__(self, alias: str):
        self.alias = alias
        self.sql: list[str] = []
        self.in_recovery: bool | None = None

    def __call__(self, execute, sql, params, many, context):
        if self.in_recovery is None:
            with context["connection"].connection.cursor() as cursor:
                cursor.execute("SELECT pg_is_in_recovery()")
                self.in_recovery = cursor.fetchone()[0]
        self.sql.append(sql)
        return execute(sql, params, many, context)


def test_live_a_dashboard_get_reads_the_standby(live_replica, client, settings):
    # Production reads the roll-ups as they are; the test settings' refresh-on-read writes (so the
    # request would rightly be pinned to the primary), which is not what is measured here.
    settings.ROLLUPS_REFRESH_ON_READ = False
    divisions = tree()
    leader = user_with_role("leader", divisions["district"], username="leader_replica")
    verified_login(client, leader)
    _wait_replayed(live_replica)
    primary, standby = _Recorder(DEFAULT_DB_ALIAS), _Recorder(live_replica)
    with connections[DEFAULT_DB_ALIAS].execute_wrapper(primary), connections[live_replica].execute_wrapper(standby):
        response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert standby.in_recovery is True  # the connection the dashboard read on is a hot standby
    assert any("governance_division" in sql for sql in standby.sql)
    assert primary.in_recovery in (None, False)
    assert not any("governance_division" in sql for sql in primary.sql), primary.sql
    assert PIN_COOKIE not in response.cookies


@pytest.mark.urls("tests.governance.replica_urls")
def test_live_a_read_after_a_write_in_the_same_request_hits_the_primary(live_replica, client, settings):
    settings.DATABASE_REPLICA_PIN_SECONDS = 2
    tree()
    _wait_replayed(live_replica)
    response = client.get("/rwr/", {"code": "431302001099"})
    assert response.status_code == 200
    assert response.json() == {"before_on_standby": True, "after_on_standby": False, "written_row_seen": True}
    assert PIN_COOKIE in response.cookies

    # The next request of this browser (cookie) reads the primary; after the pin, the standby again.
    assert client.get("/read/").json() == {"on_standby": False}
    time.sleep(2.2)
    assert client.get("/read/").json() == {"on_standby": True}


def test_live_the_replica_stopped_the_dashboard_still_answers_with_a_warning(live_replica, client, caplog):
    divisions = tree()
    leader = user_with_role("leader", divisions["district"], username="leader_replica_down")
    verified_login(client, leader)
    _wait_replayed(live_replica)
    connections[live_replica].close()
    stopped = _script("stop")
    assert stopped.returncode == 0, stopped.stderr
    assert _script("status").returncode != 0
    db_router.replica_health_forget()
    caplog.set_level(logging.WARNING, logger="governance.db_router")
    primary = _Recorder(DEFAULT_DB_ALIAS)
    with connections[DEFAULT_DB_ALIAS].execute_wrapper(primary):
        response = client.get(reverse("dashboard:home"))
    assert response.status_code == 200
    assert any("governance_division" in sql for sql in primary.sql)
    warnings = [r for r in caplog.records if r.name == "governance.db_router" and r.levelno == logging.WARNING]
    assert warnings and live_replica in warnings[0].getMessage()
