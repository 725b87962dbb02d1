"""The second factor (django-otp) of the accounts that reach the most sensitive data: superusers and
holders of ``SECOND_FACTOR_ROLES`` (district admins, discipline staff). After the password, such a
session is *unverified* until it passes a TOTP code or a one-time recovery code; until then
``SecondFactorMiddleware`` sends every page and the admin to the verify page (or the enrolment page
when the account has no authenticator yet), and ``VerifiedSessionAuthentication`` refuses the
session in the API. API keys of other systems are not sessions and are unaffected.

Wrong codes are throttled twice: django-otp makes the device wait 1, 2, 4… seconds after each failure
(``OTP_TOTP_THROTTLE_FACTOR``), and each failure counts as a failed sign-in for django-axes, so
``AXES_FAILURE_LIMIT`` wrong codes lock the account (the session is then signed out)."""

from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import quote

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY, devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.api.responses import is_api_request
from governance.models import User

TOTP_DEVICE_NAME = "身份验证器"
RECOVERY_DEVICE_NAME = "恢复码"
# Paths an unverified session may still open: the second-factor pages themselves, signing out or in
# again, static files. Everything else (pages, admin) is sent to the verify/enrol page.
EXEMPT_PREFIXES = ("/account/otp/", "/login/", "/logout/", "/static/", "/favicon.ico")


def second_factor_required(user: Any) -> bool:
    """Whether ``user`` (a ``User`` or an anonymous user) must pass a second factor: an active
    superuser, or a holder of any role in ``settings.SECOND_FACTOR_ROLES``. One query for the roles
    (cached on the user). Rule: issue 19 item 8."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_superuser or user.roles & set(settings.SECOND_FACTOR_ROLES))


def session_unverified(user: Any) -> bool:
    """True for a signed-in user who needs the second factor and whose session has not passed it
    (``user.is_verified`` is installed by django-otp's ``OTPMiddleware``)."""
    if not second_factor_required(user):
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (callable(is_verified) and is_verified())


def totp_device_pending(user: User) -> TOTPDevice:
    """The user's unconfirmed authenticator (made on first call): its secret is shown as a QR code
    until a code from it confirms it. Raises nothing."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def recovery_codes_issue(user: User) -> list[str]:
    """Replace the user's recovery codes with ``settings.RECOVERY_CODE_COUNT`` new ones (16 base32
    characters each) and return them, to be shown once. Each works once (django-otp deletes a static
    token when it is used). Raises nothing."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(settings.RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def locked_out(request: HttpRequest, user: User) -> bool:
    """Whether django-axes holds the account (or the address) locked after repeated failures."""
    return AxesProxyHandler.is_locked(request, {"username": user.get_username()})


def code_failed(request: HttpRequest, user: User) -> None:
    """Count a wrong code as a failed sign-in of the account for django-axes."""
    user_login_failed.send(sender=__name__, credentials={"username": user.get_username()}, request=request)


def _verify_on(device: Any, token: str) -> tuple[bool, datetime.datetime | None]:
    """``(accepted, wait_until)`` for one device: ``wait_until`` is set when the device is still
    throttled after earlier wrong codes (the code is then not even tried)."""
    allowed, data = device.verify_is_allowed()
    if not allowed:
        return False, (data or {}).get("locked_until")
    return bool(device.verify_token(token)), None


@transaction.atomic
def enrolment_confirm(request: HttpRequest, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm a pending authenticator with a code from it: the device is confirmed, the session
    verified, and fresh recovery codes are returned (to be shown once). ``None`` for a wrong code,
    which counts as a failed sign-in. Raises nothing."""
    accepted, _wait = _verify_on(TOTPDevice.objects.select_for_update().get(pk=device.pk), token)
    if not accepted:
        code_failed(request, device.user)
        return None
    device.refresh_from_db()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    codes = recovery_codes_issue(device.user)
    otp_login(request, device)
    return codes


def code_verify(request: HttpRequest, user: User, token: str) -> tuple[bool, datetime.datetime | None]:
    """Try ``token`` on the user's confirmed devices: six digits go to the authenticator (TOTP), anything
    else is taken as a recovery code (spaces and case ignored), which then stops working. On success
    the session is verified. Returns ``(verified, wait_until)``: ``wait_until`` when the device is
    still throttled after wrong codes. A wrong code counts as a failed sign-in (django-axes).
    Raises nothing."""
    token = "".join(token.split()).lower()
    kind = TOTPDevice if len(token) == 6 and token.isdigit() else StaticDevice
    wait_until = None
    if token:
        with transaction.atomic():
            for device in devices_for_user(user, confirmed=True, for_verify=True):
                if not isinstance(device, kind):
                    continue
                accepted, wait = _verify_on(device, token)
                if accepted:
                    otp_login(request, device)
                    return True, None
                wait_until = wait or wait_until
    code_failed(request, user)
    return False, wait_until


def devices_reset(user: User) -> int:
    """Remove every second-factor device of ``user`` (authenticator and recovery codes), e.g. a lost
    phone: at the next sign-in they enrol again. Returns the number of devices removed. Each removal
    is in the audit trail (the device tables are tracked, ``governance.models.second_factor``)."""
    removed = 0
    for device in devices_for_user(user, confirmed=None):
        device.delete()
        removed += 1
    return removed


def user_has_authenticator(user: User) -> bool:
    """Whether the user has a confirmed device to verify with (else they enrol)."""
    return bool(user_has_device(user, confirmed=True))


class SecondFactorMiddleware:
    """Sends a signed-in user who needs the second factor, and whose session has not passed it, to
    the verify page (or the enrolment page when they have no authenticator), keeping where they were
    going in ``next``. API paths are left to ``VerifiedSessionAuthentication`` (a JSON 403 there)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (
            not request.path.startswith(EXEMPT_PREFIXES)
            and not is_api_request(request)
            and session_unverified(request.user)
        ):
            target = "otp-verify" if user_has_authenticator(request.user) else "otp-enrol"  # type: ignore[arg-type]
            return HttpResponseRedirect(f"{reverse(target)}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def sign_out_locked(request: HttpRequest) -> None:
    """End a session whose account django-axes has locked (too many wrong codes)."""
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    logout(request)
