"""The query of the 三调联治 and 三情联处 reports: an area, a year and optionally a month."""

from __future__ import annotations

import datetime

from django import forms
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.dates import month_end

ERR_BAD_DIVISION = "bad_division"
ERR_FUTURE_PERIOD = "future_period"

# The characters a division code may hold (the ``division_code_charset`` constraint).
division_code_validate = RegexValidator(
    r"^[0-9A-Za-z-]{1,32}$", _("区划代码格式不正确：只能由数字、字母和“-”组成。"), code=ERR_BAD_DIVISION
)


class YearMonthForm(forms.Form):
    """``?within=<division code>&year=YYYY&month=M``: the area (default: the user's own; a code in a
    wrong form is a 400 naming ``within``, a code outside the scope a 404), the year (default this
    year, 2000–2100) and a month (1–12; empty: the whole year). The period ends today at the latest.
    ``period()`` gives (start, end) of a valid form."""

    within = forms.CharField(
        label=_("区划代码"),
        required=False,
        max_length=32,
        validators=[division_code_validate],
        widget=forms.HiddenInput,
    )
    year = forms.IntegerField(
        label=_("年份"),
        required=False,
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("年份请填写四位数字，如 2024。"),
            "min_value": _("年份不能早于 2000 年。"),
            "max_value": _("年份不能晚于 2100 年。"),
        },
    )
    month = forms.IntegerField(
        label=_("月份"),
        required=False,
        min_value=1,
        max_value=12,
        help_text=_("不填为全年"),
        error_messages={
            "invalid": _("月份请填写 1 至 12 的数字。"),
            "min_value": _("月份应为 1 至 12。"),
            "max_value": _("月份应为 1 至 12。"),
        },
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        today = timezone.localdate()
        year = data.get("year") or today.year
        month = data.get("month")
        start = datetime.date(year, month or 1, 1)
        end = month_end(start) if month else datetime.date(year, 12, 31)
        if start > today:
            raise forms.ValidationError(
                {"month" if month else "year": forms.ValidationError(_("所选期间尚未开始。"), code=ERR_FUTURE_PERIOD)}
            )
        data["start"], data["end"] = start, min(end, today)
        return data

    def period(self) -> tuple[datetime.date, datetime.date]:
        return self.cleaned_data["start"], self.cleaned_data["end"]
