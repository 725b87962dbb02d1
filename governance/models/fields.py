"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.postgres.fields import ArrayField


class ChoiceArrayField(ArrayField):
    """A list of codes from the base field's choices (擅长纠纷类型, 禁办类型…), edited as check boxes
    showing the Chinese labels rather than as a comma-separated text of English codes
    (``ArrayField``'s default form field). The column stays a PostgreSQL array of codes."""

    def formfield(self, **kwargs):
        defaults: dict[str, Any] = {
            "form_class": forms.TypedMultipleChoiceField,
            "choices": self.base_field.choices,
            "coerce": self.base_field.to_python,
            "widget": forms.CheckboxSelectMultiple,
        }
        defaults.update(kwargs)
        # Skip ArrayField.formfield (SimpleArrayField); Field.formfield builds the form_class given.
        return super(ArrayField, self).formfield(**defaults)

    def labels(self, values) -> str:
        """The Chinese labels of ``values``, joined with 、 (an unknown code is shown as it is)."""
        names = dict(self.base_field.flatchoices)
        return "、".join(str(names.get(value, value)) for value in values or [])
