"""Officers' forms: intake and the moves of a case. No side effects: views call the services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from governance.forms import DivisionCascadeField, ScopedFormMixin, YuanField, form_errors_add
from governance.models import Division
from governance.phones import PhoneFormField
from governance.validators import validate_id_number
from security.choices import Category, Channel, JudicialConfirmation, PartyRole, Satisfaction
from security.models import Dispute, MediationBody
from security.selectors import body_label, transfer_targets
from security.services import Input

PARTY_SLOTS = 2
# A dispute happens somewhere at or below a township: never "in the district" as a whole.
PLACE_LEVELS = ["township", "subdistrict", "village", "community", "hamlet", "compound", "grid"]


class IntakeForm(ScopedFormMixin, forms.Form):
    """One desk for every channel: the case and up to two parties (applicant, respondent)."""

    channel = forms.ChoiceField(label=_("来源渠道"), choices=Channel.choices)
    category = forms.ChoiceField(label=_("纠纷类型"), choices=Category.choices)
    # Chosen level by level (乡镇 → 村 → 屋场…) within the user's subtree; posted as a division code.
    division = DivisionCascadeField(label=_("发生地"), queryset=Division.objects.filter(level__in=PLACE_LEVELS))
    description = forms.CharField(label=_("纠纷简况"), widget=forms.Textarea(attrs={"rows": 4}))
    threats_noted = forms.BooleanField(label=_("有威胁或暴力倾向"), required=False)
    address = forms.CharField(label=_("发生地点"), max_length=200, required=False, help_text=_("详细地址，可不填"))
    people_involved = forms.IntegerField(label=_("涉及人数"), min_value=1, max_value=100000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for index in range(PARTY_SLOTS):
            required = index == 0
            default_role = PartyRole.APPLICANT if index == 0 else PartyRole.RESPONDENT
            self.fields[f"party{index}_name"] = forms.CharField(
                label=_("当事人%(n)d 姓名") % {"n": index + 1}, max_length=50, required=required
            )
            self.fields[f"party{index}_id_number"] = forms.CharField(
                label=_("当事人%(n)d 身份证号") % {"n": index + 1},
                max_length=18,
                required=False,
                validators=[validate_id_number],
            )
            self.fields[f"party{index}_phone"] = PhoneFormField(
                label=_("当事人%(n)d 电话") % {"n": index + 1}, required=False, service=True
            )
            self.fields[f"party{index}_role"] = forms.ChoiceField(
                label=_("当事人%(n)d 身份") % {"n": index + 1}, choices=PartyRole.choices, initial=default_role
            )

    def parties(self) -> list[dict]:
        data = self.cleaned_data
        return [
            {
                "name": data[f"party{i}_name"],
                "id_number": (data[f"party{i}_id_number"] or "").strip().upper(),
                "phone": data[f"party{i}_phone"],
                "role": data[f"party{i}_role"],
            }
            for i in range(PARTY_SLOTS)
            if data.get(f"party{i}_name")
        ]

    def add_service_error(self, error: ValidationError) -> None:
        """Show ``dispute_intake``'s error on the form: ``parties.<i>.<field>`` on ``party<i>_<field>``."""
        if hasattr(error, "error_dict"):
            error = ValidationError({self._field_of(key): errors for key, errors in error.error_dict.items()})
        form_errors_add(self, error)

    @staticmethod
    def _field_of(key: str) -> str:
        parts = key.split(".")
        return f"party{parts[1]}_{parts[2]}" if len(parts) == 3 and parts[0] == "parties" else key


# As long as the API allows (the event keeps it whole).
REASON_MAX = 500


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由/说明"), required=False, max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )


class RequiredReasonForm(forms.Form):
    reason = forms.CharField(label=_("理由/说明"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    """移交: the targets are those ``transfer_targets`` offers for the case, grouped (the pair, this
    township, above) and labelled with their place; an id from elsewhere is "not a valid choice"."""

    to_body = forms.ModelChoiceField(label=_("移交至"), queryset=MediationBody.objects.none())
    reason = forms.CharField(label=_("移交理由"), max_length=REASON_MAX, widget=forms.Textarea(attrs={"rows": 2}))

    def for_dispute(self, dispute: Dispute) -> TransferForm:
        groups = transfer_targets(dispute=dispute)
        field = self.fields["to_body"]
        field.queryset = MediationBody.objects.filter(pk__in=[b.pk for g in groups for b in g.bodies])
        field.widget.choices = [
            ("", "---------"),
            *((group.label, [(body.pk, body_label(body)) for body in group.bodies]) for group in groups),
        ]
        return self


class AgreementForm(forms.Form):
    terms = forms.CharField(label=_("协议内容"), widget=forms.Textarea(attrs={"rows": 3}))
    amount = YuanField(label=_("涉及金额（元）"), initial=0)
    signed_on = forms.DateField(label=_("签订日期"), widget=forms.DateInput(attrs={"type": "date"}))
    judicial_confirmation = forms.ChoiceField(
        label=_("司法确认"), choices=JudicialConfirmation.choices, initial=JudicialConfirmation.NONE
    )


class VisitForm(forms.Form):
    visited_on = forms.DateField(label=_("回访日期"), widget=forms.DateInput(attrs={"type": "date"}))
    satisfaction = forms.TypedChoiceField(label=_("满意度"), choices=Satisfaction.choices, coerce=int)
    note = forms.CharField(label=_("回访情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


# The form of each kind of move input (``Move.input``); None: the move asks for nothing.
MOVE_FORMS: dict[Input, type[forms.Form] | None] = {
    Input.NONE: None,
    Input.REASON: ReasonForm,
    Input.REQUIRED_REASON: RequiredReasonForm,
    Input.TRANSFER: TransferForm,
    Input.AGREEMENT: AgreementForm,
    Input.VISIT: VisitForm,
}
