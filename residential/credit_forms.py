"""The district's credit-evaluation form (issue 13 item 5): a company, the day, and one score per item
of the period's scoring template (``residential.services.period_items``), each within the item's range."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.forms import ScopedFormMixin
from residential.models import CreditPeriod, PropertyCompany, ScoringItem

ERR_EVALUATED_ON = "evaluated_on_range"


class CreditEvaluationForm(ScopedFormMixin, forms.Form):
    """Score one company for ``period``: ``item_<id>`` fields, one per item of the template in force
    (label with its maximum, the standard as help text). Companies offered are those the user may see."""

    company = forms.ModelChoiceField(
        label=_("物业服务企业"),
        queryset=PropertyCompany.objects.all(),
        error_messages={"required": _("请选择物业服务企业。"), "invalid_choice": _("所选企业不在您的管辖范围内。")},
    )
    evaluated_on = forms.DateField(label=_("评价日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("备注"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, period: CreditPeriod, items: list[ScoringItem], **kwargs):
        super().__init__(*args, **kwargs)
        self.period, self.items = period, items
        self.fields["evaluated_on"].initial = min(timezone.localdate(), period.end_date + datetime.timedelta(days=90))
        for item in items:
            self.fields[f"item_{item.pk}"] = forms.IntegerField(
                label=_("%(name)s（满分 %(max)s）") % {"name": item.name, "max": item.max_score},
                min_value=0,
                max_value=item.max_score,
                help_text=item.description,
                widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
                error_messages={
                    "required": _("请为“%(name)s”打分。") % {"name": item.name},
                    "min_value": _("得分不能小于 0。"),
                    "max_value": _("得分不能超过满分 %(limit_value)s。"),
                    "invalid": _("请输入整数分值。"),
                },
            )

    def clean_evaluated_on(self) -> datetime.date:
        day = self.cleaned_data["evaluated_on"]
        today = timezone.localdate()
        if day < self.period.start_date or day > today:
            raise forms.ValidationError(
                _("评价日期应在评价周期开始（%(start)s）至今天之间。"),
                code=ERR_EVALUATED_ON,
                params={"start": self.period.start_date},
            )
        return day

    def scores(self) -> list[tuple[ScoringItem, int]]:
        """The ``(item, points)`` pairs ``evaluation_save`` takes."""
        return [(item, self.cleaned_data[f"item_{item.pk}"]) for item in self.items]
