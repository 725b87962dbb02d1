"""What ``seed_demo`` costs in CPU, which a shared machine's load does not stretch the way it stretches
wall-clock time: the seeding process's own CPU seconds and those of its PostgreSQL backend (read from
``/proc/<pid>/stat``, so only when the server runs on this machine; otherwise ``db_cpu_s=None``).
On a quiet machine the seed's wall time is about the sum of the two (the process waits for the
database, and the reverse). Runs in a fresh ``bench_<db>`` database; ``BENCH_SETUP_HOUSEHOLDS``
(default 2 000) sizes the seed. Prints ``RESULT seed_cpu wall_s=… python_cpu_s=… db_cpu_s=…``."""

from __future__ import annotations

import io
import os
import resource
import time

from django.core.management import call_command

from bench.common import bench_database, result


def _process_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _backend_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a local PostgreSQL backend; ``None`` when it is not readable."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    households = int(os.environ.get("BENCH_SETUP_HOUSEHOLDS", "2000"))
    with bench_database() as connection:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        db_before, cpu_before, started = _backend_cpu(pid), _process_cpu(), time.monotonic()
        call_command("seed_demo", households=households, stdout=io.StringIO())
        wall_s, python_cpu_s = time.monotonic() - started, _process_cpu() - cpu_before
        db_after = _backend_cpu(pid)
    db_cpu_s = None if db_before is None or db_after is None else db_after - db_before
    load = os.getloadavg()[0]
    db_text = "n/a" if db_cpu_s is None else f"{db_cpu_s:.1f} s"
    print(f"seed_demo ({households} households): wall {wall_s:.1f} s, Python CPU {python_cpu_s:.1f} s, "
          f"database CPU {db_text} (load average {load:.1f})")  # fmt: skip
    result("seed_cpu", wall_s=wall_s, python_cpu_s=python_cpu_s, db_cpu_s=db_cpu_s, load=load)
