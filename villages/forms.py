from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.forms import ScopedFormMixin
from governance.models import Household, Person
from governance.pickers import SearchMultiSelectField
from villages.selectors import attendee_candidates, attendee_label


class HamletMeetingForm(ScopedFormMixin, forms.Form):
    """Record a 屋场会: attendees are searched by name among the people of the 屋场's village within the
    user's scope (``attendee_candidates``; ~1,500 at district scale, so never listed whole: at most
    20 matches, issue 12 item 4); an id from elsewhere is a Chinese error on the field and nothing is
    written. Resolutions one per line, with their 办结时限 (``due_on``): as a 楼宇会决议's 完成期限
    (residential ``MeetingResolutionForm``), it is required for the resolutions entered, and it may not
    be before the meeting's 召开日期 (Chinese error on ``due_on``, nothing written). ``cleaned_data
    ["resolutions"]`` is then a list of ``{"text", "due_on"}`` for ``hamlet_meeting_record``."""

    held_on = forms.DateField(label=_("召开日期"), widget=forms.DateInput(attrs={"type": "date"}))
    topics = forms.CharField(label=_("议题"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    attendees = SearchMultiSelectField(
        label=_("参会人员"), queryset=Person.objects.all(), required=False, row_label=attendee_label
    )
    resolutions = forms.CharField(
        label=_("决议（每行一条）"), widget=forms.Textarea(attrs={"rows": 4}), required=False, max_length=5000
    )

    due_on = forms.DateField(
        label=_("办结时限"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("以上决议的办结时限，填写决议时必填。"),
        error_messages={"invalid": _("请输入有效的日期。")},
    )

    def __init__(self, *args, hamlet, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        field.queryset = attendee_candidates(queryset=field.queryset, hamlet=hamlet)
        field.widget.options_url = reverse("villages:attendee-options", args=[hamlet.pk])

    def clean_resolutions(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["resolutions"].splitlines()]
        too_long = [line for line in lines if len(line) > 300]
        if too_long:
            raise forms.ValidationError(_("每条决议不超过300字。"), code="resolution_too_long")
        return [line for line in lines if line]

    def clean(self) -> dict:
        data = super().clean()
        texts, due_on, held_on = data.get("resolutions"), data.get("due_on"), data.get("held_on")
        if texts and due_on is None and "due_on" not in self.errors:
            self.add_error("due_on", forms.ValidationError(_("请填写决议的办结时限。"), code="required"))
        elif due_on and held_on and due_on < held_on:
            self.add_error("due_on", forms.ValidationError(_("办结时限不能早于召开日期。"), code="due_before_meeting"))
        if texts and not self.errors:
            data["resolutions"] = [{"text": text, "due_on": due_on} for text in texts]
        return data


class HouseholdsAssignForm(ScopedFormMixin, forms.Form):
    """Move households into a 屋场: the households offered are those of the 屋场's village within the
    user's scope (the village's own and its 屋场's, so the service can say which already belong to
    another 屋场); an id from elsewhere is "not a valid choice" and nothing is written."""

    households = forms.ModelMultipleChoiceField(
        label=_("划入的家庭户"),
        queryset=Household.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("请至少勾选一户。"),
            "invalid_choice": _("所选家庭户不在本村或不在您的管辖范围内。"),
            "invalid_pk_value": _("家庭户编号“%(pk)s”无效。"),
        },
    )

    def __init__(self, *args, hamlet, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["households"].queryset = self.fields["households"].queryset.in_subtree(hamlet.division.parent)


class ResolutionFollowUpFilterForm(forms.Form):
    """The 屋场会决议 follow-up list's state (the residential list's states)."""

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
        error_messages={"invalid_choice": _("请选择有效的状态。")},
    )


class ResolutionFollowUpForm(forms.Form):
    """Record a 屋场会决议's follow-up: 落实中 with a note, or 已办结 on a day (today by default)."""

    status = forms.ChoiceField(
        label=_("落实情况"),
        choices=[("in_progress", _("落实中")), ("done", _("已办结"))],
        initial="done",
        error_messages={"required": _("请选择落实情况。"), "invalid_choice": _("请选择有效的落实情况。")},
    )
    done_on = forms.DateField(
        label=_("办结日期"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": _("请输入有效的日期。")},
    )
    note = forms.CharField(
        label=_("跟进情况"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"max_length": _("跟进情况不能超过 2000 字。")},
    )
