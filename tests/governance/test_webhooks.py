"""Webhooks against a real HTTP receiver on localhost: signed deliveries, retries then a logged
failure, replay, and nothing outside a subscriber's scope (nor anything of integrity, ever)."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance.models import DeliveryStatus, Role, WebhookAttempt, WebhookDelivery, WebhookSubscription
from governance.services import api_key_create
from governance.webhooks import RETRY_AFTER_S, webhook_attempt, webhook_replay, webhook_subscribe, webhooks_emit
from security.choices import BodyKind, Channel
from security.models import RoutingRule
from tests.api_mixin import assert_error_body
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.security.factories import make_bodies, police_rule

pytestmark = pytest.mark.django_db
LIST = "api:governance-api:webhook-list"


class Receiver:
    """A real HTTP server on 127.0.0.1 that records what it is sent and answers ``codes`` in turn."""

    def __init__(self, codes=(200,)):
        self.codes = list(codes)
        self.requests: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                code = receiver.codes.pop(0) if len(receiver.codes) > 1 else receiver.codes[0]
                self.send_response(code)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def hotline(divisions):
    make_bodies(divisions)
    police_rule()
    RoutingRule.objects.create(name="12345", channel=Channel.HOTLINE, target_kind=BodyKind.CENTRE, deadline_days=10)
    key, raw = api_key_create(name="12345热线", role=Role.API_CLIENT, division=divisions["district"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return key, client


def intake(client, divisions, external_id="12345-1"):
    data = {
        "channel": "hotline",
        "category": "neighbour",
        "division": divisions["v11"].code,
        "description": "噪音扰民",
        "external_id": external_id,
        "parties": [{"name": "来电人", "phone": "12345", "role": "applicant"}],
    }
    response = client.post(reverse("api:security-api:dispute-list"), data, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def verify(secret: str, headers: dict, body: bytes) -> None:
    parts = dict(part.split("=", 1) for part in headers["X-Portal-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    assert abs(int(parts["t"]) - timezone.now().timestamp()) < 60


def test_a_subscriber_gets_signed_deliveries_of_its_cases(
    divisions, hotline, receiver, django_capture_on_commit_callbacks
):
    _key, client = hotline
    response = client.post(
        reverse(LIST),
        {"event_types": ["dispute.event"], "division": divisions["district"].code, "url": receiver.url},
        format="json",
    )
    assert response.status_code == 201, response.content
    secret = response.json()["secret"]
    assert secret and client.get(reverse(LIST)).json()["results"][0]["secret"] is None

    with django_capture_on_commit_callbacks(execute=True):
        case = intake(client, divisions)

    assert len(receiver.requests) >= 2  # received, then routed
    for headers, body in receiver.requests:
        verify(secret, headers, body)
        payload = json.loads(body)
        assert headers["X-Portal-Event"] == payload["type"] == "dispute.event"
        assert headers["X-Portal-Delivery"] == payload["id"]
        assert payload["data"]["number"] == case["number"] and payload["data"]["external_id"] == "12345-1"
        assert "来电人" not in body.decode()  # no personal data leaves
    actions = [json.loads(body)["data"]["action"] for _h, body in receiver.requests]
    assert actions[0] == "received" and "routed" in actions
    assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.SUCCEEDED}
    assert WebhookAttempt.objects.count() == len(receiver.requests)


def test_nothing_outside_a_subscribers_scope(divisions, hotline, receiver, django_capture_on_commit_callbacks):
    key, client = hotline
    other, _raw = api_key_create(name="110", role=Role.API_CLIENT, division=divisions["district"])
    webhook_subscribe(key=other, event_types=["dispute.event"], division=divisions["district"], url=receiver.url)
    webhook_subscribe(key=key, event_types=["dispute.event"], division=divisions["t2"], url=receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        intake(client, divisions)  # in v11 (t1), filed by the hotline: the 110 key may not read it
    assert receiver.requests == [] and not WebhookDelivery.objects.exists()


def test_integrity_events_never_leave(divisions, hotline, receiver):
    from integrity.models import Clue

    key, _client = hotline
    webhook_subscribe(key=key, event_types=["dispute.event"], division=divisions["district"], url=receiver.url)
    assert webhooks_emit(event_type="dispute.event", row=Clue(pk=1), division=divisions["v11"], data={}) == 0


def test_a_failing_receiver_gets_retries_then_a_logged_failure_and_replay_works(
    divisions, hotline, django_capture_on_commit_callbacks
):
    failing = Receiver(codes=[500])
    try:
        key, client = hotline
        webhook_subscribe(key=key, event_types=["dispute.event"], division=divisions["district"], url=failing.url)
        with django_capture_on_commit_callbacks(execute=True):
            intake(client, divisions)
        delivery = WebhookDelivery.objects.order_by("id").first()
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == (DeliveryStatus.PENDING, 1, 500)
        assert delivery.next_attempt_at > timezone.now() + datetime.timedelta(seconds=RETRY_AFTER_S[0] - 5)
        assert webhook_attempt(delivery.pk) is None  # not due yet: a second message changes nothing
        for _try in RETRY_AFTER_S:
            WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
            webhook_attempt(delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, len(RETRY_AFTER_S) + 1)
        assert delivery.attempt_log.count() == len(RETRY_AFTER_S) + 1
        ids = {
            headers["X-Portal-Delivery"]
            for headers, _body in failing.requests
            if headers["X-Portal-Delivery"] == str(delivery.event_id)
        }
        assert ids == {str(delivery.event_id)}  # the same id on every try

        failing.codes = [204]
        with django_capture_on_commit_callbacks(execute=True):
            webhook_replay(delivery=delivery)
        delivery.refresh_from_db()
        assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.delivered_at is not None
    finally:
        failing.close()


def test_an_unreachable_receiver_is_logged_not_raised(divisions, hotline, django_capture_on_commit_callbacks):
    key, client = hotline
    webhook_subscribe(
        key=key, event_types=["dispute.event"], division=divisions["district"], url="http://127.0.0.1:9/x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        intake(client, divisions)
    attempt = WebhookAttempt.objects.order_by("id").first()
    assert attempt.status_code is None and "ConnectionError" in attempt.error


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"event_types": ["clue.created"]}, "event_types.0"),
        ({"event_types": []}, "event_types"),
        ({"division": "110101"}, "division"),
        ({"url": "ftp://example.com/x"}, "url"),
    ],
)
def test_bad_subscriptions_are_400_naming_the_field(divisions, hotline, data, field):
    _key, client = hotline
    body = {"event_types": ["dispute.event"], "division": divisions["district"].code, "url": "https://example.com/h"}
    assert_error_body(client.post(reverse(LIST), {**body, **data}, format="json"), 400, field)
    assert not WebhookSubscription.objects.exists()


def test_subscriptions_belong_to_their_key(divisions, hotline):
    key, client = hotline
    other, _raw = api_key_create(name="110", role=Role.API_CLIENT, division=divisions["district"])
    theirs = webhook_subscribe(
        key=other, event_types=["dispute.event"], division=divisions["district"], url="https://a.example/h"
    )
    assert client.get(reverse("api:governance-api:webhook-detail", args=[theirs.pk])).status_code == 404
    assert client.delete(reverse("api:governance-api:webhook-detail", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    mine = webhook_subscribe(
        key=key, event_types=["dispute.event"], division=divisions["t1"], url="https://b.example/h"
    )
    assert client.delete(reverse("api:governance-api:webhook-detail", args=[mine.pk])).status_code == 204
    mine.refresh_from_db()
    assert not mine.is_active
    session = APIClient()
    verified_login(session, user_with_role(Role.DISTRICT_ADMIN, divisions["district"]))
    assert session.get(reverse(LIST)).json()["results"] == []  # a person has no key, so no subscription
    body = {"event_types": ["dispute.event"], "division": divisions["district"].code, "url": "https://c.example/h"}
    assert session.post(reverse(LIST), body, format="json").status_code == 403


def test_the_list_reads_the_same_queries_for_3_and_30(divisions, hotline):
    key, client = hotline

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(LIST)).status_code == 200
        return len(queries)

    count()  # the key's first use stamps its "last used" (one UPDATE, not per row)
    for i in range(3):
        webhook_subscribe(
            key=key, event_types=["dispute.event"], division=divisions["t1"], url=f"https://e.example/{i}"
        )
    three = count()
    for i in range(27):
        webhook_subscribe(
            key=key, event_types=["dispute.event"], division=divisions["t1"], url=f"https://f.example/{i}"
        )
    assert count() == three


def test_loopback_and_private_receivers_are_refused(divisions, hotline, settings):
    settings.WEBHOOK_ALLOW_PRIVATE = False
    _key, client = hotline
    body = {"event_types": ["dispute.event"], "division": divisions["district"].code}
    for url in ("http://127.0.0.1:8000/x", "http://localhost/x", "http://10.1.2.3/x", "http://[::1]/x"):
        assert_error_body(client.post(reverse(LIST), {**body, "url": url}, format="json"), 400, "url")
    assert not WebhookSubscription.objects.exists()


def test_a_duplicate_subscription_is_refused(divisions, hotline):
    _key, client = hotline
    body = {"event_types": ["dispute.event"], "division": divisions["t1"].code, "url": "https://d.example/h"}
    assert client.post(reverse(LIST), body, format="json").status_code == 201
    assert_error_body(client.post(reverse(LIST), body, format="json"), 400, "url")
    assert WebhookSubscription.objects.count() == 1


def test_a_switched_off_subscription_gets_no_more_tries(divisions, hotline, django_capture_on_commit_callbacks):
    failing = Receiver(codes=[500])
    try:
        key, client = hotline
        subscription = webhook_subscribe(
            key=key, event_types=["dispute.event"], division=divisions["district"], url=failing.url
        )
        with django_capture_on_commit_callbacks(execute=True):
            intake(client, divisions)
        sent = len(failing.requests)
        assert client.delete(reverse("api:governance-api:webhook-detail", args=[subscription.pk])).status_code == 204
        WebhookDelivery.objects.update(next_attempt_at=timezone.now())
        for delivery_id in WebhookDelivery.objects.values_list("pk", flat=True):
            webhook_attempt(delivery_id)
        assert len(failing.requests) == sent
        assert set(WebhookDelivery.objects.values_list("status", flat=True)) == {DeliveryStatus.FAILED}
    finally:
        failing.close()


def test_the_admin_form_keeps_the_key_scope(client, divisions, hotline):
    from governance.webhook_admin import SubscriptionForm

    _key, _client = hotline
    narrow, _raw = api_key_create(name="乡镇1热线", role=Role.API_CLIENT, division=divisions["t1"])
    form = SubscriptionForm(
        data={
            "api_key": narrow.pk,
            "event_types": ["dispute.event"],
            "division": divisions["t2"].pk,
            "url": "https://x.example/h",
            "is_active": "on",
        }
    )
    assert not form.is_valid() and "division" in form.errors
