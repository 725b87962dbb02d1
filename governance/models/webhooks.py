"""Webhooks: other systems (12345, 110, 信访, grid platforms) subscribe to events in their area and get
them pushed, signed, with retries and a log of every attempt."""

from __future__ import annotations

import secrets
import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.models.accounts import ApiKey
from governance.querysets import ScopedQuerySet


def _secret() -> str:
    return secrets.token_urlsafe(32)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SUCCEEDED = "succeeded", _("已送达")
    FAILED = "failed", _("发送失败")


@audited(exclude=["secret"])
class WebhookSubscription(models.Model):
    """推送订阅 — an API key's subscription: these event types, in this division's subtree (within the
    key's own), to this URL, signed with this secret."""

    api_key = models.ForeignKey(ApiKey, verbose_name=_("接口密钥"), on_delete=models.PROTECT, related_name="webhooks")
    event_types = ArrayField(models.CharField(max_length=60), verbose_name=_("事件类型"))
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("区划范围"), on_delete=models.PROTECT, related_name="+"
    )
    url = models.URLField(_("接收地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=100, default=_secret, editable=False)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("推送订阅")
        verbose_name_plural = _("推送订阅")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.api_key} → {self.url}"


class WebhookDelivery(models.Model):
    """One event for one subscription: the signed body is fixed when the event happens and sent (again)
    until the receiver answers 2xx or the tries run out; ``event_id`` lets the receiver de-duplicate."""

    audit_exempt = "a delivery log written by the system; every attempt is itself recorded"
    scope_lookup = "subscription__division"

    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("订阅"), on_delete=models.PROTECT, related_name="deliveries"
    )
    event_id = models.UUIDField(_("事件编号"), default=uuid.uuid4, editable=False)
    event_type = models.CharField(_("事件类型"), max_length=60)
    payload = models.JSONField(_("内容"))
    status = models.CharField(_("状态"), max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["subscription", "event_id"], name="webhook_delivery_once"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class WebhookAttempt(models.Model):
    """One try to deliver: when, the receiver's status code (none when it could not be reached), the
    error, how long it took."""

    audit_exempt = "an append-only log of deliveries written by the system"
    scope_lookup = "delivery__subscription__division"

    delivery = models.ForeignKey(
        WebhookDelivery, verbose_name=_("推送"), on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    status_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True, default="")
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("推送尝试")
        verbose_name_plural = _("推送尝试")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.status_code or self.error}"
