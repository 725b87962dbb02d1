"""The dashboard's period picker: month, quarter, year or a custom range, always as inclusive dates."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.dates import month_end, months_between, report_date_validate, year_shift

PERIOD_ENDS_BEFORE_START = _("结束日期不能早于开始日期。")
PERIOD_TOO_LONG = _("自定义时段不能超过 36 个月。")
PERIOD_MISSING_DATES = _("自定义时段请填写开始日期和结束日期。")
PERIOD_NOT_STARTED = _("所选期间尚未开始，没有数据可看。")
MAX_MONTHS = 36


@dataclass(frozen=True)
class Period:
    start: datetime.date
    end: datetime.date
    label: str

    def year_earlier(self) -> Period:
        start, end = year_shift(self.start), year_shift(self.end)
        return Period(start, end, f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}")

    @property
    def current_title(self) -> str:
        """The column title of this period's figures: ``本期（2025年第3季度）``."""
        return _("本期（%(label)s）") % {"label": self.label}

    @property
    def earlier_title(self) -> str:
        """The column title of the comparison: ``上年同期（2024-07-01 至 2024-09-30）``."""
        return _("上年同期（%(label)s）") % {"label": self.year_earlier().label}

    def months(self) -> list[datetime.date]:
        """The first day of each month the period touches."""
        return months_between(self.start, self.end)


class PeriodForm(forms.Form):
    """Read from the query string; every field has a default, so an empty query means this year to date."""

    KINDS = [("month", _("月度")), ("quarter", _("季度")), ("year", _("年度")), ("custom", _("自定义"))]

    period = forms.ChoiceField(label=_("统计周期"), choices=KINDS, required=False)
    year = forms.IntegerField(label=_("年份"), min_value=2000, max_value=2100, required=False)
    month = forms.TypedChoiceField(
        label=_("月份"), choices=[(m, _("%(m)d月") % {"m": m}) for m in range(1, 13)], coerce=int, required=False
    )
    quarter = forms.TypedChoiceField(
        label=_("季度"), choices=[(q, _("第%(q)d季度") % {"q": q}) for q in range(1, 5)], coerce=int, required=False
    )
    start = forms.DateField(
        label=_("开始日期"),
        required=False,
        validators=[report_date_validate],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=_("结束日期"),
        required=False,
        validators=[report_date_validate],
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        today = timezone.localdate()
        kind = data.get("period") or "year"
        year = data.get("year") or today.year
        if kind == "custom":
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError({"end": PERIOD_MISSING_DATES})
            if end < start:
                raise forms.ValidationError({"end": PERIOD_ENDS_BEFORE_START})
            if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
                raise forms.ValidationError({"end": PERIOD_TOO_LONG})
            label = f"{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"
        elif kind == "month":
            month = data.get("month") or today.month
            start = datetime.date(year, month, 1)
            end, label = month_end(start), f"{year}年{month}月"
        elif kind == "quarter":
            quarter = data.get("quarter") or (today.month - 1) // 3 + 1
            start = datetime.date(year, 3 * quarter - 2, 1)
            end, label = month_end(datetime.date(year, 3 * quarter, 1)), f"{year}年第{quarter}季度"
        else:
            start, end, label = datetime.date(year, 1, 1), datetime.date(year, 12, 31), f"{year}年"
        if start > today:  # a period that has not begun has no figures: not a page of zeros and −100 %
            field = {"custom": "start", "month": "month", "quarter": "quarter"}.get(kind, "year")
            raise forms.ValidationError({field: PERIOD_NOT_STARTED})
        if kind != "custom" and start <= today < end:
            # The current period runs to today, so that last year's "same period" is the same length.
            end, label = today, f"{label}（截至{today:%m月%d日}）"
        data["period_value"] = Period(start, end, label)
        return data


def period_from(query) -> tuple[PeriodForm, Period | None]:
    """The period asked for; with no period in the query, this year to date (shown as such in the picker)."""
    if not any(query.get(name) for name in PeriodForm.base_fields):
        query = {"period": "year", "year": timezone.localdate().year}
    form = PeriodForm(query)
    return form, (form.cleaned_data["period_value"] if form.is_valid() else None)
