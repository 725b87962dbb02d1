"""One error body for the whole API::

    {"code": "invalid", "message": "提交的数据有误。",
     "errors": {"id_number": [{"code": "id_number_checksum", "message": "身份证号校验位错误，请核对号码。"}]}}

``errors`` maps each field (``non_field_errors`` for the object as a whole) to its messages, in
Chinese for people and with a stable ``code`` for machines.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.serializers import as_serializer_error
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from governance.api.responses import ERR_INVALID, INVALID_MESSAGE, error_response, is_api_request
from governance.error_views import page_not_found
from governance.errors import Conflict

ERR_CONFLICT = "conflict"


def _flatten(details) -> dict:
    """DRF's nested detail → ``{field: [{code, message}]}``, nested fields joined with dots."""
    out: dict[str, list] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            if set(value) == {"message", "code"}:
                out.setdefault(prefix or "non_field_errors", []).append(
                    {"code": value["code"], "message": str(value["message"])}
                )
                return
            for key, sub in value.items():
                # A nested object's own errors ("members": "not a list") belong to the field itself.
                if prefix and key == api_settings.NON_FIELD_ERRORS_KEY:
                    walk(prefix, sub)
                else:
                    walk(f"{prefix}.{key}" if prefix else str(key), sub)
        elif isinstance(value, list):
            for index, sub in enumerate(value):
                is_leaf = isinstance(sub, dict) and set(sub) == {"message", "code"}
                walk(prefix if is_leaf else f"{prefix}.{index}", sub)
        else:
            out.setdefault(prefix or "non_field_errors", []).append({"code": ERR_INVALID, "message": str(value)})

    walk("", details)
    return out


class ConflictError(exceptions.ValidationError):
    """409 with the one error body, naming the field that forbids the write."""

    status_code = status.HTTP_409_CONFLICT
    api_code = ERR_CONFLICT


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        # A service raised: show it like a serializer error, with Django's "__all__" (a model's
        # clean() or constraints) under the API's own key for the object as a whole.
        detail = as_serializer_error(exc)
        if NON_FIELD_ERRORS in detail:
            detail.setdefault(api_settings.NON_FIELD_ERRORS_KEY, []).extend(detail.pop(NON_FIELD_ERRORS))
        if isinstance(exc, Conflict):
            api_code = exc.api_code
            exc = ConflictError(detail)
            exc.api_code = api_code
        else:
            exc = exceptions.ValidationError(detail)
    elif isinstance(exc, IntegrityError):
        exc = exceptions.ValidationError(
            {"non_field_errors": [exceptions.ErrorDetail(_("数据与已有记录冲突，未保存。"), code=ERR_CONFLICT)]}
        )
        exc.status_code = status.HTTP_409_CONFLICT
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_("未找到，或不在您的管辖范围内。"))
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(exc.get_full_details())
        body = {"code": ERR_INVALID, "message": str(INVALID_MESSAGE), "errors": errors}
        if response.status_code == status.HTTP_409_CONFLICT:
            # A service's Conflict keeps its field errors; the body says which conflict it is.
            body["code"] = getattr(exc, "api_code", ERR_CONFLICT)
    else:
        detail = exc.get_full_details() if isinstance(exc, exceptions.APIException) else {}
        code = detail.get("code", "error") if isinstance(detail, dict) else "error"
        message = detail.get("message", "") if isinstance(detail, dict) else str(exc)
        body = {"code": code, "message": str(message), "errors": {}}
    response.data = body
    return response


def not_found(request, exception=None):
    """Django's 404 view (``handler404``): the API's error body under ``/api/``, the page elsewhere."""
    if not is_api_request(request):
        return page_not_found(request, exception)
    return error_response(status.HTTP_404_NOT_FOUND, "not_found", _("未找到，或不在您的管辖范围内。"))
