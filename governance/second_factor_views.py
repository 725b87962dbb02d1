"""The second-factor pages (``/account/otp/``): enrolment with a QR code, then the recovery codes shown
once; verification with a TOTP code or a recovery code. Rules in ``governance.second_factor``."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import quote

import segno
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.decorators.cache import never_cache

from governance import second_factor
from governance.auth import lockout_response

WRONG_CODE = _("验证码不正确，请输入验证器上当前显示的 6 位数字，或一个未用过的恢复码。")
THROTTLED = _("错误次数过多，请于 %(time)s 后再试。")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True, "autocapitalize": "off"}
        ),
        error_messages={"required": _("请输入验证码。")},
    )


def _next_url(request: HttpRequest) -> str:
    """Where to go after verifying: ``next`` if it is a path on this site, else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse("home")


@method_decorator(never_cache, name="dispatch")  # the secret and the recovery codes stay out of caches
class SecondFactorView(LoginRequiredMixin, View):
    """Shared: only for users who need the second factor; signed out when axes has locked the account."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not second_factor.second_factor_required(request.user):
                return HttpResponseRedirect(reverse("home"))
            if request.method == "POST" and second_factor.locked_out(request, request.user):
                second_factor.sign_out_locked(request)
                return lockout_response(request)
        return super().dispatch(request, *args, **kwargs)

    def refused(self, request: HttpRequest) -> HttpResponse | None:
        """After a wrong code: the lockout page (and no session) once axes locks the account."""
        if second_factor.locked_out(request, request.user):
            second_factor.sign_out_locked(request)
            return lockout_response(request)
        return None


class EnrolView(SecondFactorView):
    """绑定身份验证器: the QR code (SVG, made here, no outside service) and the secret to type in by hand;
    a code from the app confirms it, and the recovery codes are shown once."""

    template_name = "registration/otp_enrol.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and second_factor.user_has_authenticator(request.user):
            return HttpResponseRedirect(f"{reverse('otp-verify')}?next={quote(_next_url(request))}")
        return super().dispatch(request, *args, **kwargs)

    def page(self, request: HttpRequest, form: CodeForm, status: int = 200) -> HttpResponse:
        device = second_factor.totp_device_pending(request.user)
        secret = b32encode(device.bin_key).decode()
        context = {
            "form": form,
            "qr": segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _next_url(request),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.page(request, CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self.page(request, form, status=400)
        device = second_factor.totp_device_pending(request.user)
        codes = second_factor.enrolment_confirm(request, device, form.cleaned_data["code"].strip())
        if codes is None:
            refused = self.refused(request)
            if refused is not None:
                return refused
            form.add_error("code", WRONG_CODE)
            return self.page(request, form, status=400)
        context = {"codes": codes, "next": _next_url(request)}
        return render(request, "registration/otp_recovery_codes.html", context)


class VerifyView(SecondFactorView):
    """双因素验证: a code from the authenticator, or a recovery code (each works once)."""

    template_name = "registration/otp_verify.html"

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if user.is_authenticated and second_factor.second_factor_required(user):
            if not second_factor.user_has_authenticator(user):
                return HttpResponseRedirect(f"{reverse('otp-enrol')}?next={quote(_next_url(request))}")
            if not second_factor.session_unverified(user):
                return HttpResponseRedirect(_next_url(request))
        return super().dispatch(request, *args, **kwargs)

    def get(self, request):
        return render(request, self.template_name, {"form": CodeForm(), "next": _next_url(request)})

    def post(self, request):
        form = CodeForm(request.POST)
        if form.is_valid():
            verified, wait_until = second_factor.code_verify(request, request.user, form.cleaned_data["code"])
            if verified:
                return HttpResponseRedirect(_next_url(request))
            refused = self.refused(request)
            if refused is not None:
                return refused
            if wait_until is not None:
                form.add_error("code", THROTTLED % {"time": timezone.localtime(wait_until).strftime("%H:%M:%S")})
            else:
                form.add_error("code", WRONG_CODE)
        return render(request, self.template_name, {"form": form, "next": _next_url(request)}, status=400)
