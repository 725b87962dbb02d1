"""One FilterSet per model, shared by the API, the officers' pages and the admin."""

from __future__ import annotations

import django_filters as filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from governance.filtersets import DivisionTreeFilterSet, SearchFilter
from security.choices import OPEN_STATUSES, BodyKind, BodyLevel, Category, Channel, PatrolKind, RiskLevel, Status
from security.models import Dispute, DisputeParty, MediationBody, PatrolLog, PatrolTeam, PoliceRoom, SecurityStat
from security.querysets import due_soon_condition, overdue_condition


class DisputeFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（编号、简况、当事人）"))
    status = filters.MultipleChoiceFilter(distinct=False, choices=Status.choices, label=_("状态"))
    channel = filters.MultipleChoiceFilter(distinct=False, choices=Channel.choices, label=_("来源渠道"))
    category = filters.MultipleChoiceFilter(distinct=False, choices=Category.choices, label=_("纠纷类型"))
    body_id = filters.NumberFilter(field_name="current_body_id", label=_("承办主体ID"))
    risk_level = filters.MultipleChoiceFilter(distinct=False, choices=RiskLevel.choices, label=_("风险等级"))
    overdue = filters.BooleanFilter(method="filter_overdue", label=_("已超期"))
    open = filters.BooleanFilter(method="filter_open", label=_("未办结"))
    received = filters.DateFromToRangeFilter(field_name="received_at__date", label=_("受理日期"))
    external_id = filters.CharFilter(
        method="filter_external_id", label=_("外部系统编号"), help_text=_("12345、110、信访等系统的工单号")
    )
    mine = filters.BooleanFilter(method="filter_mine", label=_("我登记的"))
    acting = filters.BooleanFilter(method="filter_acting", label=_("在我所在调处主体"))
    due_soon = filters.BooleanFilter(method="filter_due_soon", label=_("三个工作日内到期"))

    class Meta:
        model = Dispute
        fields = [
            "q",
            "status",
            "channel",
            "category",
            "body_id",
            "risk_level",
            "overdue",
            "open",
            "received",
            "external_id",
            "mine",
            "acting",
            "due_soon",
            "division_id",
            "division",
            "within",
        ]

    def search(self, queryset, name, value):
        value = value.strip()
        parties = DisputeParty.objects.filter(dispute_id=OuterRef("pk"), person__name=value)
        return queryset.filter(Q(number=value) | Q(description__icontains=value) | Q(Exists(parties)))

    def filter_external_id(self, queryset, name, value):
        """The caller's own ticket number (exact, trimmed), whatever channel it came in on."""
        value = value.strip()
        return queryset.filter(external_id=value) if value else queryset

    def filter_mine(self, queryset, name, value):
        """Cases the caller registered (``received_by``): a hotline's key, an officer's own intake."""
        user = getattr(self.request, "user", None)
        condition = Q(received_by_id=getattr(user, "pk", None))
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_acting(self, queryset, name, value):
        """Cases now with a body the caller acts for (``MediationBody.objects.acting_for``): what 我的待办
        counts, so its "查看全部" shows the same cases."""
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return queryset.none() if value else queryset
        condition = queryset.acting_condition(user)
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_due_soon(self, queryset, name, value):
        """Cases being handled (accepted, mediating) whose deadline falls within three working days
        (``security.querysets.due_soon_condition``), today included."""
        condition = due_soon_condition()
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_overdue(self, queryset, name, value):
        """Open cases past their deadline (``security.querysets.overdue_condition``)."""
        condition = overdue_condition()
        return queryset.filter(condition) if value else queryset.exclude(condition)

    def filter_open(self, queryset, name, value):
        condition = Q(status__in=OPEN_STATUSES)
        return queryset.filter(condition) if value else queryset.exclude(condition)


class MediationBodyFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(field_name="name", lookup_expr="icontains", label=_("搜索"))
    kind = filters.MultipleChoiceFilter(distinct=False, choices=BodyKind.choices, label=_("类型"))
    level = filters.MultipleChoiceFilter(distinct=False, choices=BodyLevel.choices, label=_("层级"))
    speciality = filters.ChoiceFilter(
        choices=Category.choices,
        field_name="specialities",
        lookup_expr="contains",
        method="filter_speciality",
        label=_("擅长类型"),
    )

    class Meta:
        model = MediationBody
        fields = [
            "q",
            "kind",
            "level",
            "speciality",
            "at_centre",
            "on_duty_24h",
            "is_active",
            "division_id",
            "division",
            "within",
        ]

    def filter_speciality(self, queryset, name, value):
        return queryset.filter(specialities__contains=[value])


class PoliceRoomFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(field_name="name", lookup_expr="icontains", label=_("搜索"))
    station_id = filters.NumberFilter(field_name="station_id", label=_("派出所ID"))

    class Meta:
        model = PoliceRoom
        fields = ["q", "station_id", "is_active", "division_id", "division", "within"]


class PatrolTeamFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(field_name="name", lookup_expr="icontains", label=_("搜索"))
    kind = filters.MultipleChoiceFilter(distinct=False, choices=PatrolKind.choices, label=_("类型"))

    class Meta:
        model = PatrolTeam
        fields = ["q", "kind", "is_active", "division_id", "division", "within"]


class PatrolLogFilterSet(DivisionTreeFilterSet):
    team_id = filters.NumberFilter(field_name="team_id", label=_("巡防队ID"))
    date = filters.DateFromToRangeFilter(label=_("日期"))
    has_dispute = filters.BooleanFilter(field_name="dispute", lookup_expr="isnull", exclude=True, label=_("生成纠纷"))

    class Meta:
        model = PatrolLog
        fields = ["team_id", "date", "has_dispute", "division_id", "division", "within"]


class SecurityStatFilterSet(DivisionTreeFilterSet):
    month = filters.DateFromToRangeFilter(label=_("月份"))

    class Meta:
        model = SecurityStat
        fields = ["month", "division_id", "division", "within"]
