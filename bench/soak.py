"""Soak: ``SOAK_CLIENTS`` concurrent clients (default 32) for ``SOAK_SECONDS`` (default 600) against
gunicorn on a mixed workload — officers' pages, API lists and details, dispute intake through the
API, redemptions at a points shop — reporting errors (target 0), p50/p95 latency and the growth of
the gunicorn workers' resident memory between the end of the warm-up and the end (target < 10 %).

Not run by ``make bench`` (it takes minutes) nor by CI::

    DATABASE_URL=postgres://…/portal SOAK_SECONDS=300 .venv/bin/python bench/soak.py

It seeds a database of its own (``<db>_soak``: migrate + ``seed_demo --households SOAK_HOUSEHOLDS``,
dropped at the end unless ``SOAK_KEEP_DB=1``; ``SOAK_REUSE_DB=1`` runs on the one kept), starts
gunicorn on it (``SOAK_WORKERS`` sync workers, the production command of README with DEBUG off) and
drives it with threads of ``requests`` sessions, one per client (signed in once per demo account).
An error is a 5xx, a refused connection or no answer within ``SOAK_TIMEOUT`` (30 s); a 4xx is
counted apart (the workload sends only valid requests, so it should be 0 too)."""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CLIENTS = int(os.environ.get("SOAK_CLIENTS", "32"))
SECONDS = int(os.environ.get("SOAK_SECONDS", "600"))
WARMUP = int(os.environ.get("SOAK_WARMUP", str(max(10, SECONDS // 10))))
WORKERS = int(os.environ.get("SOAK_WORKERS", "4"))
HOUSEHOLDS = int(os.environ.get("SOAK_HOUSEHOLDS", "200"))
PORT = int(os.environ.get("SOAK_PORT", "18231"))
TIMEOUT = float(os.environ.get("SOAK_TIMEOUT", "30"))
PASSWORD = "Louxing-2026"
BASE = f"http://127.0.0.1:{PORT}"


def _db_urls() -> tuple[str, str, str]:
    base = os.environ.get("DATABASE_URL")
    if not base:
        sys.exit("set DATABASE_URL to a PostgreSQL server")
    server, name = base.rsplit("/", 1)
    return f"{server}/{name}_soak", f"{server}/postgres", f"{name}_soak"


def _env(db_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="governance.settings.local",
        DJANGO_DEBUG="0",
        DJANGO_LOG_LEVEL="ERROR",
        # Throttling is not under test: 32 clients share a few accounts.
        API_THROTTLE_USER="1000000/min",
        API_THROTTLE_ANON="1000000/min",
    )
    return env


def _psql(url: str, sql: str) -> None:
    subprocess.run(["psql", url, "-qc", sql], check=True, stdout=subprocess.DEVNULL)


def seed(db_url: str, admin_url: str, db: str) -> None:
    env = _env(db_url)
    started = time.perf_counter()
    if os.environ.get("SOAK_REUSE_DB") == "1":  # a database seeded by an earlier run (SOAK_KEEP_DB=1)
        return
    _psql(admin_url, f'DROP DATABASE IF EXISTS "{db}"')
    _psql(admin_url, f'CREATE DATABASE "{db}"')
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "seed_demo", "--households", str(HOUSEHOLDS)],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"seeded {HOUSEHOLDS} households in {time.perf_counter() - started:.0f} s", flush=True)


def prepare(db_url: str) -> dict:
    """In this process, on the soak database: the API key, the shop, funded accounts, ids to read."""
    os.environ.update(_env(db_url))
    import django

    django.setup()
    from civility.choices import EntrySource
    from civility.models import PointAccount, PointRule, Shop
    from civility.services import points_record
    from governance.models import Division, Person, Role
    from governance.services import api_key_create
    from security.models import Dispute

    _key, raw = api_key_create(name=f"soak-{uuid.uuid4().hex[:6]}", role=Role.DISTRICT_ADMIN, division=_district())
    shop = Shop.objects.filter(operators__username="demo_shop_operator").first()
    item = shop.items.order_by("points_price").first()
    item.stock = 10**6
    item.save(update_fields=["stock"])
    rule, _created = PointRule.objects.get_or_create(
        code="SOAK",
        defaults={"behaviour": "压测充值", "category": "volunteer", "points": 1, "division": _district()},
    )
    accounts = list(PointAccount.objects.filter(household__division__path__startswith=shop.division.path)[:20])
    for account in accounts:
        points_record(
            account=account,
            rule=rule,
            occurred_on=django.utils.timezone.localdate(),
            recorded_by=None,
            source=EntrySource.MANUAL,
            idempotency_key=f"soak-{uuid.uuid4().hex}",
            points=10**6,
        )
    villages = list(Division.objects.filter(level="village").values_list("code", flat=True)[:30])
    return {
        "key": raw,
        "shop": shop.pk,
        "item": item.pk,
        "accounts": [a.pk for a in accounts],
        "people": list(Person.objects.values_list("pk", flat=True)[:500]),
        "disputes": list(Dispute.objects.values_list("pk", flat=True)[:500]),
        "villages": villages,
    }


def _district():
    from django.conf import settings

    from governance.models import Division

    return Division.objects.get(code=settings.DISTRICT_CODE)


def start_gunicorn(db_url: str) -> subprocess.Popen:
    bin_dir = Path(sys.executable).parent
    server = subprocess.Popen(
        [str(bin_dir / "gunicorn"), "governance.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", str(WORKERS), "-t", "60"],
        cwd=ROOT,
        env=_env(db_url),
    )
    for _ in range(240):
        if server.poll() is not None:
            sys.exit(f"gunicorn exited ({server.returncode}): is port {PORT} in use? (SOAK_PORT)")
        try:
            if requests.get(f"{BASE}/login/", timeout=5).status_code == 200:
                return server
        except requests.RequestException:
            pass
        except BaseException:
            server.kill()
            raise
        time.sleep(0.5)
    server.kill()
    sys.exit("gunicorn did not start")


def workers_rss_kb(master: int) -> dict[int, int]:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    out = {}
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        out[int(pid)] = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))
    return out


def login(username: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{BASE}/login/", timeout=TIMEOUT)
    token = session.cookies["csrftoken"]
    response = session.post(
        f"{BASE}/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{BASE}/login/"},
        timeout=TIMEOUT,
        allow_redirects=False,
    )
    if response.status_code != 302:
        sys.exit(f"login of {username} failed: {response.status_code}")
    return session


ACCOUNTS = ("demo_township_officer", "demo_leader", "demo_shop_operator")


def _session(cookies) -> requests.Session:
    session = requests.Session()
    session.cookies.update(cookies)
    return session


class Client(threading.Thread):
    def __init__(self, n: int, ids: dict, cookies: dict, stats: dict, lock: threading.Lock):
        super().__init__(daemon=True)
        self.rng = random.Random(n)
        self.ids, self.deadline, self.stats, self.lock = ids, 0.0, stats, lock
        self.api = requests.Session()
        self.api.headers["Authorization"] = f"Api-Key {ids['key']}"
        self.officer, self.leader, self.shop = (_session(cookies[u]) for u in ACCOUNTS)
        self.shop.headers["X-CSRFToken"] = self.shop.cookies["csrftoken"]

    def ops(self):
        r, ids = self.rng, self.ids
        return [
            (20, "page", lambda: self.officer.get(f"{BASE}{r.choice(PAGES)}", timeout=TIMEOUT)),
            (4, "dashboard", lambda: self.leader.get(f"{BASE}/dashboard/", timeout=TIMEOUT)),
            (25, "api_list", lambda: self.api.get(f"{BASE}{r.choice(API_LISTS)}", timeout=TIMEOUT)),
            (
                30,
                "api_detail",
                lambda: self.api.get(
                    r.choice(
                        [
                            f"{BASE}/api/v1/governance/people/{r.choice(ids['people'])}/",
                            f"{BASE}/api/v1/security/disputes/{r.choice(ids['disputes'])}/",
                        ]
                    ),
                    timeout=TIMEOUT,
                ),
            ),
            (8, "intake", self.intake),
            (8, "redemption", self.redeem),
        ]

    def intake(self):
        data = {
            "channel": "walk_in",
            "category": "neighbour",
            "division": self.rng.choice(self.ids["villages"]),
            "description": "两户因排水沟发生争执（压测）",
            "external_id": f"soak-{uuid.uuid4().hex}",
            "parties": [{"name": "李压测", "role": "applicant"}, {"name": "王压测", "role": "respondent"}],
        }
        return self.api.post(f"{BASE}/api/v1/security/disputes/", json=data, timeout=TIMEOUT)

    def redeem(self):
        data = {
            "account": self.rng.choice(self.ids["accounts"]),
            "shop": self.ids["shop"],
            "lines": [{"item": self.ids["item"], "quantity": 1}],
        }
        headers = {"Idempotency-Key": uuid.uuid4().hex, "Referer": f"{BASE}/"}
        return self.shop.post(f"{BASE}/api/v1/civility/redemptions/", json=data, headers=headers, timeout=TIMEOUT)

    def run(self):
        ops = self.ops()
        weights = [w for w, _n, _f in ops]
        while time.monotonic() < self.deadline:
            _w, name, call = self.rng.choices(ops, weights)[0]
            started = time.perf_counter()
            try:
                status = call().status_code
            except requests.RequestException:
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with self.lock:
                self.stats["latency"].append(elapsed)
                self.stats["by_op"][(name, status)] += 1


PAGES = ["/", "/people/", "/households/", "/security/disputes/", "/villages/hamlets/", "/villages/completeness/"]
API_LISTS = [
    "/api/v1/governance/people/",
    "/api/v1/governance/households/",
    "/api/v1/security/disputes/",
    "/api/v1/villages/hamlets/",
    "/api/v1/civility/accounts/",
    "/api/v1/residential/compounds/",
]


def main() -> None:
    db_url, admin_url, db = _db_urls()
    seed(db_url, admin_url, db)
    ids = prepare(db_url)
    server = start_gunicorn(db_url)
    try:
        stats: dict = {"latency": [], "by_op": Counter()}
        lock = threading.Lock()
        cookies = {username: login(username).cookies for username in ACCOUNTS}
        clients = [Client(n, ids, cookies, stats, lock) for n in range(CLIENTS)]
        print(f"{CLIENTS} clients for {SECONDS} s (warm-up {WARMUP} s), {WORKERS} gunicorn workers", flush=True)
        started = time.monotonic()
        for client in clients:
            client.deadline = started + SECONDS
            client.start()
        time.sleep(WARMUP)
        rss_start = workers_rss_kb(server.pid)
        for client in clients:
            client.join()
        rss_end = workers_rss_kb(server.pid)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(30)
    report(stats, rss_start, rss_end, elapsed)
    if os.environ.get("SOAK_KEEP_DB") != "1":
        from django.db import connections

        connections.close_all()
        _psql(admin_url, f'DROP DATABASE IF EXISTS "{db}"')


def report(stats: dict, rss_start: dict[int, int], rss_end: dict[int, int], elapsed: float) -> None:
    by_op: Counter = stats["by_op"]
    latency = sorted(stats["latency"])
    requests_made = len(latency)
    errors = sum(n for (_op, status), n in by_op.items() if status == 0 or status >= 500)
    refused = sum(n for (_op, status), n in by_op.items() if 400 <= status < 500)
    for (op, status), n in sorted(by_op.items()):
        print(f"  {op:<11} {status:>3}  {n}")
    p50 = statistics.median(latency)
    p95 = latency[int(0.95 * (requests_made - 1))]
    respawned = set(rss_start) != set(rss_end)
    growth = (sum(rss_end.values()) - sum(rss_start.values())) / sum(rss_start.values()) * 100
    print(
        f"{requests_made} requests in {elapsed:.0f} s ({requests_made / elapsed:.1f}/s), {errors} errors, "
        f"{refused} 4xx; p50 {p50:.0f} ms, p95 {p95:.0f} ms; workers' RSS {sum(rss_start.values()) // 1024} → "
        f"{sum(rss_end.values()) // 1024} MiB ({growth:+.1f} %)" + (" — a worker was replaced" if respawned else "")
    )
    from bench.common import result

    result(
        "soak",
        clients=CLIENTS,
        seconds=round(elapsed),
        requests=requests_made,
        errors=errors,
        refused_4xx=refused,
        p50_ms=round(p50),
        p95_ms=round(p95),
        rss_growth_pct=round(growth, 1),
    )


if __name__ == "__main__":
    main()
