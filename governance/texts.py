"""Chinese text put together from several messages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_ENDS = "。；;.，, "


def sentences_join(messages: Iterable[Any], separator: str = "；") -> str:
    """Several messages as one sentence: each one's own closing mark dropped, joined by ``separator``
    (a Chinese semicolon), one 。 at the end; blanks skipped. ``["身份证号校验位错误。", "区划代码不存在。"]``
    → ``"身份证号校验位错误；区划代码不存在。"`` — never ``"。；"``. No message → ``""``."""
    parts = [text for text in (str(m).strip().rstrip(_ENDS) for m in messages) if text]
    return separator.join(parts) + "。" if parts else ""
