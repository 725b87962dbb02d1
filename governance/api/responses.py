"""The API's one error body, built without DRF: for answers made before or outside DRF's exception
handler (a middleware, Django's 404 view, the login lockout). Importing nothing of DRF keeps it
usable from modules DRF's own settings import (authentication)."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from governance.registry import registry

ERR_INVALID = "invalid"
INVALID_MESSAGE = _("提交的数据有误，未保存。")


def is_api_request(request) -> bool:
    """Whether a request is a machine's (``/api/``, and the standard protocols such as ``/open311/``): its
    errors are JSON in the one error shape, never a page."""
    protocols = tuple(f"/{prefix}/" for prefix in registry.protocol_routes)
    return request.path.startswith(("/api/", *protocols))


def error_response(status_code: int, code: str, message, errors: dict | None = None) -> JsonResponse:
    """The one error body, for answers made outside DRF's exception handler (a middleware, Django's
    404 view, the login lockout): ``{"code", "message", "errors": {field: [{code, message}]}}``."""
    body = {"code": code, "message": str(message), "errors": errors or {}}
    return JsonResponse(body, status=status_code, json_dumps_params={"ensure_ascii": False})
