"""Sign-in throttling (django-axes): the lockout answer, and API-key guessing counted like wrong passwords.

A failed API key is recorded by axes as a failed sign-in of ``api-key:<prefix>`` from the client's
address, so repeated bad keys lock the address out (of the API and the sign-in page alike), and an
administrator unlocks both the same way (Axes → Access attempts in the admin, or ``manage.py axes_reset_ip``).
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.models import Permission
from django.contrib.auth.signals import user_login_failed
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from governance.api.responses import error_response, is_api_request

ERR_LOCKED_OUT = "locked_out"
LOCKED_OUT_MESSAGE = _("登录失败次数过多，该账号或该地址已被锁定。请联系管理员解锁。")
LOCKED_OUT_STATUS = 429


class PermissionBackend(ModelBackend):
    """Django's ``ModelBackend`` whose permission set (the user's own and their groups') is read in ONE
    query instead of two, cached on the user object for the request as Django caches it
    (``_perm_cache``). Every page's navigation asks it (``governance.context_processors``)."""

    def get_all_permissions(self, user_obj, obj=None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            permissions = Permission.objects.all()
            if not user_obj.is_superuser:
                permissions = permissions.filter(Q(user=user_obj) | Q(group__user=user_obj))
            rows = permissions.values_list("content_type__app_label", "codename").distinct().order_by()
            user_obj._perm_cache = {f"{app_label}.{codename}" for app_label, codename in rows}
        return user_obj._perm_cache


def lockout_response(request: HttpRequest, original_response=None, credentials: dict | None = None) -> HttpResponse:
    """What a locked-out client gets (``AXES_LOCKOUT_CALLABLE``): the API's error body with code
    ``locked_out`` under ``/api/``, else the sign-in page with the message; HTTP 429 either way."""
    if is_api_request(request):
        return error_response(LOCKED_OUT_STATUS, ERR_LOCKED_OUT, LOCKED_OUT_MESSAGE)
    context = {"form": AuthenticationForm(request), "locked_out": LOCKED_OUT_MESSAGE}
    return render(request, "registration/login.html", context, status=LOCKED_OUT_STATUS)


def api_key_credentials(raw: str) -> dict:
    """The axes credentials of a presented key: its public prefix, never the secret."""
    parts = raw.split("_", 2)
    return {"username": f"api-key:{parts[1] if len(parts) == 3 else '?'}"[:150]}


def api_key_locked(request: HttpRequest, raw: str) -> bool:
    """True when the client's address (or this key prefix) is locked out after repeated failures."""
    return AxesProxyHandler.is_locked(request, api_key_credentials(raw))


def api_key_failed(request: HttpRequest, raw: str) -> None:
    """Record a refused key as a failed sign-in of the client's address."""
    user_login_failed.send(sender=__name__, credentials=api_key_credentials(raw), request=request)


def axes_username(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The username django-axes counts a failure against (``AXES_USERNAME_CALLABLE``): the one given
    to sign in (or a key's ``api-key:<prefix>``), cut to the 150 characters a username may have — a
    longer one still fails and counts, but never overflows axes' column (a 500)."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = request.POST.get("username")
    return str(value)[:150] if value else None
