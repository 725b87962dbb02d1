"""The citizen's rating form (群众评价) and the 三率 report's period. No side effects."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from governance.dates import report_date_validate
from security.choices import Satisfaction

SOLVED_CHOICES = [("yes", _("已解决")), ("no", _("未解决"))]


class RatingForm(forms.Form):
    """满意/基本满意/不满意, solved or not, a comment (the reason, required when not solved), and the
    last four digits of the phone given with the case."""

    phone_last4 = forms.CharField(
        label=_("登记手机号后四位"),
        min_length=4,
        max_length=4,
        validators=[RegexValidator(r"^[0-9]{4}$", _("请输入 4 位数字。"))],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{4}"}),
        error_messages={"required": _("请输入登记手机号后四位。"), "min_length": _("请输入 4 位数字。")},
    )
    satisfaction = forms.TypedChoiceField(
        label=_("满意度"),
        coerce=int,
        choices=[(c.value, c.label) for c in reversed(Satisfaction)],
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择满意度。"), "invalid_choice": _("请选择满意度。")},
    )
    solved = forms.ChoiceField(
        label=_("问题是否解决"),
        choices=SOLVED_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择问题是否解决。"), "invalid_choice": _("请选择问题是否解决。")},
    )
    comment = forms.CharField(
        label=_("意见或未解决的原因"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": _("意见不能超过 %(limit_value)d 字。")},
    )

    def clean(self):
        data = super().clean()
        if data.get("solved") == "no" and not (data.get("comment") or "").strip():
            self.add_error("comment", ValidationError(_("请说明问题未解决的原因。"), code="required"))
        return data


class PeriodForm(forms.Form):
    """The 三率 report's period (both ends included; empty: this year to today)."""

    start = forms.DateField(
        label=_("开始日期"), required=False, validators=[report_date_validate], widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(
        label=_("结束日期"), required=False, validators=[report_date_validate], widget=forms.DateInput({"type": "date"})
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", ValidationError(_("结束日期不能早于开始日期。"), code="date_order"))
        return data
