"""Forms of the officers' and shop pages; no side effects (views call the services)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.models import BanquetDeclaration, PointRule
from governance.forms import DivisionCascadeField, HouseholdSearchField, ScopedFormMixin, ScopedModelForm
from governance.models import Household


class UnitForm(ScopedFormMixin, forms.Form):
    """Which 屋场 (or village, community…) a batch is for, chosen level by level in the user's area."""

    unit = DivisionCascadeField(label=_("屋场／村（社区）"))


class BatchEntryForm(ScopedFormMixin, forms.Form):
    """屋场批量记分: one rule in force today (the user's own or issued above them), one date, the
    ticked households of one unit."""

    rule = forms.ModelChoiceField(label=_("积分规则"), queryset=PointRule.objects.all(), to_field_name="code")
    occurred_on = forms.DateField(label=_("发生日期"), initial=timezone.localdate)
    evidence = forms.CharField(label=_("佐证材料"), required=False, max_length=300)
    households = forms.ModelMultipleChoiceField(
        label=_("家庭户"),
        queryset=Household.objects.select_related("head").order_by("number"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, unit, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # Scoped to the user by ScopedFormMixin; narrowed here to today's rules and the unit's households.
        self.fields["rule"].queryset = self.fields["rule"].queryset.active_on(timezone.localdate())
        self.fields["households"].queryset = self.fields["households"].queryset.filter(division=unit)


class BanquetDeclarationForm(ScopedModelForm):
    class Meta:
        model = BanquetDeclaration
        fields = ["household", "kind", "held_on", "tables", "days", "gift_money", "service_team", "is_simple"]
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}
        # Search-as-you-type within the user's subtree, not a select of every household of the area.
        field_classes = {"household": HouseholdSearchField}


class RedeemForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    item = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=100, initial=1)
