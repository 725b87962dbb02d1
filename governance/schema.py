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
