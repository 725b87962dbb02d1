"""The second-factor devices (django-otp's tables) in the audit trail: an authenticator enrolled, the
recovery codes issued, and every device removed (an administrator's reset included) is an event with
the request's user and URL. Secrets (the TOTP key) and per-use fields (counters, throttling) are not
copied, so verifying a code writes no audit row."""

from __future__ import annotations

import pghistory
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

DEVICE_FIELDS = ["id", "user", "name", "confirmed"]


@pghistory.track(
    pghistory.InsertEvent("enrol"),
    pghistory.UpdateEvent("confirm", condition=pghistory.AnyChange("confirmed")),
    pghistory.DeleteEvent("reset"),
    fields=DEVICE_FIELDS,
    model_name="AuthenticatorEvent",
)
class AuthenticatorDevice(TOTPDevice):
    """身份验证器 — a user's TOTP authenticator (django-otp's ``TOTPDevice``), as audited."""

    class Meta:
        proxy = True
        verbose_name = _("身份验证器")
        verbose_name_plural = _("身份验证器")


@pghistory.track(
    pghistory.InsertEvent("issue"),
    pghistory.DeleteEvent("reset"),
    fields=DEVICE_FIELDS,
    model_name="RecoveryCodesEvent",
)
class RecoveryCodesDevice(StaticDevice):
    """恢复码 — a user's set of one-time recovery codes (django-otp's ``StaticDevice``), as audited."""

    class Meta:
        proxy = True
        verbose_name = _("恢复码")
        verbose_name_plural = _("恢复码")
