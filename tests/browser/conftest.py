"""Browser tests: Playwright driving Debian's Chromium (``/usr/bin/chromium``, never a downloaded browser)
against pytest-django's live server, on demo data from ``seed_demo``. Screenshots of each step go to
``tests/browser/artifacts/`` (git-ignored; CI keeps them as artefacts)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
DEMO_PASSWORD = "Louxing-2026"
PHONE = {"width": 375, "height": 812}

# The live server runs in a thread; Playwright's sync API runs its own event loop in this one.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        # `make test` must run on a machine with nothing installed; CI installs Chromium and sets
        # REQUIRE_BROWSER=1, so there a missing browser is a failure, not a skip.
        message = f"Chromium not found at {CHROMIUM}: apt-get install chromium fonts-noto-cjk"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            raise RuntimeError(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db):
    """A small seed_demo (every app's steps) in the live server's database."""
    cache.clear()
    call_command("seed_demo", households=60, stdout=open(os.devnull, "w"))  # noqa: SIM115
    yield
    cache.clear()


class Steps:
    """A page plus numbered screenshots named after the test."""

    def __init__(self, page, name: str):
        self.page, self.name, self.count = page, name, 0
        ARTIFACTS.mkdir(exist_ok=True)

    def shot(self, label: str, *, full_page: bool = True) -> Path:
        self.count += 1
        path = ARTIFACTS / f"{self.name}-{self.count:02d}-{label}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


def _second_factor_token(username: str) -> str:
    """For a user who needs a second factor: an enrolled authenticator, and one fresh recovery code
    to type on the verify page (a code works once, so every sign-in gets its own). "" otherwise."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from governance.models import User
    from governance.second_factor import RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME, second_factor_required

    user = User.objects.get(username=username)
    if not second_factor_required(user):
        return ""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=RECOVERY_DEVICE_NAME, defaults={"confirmed": True}
    )
    token = StaticToken.random_token()
    device.token_set.create(token=token)
    return token


@pytest.fixture
def open_page(browser, live_server, request):
    contexts = []

    def open_(username: str, *, viewport: dict | None = None):
        context = browser.new_context(
            locale="zh-CN", timezone_id="Asia/Shanghai", viewport=viewport or {"width": 1280, "height": 900}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill(username)
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        token = _second_factor_token(username)  # before signing in: the redirect goes to verify, not enrol
        page.get_by_role("button", name="登录").click()
        if token:  # district admins and discipline staff pass the second factor (a recovery code)
            page.wait_for_url("**/account/otp/verify/**")
            page.get_by_label("验证码").fill(token)
            page.get_by_role("button", name="验证").click()
        page.wait_for_url(f"{live_server.url}/")
        return page, Steps(page, request.node.name)

    yield open_
    for context in contexts:
        context.close()
