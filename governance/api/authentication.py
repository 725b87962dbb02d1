from django.utils.translation import gettext_lazy as _
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from governance.auth import LOCKED_OUT_MESSAGE, api_key_failed, api_key_locked
from governance.second_factor import session_unverified
from governance.services import api_key_authenticate


class LockedOut(exceptions.Throttled):
    default_detail = LOCKED_OUT_MESSAGE
    default_code = "locked_out"


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Api-Key lx_<prefix>_<secret>``. The key's service account carries its role and
    division, so the key is scoped exactly like a person with that role. An address that presented too
    many bad keys (``AXES_FAILURE_LIMIT``) is refused with 429 ``locked_out`` until unlocked."""

    keyword = "Api-Key"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1")
        if not header:
            return None
        parts = header.split()
        if not parts or parts[0].lower() != self.keyword.lower():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("接口密钥格式错误：应为 “Api-Key <密钥>”。"))
        return self.authenticate_key(request, parts[1])

    def authenticate_key(self, request, raw: str):
        """The user and key for a presented key ``raw``; refused keys count towards the lockout."""
        # Guessing keys is throttled like guessing passwords: refused keys count as failed sign-ins.
        django_request = getattr(request, "_request", request)
        if api_key_locked(django_request, raw):
            raise LockedOut(detail=LOCKED_OUT_MESSAGE)
        key = api_key_authenticate(raw)
        if key is None or not key.user.is_active:
            api_key_failed(django_request, raw)
            raise exceptions.AuthenticationFailed(_("接口密钥无效、已过期或已吊销。"))
        return key.user, key

    def authenticate_header(self, request) -> str:
        return self.keyword


class SecondFactorRequired(exceptions.PermissionDenied):
    default_detail = _("此账号须先完成双因素验证（在网页登录后输入身份验证器验证码），会话方可调用接口。")
    default_code = "second_factor_required"


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """Django's session, as DRF's ``SessionAuthentication`` (CSRF included), refused with 403
    ``second_factor_required`` while the session of a user who needs the second factor has not
    passed it (``governance.second_factor``). API keys are other systems', not sessions: unaffected."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and session_unverified(result[0]):
            raise SecondFactorRequired()
        return result


class VerifiedSessionScheme(SessionScheme):
    """The session in the OpenAPI schema: Django's session cookie, as for DRF's own class."""

    target_class = "governance.api.authentication.VerifiedSessionAuthentication"


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "governance.api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Api-Key lx_<prefix>_<secret>",
        }
