"""One FilterSet per model, shared by the API, the pages and the admin."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.filtersets import DivisionTreeFilterSet, SearchFilter
from integrity.choices import (
    AccessAction,
    AccessVia,
    CleanUnitKind,
    CleanUnitStatus,
    ClueCategory,
    ClueSource,
    ClueStatus,
    CultureSiteKind,
    CultureTarget,
    Disposition,
    MeasureKind,
    ProjectLevel,
    RecoveryKind,
    SanctionKind,
    VisitMethod,
)
from integrity.models import (
    AccessLog,
    Campaign,
    CampaignMatter,
    CleanUnit,
    Clue,
    CultureActivity,
    CultureSite,
    IntegrityCase,
    LivelihoodProject,
    Measure,
    Recovery,
    Sanction,
    Subject,
    SupervisionVisit,
    UnitRule,
)


class CampaignFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(field_name="name", lookup_expr="icontains", label=_("搜索"))

    class Meta:
        model = Campaign
        fields = ["q", "division_id", "division", "within"]


class SubjectFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（姓名、单位）"))

    class Meta:
        model = Subject
        fields = ["q", "division_id", "division", "within", "level", "is_party_member", "is_public_official"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(unit__icontains=value))


class ClueFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（编号、问题、被反映人）"))
    campaign_id = filters.NumberFilter(field_name="campaign_id", label=_("集中整治ID"))
    source = filters.MultipleChoiceFilter(choices=ClueSource.choices, label=_("线索来源"))
    category = filters.MultipleChoiceFilter(choices=ClueCategory.choices, label=_("问题类别"))
    disposition = filters.MultipleChoiceFilter(choices=Disposition.choices, label=_("处置方式"))
    status = filters.MultipleChoiceFilter(choices=ClueStatus.choices, label=_("状态"))
    received_after = filters.DateFilter(field_name="received_on", lookup_expr="gte", label=_("受理日期起"))
    received_before = filters.DateFilter(field_name="received_on", lookup_expr="lte", label=_("受理日期止"))

    class Meta:
        model = Clue
        fields = ["q", "within", "campaign_id", "source", "category", "disposition", "status", "division"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value) | Q(summary__icontains=value) | Q(subjects__name__icontains=value)
        ).distinct()


class IntegrityCaseFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（编号、被审查调查人）"))
    campaign_id = filters.NumberFilter(field_name="campaign_id", label=_("集中整治ID"))
    open = filters.BooleanFilter(field_name="closed_on", lookup_expr="isnull", label=_("未结案"))
    filed_after = filters.DateFilter(field_name="filed_on", lookup_expr="gte", label=_("立案日期起"))
    filed_before = filters.DateFilter(field_name="filed_on", lookup_expr="lte", label=_("立案日期止"))

    class Meta:
        model = IntegrityCase
        fields = ["q", "within", "campaign_id", "open", "transferred_to_procuratorate", "division"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(number__icontains=value) | Q(subjects__name__icontains=value)).distinct()


class MeasureFilterSet(DivisionTreeFilterSet):
    case_id = filters.NumberFilter(field_name="case_id", label=_("案件ID"))
    kind = filters.MultipleChoiceFilter(choices=MeasureKind.choices, label=_("措施"))

    class Meta:
        model = Measure
        fields = ["case_id", "kind", "within"]


class SanctionFilterSet(DivisionTreeFilterSet):
    case_id = filters.NumberFilter(field_name="case_id", label=_("案件ID"))
    subject_id = filters.NumberFilter(field_name="subject_id", label=_("人员ID"))
    kind = filters.MultipleChoiceFilter(choices=SanctionKind.choices, label=_("种类"))

    class Meta:
        model = Sanction
        fields = ["case_id", "subject_id", "kind", "within"]


class RecoveryFilterSet(DivisionTreeFilterSet):
    case_id = filters.NumberFilter(field_name="case_id", label=_("案件ID"))
    kind = filters.MultipleChoiceFilter(choices=RecoveryKind.choices, label=_("方式"))

    class Meta:
        model = Recovery
        fields = ["case_id", "kind", "within"]


class CampaignMatterFilterSet(DivisionTreeFilterSet):
    campaign_id = filters.NumberFilter(field_name="campaign_id", label=_("集中整治ID"))
    resolved = filters.BooleanFilter(field_name="resolved_on", lookup_expr="isnull", exclude=True, label=_("已解决"))

    class Meta:
        model = CampaignMatter
        fields = ["campaign_id", "resolved", "division_id", "division", "within"]


class LivelihoodProjectFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(field_name="title", lookup_expr="icontains", label=_("搜索"))
    year = filters.NumberFilter(field_name="year", label=_("年度"))
    level = filters.MultipleChoiceFilter(choices=ProjectLevel.choices, label=_("层级"))
    owner_unit_id = filters.NumberFilter(field_name="owner_unit_id", label=_("责任单位ID"))

    class Meta:
        model = LivelihoodProject
        fields = ["q", "year", "level", "owner_unit_id", "division_id", "division", "within"]


class SupervisionVisitFilterSet(DivisionTreeFilterSet):
    project_id = filters.NumberFilter(field_name="project_id", label=_("民生实事ID"))
    method = filters.MultipleChoiceFilter(choices=VisitMethod.choices, label=_("方式"))

    class Meta:
        model = SupervisionVisit
        fields = ["project_id", "method", "is_review", "within"]


class CleanUnitFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(field_name="organization__name", lookup_expr="icontains", label=_("搜索"))
    kind = filters.MultipleChoiceFilter(choices=CleanUnitKind.choices, label=_("类型"))
    status = filters.MultipleChoiceFilter(choices=CleanUnitStatus.choices, label=_("创建状态"))

    class Meta:
        model = CleanUnit
        fields = ["q", "kind", "status", "within"]


class UnitRuleFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(field_name="title", lookup_expr="icontains", label=_("搜索"))
    unit_id = filters.NumberFilter(field_name="unit_id", label=_("清廉单元ID"))

    class Meta:
        model = UnitRule
        fields = ["q", "unit_id", "within"]


class CultureSiteFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(field_name="name", lookup_expr="icontains", label=_("搜索"))
    kind = filters.MultipleChoiceFilter(choices=CultureSiteKind.choices, label=_("类型"))

    class Meta:
        model = CultureSite
        fields = ["q", "kind", "division_id", "division", "within"]


class CultureActivityFilterSet(DivisionTreeFilterSet):
    target = filters.MultipleChoiceFilter(choices=CultureTarget.choices, label=_("活动类型"))
    site_id = filters.NumberFilter(field_name="site_id", label=_("阵地ID"))
    held_after = filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("日期起"))
    held_before = filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("日期止"))

    class Meta:
        model = CultureActivity
        fields = ["target", "site_id", "division_id", "division", "within"]


class AccessLogFilterSet(DivisionTreeFilterSet):
    clue_id = filters.NumberFilter(field_name="clue_id", label=_("线索ID"))
    case_id = filters.NumberFilter(field_name="case_id", label=_("案件ID"))
    user_id = filters.NumberFilter(field_name="user_id", label=_("查阅人ID"))
    via = filters.MultipleChoiceFilter(choices=AccessVia.choices, label=_("途径"))
    action = filters.MultipleChoiceFilter(choices=AccessAction.choices, label=_("操作"))
    # Which lists showed a given clue or case (its id among the list row's ids).
    listed_id = filters.NumberFilter(method="filter_listed", label=_("列表中出现的记录ID"))

    def filter_listed(self, queryset, name, value):
        if value != value.to_integral_value() or not 0 < value < 2**63:  # not an id: no list showed it
            return queryset.none()
        return queryset.filter(row_ids__contains=[int(value)])

    class Meta:
        model = AccessLog
        fields = ["clue_id", "case_id", "user_id", "via", "within"]
