"""Refresh ``docs/screenshots/``: the README's pictures, taken in Debian's Chromium (Playwright) from a
portal with the demo data, on a desk (1280 px) and on a phone (375 px, officers' pages).

Run from the repository root on a database that has ``seed_demo`` in it (``make run`` leaves one):
    DATABASE_URL=… .venv/bin/python scripts/screenshots.py [name …]
It starts its own ``runserver`` on a free port against that database, signs in as the demo accounts
(password ``governance.demo.DEMO_PASSWORD``; a district account passes the second factor with a
recovery code made here, as the browser tests do), and writes one PNG per entry of ``SHOTS`` (only
the named ones when names are given). Writes to the database: that recovery code, and the sign-ins.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


def _first_pk(label: str, **filters) -> int | None:
    from django.apps import apps

    return apps.get_model(label).objects.filter(**filters).order_by("pk").values_list("pk", flat=True).first()


def _township_code() -> str:
    from governance.models import Division

    return (
        Division.objects.filter(level__in=["township", "subdistrict"])
        .order_by("path")
        .values_list("code", flat=True)[0]
    )


def _mediator_case() -> int | None:
    from governance.models import User
    from security.models import Dispute

    mediator = User.objects.get(username="demo_mediator")
    return Dispute.objects.for_user(mediator).order_by("-received_at").values_list("pk", flat=True).first()


def _officer_hamlet() -> int | None:
    from governance.models import User
    from villages.models import Hamlet

    officer = User.objects.get(username="demo_community_officer")
    return Hamlet.objects.for_user(officer).order_by("pk").values_list("pk", flat=True).first()


# Shots taken after following the first link of the page's table (a drill-down).
DRILL_DOWN = {"report-petitions.png"}
# file name → (account, viewport, path or a function giving it, full page?, media "print" or None)
SHOTS: dict[str, tuple[str, dict, str | Callable[[], str], bool, str | None]] = {
    "dashboard.png": ("demo_leader", DESK, "/dashboard/", False, None),
    # The seed's figures are in 2023–2025: the report of 2025, then a township's (a click in its table).
    "report-petitions.png": (
        "demo_district_admin",
        DESK,
        "/residential/petitions/yoy/?period=year&year=2025",
        True,
        None,
    ),
    "agreement-print.png": (
        "demo_district_admin",
        DESK,
        lambda: f"/security/disputes/{_first_pk('security.Dispute', agreement__isnull=False)}/agreement/print/",
        True,
        "print",
    ),
    # Officers on a phone.
    "intake-phone.png": ("demo_mediator", PHONE, "/security/disputes/new/", True, None),
    "disputes-phone.png": ("demo_mediator", PHONE, "/security/disputes/", False, None),
    "dispute-detail-phone.png": ("demo_mediator", PHONE, lambda: f"/security/disputes/{_mediator_case()}/", True, None),
    "todo-phone.png": ("demo_community_officer", PHONE, "/todo/", True, None),
    "households-phone.png": ("demo_community_officer", PHONE, "/households/", False, None),
    "declarations-phone.png": ("demo_community_officer", PHONE, "/civility/declarations/", False, None),
    "hamlet-phone.png": (
        "demo_community_officer",
        PHONE,
        lambda: f"/villages/hamlets/{_officer_hamlet()}/",
        True,
        None,
    ),
    "points-entry-phone.png": ("demo_community_officer", PHONE, "/civility/entries/batch/", True, None),
}


def _recovery_code(username: str) -> str:
    """A fresh recovery code for an account that needs the second factor (with an authenticator
    enrolled, so sign-in goes to the verify page), "" for one that does not."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from governance.models import User
    from governance.second_factor import RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME, second_factor_required

    user = User.objects.get(username=username)
    if not second_factor_required(user):
        return ""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    device, _ = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True})
    token = StaticToken.random_token()
    device.token_set.create(token=token)
    return token


def _server() -> tuple[subprocess.Popen, str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    started = time.monotonic()
    while time.monotonic() - started < 60:
        try:
            with urllib.request.urlopen(f"{base}/login/", timeout=5):
                return server, base
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise SystemExit("the server did not answer within 60 s")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "governance.settings.local")
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Django queries beside Playwright's loop
    import django

    django.setup()
    from playwright.sync_api import sync_playwright

    from governance.demo import DEMO_PASSWORD

    wanted = sys.argv[1:] or list(SHOTS)
    unknown = set(wanted) - set(SHOTS)
    if unknown:
        raise SystemExit(f"no such screenshot: {', '.join(sorted(unknown))}")
    OUT.mkdir(parents=True, exist_ok=True)
    server, base = _server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            for name in wanted:
                username, viewport, path, full_page, media = SHOTS[name]
                context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport)
                page = context.new_page()
                page.set_default_timeout(30_000)
                page.goto(f"{base}/login/")
                page.get_by_label("用户名").fill(username)
                page.get_by_label("密码").fill(DEMO_PASSWORD)
                token = _recovery_code(username)
                page.get_by_role("button", name="登录").click()
                if token:
                    page.wait_for_url("**/account/otp/verify/**")
                    page.get_by_label("验证码").fill(token)
                    page.get_by_role("button", name="验证").click()
                page.wait_for_url(f"{base}/")
                url = path() if callable(path) else path
                answer = page.goto(f"{base}{url}")
                if answer is None or answer.status != 200:
                    raise SystemExit(f"{name}: {url} answered {answer.status if answer else 'nothing'}")
                page.wait_for_load_state("networkidle")
                if name in DRILL_DOWN:
                    page.locator("table tbody tr td a").first.click()
                    page.wait_for_load_state("networkidle")
                    url = page.url.removeprefix(base)
                if media:
                    page.emulate_media(media=media)
                page.screenshot(path=str(OUT / name), full_page=full_page)
                print(f"{OUT.relative_to(ROOT) / name}: {username} {viewport['width']} px {url}", flush=True)
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
