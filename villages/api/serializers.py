from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.api.fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from governance.models import Division, DivisionLevel, Household, Person
from villages import selectors, services
from villages.models import (
    ContractPlot,
    Hamlet,
    HamletMeeting,
    LandTransfer,
    MeetingResolution,
    Operator,
    ShareHolding,
)


class VillageField(ScopedSlugRelatedField):
    def get_queryset(self):
        return super().get_queryset().filter(level=DivisionLevel.VILLAGE)


class HamletSerializer(ScopedModelSerializer):
    code = serializers.CharField(source="division.code", max_length=32)
    name = serializers.CharField(source="division.name", max_length=100)
    village = VillageField(
        source="division.parent", slug_field="code", queryset=Division.objects.all(), help_text=_("村的区划代码")
    )
    village_id = serializers.IntegerField(source="division.parent_id", read_only=True)
    village_name = serializers.CharField(source="division.parent.name", read_only=True)
    township = serializers.CharField(source="division.parent.parent.code", read_only=True)
    division_id = serializers.IntegerField(read_only=True)
    household_count = serializers.IntegerField(read_only=True)
    population = serializers.IntegerField(read_only=True)
    lacks_body = serializers.BooleanField(read_only=True)
    lacks_head = serializers.BooleanField(read_only=True)
    lacks_party_member = serializers.BooleanField(read_only=True)
    is_complete = serializers.BooleanField(read_only=True)

    class Meta:
        model = Hamlet
        fields = [
            "id",
            "code",
            "name",
            "village",
            "village_id",
            "village_name",
            "township",
            "division_id",
            "note",
            "household_count",
            "population",
            "lacks_body",
            "lacks_head",
            "lacks_party_member",
            "is_complete",
        ]

    def create(self, validated_data):
        division = validated_data.pop("division")
        hamlet = services.hamlet_create(
            village=division["parent"],
            code=division["code"],
            name=division["name"],
            note=validated_data.get("note", ""),
        )
        return self._annotated(hamlet)

    @staticmethod
    def _annotated(hamlet: Hamlet) -> Hamlet:
        return selectors.hamlet_list(queryset=Hamlet.objects.filter(pk=hamlet.pk)).get()

    def update(self, instance, validated_data):
        division = validated_data.pop("division", {})
        if "code" in division and division["code"] != instance.division.code:
            raise serializers.ValidationError({"code": _("屋场代码创建后不能修改。")})
        if "parent" in division and division["parent"].pk != instance.division.parent_id:
            raise serializers.ValidationError({"village": _("屋场不能改挂到其他村。")})
        hamlet = services.hamlet_update(hamlet=instance, name=division.get("name"), note=validated_data.get("note"))
        return self._annotated(hamlet)


class HamletHouseholdsSerializer(serializers.Serializer):
    """``{"households": [id, …]}``: households of the 屋场's village to move into it."""

    households = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), many=True, allow_empty=False)


class HamletHouseholdReleaseSerializer(serializers.Serializer):
    """``{"household": id}``: a household of the 屋场 to take back to its village."""

    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all())


class ContractPlotSerializer(ScopedModelSerializer):
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all())
    household_number = serializers.CharField(source="household.number", read_only=True)

    class Meta:
        model = ContractPlot
        fields = ["id", "household", "household_number", "contract_number", "area", "location", "is_active"]

    def create(self, validated_data):
        validated_data.pop("is_active", None)
        return services.contract_plot_create(**validated_data)

    def update(self, instance, validated_data):
        return services.contract_plot_update(plot=instance, **validated_data)


class ShareHoldingSerializer(ScopedModelSerializer):
    household_number = serializers.CharField(source="household.number", read_only=True)
    cooperative_name = serializers.CharField(source="cooperative.name", read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = ShareHolding
        fields = [
            "id",
            "cooperative",
            "cooperative_name",
            "household",
            "household_number",
            "contracted_area",
            "shares",
            "valid_from",
            "valid_to",
            "is_current",
            "reason",
        ]
        read_only_fields = fields

    def get_is_current(self, obj) -> bool:
        return obj.valid_to is None


class OperatorSerializer(ScopedModelSerializer):
    division = ScopedSlugRelatedField(slug_field="code", queryset=Division.objects.all(), help_text=_("登记区划代码"))
    division_name = serializers.CharField(source="division.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Operator
        fields = ["id", "kind", "kind_display", "name", "uscc", "legal_representative", "division", "division_name"]

    def validate_uscc(self, value: str) -> str:
        return value.strip().upper()

    def create(self, validated_data):
        return services.operator_save(operator=Operator(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.operator_save(operator=instance)


class LandTransferSerializer(ScopedModelSerializer):
    hamlet = ScopedPrimaryKeyRelatedField(queryset=Hamlet.objects.all())
    hamlet_name = serializers.CharField(source="hamlet.division.name", read_only=True)
    household = ScopedPrimaryKeyRelatedField(queryset=Household.objects.all(), allow_null=True, required=False)
    operator = ScopedPrimaryKeyRelatedField(queryset=Operator.objects.all())
    operator_name = serializers.CharField(source="operator.name", read_only=True)
    plots = ScopedPrimaryKeyRelatedField(queryset=ContractPlot.objects.all(), many=True, required=False)

    class Meta:
        model = LandTransfer
        fields = [
            "id",
            "hamlet",
            "hamlet_name",
            "transferor",
            "household",
            "operator",
            "operator_name",
            "plots",
            "area",
            "start_date",
            "end_date",
            "annual_rent",
            "status",
        ]

    def create(self, validated_data):
        return services.land_transfer_create(**validated_data)

    def update(self, instance, validated_data):
        plots = validated_data.pop("plots", None)
        return services.land_transfer_update(transfer=instance, plots=plots, **validated_data)


class HamletResolutionSerializer(ScopedModelSerializer):
    """屋场会决议 with its follow-up (落实情况, 办结时限)."""

    id = serializers.IntegerField(
        required=False, help_text=_("修改已有决议时填写其编号；不填则新增一条决议。未列出的决议保持不变。")
    )
    follow_up_display = serializers.CharField(source="get_follow_up_display", read_only=True)

    class Meta:
        model = MeetingResolution
        fields = ["id", "text", "follow_up", "follow_up_display", "due_on"]


class HamletMeetingSerializer(ScopedModelSerializer):
    """屋场会. Only validates: ``HamletMeetingViewSet`` records it through ``hamlet_meeting_record`` and
    changes it through ``hamlet_meeting_update`` (one transaction; ``resolutions`` are added or, named by
    ``id``, changed — none removed)."""

    hamlet = ScopedPrimaryKeyRelatedField(queryset=Hamlet.objects.all())
    hamlet_name = serializers.CharField(source="hamlet.division.name", read_only=True)
    attendees = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), many=True, required=False)
    resolutions = HamletResolutionSerializer(many=True, required=False)

    class Meta:
        model = HamletMeeting
        fields = ["id", "hamlet", "hamlet_name", "held_on", "topics", "attendees", "resolutions"]


class HamletCompletenessSerializer(serializers.Serializer):
    """``hamlets/completeness/``: how many 屋场 of the area are "三屋同治" complete, and what the others lack."""

    division = serializers.CharField()
    total = serializers.IntegerField()
    complete = serializers.IntegerField()
    percent = serializers.FloatField(
        allow_null=True, help_text=_("完整率（%），一位小数；区域内没有屋场时为 null（无数据）")
    )
    lacks_body = serializers.IntegerField()
    lacks_head = serializers.IntegerField()
    lacks_party_member = serializers.IntegerField()
