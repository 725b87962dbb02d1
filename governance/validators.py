"""Validators for Chinese identifiers: 身份证号 (GB 11643), phone numbers, 统一社会信用代码 (GB 32100)."""

from __future__ import annotations

import datetime
import operator
import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.phones import ERR_PHONE, validate_phone  # noqa: F401  (re-exported; migrations name it here)

ID_NUMBER_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_NUMBER_CHECK_CHARS = "10X98765432"
ID_NUMBER_RE = re.compile(r"^[1-9]\d{5}(\d{8})\d{3}[0-9X]$")

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
USCC_RE = re.compile(r"^[0-9A-HJ-NP-RTUW-Y]{2}\d{6}[0-9A-HJ-NP-RTUW-Y]{10}$")

# Stable codes for machines; messages in Chinese for people.
ERR_ID_FORMAT = "id_number_format"
ERR_ID_BIRTH_DATE = "id_number_birth_date"
ERR_ID_CHECKSUM = "id_number_checksum"
ERR_USCC_FORMAT = "uscc_format"
ERR_USCC_CHECKSUM = "uscc_checksum"


def id_number_check_char(first17: str) -> str:
    """The GB 11643 check character for the first 17 digits of a 身份证号."""
    if len(first17) != len(ID_NUMBER_WEIGHTS):
        raise ValueError("first17 must have 17 digits")
    total = sum(map(operator.mul, map(int, first17), ID_NUMBER_WEIGHTS))
    return ID_NUMBER_CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    return (value or "").strip().upper()


def validate_id_number(value: str) -> None:
    """Validate an 18-character 公民身份号码: format, birth date (not after today in Asia/Shanghai) and the
    check character. Raises ``ValidationError`` with code ``ERR_ID_FORMAT``, ``ERR_ID_BIRTH_DATE`` or
    ``ERR_ID_CHECKSUM``."""
    value = normalize_id_number(value)
    match = ID_NUMBER_RE.match(value)
    if not match:
        raise ValidationError(_("身份证号应为18位：17位数字加1位数字或X。"), code=ERR_ID_FORMAT)
    try:
        digits = match.group(1)  # YYYYMMDD (strptime took a third of the check's time)
        birth = datetime.date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期无效。"), code=ERR_ID_BIRTH_DATE) from None
    # Today in Asia/Shanghai, not the server's local date: a child born just after midnight in
    # Louxing is not "born tomorrow" on a server that keeps UTC.
    if birth.year < 1880 or birth > timezone.localdate():
        raise ValidationError(_("身份证号中的出生日期无效。"), code=ERR_ID_BIRTH_DATE)
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError(_("身份证号校验位错误，请核对号码。"), code=ERR_ID_CHECKSUM)


def id_number_birth_date(value: str) -> datetime.date | None:
    value = normalize_id_number(value)
    if not ID_NUMBER_RE.match(value):
        return None
    try:
        return datetime.datetime.strptime(value[6:14], "%Y%m%d").date()
    except ValueError:
        return None


def id_number_sex(value: str) -> str | None:
    """``"M"`` or ``"F"``: the 17th digit is odd for men and even for women."""
    value = normalize_id_number(value)
    if not ID_NUMBER_RE.match(value):
        return None
    return "M" if int(value[16]) % 2 else "F"


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_CHARS.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def validate_uscc(value: str) -> None:
    """Validate an 18-character 统一社会信用代码 (GB 32100), including its check character."""
    value = (value or "").strip().upper()
    if not USCC_RE.match(value):
        raise ValidationError(_("统一社会信用代码应为18位数字或大写字母（不含 I、O、Z、S、V）。"), code=ERR_USCC_FORMAT)
    if uscc_check_char(value[:17]) != value[17]:
        raise ValidationError(_("统一社会信用代码校验位错误，请核对。"), code=ERR_USCC_CHECKSUM)
