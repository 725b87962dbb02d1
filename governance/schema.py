"""OpenAPI naming: every choices class of the portal's apps gets a stable enum name of its own.

Apps reuse short field names ("status", "kind", "category"); left alone, drf-spectacular would
name their enums by hash ("StatusF29Enum"). Each ``TextChoices``/``IntegerChoices`` class in a
portal app's models becomes ``<App><Class>Enum`` instead (e.g. ``SecurityStatusEnum``)."""

from __future__ import annotations

import inspect

from django.apps import apps
from django.conf import settings
from django.db import models


def portal_enum_overrides() -> dict[str, str]:
    overrides: dict[str, str] = {}
    seen_choices: dict[tuple, str] = {}
    for config in apps.get_app_configs():
        if not str(config.path).startswith(str(settings.BASE_DIR)) or config.models_module is None:
            continue
        for name, obj in inspect.getmembers(config.models_module, inspect.isclass):
            if not issubclass(obj, models.Choices) or not obj.__module__.startswith(config.name):
                continue
            # Two classes with the same choices are one enum to the schema; keep the first name.
            key = tuple(obj.values)
            if key in seen_choices:
                continue
            enum_name = f"{config.label.capitalize()}{name}Enum"
            seen_choices[key] = enum_name
            overrides[enum_name] = f"{obj.__module__}.{obj.__qualname__}"
    return overrides


_ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error body of the API (governance.api.errors).",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "field (dotted for nested fields; non_field_errors for the whole) → its errors",
            "additionalProperties": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
                    "required": ["code", "message"],
                },
            },
        },
    },
    "required": ["code", "message", "errors"],
}
# What any operation may answer besides its own responses, and for which methods.
_ERROR_RESPONSES = {
    "400": ("提交的数据或查询参数有误（errors 按字段列出）", None),
    "401": ("未登录，或接口密钥无效、已过期、已吊销", None),
    "403": ("无此操作的权限", None),
    "404": ("未找到，或不在您的管辖范围内", None),
    "409": ("与当前状态或已有记录冲突，未保存", {"post", "put", "patch", "delete"}),
    "429": ("请求过于频繁", None),
}


def error_responses_hook(result, generator, request, public):
    """drf-spectacular post-processing: every operation documents the API's error answers with the
    one error body (``Error``), so a client (and schemathesis) knows a 404 or a 400 is part of the
    contract rather than a surprise."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = _ERROR_SCHEMA
    body = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            for status, (description, methods) in _ERROR_RESPONSES.items():
                if methods is None or method in methods:
                    operation["responses"].setdefault(status, {"description": description, "content": body})
    return result
