"""Reading the stable codes of a service's errors, the way every test asserts on them (on exported
error constants, never on copied messages)."""

from __future__ import annotations

from django.core.exceptions import ValidationError


def codes(error, field: str) -> list[str]:
    """The codes of the messages on ``field`` of a ``ValidationError`` (or of the one a
    ``pytest.raises`` block caught)."""
    if not isinstance(error, ValidationError):
        error = error.value
    return [e.code for e in error.error_dict[field]]
