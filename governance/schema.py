"""OpenAPI naming: every choices class of the portal's apps gets a stable enum name of its own.

Apps reuse short field names ("status", "kind", "category"); left alone, drf-spectacular would
name their enums by hash ("StatusF29Enum"). Each ``TextChoices``/``IntegerChoices`` class in a
portal app's models becomes ``<App><Class>Enum`` instead (e.g. ``SecurityStatusEnum``)."""

from __future__ import annotations

import inspect

from django.apps import apps
from django.conf import settings
from django.db import models
from drf_spectacular.openapi import AutoSchema


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
    "description": "接口统一的错误响应体：code 为稳定的机器代码，message 为中文说明，errors 按字段列出。",
    "properties": {
        "code": {"type": "string"},
        "message": {"type": "string"},
        "errors": {
            "type": "object",
            "description": "字段名（嵌套字段以点号连接；整体错误为 non_field_errors）→ 该字段的错误列表",
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


# --- Operation summaries and descriptions, in Chinese, from one place -----------------------------
# The standard actions of a model viewset are named after the model's verbose_name; a custom action
# gives its own Chinese ``summary``/``description`` in its ``@extend_schema``. Docstrings stay developer
# notes (often English) and are not shown in /api/docs/.
_STANDARD_SUMMARIES = {
    "list": "{plural}列表",
    "retrieve": "{name}详情",
    "create": "新建{name}",
    "update": "修改{name}",
    "partial_update": "修改{name}（部分字段）",
    "destroy": "删除{name}",
}
_STANDARD_DESCRIPTIONS = {
    "list": "列出当前账号管辖范围内的{plural}，分页返回；可用查询参数筛选、搜索和排序。",
    "retrieve": "按 ID 读取一条{name}；不存在或不在管辖范围内时返回 404。",
    "create": "新建一条{name}；数据有误时返回 400 并按字段列出中文错误，不写入任何数据。",
    "update": "整体修改一条{name}（须提交全部必填字段）；数据有误时返回 400，不写入任何数据。",
    "partial_update": "只修改提交的字段；数据有误时返回 400，不写入任何数据。",
    "destroy": "删除一条{name}。",
}


def _model_names(view) -> dict[str, str]:
    queryset = getattr(view, "queryset", None)
    model = getattr(queryset, "model", None)
    if model is None:
        return {"name": "记录", "plural": "记录"}
    return {"name": str(model._meta.verbose_name), "plural": str(model._meta.verbose_name_plural)}


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema with Chinese operation summaries and descriptions.

    ``@extend_schema(summary=..., description=...)`` on an action wins (drf-spectacular overrides these
    two methods in a subclass); otherwise a standard action is described from the model's
    verbose_name, and any other action answers an empty text — which tests/governance/test_chinese_ui.py
    reports, so a new custom action cannot ship without its Chinese summary."""

    def _action(self) -> str:
        return getattr(self.view, "action", None) or ""

    def get_summary(self) -> str | None:
        template = _STANDARD_SUMMARIES.get(self._action())
        return template.format(**_model_names(self.view)) if template else None

    def get_description(self) -> str:  # type: ignore[override]
        template = _STANDARD_DESCRIPTIONS.get(self._action())
        return template.format(**_model_names(self.view)) if template else ""
