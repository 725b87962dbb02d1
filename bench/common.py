"""Helpers for benchmarks: a private database and a median timer."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connection
from django.test.utils import setup_databases, teardown_databases


@contextmanager
def bench_database():
    """A fresh ``bench_<db>`` database with migrations applied, dropped afterwards (not ``test_<db>``,
    so a benchmark and the test suite can run at the same time on one server)."""
    settings = connection.settings_dict
    settings.setdefault("TEST", {})["NAME"] = f"bench_{settings['NAME']}"
    old = setup_databases(verbosity=0, interactive=False, keepdb=False)
    try:
        yield connection
    finally:
        teardown_databases(old, verbosity=0)


def median_ms(func: Callable[[], object], repeat: int = 15) -> float:
    func()  # warm up caches and connections
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)
