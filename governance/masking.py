"""Masking of personal data for users who lack the "view personal data" permission."""

from __future__ import annotations

VIEW_PERSONAL_DATA = "governance.view_personal_data"


def can_view_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_PERSONAL_DATA))


def mask_id_number(value: str | None) -> str:
    """``430102199001011234`` → ``430102********1234``: region kept, birth date and sequence hidden."""
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]
