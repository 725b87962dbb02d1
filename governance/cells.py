"""How a spreadsheet cell is read as a date, a month or a number, whatever form the clerk's file has
it in (issue 11, item 5). Pure functions, no Django: the import widgets of ``governance.resources``
(``SheetDateWidget``, ``SheetMonthWidget``, ``SheetIntegerWidget``, ``SheetDecimalWidget``) call them
and turn ``None`` into a Chinese error naming the column."""

from __future__ import annotations

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from governance.imports import cell_text


def plain_text(value: Any) -> str:
    """A cell as stripped text with full-width digits, letters and signs made half-width (NFKC)."""
    return unicodedata.normalize("NFKC", cell_text(value))


EXCEL_EPOCH = datetime.date(1899, 12, 30)  # serial 1 is 1900-01-01; Excel counts a 1900-02-29 that never was
EXCEL_SERIAL_MIN, EXCEL_SERIAL_MAX = 61, 2958465  # 1900-03-01 … 9999-12-31
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[\sT]+\d{1,2}:\d{1,2}(?::\d{1,2}(?:\.\d+)?)?)?$"
)
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONTH = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?$|^(\d{4})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")
_NUMBER = re.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")


def excel_serial_date(serial: float) -> datetime.date | None:
    """An Excel serial day number (45809 → 2025-06-01; a time of day is dropped), or ``None`` outside
    1900-03-01 … 9999-12-31."""
    if not EXCEL_SERIAL_MIN <= serial <= EXCEL_SERIAL_MAX:
        return None
    return EXCEL_EPOCH + datetime.timedelta(days=int(serial))


def sheet_date(value: Any) -> datetime.date | None:
    """A date cell in any form clerks' files have: a date cell, an Excel serial number (a number cell,
    or five digits in a CSV), ``2025/6/1``, ``2025-06-01``, ``2025.6.1``, ``2025年6月1日``,
    ``20250601`` (full-width digits too, a time after it ignored). ``None`` when it is none of these."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal):
        return excel_serial_date(float(value))
    text = plain_text(value)
    match = _DATE.match(text) or _DATE_COMPACT.match(text)
    if match:
        try:
            return datetime.date(*(int(part) for part in match.groups()[:3]))
        except ValueError:
            return None
    return excel_serial_date(float(text)) if _SERIAL.match(text) else None


def sheet_month(value: Any) -> datetime.date | None:
    """A month as its first day: ``2025年6月``, ``2025-06``, ``2025/6``, ``202506`` or any date of the
    month in a form ``sheet_date`` reads. ``None`` when it is none of these."""
    match = None if isinstance(value, int | float | datetime.date) else _MONTH.match(plain_text(value))
    if match:
        year, month = (int(part) for part in [g for g in match.groups() if g is not None])
        return datetime.date(year, month, 1) if 1 <= month <= 12 else None
    day = sheet_date(value)
    return day.replace(day=1) if day else None


def sheet_number(value: Any) -> Decimal | None:
    """A number cell, or a text in any form clerks type: ``1,234``, ``１２３４``, ``1 234``, ``-3.5``
    (thousands separators must group by three). ``None`` when it is no number. A float from Excel is
    taken at its 15 significant digits, as Excel shows it."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(f"{value:.15g}")
    text = "".join(plain_text(value).split())
    if not _NUMBER.match(text):
        return None
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
