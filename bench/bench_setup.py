"""What ``make run`` costs on a fresh machine: ``migrate`` on an empty database, ``seed_demo`` and the
first page served, each timed as its own process, as ``make run`` runs them.

Without ``DATABASE_URL`` the run uses the embedded PostgreSQL in a fresh data directory of its own
(``PORTAL_EMBEDDED_DIR`` set to a temporary directory, removed afterwards: the demo's ``.data/`` is not
touched); with it, a database ``bench_setup_<name>`` created and dropped on that server.
``BENCH_SETUP_HOUSEHOLDS`` (default 2 000, as ``make run``) sizes the seed.
Prints ``RESULT setup db=embedded|server migrate_s=… seed_s=… first_page_s=…``."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.common import result

ROOT = Path(__file__).resolve().parent.parent


def _timed(args: list[str], env: dict[str, str]) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _first_page(env: dict[str, str]) -> float:
    """Seconds from starting the server to the login page answering 200."""
    port = _free_port()
    started = time.monotonic()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.monotonic() - started < 120:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=10) as answer:
                    if answer.status == 200:
                        return time.monotonic() - started
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the server did not answer within 120 s")
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    households = os.environ.get("BENCH_SETUP_HOUSEHOLDS", "2000")
    env = dict(os.environ)
    server_url = env.get("DATABASE_URL", "")
    workdir = None
    if server_url:
        import psycopg

        base, name = server_url.rsplit("/", 1)
        scratch = f"bench_setup_{name.split('?')[0]}"
        admin = psycopg.connect(f"{base}/postgres", autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{scratch}"')
        admin.execute(f'CREATE DATABASE "{scratch}"')
        env["DATABASE_URL"] = f"{base}/{scratch}"
        kind = "server"
    else:
        workdir = tempfile.mkdtemp(prefix="bench_setup_")
        env["PORTAL_EMBEDDED_DIR"] = workdir
        kind = "embedded"
        # The embedded server's first start (initdb) is part of a fresh machine's first command.
    try:
        migrate_s = _timed(["migrate", "--noinput"], env)
        seed_s = _timed(["seed_demo", "--households", households], env)
        first_page_s = _first_page(env)
    finally:
        if server_url:
            admin.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')
            admin.close()
        if workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    load = os.getloadavg()[0]  # the machine is shared: a busy one stretches every figure
    print(f"{kind}: migrate {migrate_s:.1f} s, seed_demo ({households} households) {seed_s:.1f} s, "
          f"first page {first_page_s:.1f} s (load average {load:.1f})")  # fmt: skip
    result("setup", db=kind, migrate_s=migrate_s, seed_s=seed_s, first_page_s=first_page_s, load=load)


if __name__ == "__main__":
    main()
