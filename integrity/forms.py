"""Forms of the integrity casework pages (discipline staff, desk and phone). They validate input and
scope every choice to the user's discipline subtree (``ScopedFormMixin``); the pages hand the
cleaned data to one service each. No side effects here."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from governance.dates import past_date_validate
from governance.forms import DivisionCascadeField, ScopedFormMixin, YuanField
from governance.phones import PhoneFormField
from governance.pickers import SearchMultiSelectField
from integrity.choices import (
    DISCIPLINE_ROLES,
    CleanUnitStatus,
    ClueCategory,
    ClueSource,
    ClueStatus,
    Disposition,
    MeasureKind,
    RecoveryKind,
    SanctionKind,
)
from integrity.models import Campaign, Clue, Subject
from integrity.models.clues import SUMMARY_MAX_LENGTH
from integrity.selectors import subjects_open_for_filing, subjects_search

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EVALUATION_ROWS = 5  # scored items offered on the evaluation form (blank rows are skipped)


def _date(label, required=True, past=False) -> forms.DateField:
    """A date field; ``past`` for the date of something that has happened (1950 onwards, not after today)."""
    return forms.DateField(label=label, required=required, widget=DATE, validators=[past_date_validate] if past else [])


class IntegrityForm(ScopedFormMixin, forms.Form):
    scope_roles = DISCIPLINE_ROLES


class ClueIntakeForm(IntegrityForm):
    """问题线索登记: the clue, the people it is about (chosen, or one new person typed in) and,
    optionally, the reporter (sealed by ``reporter_save``; never shown back on any page)."""

    number = forms.CharField(label=_("线索编号"), max_length=32)
    division = DivisionCascadeField(label=_("所属区划"))
    source = forms.ChoiceField(label=_("线索来源"), choices=ClueSource.choices)
    received_on = _date(_("受理日期"), past=True)
    category = forms.ChoiceField(label=_("问题类别"), choices=ClueCategory.choices)
    summary = forms.CharField(
        label=_("主要问题"), max_length=SUMMARY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )
    campaign = forms.ModelChoiceField(label=_("集中整治"), queryset=Campaign.objects.all(), required=False)
    # Every subject of the discipline scope: searched by name or unit, never listed (issue 12 item 4).
    subjects = SearchMultiSelectField(
        label=_("被反映人（已登记）"),
        queryset=Subject.objects.all(),
        required=False,
        search=subjects_search,
        options_url=reverse_lazy("integrity:subject-options"),
    )
    subject_name = forms.CharField(label=_("新增被反映人姓名"), max_length=50, required=False)
    subject_unit = forms.CharField(label=_("工作单位"), max_length=120, required=False)
    subject_post = forms.CharField(label=_("职务"), max_length=60, required=False)
    subject_is_party_member = forms.BooleanField(label=_("中共党员"), required=False)
    subject_is_public_official = forms.BooleanField(label=_("监察对象（公职人员）"), required=False, initial=True)
    reporter_name = forms.CharField(label=_("举报人姓名"), max_length=50, required=False)
    reporter_phone = PhoneFormField(label=_("举报人电话"), service=True, required=False)
    reporter_anonymous = forms.BooleanField(label=_("匿名举报"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("subject_name") and not data.get("subject_unit"):
            self.add_error("subject_unit", _("新增被反映人须填写工作单位。"))
        if not data.get("subjects") and not data.get("subject_name"):
            self.add_error("subjects", _("请选择或新增至少一名被反映人。"))
        return data

    def new_subjects(self) -> list[dict]:
        data = self.cleaned_data
        if not data.get("subject_name"):
            return []
        return [
            {
                "name": data["subject_name"].strip(),
                "unit": data["subject_unit"].strip(),
                "post": data["subject_post"].strip(),
                "is_party_member": data["subject_is_party_member"],
                "is_public_official": data["subject_is_public_official"],
            }
        ]

    def reporter(self) -> dict | None:
        data = self.cleaned_data
        if not (data.get("reporter_name") or data.get("reporter_phone") or data.get("reporter_anonymous")):
            return None
        return {
            "name": data.get("reporter_name") or "",
            "phone": data.get("reporter_phone") or "",
            "is_anonymous": data.get("reporter_anonymous", False),
        }


class DisposeForm(forms.Form):
    """处置: one of the four 处置方式, who decided, and when."""

    disposition = forms.ChoiceField(label=_("处置方式"), choices=Disposition.choices, widget=forms.RadioSelect)
    decided_by = forms.CharField(label=_("决定人"), max_length=50)
    disposed_on = _date(_("处置日期"))


class CaseFileForm(IntegrityForm):
    """立案: from one clue or several (disposed, not yet filed), against people under review."""

    number = forms.CharField(label=_("案件编号"), max_length=32)
    division = DivisionCascadeField(label=_("所属区划"))
    clues = forms.ModelMultipleChoiceField(
        label=_("来源线索"),
        queryset=Clue.objects.filter(status=ClueStatus.DISPOSED),
        widget=forms.CheckboxSelectMultiple,
    )
    # People named in a clue still open: who may come under review, searched (``?clue=`` ticks its people).
    subjects = SearchMultiSelectField(
        label=_("被审查调查人"),
        queryset=subjects_open_for_filing(Subject.objects.all()),
        search=subjects_search,
        options_url=reverse_lazy("integrity:case-subject-options"),
    )
    filed_on = _date(_("立案日期"))
    campaign = forms.ModelChoiceField(label=_("集中整治"), queryset=Campaign.objects.all(), required=False)
    findings = forms.CharField(label=_("查明事实"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class CaseChildForm(forms.Form):
    """A form about one case: the people offered are those under review in it."""

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        if "subject" in self.fields:
            self.fields["subject"].queryset = case.subjects.order_by("id")


class MeasureForm(CaseChildForm):
    """审查调查措施 (留置 with its dates)."""

    subject = forms.ModelChoiceField(label=_("对象"), queryset=Subject.objects.none())
    kind = forms.ChoiceField(label=_("措施"), choices=MeasureKind.choices)
    start_on = _date(_("开始日期"), past=True)
    end_on = _date(_("解除日期"), required=False)


class MeasureEndForm(forms.Form):
    end_on = _date(_("解除日期"))


class SanctionForm(CaseChildForm):
    """处分与处理; the kind is checked against the person by the model (no 党纪处分 for a non-member)."""

    subject = forms.ModelChoiceField(label=_("受处理人"), queryset=Subject.objects.none())
    kind = forms.ChoiceField(label=_("处分（处理）种类"), choices=SanctionKind.choices)
    decided_on = _date(_("决定日期"))


class RecoveryForm(CaseChildForm):
    """追缴退缴, in yuan exact to the fen."""

    kind = forms.ChoiceField(label=_("方式"), choices=RecoveryKind.choices)
    amount = YuanField(label=_("金额（元）"))
    recovered_on = _date(_("日期"))


class CloseForm(CaseChildForm):
    closed_on = _date(_("结案日期"))


class EvaluationForm(forms.Form):
    """清廉单元评估: the round, its result and up to ``EVALUATION_ROWS`` scored items."""

    round = forms.IntegerField(label=_("轮次"), min_value=1, max_value=99)
    evaluated_on = _date(_("评估日期"), past=True)
    result = forms.ChoiceField(label=_("评估结果"), choices=CleanUnitStatus.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(EVALUATION_ROWS):
            self.fields[f"item_{row}"] = forms.CharField(label=_("评估项"), max_length=120, required=False)
            self.fields[f"max_{row}"] = forms.IntegerField(label=_("满分"), min_value=1, max_value=1000, required=False)
            self.fields[f"score_{row}"] = forms.IntegerField(
                label=_("得分"), min_value=0, max_value=1000, required=False
            )

    def rows(self):
        """(item, max, score) bound fields per row, for the template."""
        return [(self[f"item_{r}"], self[f"max_{r}"], self[f"score_{r}"]) for r in range(EVALUATION_ROWS)]

    def clean(self):
        data = super().clean()
        items = []
        for row in range(EVALUATION_ROWS):
            item, top, score = data.get(f"item_{row}"), data.get(f"max_{row}"), data.get(f"score_{row}")
            if not item and top is None and score is None:
                continue
            if not item or top is None or score is None:
                self.add_error(f"item_{row}", _("评估项、满分、得分须一并填写。"))
            elif score > top:
                self.add_error(f"score_{row}", _("得分不能超过满分。"))
            else:
                items.append({"item": item.strip(), "max_score": top, "score": score})
        if not items and not self.errors:
            raise ValidationError(_("评估须至少有一个评分项。"))
        data["items"] = items
        return data
