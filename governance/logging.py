"""A logging filter that keeps 身份证号 and phone numbers out of every log line."""

from __future__ import annotations

import logging
import re

from governance.masking import mask_id_number, mask_phone

_ID_RE = re.compile(r"(?<!\d)[1-9]\d{16}[\dXx](?![\dXx])")
_MOBILE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def scrub(text: str) -> str:
    text = _ID_RE.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE_RE.sub(lambda m: mask_phone(m.group(0)), text)


class MaskPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is not ours to fix here
            return True
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True


class OneLineClientErrorFilter(logging.Filter):
    """A refused or not-found request (4xx) is one log line: Django attaches the exception's traceback
    to "Forbidden (Permission denied)" and the like, which says nothing an operator needs and buries
    real errors. 5xx keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
