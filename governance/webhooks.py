"""Webhooks: events pushed to other systems, signed, retried, logged (issue "nobody misses a hand-off").

A delivery is a JSON body ``{"id": <event uuid>, "type": "dispute.event", "created": <ISO 8601,
+08:00>, "data": {...}}`` POSTed to the subscription's URL with the headers

- ``X-Portal-Event``: the event type;
- ``X-Portal-Delivery``: the event id (the same on every retry: de-duplicate by it);
- ``X-Portal-Signature``: ``t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`` — the
  receiver recomputes it over the raw body with its secret and refuses a stale ``t`` (replay).

A receiver's 2xx ends the delivery; anything else (or no answer within ``TIMEOUT_S``) is retried after
``RETRY_AFTER_S`` (8 tries over about 22 hours), every attempt logged. Integrity (纪检监察) events never
leave the portal, and a subscriber receives an event only when its key could read the row itself
(``for_user`` of the key's service account) inside the subscription's division."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
import uuid
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import requests
from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import ApiKey, DeliveryStatus, Division, WebhookAttempt, WebhookDelivery, WebhookSubscription
from governance.registry import registry
from governance.tasking import enqueue_on_commit

WEBHOOK_DELIVER_TASK = "governance.webhook_deliver"
RETRY_AFTER_S = (60, 300, 1800, 3600, 7200, 21600, 43200)  # after tries 1–7; the 8th is the last
TIMEOUT_S = 5
PRIVATE_APPS = frozenset({"integrity"})  # 纪检监察: never pushed anywhere

ERR_EVENT_TYPE = "webhook_event_type"
ERR_DIVISION = "webhook_division_out_of_scope"
ERR_PRIVATE_URL = "webhook_private_address"
ERR_DUPLICATE = "webhook_duplicate"


def webhook_private_address(url: str) -> bool:
    """Whether ``url``'s host is (or resolves to) a loopback, private, link-local or reserved address:
    a key must not make the portal call into its own network (SSRF). ``WEBHOOK_ALLOW_PRIVATE``
    (tests, a closed intranet deployment) lifts the rule."""
    if getattr(settings, "WEBHOOK_ALLOW_PRIVATE", False):
        return False
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        return False  # unresolvable now: the delivery's attempt will log the error
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if address.is_private or address.is_loopback or address.is_link_local or address.is_reserved:
            return True
    return False


def webhook_sign(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Portal-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


@transaction.atomic
def webhook_subscribe(*, key: ApiKey, event_types: Iterable[str], division: Division, url: str) -> WebhookSubscription:
    """A key's new subscription. Raises ``ValidationError`` on ``event_types`` (an unknown type,
    ``ERR_EVENT_TYPE``), ``division`` (outside the key's own division, ``ERR_DIVISION``) or ``url``."""
    types = sorted(set(event_types))
    unknown = [t for t in types if t not in registry.webhook_events]
    if not types or unknown:
        raise ValidationError(
            {
                "event_types": ValidationError(
                    _("未知的事件类型：%(t)s。"), code=ERR_EVENT_TYPE, params={"t": "、".join(unknown) or "—"}
                )
            }
        )
    if not division.path.startswith(key.division.path):
        raise ValidationError({"division": ValidationError(_("订阅范围必须在接口密钥的区划之内。"), code=ERR_DIVISION)})
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": ValidationError(_("接收地址必须以 http:// 或 https:// 开头。"), code="invalid")})
    if webhook_private_address(url):
        raise ValidationError({"url": ValidationError(_("接收地址不能是本机或内网地址。"), code=ERR_PRIVATE_URL)})
    duplicate = WebhookSubscription.objects.filter(api_key=key, url=url, division=division, is_active=True)
    if duplicate.filter(event_types__overlap=types).exists():
        raise ValidationError(
            {"url": ValidationError(_("已有相同接收地址和区划的启用订阅，不必重复订阅。"), code=ERR_DUPLICATE)}
        )
    subscription = WebhookSubscription(api_key=key, event_types=types, division=division, url=url)
    subscription.full_clean()
    subscription.save()
    return subscription


def webhooks_emit(*, event_type: str, row: models.Model, division: Division, data: dict[str, Any]) -> int:
    """Queue ``event_type`` about ``row`` (in ``division``) for every active subscription that may
    receive it; sent after the transaction commits. Returns how many deliveries were queued."""
    return webhooks_emit_many(event_type=event_type, events=[(row, division, data)])


def webhooks_emit_many(*, event_type: str, events: list[tuple[models.Model, Division, dict[str, Any]]]) -> int:
    """``webhooks_emit`` for a batch of rows of one model (the sweep's escalations): one query for the
    subscriptions, one per subscription for what its key may read — never one per row."""
    if not events or event_type not in registry.webhook_events:
        return 0
    if events[0][0]._meta.app_label in PRIVATE_APPS:
        return 0
    now = timezone.now()
    subscriptions = list(
        WebhookSubscription.objects.filter(
            is_active=True, event_types__contains=[event_type], api_key__revoked_at__isnull=True
        )
        .filter(models.Q(api_key__expires_at__isnull=True) | models.Q(api_key__expires_at__gt=now))
        .select_related("api_key__user", "division")
    )
    if not subscriptions:
        return 0
    manager = type(events[0][0])._default_manager
    created = timezone.localtime(now).isoformat(timespec="seconds")
    deliveries: list[WebhookDelivery] = []
    event_ids = [uuid.uuid4() for _event in events]  # one id per event, whoever receives it
    for subscription in subscriptions:
        inside = [
            (event_id, row, data)
            for event_id, (row, division, data) in zip(event_ids, events, strict=True)
            if division.path.startswith(subscription.division.path)
        ]
        if not inside:
            continue
        readable = set(
            manager.for_user(subscription.api_key.user)  # type: ignore[attr-defined]
            .filter(pk__in=[row.pk for _id, row, _data in inside])
            .values_list("pk", flat=True)
        )
        for event_id, row, data in inside:
            if row.pk not in readable:
                continue
            body = {"id": str(event_id), "type": event_type, "created": created, "data": data}
            deliveries.append(
                WebhookDelivery(subscription=subscription, event_id=event_id, event_type=event_type, payload=body)
            )
    WebhookDelivery.objects.bulk_create(deliveries)
    for delivery in deliveries:
        enqueue_on_commit(current_app.signature(WEBHOOK_DELIVER_TASK, args=(delivery.pk,)))
    return len(deliveries)


def webhook_attempt(delivery_id: int) -> WebhookDelivery | None:
    """One try of a due delivery (pending, and its next try time reached): POST, log the attempt, and
    mark it delivered, due again later, or failed after the last try. A delivery another worker holds,
    already delivered, or not yet due is left alone (returns None), so a second message changes nothing."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("subscription")
            .filter(pk=delivery_id, status=DeliveryStatus.PENDING)
            .filter(models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=timezone.now()))
            .first()
        )
        if delivery is None:
            return None
        subscription = delivery.subscription
        key = ApiKey.objects.filter(pk=subscription.api_key_id).first()
        if not subscription.is_active or key is None or not key.is_usable or webhook_private_address(subscription.url):
            # Switched off, its key revoked or expired, or now pointing inside: no more tries.
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
            delivery.save(update_fields=["status", "next_attempt_at"])
            WebhookAttempt.objects.create(delivery=delivery, error=str(_("订阅已停用或接口密钥已失效，不再推送。")))
            return delivery
        raw = json.dumps(delivery.payload, cls=DjangoJSONEncoder, ensure_ascii=False, separators=(",", ":")).encode()
        stamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "louxing-portal-webhooks/1",
            "X-Portal-Event": delivery.event_type,
            "X-Portal-Delivery": str(delivery.event_id),
            "X-Portal-Signature": webhook_sign(delivery.subscription.secret, stamp, raw),
        }
        started = time.monotonic()
        code, error = None, ""
        try:
            answer = requests.post(
                delivery.subscription.url, data=raw, headers=headers, timeout=TIMEOUT_S, allow_redirects=False
            )
            code = answer.status_code
        except requests.RequestException as exc:
            error = f"{exc.__class__.__name__}: {exc}"[:300]
        elapsed = int((time.monotonic() - started) * 1000)
        WebhookAttempt.objects.create(delivery=delivery, status_code=code, error=error, duration_ms=elapsed)
        delivery.attempts += 1
        delivery.last_status_code = code
        if code is not None and 200 <= code < 300:
            delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
                DeliveryStatus.SUCCEEDED,
                timezone.now(),
                None,
            )
        elif delivery.attempts > len(RETRY_AFTER_S):
            delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
        else:
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=RETRY_AFTER_S[delivery.attempts - 1])
        delivery.save(update_fields=["attempts", "last_status_code", "status", "delivered_at", "next_attempt_at"])
        return delivery


def webhook_replay(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again now (the admin's 重新推送), with the same event id so the receiver can
    de-duplicate; a failed one gets one more round of tries."""
    delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING, None
    if delivery.attempts > len(RETRY_AFTER_S):
        delivery.attempts = len(RETRY_AFTER_S)
    delivery.save(update_fields=["status", "next_attempt_at", "attempts"])
    enqueue_on_commit(current_app.signature(WEBHOOK_DELIVER_TASK, args=(delivery.pk,)))
    return delivery


def webhooks_due(*, limit: int = 500) -> list[int]:
    """Ids of pending deliveries whose next try is due (beat's safety net for lost messages)."""
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(models.Q(next_attempt_at__isnull=True) | models.Q(next_attempt_at__lte=timezone.now()))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
