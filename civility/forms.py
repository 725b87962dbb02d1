"""Forms of the officers' and shop pages; no side effects (views call the services)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.models import BanquetDeclaration, BoardKind, PointRule
from governance.forms import DivisionCascadeField, HouseholdSearchField, ScopedFormMixin, ScopedModelForm
from governance.models import Division, DivisionLevel, Household


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
        fields = list(BanquetDeclaration.DECLARED_FIELDS)
        widgets = {"held_on": forms.DateInput(attrs={"type": "date"})}
        # Search-as-you-type within the user's subtree, not a select of every household of the area.
        field_classes = {"household": HouseholdSearchField}


class RedeemForm(forms.Form):
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)
    item = forms.IntegerField(widget=forms.HiddenInput)
    quantity = forms.IntegerField(label=_("数量"), min_value=1, max_value=100, initial=1)


class MonthField(forms.CharField):
    """A month as ``YYYY-MM`` (the ``<input type="month">`` value) → the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return datetime.datetime.strptime(value, "%Y-%m").date()
        except ValueError as exc:
            raise forms.ValidationError(_("月份格式应为 YYYY-MM，例如 2025-06。"), code="invalid_month") from exc


class BoardProposeForm(ScopedFormMixin, forms.Form):
    """提名红黑榜: a village or community of the user's area, a month whose ranking is published, a kind."""

    village = forms.ModelChoiceField(
        label=_("村/社区"),
        queryset=Division.objects.filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY]).order_by("path"),
        to_field_name="code",
    )
    month = MonthField(label=_("月份"))
    kind = forms.ChoiceField(label=_("榜单"), choices=BoardKind.choices)


class FamilyProposeForm(forms.Form):
    """推荐文明家庭: the year whose published monthly rankings are summed."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
