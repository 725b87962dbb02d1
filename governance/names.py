"""People's names as clerks type them.

A transliterated name (阿依古丽·买买提) is written with a middle dot that reaches the portal in many
forms: ``·`` (U+00B7, the standard one), ``•``, ``・``, ``．``, ``.``, ``‧``, ``･``, ``⋅``, ``∙``.
``name_normalize`` turns any of them, between two Chinese characters, into ``·`` (spaces around it
dropped); names are stored that way (``PersonNameField``) and every search term goes through the same
function, so any form finds the person. Other text is left alone ("1.5", "a.b"), and characters
outside the Basic Multilingual Plane (𠮷, CJK Extension B and beyond) count as Chinese characters."""

from __future__ import annotations

import re

from django.db import models

MIDDLE_DOT = "·"
MIDDLE_DOT_FORMS = "·•・．.‧･⋅∙"
# CJK Unified Ideographs, Extension A, Compatibility Ideographs, Extensions B–H (planes 2 and 3).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_DOT_RE = re.compile(rf"(?<=[{_HAN}])\s*[{re.escape(MIDDLE_DOT_FORMS)}]\s*(?=[{_HAN}])")


def name_normalize(value: str | None) -> str:
    """A name or a search term with every form of the middle dot between Chinese characters written
    ``·`` (``"阿依古丽.买买提"`` → ``"阿依古丽·买买提"``), surrounding blanks stripped."""
    return _DOT_RE.sub(MIDDLE_DOT, (value or "").strip())


class PersonNameField(models.CharField):
    """姓名: stored with the standard middle dot (see the module)."""

    def to_python(self, value):
        value = super().to_python(value)
        return name_normalize(value) if isinstance(value, str) else value


def stored_names_normalize(app_label: str, model_name: str, field: str = "name"):
    """A ``RunPython`` function for a data migration: the names already stored, normalised."""

    def run(apps, schema_editor) -> None:
        model = apps.get_model(app_label, model_name)
        changed = []
        pattern = f"[{MIDDLE_DOT_FORMS}]"  # PostgreSQL regex: "." in brackets is literal
        for row in model._base_manager.filter(**{f"{field}__regex": pattern}).only("pk", field).iterator():
            value = name_normalize(getattr(row, field))
            if value != getattr(row, field):
                setattr(row, field, value)
                changed.append(row)
        model._base_manager.bulk_update(changed, [field], batch_size=1000)

    return run
