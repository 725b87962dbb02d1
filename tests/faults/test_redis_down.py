"""Redis stopped mid-run: the cache and the rate limiter are optional to a request (issue 19, item 1)."""

import logging
import time

import pytest
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from governance import cache as resilient_cache
from governance.models import Role
from governance.settings.base import redis_caches
from tests.auth import verified_login
from tests.civility.factories import RewardItemFactory, ShopFactory, account_in
from tests.factories import user_with_role
from tests.faults.services import needs_redis_server
from tests.security.test_api import intake_data

pytestmark = [needs_redis_server, pytest.mark.django_db]

WITHIN_SECONDS = 2.0
DUMMY = "django.core.cache.backends.dummy.DummyCache"


def _caches_on(url: str) -> dict:
    configured = redis_caches(url)
    for alias in configured.values():
        alias["OPTIONS"]["RETRY_SECONDS"] = 0.5  # the breaker's pause, short so the test sees Redis return
    return configured


@pytest.fixture
def clients(divisions, bodies, rule, centre_mediator):
    admin = user_with_role(Role.DISTRICT_ADMIN, divisions["district"], username="admin_district")
    operator = user_with_role(Role.SHOP_OPERATOR, divisions["v11"], username="shop_v11")
    item = RewardItemFactory(shop=ShopFactory(division=divisions["v11"], operators=[operator]), points_price=1)
    account = account_in(divisions["v11"], balance=1000)
    pages, people, mediator, till = Client(), APIClient(), APIClient(), APIClient()
    verified_login(pages, admin)
    people.force_authenticate(admin)
    mediator.force_authenticate(centre_mediator)
    till.force_authenticate(operator)
    sent = iter(range(10**6))

    def requests():
        n = next(sent)
        redemption = {"account": account.pk, "shop": item.shop_id, "lines": [{"item": item.pk, "quantity": 1}]}
        return {
            "people": lambda: people.get(reverse("api:governance-api:person-list")),
            "dispute intake": lambda: mediator.post(
                reverse("api:security-api:dispute-list"), intake_data(divisions), format="json"
            ),
            "redemption": lambda: till.post(
                reverse("api:civility-api:redemption-list"), redemption, format="json", HTTP_IDEMPOTENCY_KEY=f"r{n}"
            ),
            "dashboard": lambda: pages.get(reverse("dashboard:home")),
        }

    return requests


def _answer_all(requests, without_cache: dict[str, float] | None = None) -> dict[str, float]:
    """Send each request once: each is answered (200/201), and takes less than ``WITHIN_SECONDS`` more
    than the same request with no cache at all (``without_cache``: what losing the cache may cost,
    a dashboard computed instead of read; never a wait on Redis). Returns the seconds each took."""
    took = {}
    for name, send in requests().items():
        started = time.monotonic()
        response = send()
        took[name] = time.monotonic() - started
        assert response.status_code in (200, 201), (name, response.status_code, response.content[:300])
        if without_cache is not None:
            assert took[name] < WITHIN_SECONDS + without_cache[name], (name, took[name], without_cache[name])
    return took


def _without_cache(requests) -> dict[str, float]:
    _answer_all(requests)  # first-use costs (templates, imports) are not what is measured
    with override_settings(CACHES={alias: {"BACKEND": DUMMY} for alias in ("default", "throttle")}):
        return _answer_all(requests)


def test_requests_are_answered_while_redis_is_down_and_the_cache_returns_with_it(
    redis_server, clients, caplog, monkeypatch
):
    monkeypatch.setattr(resilient_cache, "_outage", resilient_cache.OutageLog("redis cache"))
    without_cache = _without_cache(clients)
    with override_settings(CACHES=_caches_on(redis_server.url)):
        _answer_all(clients, without_cache)
        # The dashboard keeps no page cache (it reads roll-up cells); the rate limiter uses Redis.
        assert any(b"throttle_user" in key for key in redis_server.client().keys("*"))

        redis_server.stop()
        with caplog.at_level(logging.WARNING, logger="governance.cache"):
            for _round in range(3):
                took = _answer_all(clients, without_cache)
                print("RESULT redis_down", " ".join(f"{k.replace(' ', '_')}_s={v:.2f}" for k, v in took.items()))
                time.sleep(0.6)  # past the breaker's pause: every round tries Redis again
        outages = [r for r in caplog.records if r.name == "governance.cache"]
        assert len(outages) == 1, [r.getMessage() for r in outages]  # once a minute, not once per request
        # The rate limiter goes on per process; the cache answers misses.
        caches["throttle"].set("probe", 1)
        assert caches["throttle"].get("probe") == 1
        caches["default"].set("probe", 1)
        assert caches["default"].get("probe") is None

        redis_server.start()
        time.sleep(0.6)
        _answer_all(clients, without_cache)
        caches["default"].set("probe", 1)
        assert caches["default"].get("probe") == 1
        assert redis_server.client().exists(":1:probe")


def test_an_unreachable_redis_costs_a_request_at_most_one_connect_timeout(redis_server):
    """A stopped server refuses at once; the breaker then skips Redis for a while instead of retrying
    on every cache call of the request."""
    with override_settings(CACHES=_caches_on(redis_server.url)):
        cache = caches["default"]
        redis_server.stop()
        started = time.monotonic()
        for n in range(100):
            assert cache.get(f"k{n}") is None
            cache.set(f"k{n}", n)
        assert time.monotonic() - started < WITHIN_SECONDS
        assert not cache.available
