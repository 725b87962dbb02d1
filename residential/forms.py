"""Officers' forms: a 楼宇会 with its participants and resolutions, and a property petition."""

from __future__ import annotations

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from governance.forms import ScopedModelForm
from residential.models import (
    BuildingCouncilMeeting,
    MeetingParticipant,
    MeetingResolution,
    Petition,
    PropertyCompany,
)


class DateInput(forms.DateInput):
    input_type = "date"


class BuildingCouncilMeetingForm(ScopedModelForm):
    class Meta:
        model = BuildingCouncilMeeting
        fields = ["compound", "held_on", "place", "topics"]
        widgets = {"held_on": DateInput(), "topics": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compound"].queryset = self.fields["compound"].queryset.select_related("division")


class MeetingParticipantForm(forms.ModelForm):
    class Meta:
        model = MeetingParticipant
        fields = ["kind", "name"]


class MeetingResolutionForm(forms.ModelForm):
    class Meta:
        model = MeetingResolution
        fields = ["content", "owner_kind", "owner", "deadline"]
        widgets = {"deadline": DateInput(), "content": forms.TextInput()}


class _AtLeastOne(forms.BaseFormSet):
    min_message = _("请至少填写一项。")

    def clean(self):
        super().clean()
        if not any(form.cleaned_data and not form.cleaned_data.get("DELETE") for form in self.forms):
            raise forms.ValidationError(self.min_message, code="required")


ParticipantFormSet = formset_factory(MeetingParticipantForm, formset=_AtLeastOne, extra=5)
ResolutionFormSet = formset_factory(MeetingResolutionForm, extra=3)


class PetitionForm(ScopedModelForm):
    class Meta:
        model = Petition
        fields = [
            "number",
            "compound",
            "received_on",
            "channel",
            "category",
            "against",
            "company",
            "committee",
            "summary",
        ]
        widgets = {"received_on": DateInput(), "summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        compounds = self.fields["compound"].queryset  # scoped by ScopedModelForm
        self.fields["compound"].queryset = compounds.select_related("division")
        # Companies are registered with the district: offer those serving a compound in the user's area.
        self.fields["company"].queryset = PropertyCompany.objects.filter(
            contracts__compound__in=compounds.values("pk")
        ).distinct()
        self.fields["committee"].queryset = self.fields["committee"].queryset.select_related("organization")


class FollowUpFilterForm(forms.Form):
    """The follow-up list's choices: which kind, which state, which area (a division code in scope)."""

    kind = forms.ChoiceField(
        label=_("类别"),
        choices=[
            ("rectification", _("业委会整治")),
            ("enforcement", _("执法进小区整改")),
            ("resolution", _("楼宇会决议")),
        ],
        required=False,
    )
    state = forms.ChoiceField(
        label=_("状态"),
        choices=[
            ("open", _("未办结")),
            ("overdue", _("已超期")),
            ("due_soon", _("三个工作日内到期")),
            ("done", _("已办结")),
            ("all", _("全部")),
        ],
        required=False,
    )


class FollowUpForm(forms.Form):
    """Record a follow-up: 办理中 with a note, or 已办结 on a day (today by default)."""

    status = forms.ChoiceField(
        label=_("跟进状态"), choices=[("in_progress", _("办理中")), ("done", _("已办结"))], initial="done"
    )
    done_on = forms.DateField(label=_("办结日期"), required=False, widget=DateInput())
    note = forms.CharField(
        label=_("跟进情况"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
