"""Serializers of the integrity API. The reporter (举报人) is not a field of any of them: the API never
carries a reporter's identity, in or out."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.api.fields import ScopedModelSerializer
from governance.models import Division, Organization
from integrity import services
from integrity.models import (
    AccessLog,
    Campaign,
    CampaignMatter,
    CleanUnit,
    Clue,
    Disposition,
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
from integrity.querysets import DISCIPLINE_ROLES


class DisciplineScopedMixin:
    """Only rows in the caller's discipline subtree can be referenced; others are "not found"."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.for_user(request.user if request else None, roles=DISCIPLINE_ROLES)


class RelatedField(DisciplineScopedMixin, serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("编号为 {pk_value} 的对象不存在，或不在您的管辖范围内。"),
        "incorrect_type": _("应为整数编号，收到的是 {data_type}。"),
    }


class DivisionField(DisciplineScopedMixin, serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("代码为 {value} 的区划不存在，或不在您的管辖范围内。"),
        "invalid": _("值无效。"),
    }

    def __init__(self, **kwargs):
        super().__init__(slug_field="code", queryset=Division.objects.all(), help_text=_("区划代码"), **kwargs)


class DivisionRefMixin(serializers.Serializer):
    division = DivisionField()
    division_name = serializers.CharField(source="division.name", read_only=True)


class SavingSerializer(ScopedModelSerializer):
    """Plain rows are saved after the model's own checks (``full_clean``)."""

    def create(self, validated_data):
        return services._save(self.Meta.model(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services._save(instance)


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


class FunnelQuerySerializer(serializers.Serializer):
    within = serializers.CharField(required=False, help_text=_("区划代码（含下级），默认为本人管辖范围"))
    on = serializers.DateField(required=False, help_text=_("截至日期，默认今天"))


class SubjectSerializer(DivisionRefMixin, SavingSerializer):
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


class ClueSerializer(DivisionRefMixin, ScopedModelSerializer):
    campaign = RelatedField(queryset=Campaign.objects.all(), allow_null=True, required=False)
    subjects = RelatedField(queryset=Subject.objects.all(), many=True, required=False)
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

    def update(self, instance, validated_data):
        subjects = validated_data.pop("subjects", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        services._save(instance)
        if subjects is not None:
            instance.subjects.set(subjects)
        return instance


class DisposeSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    disposed_on = serializers.DateField()
    decided_by = serializers.CharField(max_length=50)


class IntegrityCaseSerializer(DivisionRefMixin, ScopedModelSerializer):
    campaign = RelatedField(queryset=Campaign.objects.all(), allow_null=True, required=False)
    clues = RelatedField(queryset=Clue.objects.all(), many=True)
    subjects = RelatedField(queryset=Subject.objects.all(), many=True)

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
        clues = validated_data.pop("clues", None)
        subjects = validated_data.pop("subjects", None)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        services._save(instance)
        if clues is not None:
            instance.clues.set(clues)
        if subjects is not None:
            instance.subjects.set(subjects)
        return instance


class MeasureSerializer(SavingSerializer):
    case = RelatedField(queryset=IntegrityCase.objects.all())
    subject = RelatedField(queryset=Subject.objects.all())

    class Meta:
        model = Measure
        fields = ["id", "case", "subject", "kind", "start_on", "end_on"]


class SanctionSerializer(SavingSerializer):
    subject = RelatedField(queryset=Subject.objects.all())
    case = RelatedField(queryset=IntegrityCase.objects.all(), allow_null=True, required=False)
    clue = RelatedField(queryset=Clue.objects.all(), allow_null=True, required=False)
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Sanction
        fields = ["id", "subject", "subject_name", "case", "clue", "kind", "kind_display", "decided_on"]

    def create(self, validated_data):
        return services.sanction_decide(**validated_data)


class RecoverySerializer(SavingSerializer):
    case = RelatedField(queryset=IntegrityCase.objects.all())
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=None)

    class Meta:
        model = Recovery
        fields = ["id", "case", "amount", "kind", "recovered_on"]

    def create(self, validated_data):
        return services.recovery_record(**validated_data)


class CampaignMatterSerializer(DivisionRefMixin, SavingSerializer):
    campaign = RelatedField(queryset=Campaign.objects.all())

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


class SupervisionVisitSerializer(SavingSerializer):
    project = RelatedField(queryset=LivelihoodProject.objects.all())

    class Meta:
        model = SupervisionVisit
        fields = ["id", "project", "visited_on", "method", "is_review", "findings", "follow_up"]


class CleanUnitSerializer(ScopedModelSerializer):
    organization = serializers.PrimaryKeyRelatedField(queryset=Organization.objects.all())
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
        fields = ["id", "user", "username", "clue", "case", "via", "path", "at"]
