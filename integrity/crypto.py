"""The reporter's identity (举报人: name, phone, address) encrypted at rest with Fernet keys kept
outside the database (``settings.REPORTER_KEYS``, from ``PORTAL_REPORTER_KEYS`` or
``PORTAL_REPORTER_KEY_FILE``). ``MultiFernet``: the first key encrypts, every key decrypts, so a key is
rotated by putting a new one first and running ``manage.py reporter_keys_rotate``. A database dump
holds only the Fernet token (AES-128-CBC + HMAC-SHA256), never the clear text.

Only ``integrity.services.reporter_reveal`` (permission checked, access logged) opens a token for a
person; the rotation command opens and re-seals without showing anything."""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TypedDict

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


class Identity(TypedDict):
    """What a sealed token holds: the reporter's name, phone (normalised) and address; "" when not given."""

    name: str
    phone: str
    address: str


EMPTY: Identity = {"name": "", "phone": "", "address": ""}


@lru_cache(maxsize=4)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured("举报人信息加密密钥未配置（PORTAL_REPORTER_KEYS 或 PORTAL_REPORTER_KEY_FILE）。")
    return MultiFernet([Fernet(key) for key in keys])


def fernet() -> MultiFernet:
    """The ``MultiFernet`` of ``settings.REPORTER_KEYS`` (first key encrypts). Raises
    ``ImproperlyConfigured`` without keys, ``ValueError`` for a malformed key."""
    return _fernet(tuple(settings.REPORTER_KEYS))


def identity_seal(identity: Identity) -> str:
    """The Fernet token (ASCII) of ``identity``; "" when every part is empty (an anonymous report)."""
    parts = {key: str(identity.get(key) or "") for key in EMPTY}
    if not any(parts.values()):
        return ""
    return fernet().encrypt(json.dumps(parts, ensure_ascii=False).encode()).decode("ascii")


def identity_open(token: str) -> Identity:
    """The identity in ``token`` ("" → every part empty). Raises ``InvalidToken`` when no configured
    key opens it (a key removed too early, or a forged token)."""
    if not token:
        return dict(EMPTY)  # type: ignore[return-value]
    data = json.loads(fernet().decrypt(token.encode("ascii")))
    return {key: str(data.get(key, "")) for key in EMPTY}  # type: ignore[return-value]


def token_rotate(token: str) -> str:
    """``token`` re-encrypted with the first (newest) key; "" stays "". Raises ``InvalidToken``."""
    return fernet().rotate(token.encode("ascii")).decode("ascii") if token else ""


@register()
def reporter_keys_check(app_configs, **kwargs) -> list[Error]:
    """``manage.py check`` (and ``check --deploy``): the keys are set and each is a valid Fernet key."""
    keys = getattr(settings, "REPORTER_KEYS", [])
    if not keys:
        return [
            Error(
                "举报人信息加密密钥未配置。",
                hint="设置 PORTAL_REPORTER_KEYS（逗号分隔，第一个用于加密）或 PORTAL_REPORTER_KEY_FILE。",
                id="integrity.E001",
            )
        ]
    errors = []
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            errors.append(Error(f"举报人信息加密密钥第 {number} 个不是有效的 Fernet 密钥。", id="integrity.E002"))
    return errors


__all__ = ["EMPTY", "Identity", "InvalidToken", "fernet", "identity_open", "identity_seal", "token_rotate"]
