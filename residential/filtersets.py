"""One FilterSet per model, shared by the API, the pages and the admin."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.filtersets import DivisionTreeFilterSet, SearchFilter
from residential.choices import (
    EvaluationStatus,
    Grade,
    PetitionCategory,
    PetitionChannel,
    PetitionStatus,
    PetitionTarget,
    RectificationKind,
    WorkStatus,
)
from residential.models import (
    BuildingCouncilMeeting,
    CommitteeRectification,
    Compound,
    CreditEvaluation,
    EnforcementVisit,
    OwnersCommittee,
    Petition,
    PropertyCompany,
    PropertyContract,
    RedBlackList,
)


class CompoundFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（名称、地址、代码）"))
    star = filters.BooleanFilter(field_name="joined_on", lookup_expr="isnull", exclude=True, label=_("已纳入星物管"))
    community = filters.CharFilter(field_name="division__parent__code", label=_("社区代码"))

    class Meta:
        model = Compound
        fields = ["q", "division_id", "division", "within", "star", "community"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(division__name__icontains=value) | Q(address__icontains=value) | Q(division__code__startswith=value)
        )


class PropertyCompanyFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（名称、信用代码）"))

    class Meta:
        model = PropertyCompany
        fields = ["q", "division_id", "division", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(uscc=value.strip().upper()))


class PropertyContractFilterSet(DivisionTreeFilterSet):
    compound_id = filters.NumberFilter(field_name="compound_id", label=_("小区ID"))
    company_id = filters.NumberFilter(field_name="company_id", label=_("企业ID"))
    current = filters.BooleanFilter(field_name="end_date", lookup_expr="isnull", label=_("在服务"))

    class Meta:
        model = PropertyContract
        fields = ["compound_id", "company_id", "current", "within"]


class OwnersCommitteeFilterSet(DivisionTreeFilterSet):
    compound_id = filters.NumberFilter(field_name="compound_id", label=_("小区ID"))
    party_rule_met = filters.BooleanFilter(field_name="party_rule_met", label=_("党员占比达标"))

    class Meta:
        model = OwnersCommittee
        fields = ["compound_id", "within", "party_rule_met"]


class CommitteeRectificationFilterSet(DivisionTreeFilterSet):
    committee_id = filters.NumberFilter(field_name="committee_id", label=_("业委会ID"))
    kind = filters.MultipleChoiceFilter(choices=RectificationKind.choices, label=_("问题类型"))
    status = filters.MultipleChoiceFilter(choices=WorkStatus.choices, label=_("状态"))

    class Meta:
        model = CommitteeRectification
        fields = ["committee_id", "kind", "status", "within"]


class CreditEvaluationFilterSet(DivisionTreeFilterSet):
    company_id = filters.NumberFilter(field_name="company_id", label=_("企业ID"))
    period_id = filters.NumberFilter(field_name="period_id", label=_("评价周期ID"))
    period = filters.CharFilter(field_name="period__name", label=_("评价周期名称"))
    grade = filters.MultipleChoiceFilter(choices=Grade.choices, label=_("等级"))
    status = filters.MultipleChoiceFilter(choices=EvaluationStatus.choices, label=_("状态"))

    class Meta:
        model = CreditEvaluation
        fields = ["company_id", "period_id", "period", "grade", "status", "within"]


class RedBlackListFilterSet(DivisionTreeFilterSet):
    published = filters.BooleanFilter(field_name="published_at", lookup_expr="isnull", exclude=True, label=_("已发布"))

    class Meta:
        model = RedBlackList
        fields = ["published", "within"]


class BuildingCouncilMeetingFilterSet(DivisionTreeFilterSet):
    compound_id = filters.NumberFilter(field_name="compound_id", label=_("小区ID"))
    held_after = filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("召开日期起"))
    held_before = filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("召开日期止"))

    class Meta:
        model = BuildingCouncilMeeting
        fields = ["compound_id", "held_after", "held_before", "within"]


class PetitionFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（编号、内容）"))
    compound_id = filters.NumberFilter(field_name="compound_id", label=_("小区ID"))
    company_id = filters.NumberFilter(field_name="company_id", label=_("企业ID"))
    channel = filters.MultipleChoiceFilter(choices=PetitionChannel.choices, label=_("渠道"))
    category = filters.MultipleChoiceFilter(choices=PetitionCategory.choices, label=_("类别"))
    against = filters.MultipleChoiceFilter(choices=PetitionTarget.choices, label=_("反映对象"))
    status = filters.MultipleChoiceFilter(choices=PetitionStatus.choices, label=_("状态"))
    received_after = filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("受理日期起"))
    received_before = filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("受理日期止"))

    class Meta:
        model = Petition
        fields = [
            "q",
            "compound_id",
            "company_id",
            "channel",
            "category",
            "against",
            "status",
            "received_after",
            "received_before",
            "within",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(summary__icontains=value))


class EnforcementVisitFilterSet(DivisionTreeFilterSet):
    compound_id = filters.NumberFilter(field_name="compound_id", label=_("小区ID"))
    department = filters.CharFilter(field_name="department", lookup_expr="icontains", label=_("执法部门"))

    class Meta:
        model = EnforcementVisit
        fields = ["compound_id", "department", "within"]
