"""Errors services raise that are not about one bad value but about the state of things."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class Conflict(ValidationError):
    """A write the current state forbids (a dispute's status, an idempotency key already used for
    another request…). Built like any ``ValidationError`` (``{field: message}``), so a form shows it
    on the field; the API answers 409 with the one error body, its ``code`` being ``api_code``."""

    api_code = "conflict"
