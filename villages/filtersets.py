"""One FilterSet per model, shared by the API, the pages and the admin. Every one takes ``village`` /
``village_id``, ``township`` (codes / id) and ``q``; the 屋场 set adds the completeness flags."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.division_codes import division_code_normalize
from governance.filtersets import SearchFilter
from governance.models import Division
from villages.choices import FollowUpStatus, OperatorKind, TransferStatus
from villages.models import ContractPlot, Hamlet, HamletMeeting, LandTransfer, Operator, ShareHolding
from villages.querysets import completeness_conditions


class VillageFilterSet(filters.FilterSet):
    """``village`` (code), ``village_id``, ``township`` (code) and ``within`` (code of any ancestor),
    all through the model's path to its 屋场 node (``hamlet_lookup``)."""

    hamlet_lookup = "division"

    village = filters.CharFilter(method="filter_village", label=_("村（代码）"))
    village_id = filters.NumberFilter(method="filter_village_id", label=_("村ID"))
    township = filters.CharFilter(method="filter_township", label=_("乡镇（代码）"))
    within = filters.CharFilter(method="filter_within", label=_("所在区划（含下级，代码）"))

    def filter_village(self, queryset, name, value):
        return queryset.filter(**{f"{self.hamlet_lookup}__parent__code": value})

    def filter_village_id(self, queryset, name, value):
        return queryset.filter(**{f"{self.hamlet_lookup}__parent_id": value})

    def filter_township(self, queryset, name, value):
        return queryset.filter(**{f"{self.hamlet_lookup}__parent__parent__code": value})

    def filter_within(self, queryset, name, value):
        division = Division.objects.filter(code=value).only("path").first()
        return queryset.in_subtree(division) if division else queryset.none()


class HamletFilterSet(VillageFilterSet):
    q = SearchFilter(method="search", label=_("搜索（屋场名称、代码）"))
    complete = filters.BooleanFilter(method="filter_complete", label=_("三屋齐全"))
    lacks_body = filters.BooleanFilter(method="filter_flag", label=_("缺组织"))
    lacks_head = filters.BooleanFilter(method="filter_flag", label=_("缺负责人"))
    lacks_party_member = filters.BooleanFilter(method="filter_flag", label=_("党小组无党员"))

    class Meta:
        model = Hamlet
        fields = ["q", "village", "village_id", "township", "within"]

    def search(self, queryset, name, value):
        code = division_code_normalize(value)
        return queryset.filter(Q(division__name__icontains=value) | Q(division__code__startswith=code))

    def filter_complete(self, queryset, name, value):
        return queryset.complete() if value else queryset.incomplete()

    def filter_flag(self, queryset, name, value):
        condition = completeness_conditions()[name]
        return queryset.filter(condition) if value else queryset.exclude(condition)


class ContractPlotFilterSet(VillageFilterSet):
    hamlet_lookup = "household__division"
    q = SearchFilter(method="search", label=_("搜索（合同编号、坐落、户号）"))
    household_id = filters.NumberFilter(field_name="household_id", label=_("农户ID"))
    hamlet_id = filters.NumberFilter(field_name="household__division__hamlet", label=_("屋场ID"))

    class Meta:
        model = ContractPlot
        fields = ["q", "village", "village_id", "township", "household_id", "hamlet_id", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(contract_number__icontains=value) | Q(location__icontains=value) | Q(household__number__icontains=value)
        )


class ShareHoldingFilterSet(VillageFilterSet):
    hamlet_lookup = "household__division"
    q = SearchFilter(method="search", label=_("搜索（户号、户主）"))
    household_id = filters.NumberFilter(field_name="household_id", label=_("农户ID"))
    cooperative_id = filters.NumberFilter(field_name="cooperative_id", label=_("合作社ID"))
    current = filters.BooleanFilter(field_name="valid_to", lookup_expr="isnull", label=_("现行版本"))

    class Meta:
        model = ShareHolding
        fields = ["q", "village", "village_id", "township", "household_id", "cooperative_id", "current"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(household__number__icontains=value) | Q(household__head__name__icontains=value))


class OperatorFilterSet(VillageFilterSet):
    q = SearchFilter(method="search", label=_("搜索（名称、信用代码）"))
    kind = filters.MultipleChoiceFilter(choices=OperatorKind.choices, label=_("类型"))

    class Meta:
        model = Operator
        fields = ["q", "kind", "village", "village_id", "township"]

    # An operator is registered at a village: its own division is the village.
    def filter_village(self, queryset, name, value):
        return queryset.filter(division__code=value)

    def filter_village_id(self, queryset, name, value):
        return queryset.filter(division_id=value)

    def filter_township(self, queryset, name, value):
        return queryset.filter(Q(division__parent__code=value) | Q(division__code=value))

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(uscc=value.strip().upper()))


class LandTransferFilterSet(VillageFilterSet):
    hamlet_lookup = "hamlet__division"
    q = SearchFilter(method="search", label=_("搜索（屋场、经营主体）"))
    hamlet_id = filters.NumberFilter(field_name="hamlet_id", label=_("屋场ID"))
    operator_id = filters.NumberFilter(field_name="operator_id", label=_("经营主体ID"))
    status = filters.MultipleChoiceFilter(choices=TransferStatus.choices, label=_("状态"))

    class Meta:
        model = LandTransfer
        fields = ["q", "village", "village_id", "township", "hamlet_id", "operator_id", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(hamlet__division__name__icontains=value) | Q(operator__name__icontains=value))


class HamletMeetingFilterSet(VillageFilterSet):
    hamlet_lookup = "hamlet__division"
    q = SearchFilter(method="search", label=_("搜索（议题）"))
    hamlet_id = filters.NumberFilter(field_name="hamlet_id", label=_("屋场ID"))
    held_after = filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("召开日期起"))
    held_before = filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("召开日期止"))
    follow_up = filters.ChoiceFilter(
        field_name="resolutions__follow_up", choices=FollowUpStatus.choices, distinct=True, label=_("决议落实情况")
    )

    class Meta:
        model = HamletMeeting
        fields = ["q", "village", "village_id", "township", "hamlet_id", "held_after", "held_before", "follow_up"]

    def search(self, queryset, name, value):
        return queryset.filter(topics__icontains=value)
