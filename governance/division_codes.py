"""区划代码 — division codes as clerks and official lists write them, read one way.

The rule [GB/T 2260《中华人民共和国行政区划代码》; 国家统计局《统计用区划代码和城乡划分代码编制规则》]:

- GB/T 2260 codes have 6 digits: 2 for the province, 2 for the city, 2 for the county —
  湖南省 ``430000``, 娄底市 ``431300``, 娄星区 ``431302``;
- the 统计用区划代码 adds 3 digits for the 乡级 unit (001–099 街道, 100–199 镇, 200–399 乡, 400–599
  other township-level units; 娄星区杉山镇 ``431302100``) and 3 for the 村级 unit (001–199 居委会 /
  社区, 200–399 村委会), and is published as 12 digits, higher levels padded with zeros:
  ``431302000000`` is 娄星区 itself, ``431302100000`` is 杉山镇 itself.

**Stored form** (one per unit, what ``Division.code`` holds and ``Division.path`` is built from): the
code of the unit's own level with the padding dropped — 6 digits for a province, city or county, 9 for
a township or subdistrict, 12 for a village or community. A child's code then begins with its
parent's code, and a subtree is one prefix match on the path ``431302/431302100/431302100201/``.
``division_code_normalize`` reads every form of a code (6, 9 or 12 digits, padded or not, full-width
digits, blanks around it, an Excel number cell) into that one: ``431302100000``, ``431302100`` and
``４３１３０２１００`` are all ``431302100``. Codes below the village are the platform's own (屋场,
小区: the village's or community's code plus 3 digits) and, like codes with letters, are kept as
written (blanks around them dropped, full-width characters made half-width).

The model field (``DivisionCodeField``) stores the normal form and looks codes up by it, so the
admin, forms, the API, filters and every import that names a division by code (区划代码, 上级区划代码,
村代码 …) accept any of the forms; searches normalise their term with the same function."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

ERR_DIVISION_CODE_FORMAT = "division_code_format"
ERR_DIVISION_CODE_PARENT = "division_code_parent"

_DIGITS = re.compile(r"^[0-9]+$")
_PADDED = "000"


def division_code_normalize(value: Any) -> str:
    """The stored form of a division code (see the module): ``"431302100000"`` → ``"431302100"``,
    ``"431302000000"``/``"431302000"`` → ``"431302"``, ``"431302100201"`` unchanged; an Excel number
    (``431302100000`` or ``431302100000.0``) is read as its digits; anything else is returned trimmed
    and half-width, never refused here (``validate_division_code`` judges it). ``None`` → ``""``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not _DIGITS.match(text):
        return text
    if len(text) == 12 and text.endswith(_PADDED):
        text = text[:9]
    if len(text) == 9 and text.endswith(_PADDED):
        text = text[:6]
    return text


def is_statistical_code(code: str) -> bool:
    """Whether a stored code is a GB/T 2260 or 统计用区划代码 one (6, 9 or 12 digits)."""
    return bool(_DIGITS.match(code)) and len(code) in (6, 9, 12)


def division_code_prefix(code: str) -> str:
    """The digits every code below ``code`` begins with: a GB/T 2260 code without its zero pairs
    (``430000`` → ``"43"``, ``431300`` → ``"4313"``), any other code itself."""
    if _DIGITS.match(code) and len(code) == 6:
        if code.endswith("0000"):
            return code[:2]
        if code.endswith("00"):
            return code[:4]
    return code


#: The official levels (GB/T 2260 and 统计用区划代码) and the digits of their stored code; the levels
#: below (屋场, 小区, 网格) are the platform's own and keep their form.
OFFICIAL_CODE_LENGTHS = {
    "province": 6,
    "city": 6,
    "district": 6,
    "township": 9,
    "subdistrict": 9,
    "village": 12,
    "community": 12,
}


def official_code_problem(code: str, level: str) -> int | None:
    """For a unit of an official ``level`` (a ``DivisionLevel`` value), the digits its stored ``code``
    should have when it has not the form of that level, else ``None``: only digits, 6 for a province,
    city or county (a province ``xx0000``, a city ``xxxx00``, a county not ``xxxx00``), 9 for a
    township or subdistrict, 12 for a village or community [GB/T 2260; 统计用区划代码编制规则].
    ``43130210O201`` (a letter O), ``ABC`` and ``431302100000000`` (15 digits) have no official form.
    Any code of another level: ``None``."""
    length = OFFICIAL_CODE_LENGTHS.get(level)
    if length is None:
        return None
    if not _DIGITS.match(code) or len(code) != length or code.startswith("0"):
        return length
    if level == "province" and not code.endswith("0000"):
        return length
    if level == "city" and (not code.endswith("00") or code.endswith("0000")):
        return length
    if level == "district" and code.endswith("00"):
        return length
    return None


def division_code_fits_parent(code: str, parent_code: str, official: bool = False) -> bool:
    """Whether a (stored) code may sit under a parent's code: when both are all digits, the child's
    code begins with the parent's (``431302100201`` under ``431302100``, ``431302`` under ``431300``);
    the platform's codes with letters are not checked, unless the child is of an ``official`` level
    (then both must be digits)."""
    if not (_DIGITS.match(code) and _DIGITS.match(parent_code)):
        return not official
    return code != parent_code and code.startswith(division_code_prefix(parent_code))


def validate_division_code(value: Any) -> None:
    """Refuse a code of digits only that no official list can hold: fewer than 6 digits, 7, 8, 10 or
    11 digits, a leading 0, or a 12-digit code whose township part is ``000`` while its village
    part is not (``431302000201``). Raises ``ValidationError`` (code ``ERR_DIVISION_CODE_FORMAT``).
    Codes with letters (the platform's own) are left to the model's character check."""
    code = division_code_normalize(value)
    if not _DIGITS.match(code):
        return
    if len(code) < 6 or len(code) in (7, 8, 10, 11) or code.startswith("0"):
        raise ValidationError(
            _("区划代码“%(code)s”不是有效的统计用区划代码：应为6位（区县）、9位（乡镇街道）或12位（村、社区）数字。"),
            code=ERR_DIVISION_CODE_FORMAT,
            params={"code": code},
        )
    if len(code) == 12 and code[6:9] == _PADDED:
        raise ValidationError(
            _("区划代码“%(code)s”的乡镇段为000，村段却不为000：请核对代码。"),
            code=ERR_DIVISION_CODE_FORMAT,
            params={"code": code},
        )


class DivisionCodeField(models.CharField):
    """区划代码: stored, compared and looked up in the normal form (see the module)."""

    def to_python(self, value):
        value = super().to_python(value)
        return division_code_normalize(value) if isinstance(value, str) else value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return division_code_normalize(value) if isinstance(value, str) else value

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if isinstance(value, str):
            value = division_code_normalize(value)
            setattr(model_instance, self.attname, value)
        return value


def stored_division_codes_normalize(apps, schema_editor) -> None:
    """A ``RunPython`` function: codes stored padded (``431302100000``) take their normal form unless
    that code is already taken (then two rows stand for one unit and the padded one is left for a clerk
    to merge). The path trigger re-paths their subtrees."""
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(r"SELECT id, code FROM governance_division WHERE code ~ '^[0-9]{6}([0-9]{3}){1,2}$'")
        rows = cursor.fetchall()
        cursor.execute("SELECT code FROM governance_division")
        taken = {code for (code,) in cursor.fetchall()}
        for pk, code in rows:
            normal = division_code_normalize(code)
            if normal != code and normal not in taken:
                cursor.execute("UPDATE governance_division SET code = %s WHERE id = %s", [normal, pk])
                taken.add(normal)
