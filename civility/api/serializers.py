from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from civility.models import (
    BanquetDeclaration,
    BanquetServiceFee,
    BanquetServiceTeam,
    CivilityUnit,
    MonthlyRanking,
    PointAccount,
    PointEntry,
    PointRule,
    PracticeStation,
    Redemption,
    RedemptionLine,
    UnitKind,
)
from governance.api.fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from governance.api.queries import AreaQuerySerializer


class PointAccountSerializer(ScopedModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    head_name = serializers.CharField(source="household.head.name", read_only=True, default="")
    division = serializers.CharField(source="household.division.code", read_only=True)

    class Meta:
        model = PointAccount
        fields = ["id", "household", "household_number", "head_name", "division", "balance", "entry_count"]
        read_only_fields = fields


class PointEntrySerializer(ScopedModelSerializer):
    """Create only: amounts come from the rule; an entry is never edited (a reversal corrects it)."""

    rule = ScopedSlugRelatedField(slug_field="code", queryset=PointRule.objects.all(), required=False)
    # Declared: the model's one-to-one would add a uniqueness check ahead of the service's own error.
    reverses = ScopedPrimaryKeyRelatedField(queryset=PointEntry.objects.all(), required=False, allow_null=True)
    idempotency_key = serializers.CharField(max_length=100, required=False)
    reason = serializers.CharField(max_length=200, required=False, write_only=True)

    class Meta:
        model = PointEntry
        fields = [
            "id",
            "account",
            "seq",
            "rule",
            "points",
            "occurred_on",
            "source",
            "status",
            "idempotency_key",
            "reverses",
            "note",
            "evidence",
            "recorded_by",
            "confirmed_at",
            "hash",
            "prev_hash",
            "created_at",
            "reason",
        ]
        read_only_fields = [
            "id",
            "seq",
            "points",
            "status",
            "recorded_by",
            "confirmed_at",
            "hash",
            "prev_hash",
            "created_at",
        ]
        extra_kwargs = {"occurred_on": {"required": False}, "source": {"required": False}}
        # The service answers a repeated key with the first entry instead of a uniqueness error.
        validators = []

    def validate(self, attrs):
        if not attrs.get("rule") and not attrs.get("reverses"):
            raise serializers.ValidationError({"rule": [_("请选择积分规则，或指定要冲正的流水。")]}, code="required")
        if attrs.get("rule") and not attrs.get("occurred_on"):
            raise serializers.ValidationError({"occurred_on": [_("请填写发生日期。")]}, code="required")
        return attrs


class RedemptionLineSerializer(ScopedModelSerializer):
    quantity = serializers.IntegerField(min_value=1, max_value=1000)

    class Meta:
        model = RedemptionLine
        fields = ["item", "quantity", "points_each"]
        read_only_fields = ["points_each"]


class RedemptionSerializer(ScopedModelSerializer):
    lines = RedemptionLineSerializer(many=True)

    class Meta:
        model = Redemption
        fields = ["id", "account", "shop", "operator", "points", "lines", "entry", "idempotency_key", "created_at"]
        read_only_fields = ["id", "operator", "points", "entry", "idempotency_key", "created_at"]

    def validate_lines(self, value):
        if not value:
            raise serializers.ValidationError(_("请至少选择一件商品。"), code="empty")
        return value


class MonthlyRankingSerializer(ScopedModelSerializer):
    month = serializers.DateField(source="ranking_month.month", read_only=True)
    household_number = serializers.CharField(source="household.number", read_only=True)
    group_code = serializers.CharField(source="group.code", read_only=True)
    group_name = serializers.CharField(source="group.name", read_only=True)

    class Meta:
        model = MonthlyRanking
        fields = [
            "id",
            "month",
            "household",
            "household_number",
            "level",
            "group",
            "group_code",
            "group_name",
            "points",
            "deductions",
            "rank",
        ]
        read_only_fields = fields


class RankingBoardQuerySerializer(AreaQuerySerializer):
    """``?within=<village or community code>&month=YYYY-MM`` of the 红榜/黑榜 (``top`` for the red list,
    ``threshold`` for the black one); a code outside the caller's scope is 404."""

    within = serializers.CharField(help_text=_("村（社区）代码"))
    month = serializers.DateField(
        required=False, input_formats=["%Y-%m"], help_text=_("月份（YYYY-MM），默认为最近公布的月份")
    )
    top = serializers.IntegerField(required=False, default=10, min_value=1, max_value=100, help_text=_("红榜名次"))
    threshold = serializers.IntegerField(
        required=False, default=10, min_value=1, max_value=1000, help_text=_("黑榜：当月扣分达到的分值")
    )


class BanquetDeclarationSerializer(ScopedModelSerializer):
    class Meta:
        model = BanquetDeclaration
        fields = ["id", *BanquetDeclaration.DECLARED_FIELDS, "is_flagged", "violations", "created_at"]
        read_only_fields = ["id", "is_flagged", "violations", "created_at"]


class ConversionQuerySerializer(serializers.Serializer):
    """转化 of the caller's area: activities held on or before ``until`` (default today)."""

    until = serializers.DateField(required=False, help_text=_("转化截至日期（含），默认为今天"))


class ConversionResultSerializer(serializers.Serializer):
    """What one conversion run did: activities converted, ledger entries written, activities refused
    (``{"activity": id, "errors": [str]}``, e.g. no rule in force that day). A second run converts 0."""

    activities = serializers.IntegerField(help_text=_("本次转化的活动数"))
    entries = serializers.IntegerField(help_text=_("本次写入的积分流水笔数"))
    refused = serializers.ListField(child=serializers.DictField(), help_text=_("未能转化的活动及原因"))


class UnitKindSerializer(ScopedModelSerializer):
    """A kind of 文明单元: ``is_standing`` true for the eight standing kinds, false for those added."""

    class Meta:
        model = UnitKind
        fields = ["id", "code", "name", "level", "is_standing", "criteria", "sort_order", "is_active"]
        read_only_fields = fields


class CivilityUnitSerializer(ScopedModelSerializer):
    kind_code = serializers.CharField(source="kind.code", read_only=True)
    level = serializers.CharField(source="kind.level", read_only=True)
    division_code = serializers.CharField(source="division.code", read_only=True)

    class Meta:
        model = CivilityUnit
        fields = ["id", "kind", "kind_code", "level", "name", "division", "division_code", "applied_on", "status"]
        read_only_fields = fields


class UnitLevelCountSerializer(serializers.Serializer):
    """One level's units (``selectors.units_by_level``): counts per status and in all."""

    level = serializers.CharField()
    label = serializers.CharField()
    applied = serializers.IntegerField()
    building = serializers.IntegerField()
    awarded = serializers.IntegerField()
    failed = serializers.IntegerField()
    total = serializers.IntegerField()


class BanquetServiceFeeSerializer(ScopedModelSerializer):
    class Meta:
        model = BanquetServiceFee
        fields = ["item", "price", "per_table"]
        read_only_fields = fields


class BanquetServiceTeamSerializer(ScopedModelSerializer):
    """宴席服务队: one place, its fee list (yuan) and services offered (one per line)."""

    fees = BanquetServiceFeeSerializer(many=True, read_only=True)

    class Meta:
        model = BanquetServiceTeam
        fields = ["id", "name", "division", "place", "services", "fees"]
        read_only_fields = fields


class PracticeStationSerializer(ScopedModelSerializer):
    """A 文明实践 centre/institute/station with its parent (三级阵地) and WGS-84 coordinates (degrees)."""

    class Meta:
        model = PracticeStation
        fields = ["id", "name", "level", "parent", "division", "address", "latitude", "longitude"]
        read_only_fields = fields


class CirclePlaceSerializer(serializers.Serializer):
    division_id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    nearest = serializers.CharField(allow_null=True, help_text=_("最近的阵地"))
    distance_m = serializers.IntegerField(allow_null=True, help_text=_("到最近阵地的直线距离（米）"))
    covered = serializers.BooleanField(help_text=_("是否在 15 分钟服务圈内"))


class ServiceCircleSerializer(serializers.Serializer):
    """15 分钟服务圈 of an area: ``radius_m`` the assumed walk (straight-line metres), ``rate`` percent
    (null with no located place), ``gaps`` the 屋场/小区 beyond it."""

    radius_m = serializers.IntegerField()
    total = serializers.IntegerField()
    covered = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=4, decimal_places=1, allow_null=True)
    stations = serializers.IntegerField(source="station_count")
    gaps = CirclePlaceSerializer(many=True)
