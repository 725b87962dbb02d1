"""Serializers of the integrity API. The reporter (举报人) is not a field of any of them: the API never
carries a reporter's identity, in or out."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.api.fields import RecordSerializer, ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from governance.api.queries import AreaQuerySerializer
from governance.api.serializers import DivisionRefMixin
from integrity import services
from integrity.choices import Disposition
from integrity.models import (
    AccessLog,
    Campaign,
    CampaignMatter,
    CleanUnit,
    Clue,
    IntegrityCase,
    LivelihoodProject,
    Measure,
    Milestone,
    Recovery,
    Sanction,
    Subject,
    SupervisionVisit,
    UnitRule,
)


class CampaignSerializer(DivisionRefMixin, ScopedModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "division", "division_name", "start_date", "end_date", "scope"]


class FunnelSerializer(serializers.Serializer):
    clues = serializers.IntegerField()
    handled = serializers.IntegerField()
    cases = serializers.IntegerField()
    sanctioned = serializers.IntegerField()
    detained = serializers.IntegerField()
    recovered = serializers.DecimalField(max_digits=16, decimal_places=2)
    matters_resolved = serializers.IntegerField()


class FunnelQuerySerializer(AreaQuerySerializer):
    """``?within=<division code>&on=YYYY-MM-DD`` of a campaign's funnel (see ``campaign_area``)."""

    on = serializers.DateField(required=False, help_text=_("截至日期，默认今天"))


class SubjectSerializer(DivisionRefMixin, RecordSerializer):
    class Meta:
        model = Subject
        fields = [
            "id",
            "name",
            "unit",
            "post",
            "level",
            "is_party_member",
            "is_public_official",
            "division",
            "division_name",
        ]


class ClueSerializer(DivisionRefMixin, RecordSerializer):
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    disposition_display = serializers.CharField(source="get_disposition_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = Clue
        fields = [
            "id",
            "number",
            "division",
            "division_name",
            "campaign",
            "source",
            "source_display",
            "received_on",
            "category",
            "summary",
            "subjects",
            "disposition",
            "disposition_display",
            "disposed_on",
            "decided_by",
            "status",
            "status_display",
        ]
        # Dispositions go through the "dispose" action, which applies the rules of the four.
        read_only_fields = ["disposition", "disposed_on", "decided_by", "status"]

    def create(self, validated_data):
        return services.clue_register(**validated_data)


class DisposeSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    disposed_on = serializers.DateField()
    decided_by = serializers.CharField(max_length=50)


class IntegrityCaseSerializer(DivisionRefMixin, RecordSerializer):
    # Declared so that an empty list reaches ``case_file`` and gets its own error code.
    clues = ScopedPrimaryKeyRelatedField(queryset=Clue.objects.all(), many=True)
    subjects = ScopedPrimaryKeyRelatedField(queryset=Subject.objects.all(), many=True)

    class Meta:
        model = IntegrityCase
        fields = [
            "id",
            "number",
            "division",
            "division_name",
            "campaign",
            "clues",
            "subjects",
            "filed_on",
            "findings",
            "transferred_to_procuratorate",
            "transferred_on",
            "closed_on",
        ]

    @transaction.atomic
    def create(self, validated_data):
        extra = {
            k: validated_data.pop(k)
            for k in ("transferred_to_procuratorate", "transferred_on", "closed_on")
            if k in validated_data
        }
        case = services.case_file(**validated_data)
        if extra:
            return self.update(case, extra)
        return case

    def update(self, instance, validated_data):
        case = super().update(instance, validated_data)
        if validated_data.get("closed_on") is not None:
            # 结案 concludes the clues the case was filed from.
            services.case_close(case=case, closed_on=case.closed_on)
        return case


class MeasureSerializer(RecordSerializer):
    class Meta:
        model = Measure
        fields = ["id", "case", "subject", "kind", "start_on", "end_on"]

    def create(self, validated_data):
        return services.measure_take(**validated_data)


class SanctionSerializer(RecordSerializer):
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Sanction
        fields = ["id", "subject", "subject_name", "case", "clue", "kind", "kind_display", "decided_on"]

    def create(self, validated_data):
        return services.sanction_decide(**validated_data)


class RecoverySerializer(RecordSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=None)

    class Meta:
        model = Recovery
        fields = ["id", "case", "amount", "kind", "recovered_on"]

    def create(self, validated_data):
        return services.recovery_record(**validated_data)


class CampaignMatterSerializer(DivisionRefMixin, RecordSerializer):
    class Meta:
        model = CampaignMatter
        fields = ["id", "campaign", "division", "division_name", "title", "opened_on", "resolved_on"]


class MilestoneSerializer(ScopedModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "planned_on", "actual_on", "progress"]


class LivelihoodProjectSerializer(DivisionRefMixin, ScopedModelSerializer):
    owner_unit = serializers.PrimaryKeyRelatedField(read_only=True)
    owner_unit_name = serializers.CharField(source="owner_unit.name", read_only=True)
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta:
        model = LivelihoodProject
        fields = [
            "id",
            "year",
            "level",
            "title",
            "owner_unit",
            "owner_unit_name",
            "division",
            "division_name",
            "budget",
            "description",
            "milestones",
        ]


class SupervisionVisitSerializer(RecordSerializer):
    class Meta:
        model = SupervisionVisit
        fields = ["id", "project", "visited_on", "method", "is_review", "findings", "follow_up"]


class CleanUnitSerializer(ScopedModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = CleanUnit
        fields = ["id", "organization", "organization_name", "kind", "status", "started_on"]


class UnitRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = UnitRule
        fields = ["id", "unit", "title", "adopted_on", "closes"]


class AccessLogSerializer(ScopedModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AccessLog
        fields = ["id", "user", "username", "action", "target", "row_ids", "clue", "case", "via", "path", "at"]
