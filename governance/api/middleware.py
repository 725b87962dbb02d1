"""Bookkeeping after an API request has been answered."""

from __future__ import annotations

from governance.models import ApiKey
from governance.services import api_key_touch


class ApiKeyUsageMiddleware:
    """Touch the calling key's "last used" once the request is answered, and only when it was not
    refused (status below 400): a request turned away by permissions, scope, throttling or
    validation is not a use of the key. Placed outside the audit middleware, so the write is never
    attributed to the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # DRF's Request copies the authenticator's ``auth`` (the ApiKey) onto the Django request.
        key = getattr(request, "auth", None)
        if isinstance(key, ApiKey) and response.status_code < 400:
            api_key_touch(key=key)
        return response
