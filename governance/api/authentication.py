from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from governance.services import api_key_authenticate


class ApiKeyAuthentication(authentication.BaseAuthentication):
    """``Authorization: Api-Key lx_<prefix>_<secret>``. The key's service account carries its role and
    division, so the key is scoped exactly like a person with that role."""

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
        key = api_key_authenticate(parts[1])
        if key is None or not key.user.is_active:
            raise exceptions.AuthenticationFailed(_("接口密钥无效、已过期或已吊销。"))
        return key.user, key

    def authenticate_header(self, request) -> str:
        return self.keyword


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
