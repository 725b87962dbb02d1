"""Serializers of the integrity API. The reporter (举报人) is not a field of any of them: the API never
carries a reporter's identity, in or out. They only validate: the viewsets' ``perform_create`` /
``perform_update`` call the services, and a service-owned field in a write (a clue's status, a
case's ``closed_on``…) is refused with a 400 naming it (``ServiceOwnedRefusalMixin``)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from governance.api.fields import RecordSerializer, ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from governance.api.queries import AreaQuerySerializer
from governance.api.serializers import DivisionRefMixin
from governance.dates import past_date_validate
from integrity import services
from integrity.choices import Disposition
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
    Milestone,
    Recovery,
    Sanction,
    Subject,
    SupervisionVisit,
    UnitRule,
)
from integrity.models.clues import SUMMARY_MAX_LENGTH


class ServiceOwnedRefusalMixin:
    """A write naming a field only a service may set is refused (400, the field, ``ERR_SERVICE_OWNED``)
    instead of being silently dropped; ``allowed_on_create`` lists the owned fields a create passes to
    the creating service itself (a case's clues go to ``case_file``)."""

    allowed_on_create: tuple[str, ...] = ()

    def to_internal_value(self, data):
        owned = services.service_owned(self.Meta.model)
        allowed = self.allowed_on_create if self.instance is None else ()
        named = [name for name in owned if name in data and name not in allowed]
        if named:
            error = services.service_owned_error(named)
            raise serializers.ValidationError(
                {
                    name: [ErrorDetail(str(e.message), code=e.code) for e in errors]
                    for name, errors in error.error_dict.items()
                }
            )
        return super().to_internal_value(data)


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


class ClueSerializer(ServiceOwnedRefusalMixin, DivisionRefMixin, RecordSerializer):
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
        # 主要问题 at most SUMMARY_MAX_LENGTH characters; 受理日期 from 1950 to today.
        extra_kwargs = {
            "summary": {"max_length": SUMMARY_MAX_LENGTH},
            "received_on": {"validators": [past_date_validate]},
        }


class DisposeSerializer(serializers.Serializer):
    disposition = serializers.ChoiceField(choices=Disposition.choices)
    disposed_on = serializers.DateField()
    decided_by = serializers.CharField(max_length=50)


class CloseSerializer(serializers.Serializer):
    closed_on = serializers.DateField()


class IntegrityCaseSerializer(ServiceOwnedRefusalMixin, DivisionRefMixin, RecordSerializer):
    allowed_on_create = ("clues",)

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
        read_only_fields = ["closed_on"]  # 结案 through the "close" action (``case_close``)


class MeasureSerializer(RecordSerializer):
    class Meta:
        model = Measure
        fields = ["id", "case", "subject", "kind", "start_on", "end_on"]


class SanctionSerializer(RecordSerializer):
    subject_name = serializers.CharField(source="subject.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Sanction
        fields = ["id", "subject", "subject_name", "case", "clue", "kind", "kind_display", "decided_on"]


class RecoverySerializer(RecordSerializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=None)

    class Meta:
        model = Recovery
        fields = ["id", "case", "amount", "kind", "recovered_on"]


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


class CleanUnitSerializer(ServiceOwnedRefusalMixin, ScopedModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = CleanUnit
        fields = ["id", "organization", "organization_name", "kind", "status", "started_on"]


class UnitRuleSerializer(ScopedModelSerializer):
    class Meta:
        model = UnitRule
        fields = [
            "id",
            "unit",
            "title",
            "adopted_on",
            "closes",
            "loopholes_closed",
            "savings_percent",
            "savings_amount",
        ]


class AccessLogSerializer(ScopedModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = AccessLog
        fields = ["id", "user", "username", "action", "target", "row_ids", "clue", "case", "via", "path", "at"]


class CultureSiteSerializer(ScopedModelSerializer):
    """廉洁文化阵地; ``visits`` is the participants of its activities summed, ``activity_count`` their number."""

    activity_count = serializers.IntegerField(read_only=True)
    visits = serializers.IntegerField(read_only=True)

    class Meta:
        model = CultureSite
        fields = [
            "id",
            "name",
            "kind",
            "division",
            "organization",
            "address",
            "latitude",
            "longitude",
            "opened_on",
            "activity_count",
            "visits",
        ]
        read_only_fields = fields


class CultureActivitySerializer(ScopedModelSerializer):
    class Meta:
        model = CultureActivity
        fields = ["id", "title", "target", "division", "site", "held_on", "participants"]
        read_only_fields = fields
