"""One FilterSet per model, shared by the API, the pages and the admin."""

from __future__ import annotations

import django_filters as filters
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.choices import BanquetKind, EntrySource, EntryStatus, RankingLevel, StationLevel, UnitLevel, UnitStatus
from civility.models import (
    BanquetDeclaration,
    CivilityUnit,
    MonthlyRanking,
    PointAccount,
    PointEntry,
    PracticeStation,
    Redemption,
)
from civility.services import parse_month
from governance.filtersets import DivisionTreeFilterSet, SearchFilter


class PointAccountFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（户号、户主）"))
    household_id = filters.NumberFilter(field_name="household_id", label=_("家庭户ID"))

    class Meta:
        model = PointAccount
        fields = ["q", "household_id", "division_id", "division", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(household__number__icontains=value) | Q(household__head__name__icontains=value))


class PointEntryFilterSet(DivisionTreeFilterSet):
    account_id = filters.NumberFilter(field_name="account_id", label=_("账户ID"))
    household_id = filters.NumberFilter(field_name="account__household_id", label=_("家庭户ID"))
    rule = filters.CharFilter(field_name="rule__code", label=_("规则编码"))
    status = filters.MultipleChoiceFilter(choices=EntryStatus.choices, label=_("状态"))
    source = filters.MultipleChoiceFilter(choices=EntrySource.choices, label=_("来源"))
    occurred_after = filters.DateFilter(field_name="occurred_on", lookup_expr="gte", label=_("发生日期起"))
    occurred_before = filters.DateFilter(field_name="occurred_on", lookup_expr="lte", label=_("发生日期止"))

    class Meta:
        model = PointEntry
        fields = ["account_id", "household_id", "rule", "status", "source", "division_id", "division", "within"]


class RedemptionFilterSet(DivisionTreeFilterSet):
    account_id = filters.NumberFilter(field_name="account_id", label=_("账户ID"))
    shop_id = filters.NumberFilter(field_name="shop_id", label=_("超市ID"))

    class Meta:
        model = Redemption
        fields = ["account_id", "shop_id", "division_id", "division", "within"]


class MonthlyRankingFilterSet(DivisionTreeFilterSet):
    month = filters.CharFilter(method="filter_month", label=_("月份（YYYY-MM）"))
    level = filters.ChoiceFilter(choices=RankingLevel.choices, label=_("层级"))
    group_id = filters.NumberFilter(field_name="group_id", label=_("排名范围ID"))
    group = filters.CharFilter(field_name="group__code", label=_("排名范围代码"))
    rank_max = filters.NumberFilter(field_name="rank", lookup_expr="lte", label=_("名次不低于"))

    class Meta:
        model = MonthlyRanking
        fields = ["month", "level", "group_id", "group", "rank_max", "within"]

    def filter_month(self, queryset, name, value):
        try:
            month = parse_month(value)
        except ValidationError:
            return queryset.none()
        return queryset.filter(ranking_month__month=month)


class BanquetDeclarationFilterSet(DivisionTreeFilterSet):
    kind = filters.MultipleChoiceFilter(choices=BanquetKind.choices, label=_("类型"))
    flagged = filters.BooleanFilter(field_name="is_flagged", label=_("超标"))
    held_after = filters.DateFilter(field_name="held_on", lookup_expr="gte", label=_("办酒日期起"))
    held_before = filters.DateFilter(field_name="held_on", lookup_expr="lte", label=_("办酒日期止"))

    class Meta:
        model = BanquetDeclaration
        fields = ["kind", "flagged", "division_id", "division", "within"]


class CivilityUnitFilterSet(DivisionTreeFilterSet):
    """文明单元 per kind (编码), level and status, and per division (``within``: the code of an area)."""

    kind = filters.CharFilter(field_name="kind__code", label=_("类型编码"))
    level = filters.ChoiceFilter(field_name="kind__level", choices=UnitLevel.choices, label=_("创建层级"))
    status = filters.MultipleChoiceFilter(choices=UnitStatus.choices, label=_("创建状态"))

    class Meta:
        model = CivilityUnit
        fields = ["kind", "level", "status", "division_id", "division", "within"]


class PracticeStationFilterSet(DivisionTreeFilterSet):
    level = filters.MultipleChoiceFilter(choices=StationLevel.choices, label=_("层级"))

    class Meta:
        model = PracticeStation
        fields = ["level", "division_id", "division", "within"]
