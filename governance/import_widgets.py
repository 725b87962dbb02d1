"""The cell widgets of every import (django-import-export): each reads a spreadsheet cell the way
clerks' files write it — choices by their Chinese label, identifiers as text (a number cell refused),
division codes in any of their forms, phones in any common form, dates and months in every usual
form, numbers with thousands separators or full-width digits — and names its column in a Chinese
error. ``governance.resources`` builds the resources from them."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import widgets

from governance.cells import plain_text, sheet_date, sheet_month, sheet_number
from governance.division_codes import division_code_normalize
from governance.imports import cell_text, header_key
from governance.phones import phone_normalize
from governance.validators import normalize_id_number

ERR_IMPORT_CHOICE = "import_invalid_choice"
ERR_IMPORT_DATE = "import_invalid_date"
ERR_IMPORT_NUMBER = "import_invalid_number"
ERR_IMPORT_YES_NO = "import_invalid_yes_no"
ERR_IMPORT_BLANK = "import_blank_cell"

#: What a 是/否 column accepts (README: Importing spreadsheets), compared after NFKC and case folding,
#: blanks removed: ``ＹＥＳ`` is ``yes``. Anything else is refused, never read as 否.
YES_WORDS = ("是", "√", "✓", "✔", "对", "y", "yes", "1", "true", "已确认", "确认", "启用", "有", "有效", "完整")
NO_WORDS = ("否", "×", "✗", "✘", "错", "n", "no", "0", "false", "未确认", "停用", "无", "无效", "不完整")

_text = cell_text  # a cell as stripped text; whole floats without ".0"
_plain = plain_text  # a cell as text, full-width made half-width


class SheetWidget(widgets.Widget):
    """A widget that knows its column (set by ``ScopedResource``) so that its messages name it, and how
    a cell becomes a key for the duplicate check (``sheet_key``)."""

    column_label: str = ""
    #: a long number kept as text (身份证号): a numeric cell is refused (``governance.imports``)
    identifier: bool = False

    def sheet_key(self, value: Any) -> str:
        """The cell as the database will compare it (the cleaned value), so that two cells are "the same
        key" exactly when they would find the same row."""
        try:
            cleaned = self.clean(value)
        except (ValidationError, ValueError):
            return cell_text(value)
        return "" if cleaned is None else str(cleaned)

    def refuse(self, message, code: str, value: Any) -> ValidationError:
        return ValidationError(message, code=code, params={"column": self.column_label, "value": cell_text(value)})


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its Chinese label (村、中共党员); the stored value is accepted too."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if not value:
            return ""
        key = header_key(value)
        for stored, label in self.choices:
            if key in (header_key(stored), header_key(label)):
                return stored
        raise ValidationError(
            _("“%(value)s”不是有效的选项，可选：%(labels)s。"),
            code=ERR_IMPORT_CHOICE,
            params={"value": value, "labels": "、".join(str(label) for _v, label in self.choices)},
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class TextWidget(SheetWidget, widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)


class IdentifierWidget(TextWidget):
    """A code of 18 characters (统一社会信用代码): text, half-width, upper case; a numeric cell is refused."""

    identifier = True

    def clean(self, value, row=None, **kwargs):
        return _plain(value).upper()


class KeyTextWidget(TextWidget):
    """A key written by clerks (户号, 承包合同编号): text, full-width characters made half-width (NFKC),
    so that ``Ｈ－Ｔ－０００１`` and ``H-T-0001`` are one key in the file, in the database and in every
    column that refers to it (``ScopedForeignKeyWidget`` reads it the same way)."""

    def clean(self, value, row=None, **kwargs):
        return _plain(value)


class DivisionCodeWidget(SheetWidget, widgets.CharWidget):
    """A division code in any of its forms (6, 9 or 12 digits, padded, a number cell), read into the
    stored one by ``governance.division_codes.division_code_normalize``."""

    def clean(self, value, row=None, **kwargs):
        return division_code_normalize(_text(value))


class PhoneWidget(widgets.CharWidget):
    """A phone number in any common form (a number cell too), cleaned to the stored one."""

    def __init__(self, service: bool = False, **kwargs):
        self.service = service
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        return phone_normalize(_text(value), service=self.service)


class IdNumberWidget(SheetWidget, widgets.CharWidget):
    """Blank is NULL (the column is unique), full-width digits half-width, letters upper-case; a numeric
    cell is refused before it gets here (``identifier``)."""

    identifier = True

    def clean(self, value, row=None, **kwargs):
        return normalize_id_number(_plain(value)) or None


class YesNoWidget(SheetWidget, widgets.BooleanWidget):
    """A 是/否 cell: one of ``YES_WORDS`` or ``NO_WORDS`` (NFKC, case folded: ``Ｙ``, ``TRUE``, ``√``,
    ``已确认`` …), or a bool/number cell 1/0. Any other text is refused naming the column and the value
    (BooleanWidget read it as 否). A blank cell is ``None``: the field's default where the column has
    one (an optional column), else refused (``blank=False``)."""

    message = _(
        "%(column)s“%(value)s”不是有效的是/否值：可写作 是/否、√/×、对/错、Y/N、1/0、已确认/未确认、启用/停用、有/无。"
    )
    blank_message = _("%(column)s不能为空：请填写“是”或“否”。")
    _yes = frozenset(YES_WORDS)
    _no = frozenset(NO_WORDS)

    def __init__(self, blank: bool = True, **kwargs):
        self.blank = blank
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        if isinstance(value, int | float) and value in (0, 1):
            return bool(value)
        key = "".join(_plain(value).split()).casefold()
        if key in self._yes:
            return True
        if key in self._no:
            return False
        if not key:
            if self.blank:
                return None
            raise self.refuse(self.blank_message, ERR_IMPORT_BLANK, value)
        raise self.refuse(self.message, ERR_IMPORT_YES_NO, value)

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class SheetDateWidget(SheetWidget, widgets.DateWidget):
    """A date in any form ``sheet_date`` reads; anything else a Chinese error naming the column."""

    message = _("%(column)s“%(value)s”不是有效的日期：可写作 2025-06-01、2025/6/1、2025.6.1 或 2025年6月1日。")

    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            return None
        parsed = self.parse(value)
        if parsed is None:
            raise self.refuse(self.message, ERR_IMPORT_DATE, value)
        return parsed

    def parse(self, value: Any) -> datetime.date | None:
        return sheet_date(value)


class SheetMonthWidget(SheetDateWidget):
    """A month, stored as its first day: ``2025年6月``, ``2025-06``, ``2025/6``, ``202506`` or any date
    of the month (``sheet_date``)."""

    message = _("%(column)s“%(value)s”不是有效的月份：可写作 2025-06、2025年6月 或该月的任一日期。")

    def parse(self, value: Any) -> datetime.date | None:
        return sheet_month(value)


class SheetNumberWidget(SheetWidget):
    """A number column. ``blank=False`` (a figure: a count, an area): a blank cell is refused naming the
    column, never read as 0 or the stored value kept; ``blank=True`` (排序): a blank cell is ``None``,
    then the field's default."""

    blank_message = _("%(column)s不能为空：请填写数字，没有就填0。")

    def __init__(self, blank: bool = False, **kwargs):
        self.blank = blank
        super().__init__(**kwargs)

    def blank_cell(self, value: Any) -> None:
        """``None`` for a blank cell that may be blank; raises for one that may not."""
        if not self.blank:
            raise self.refuse(self.blank_message, ERR_IMPORT_BLANK, value)


class SheetIntegerWidget(SheetNumberWidget, widgets.IntegerWidget):
    message = _("%(column)s“%(value)s”不是有效的整数：可写作 1234、1,234 或 １２３４。")

    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            return self.blank_cell(value)
        number = sheet_number(value)
        if number is None or number != number.to_integral_value():
            raise self.refuse(self.message, ERR_IMPORT_NUMBER, value)
        return int(number)


class SheetDecimalWidget(SheetNumberWidget, widgets.DecimalWidget):
    message = _("%(column)s“%(value)s”不是有效的数字：可写作 1234.5、1,234.5 或 １２３４.５。")

    def clean(self, value, row=None, **kwargs):
        if cell_text(value) == "":
            return self.blank_cell(value)
        number = sheet_number(value)
        if number is None:
            raise self.refuse(self.message, ERR_IMPORT_NUMBER, value)
        return number
