"""Read replicas (issue 18, item 2): a database router that sends reads made outside a write to a
PostgreSQL streaming replica, and everything else to the primary ("default").

What is routed where
--------------------
* ``settings.DATABASE_REPLICAS`` (aliases ``replica_0``…, built from ``DATABASE_REPLICA_URLS``) empty →
  the router answers ``None`` to everything: Django's own behaviour, one database (tests, migrations,
  a district on one machine).
* Writes always go to the primary.
* Reads go to a replica only inside a request (``ReplicaPinMiddleware``) that is *not pinned*: a safe
  method (GET/HEAD/OPTIONS), no write yet in this request, no open ``transaction.atomic`` on the
  primary, and no read-your-writes cookie from a request that wrote in the last
  ``DATABASE_REPLICA_PIN_SECONDS`` seconds. That is what dashboards, reports, exports and list APIs do.
* A request pins itself to the primary for the rest of its life on its first write (any
  ``db_for_write`` of a model outside ``PRIMARY_ONLY``), and the middleware then sets the short signed
  cookie, so the next requests of that browser read their own writes.
* Outside a request (Celery tasks, management commands, the shell) reads go to the primary, unless
  the code asks for a replica with ``replica_reads()``.
* Sessions, sign-in throttling, second-factor devices, API keys and beat schedules (``PRIMARY_ONLY``)
  are always read from the primary, and writing them does not pin a request: they are written as
  bookkeeping on ordinary page views (session renewal, an API key's "last used").
* A replica that cannot be reached: the read goes to the primary and a warning is logged (once per
  ``DATABASE_REPLICA_HEALTH_SECONDS`` per process); the answer, up or down, is remembered for that long,
  so a dead replica costs one connection attempt (``connect_timeout`` 2 s) per interval, not per query.

Source of the rule: issue 18 item 2; Django's "Multiple databases — database routers" and the
PostgreSQL manual, "Hot standby" (a standby answers read-only queries, a little behind the primary).
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

logger = logging.getLogger("governance.db_router")

# Models (``app_label`` or ``app_label.model_name``) read from the primary always; writing them does
# not pin a request to the primary.
PRIMARY_ONLY = frozenset(
    {
        "sessions",
        "axes",
        "otp_totp",
        "otp_static",
        "django_celery_beat",
        "governance.apikey",
    }
)
PIN_COOKIE = "portal_primary_pin"
PIN_SALT = "governance.db_router.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


@dataclass
class ReadState:
    """The routing state of one request (or one ``replica_reads()`` block).

    ``pinned``: reads go to the primary from now on. ``wrote``: a write happened (the middleware sets the
    read-your-writes cookie). ``replica``: the alias chosen for this request's reads, once chosen, so one
    request reads one replica's snapshot. ``used``: aliases that answered a read (for tests and logs)."""

    pinned: bool = False
    wrote: bool = False
    replica: str | None = None
    used: set[str] = field(default_factory=set)


_state: contextvars.ContextVar[ReadState | None] = contextvars.ContextVar("replica_read_state", default=None)

# Per-process health cache: alias → (checked at, monotonic seconds; reachable).
_health: dict[str, tuple[float, bool]] = {}
_health_lock = threading.Lock()


def read_connection(model: type) -> Any:
    """The connection a raw-SQL read of ``model``'s table should use: where the router sends this
    request's reads of it (a replica, or the primary after a write). Django routes querysets, never
    ``connection.cursor()``, so every raw read on a page goes through here."""
    from django.db import router

    return connections[router.db_for_read(model)]


def replica_aliases() -> list[str]:
    """The configured replica aliases (``settings.DATABASE_REPLICAS``, e.g. ``["replica_0"]``); [] = no replicas."""
    return list(getattr(settings, "DATABASE_REPLICAS", []) or [])


def pin_seconds() -> int:
    """How long (seconds) the read-your-writes cookie keeps a browser on the primary after a write."""
    return int(getattr(settings, "DATABASE_REPLICA_PIN_SECONDS", 5))


def health_seconds() -> float:
    """How long (seconds) a replica's reachability, up or down, is remembered per process."""
    return float(getattr(settings, "DATABASE_REPLICA_HEALTH_SECONDS", 5))


def current_state() -> ReadState | None:
    """The routing state of the running request or ``replica_reads()`` block; None outside both."""
    return _state.get()


def pin_to_primary() -> None:
    """Send the rest of this request's reads to the primary (e.g. before reading something the request
    is about to rely on for a write). No effect outside a request."""
    state = _state.get()
    if state is not None:
        state.pinned = True


@contextlib.contextmanager
def request_state(*, pinned: bool) -> Iterator[ReadState]:
    """Route the reads made inside the block as a request's: to a replica unless ``pinned`` or until the
    block writes. Yields the block's ``ReadState``; used by the middleware and ``replica_reads()``."""
    state = ReadState(pinned=pinned)
    token = _state.set(state)
    try:
        yield state
    finally:
        _state.reset(token)


def replica_reads() -> contextlib.AbstractContextManager[ReadState]:
    """Opt-in for code outside a request (a report task, an export job): reads inside the block go to a
    replica until the block writes. ``with replica_reads(): ...``"""
    return request_state(pinned=False)


def replica_health_forget() -> None:
    """Forget every cached reachability answer (tests; after a failover)."""
    with _health_lock:
        _health.clear()


def _model_key(model: type | None) -> tuple[str, str]:
    if model is None:
        return "", ""
    meta = model._meta  # type: ignore[attr-defined]
    return meta.app_label, f"{meta.app_label}.{meta.model_name}"


def _primary_only(model: type | None) -> bool:
    app_label, label = _model_key(model)
    return app_label in PRIMARY_ONLY or label in PRIMARY_ONLY


def replica_reachable(alias: str) -> bool:
    """Whether the replica ``alias`` answers, with the answer cached per process for
    ``health_seconds()``. Within the interval a known-up replica costs only ``ensure_connection()`` (a
    no-op on an open connection, and the connection the read would open anyway); a known-down one costs
    nothing. At the end of the interval an open connection is probed (``SELECT 1``). A failure is logged
    as a warning and the connection closed. Raises nothing."""
    now = time.monotonic()
    with _health_lock:
        checked = _health.get(alias)
    fresh = checked is not None and now - checked[0] < health_seconds()
    if fresh and checked is not None and not checked[1]:
        return False
    connection = connections[alias]
    try:
        if fresh:
            connection.ensure_connection()
        else:
            if connection.connection is not None and not connection.is_usable():
                connection.close()
            connection.ensure_connection()
        ok = True
    except Exception as exc:  # any failure to reach the replica means "read the primary"
        ok = False
        with contextlib.suppress(Exception):
            connection.close()
        logger.warning(
            "只读副本 %s 不可用，读操作改由主库承担 (replica unreachable, reading the primary): %s", alias, exc
        )
    if not fresh or not ok:
        with _health_lock:
            _health[alias] = (now, ok)
    return ok


def _choose_replica(state: ReadState) -> str | None:
    aliases = replica_aliases()
    if state.replica is not None and state.replica in aliases:
        if replica_reachable(state.replica):
            return state.replica
        aliases = [a for a in aliases if a != state.replica]
    random.shuffle(aliases)
    for alias in aliases:
        if replica_reachable(alias):
            state.replica = alias
            return alias
    state.replica = None
    return None


def _in_transaction() -> bool:
    """Whether code has opened ``transaction.atomic()`` on the primary (a test case's own wrapping
    transaction, Django's ``_from_testcase``, does not count: it stands for autocommit)."""
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        return False
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class ReplicaRouter:
    """``DATABASE_ROUTERS`` entry; see the module docstring for the rules."""

    def db_for_read(self, model: type | None, **hints: Any) -> str | None:
        """The alias to read ``model`` from: a replica alias, ``"default"``, or None (no replicas)."""
        if not replica_aliases():
            return None
        state = _state.get()
        if state is None or state.pinned or _primary_only(model):
            return DEFAULT_DB_ALIAS
        if _in_transaction():
            return DEFAULT_DB_ALIAS  # a read inside a write's transaction reads what it wrote
        alias = _choose_replica(state) or DEFAULT_DB_ALIAS
        state.used.add(alias)
        return alias

    def db_for_write(self, model: type | None, **hints: Any) -> str | None:
        """Always the primary; the first write (outside ``PRIMARY_ONLY``) pins the request to it."""
        if not replica_aliases():
            return None
        state = _state.get()
        if state is not None and not _primary_only(model):
            state.pinned = True
            state.wrote = True
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        """Rows read from a replica and from the primary are the same rows: relations between them are allowed."""
        databases = {DEFAULT_DB_ALIAS, *replica_aliases()}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, model_name: str | None = None, **hints: Any) -> bool | None:
        """Never migrate a replica (it replays the primary's WAL and is read-only)."""
        if db in replica_aliases() or db.startswith("replica_"):
            return False
        return None


class ReplicaPinMiddleware:
    """Gives each request its routing state (``request_state``) and keeps a browser that wrote on the
    primary for ``pin_seconds()`` afterwards with a signed cookie (``portal_primary_pin``, HttpOnly,
    max-age = the pin). A request is pinned from its start when its method is not safe or the cookie is
    valid. Does nothing when no replica is configured."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        if not replica_aliases():
            return self.get_response(request)
        pinned = request.method not in SAFE_METHODS or self._cookie_valid(request)
        with request_state(pinned=pinned) as state:
            request.replica_state = state
            response = self.get_response(request)
        if state.wrote or request.method not in SAFE_METHODS:
            response.set_signed_cookie(
                PIN_COOKIE,
                "1",
                salt=PIN_SALT,
                max_age=pin_seconds(),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response

    @staticmethod
    def _cookie_valid(request) -> bool:
        try:
            return request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT, max_age=pin_seconds()) == "1"
        except Exception:  # a forged or stale cookie is simply no pin
            return False
