from __future__ import annotations

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.api.fields import ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from governance.masking import can_view_personal_data, mask_id_number, mask_phone
from governance.models import Division, Person
from governance.validators import validate_id_number, validate_phone
from security.models import (
    Category,
    Channel,
    Dispute,
    DisputeEvent,
    JudicialConfirmation,
    MediationAgreement,
    MediationBody,
    PartyRole,
    PatrolLog,
    PatrolTeam,
    PoliceRoom,
    RiskLevel,
    RoutingRule,
    Satisfaction,
    SecurityStat,
    Status,
)
from security.services import allowed_moves

_LABELS: dict[tuple[str, str | None], dict] = {}


class LabelField(serializers.ReadOnlyField):
    """A choice's label, looked up in a per-language map: ``get_<field>_display()`` rebuilds and
    translates the whole choice list on every call, which dominated a 50-row list."""

    def __init__(self, choices: type, **kwargs):
        self.choices_class = choices
        super().__init__(**kwargs)

    def to_representation(self, value):
        key = (self.choices_class.__qualname__, get_language())
        labels = _LABELS.get(key)
        if labels is None:
            labels = _LABELS[key] = {choice.value: str(choice.label) for choice in self.choices_class}
        return labels.get(value, value)


class DivisionRefMixin(serializers.Serializer):
    division = ScopedSlugRelatedField(slug_field="code", queryset=Division.objects.all(), help_text=_("区划代码"))
    division_id = serializers.IntegerField(read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)


def role_labels(value: str) -> str:
    return LabelField(PartyRole).to_representation(value)


class PartySerializer(serializers.Serializer):
    """A party: an existing person by id, or a new one by name (and 身份证号, phone)."""

    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, validators=[validate_id_number])
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, validators=[validate_phone])
    role = serializers.ChoiceField(choices=PartyRole.choices)

    def validate_id_number(self, value: str) -> str:
        return value.strip().upper()

    def validate(self, attrs):
        if not attrs.get("person") and not attrs.get("name"):
            raise serializers.ValidationError({"name": _("请填写当事人姓名或选择已登记人员。")}, code="required")
        return attrs


class DisputeListSerializer(serializers.ModelSerializer):
    channel_display = LabelField(Channel, source="channel")
    category_display = LabelField(Category, source="category")
    status_display = LabelField(Status, source="status")
    risk_level_display = LabelField(RiskLevel, source="risk_level")
    division = serializers.CharField(source="division.code", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)
    current_body_name = serializers.CharField(source="current_body.name", read_only=True, default="")
    is_overdue = serializers.BooleanField(read_only=True)
    parties = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = [
            "id",
            "number",
            "channel",
            "channel_display",
            "external_id",
            "category",
            "category_display",
            "division",
            "division_id",
            "division_name",
            "received_at",
            "status",
            "status_display",
            "current_body",
            "current_body_name",
            "deadline",
            "is_overdue",
            "risk_level",
            "risk_level_display",
            "risk_score",
            "risk_reasons",
            "parties",
        ]

    def get_parties(self, dispute) -> list[dict]:
        return [
            {"person": p.person_id, "name": p.person.name, "role": p.role, "role_display": role_labels(p.role)}
            for p in dispute.parties.all()
        ]


class EventSerializer(serializers.ModelSerializer):
    action_display = serializers.CharField(source="get_action_display", read_only=True)
    from_body_name = serializers.CharField(source="from_body.name", read_only=True, default="")
    to_body_name = serializers.CharField(source="to_body.name", read_only=True, default="")
    actor_name = serializers.SerializerMethodField()
    rule_name = serializers.CharField(source="rule.name", read_only=True, default="")

    class Meta:
        model = DisputeEvent
        fields = [
            "id",
            "action",
            "action_display",
            "from_status",
            "to_status",
            "from_body",
            "from_body_name",
            "to_body",
            "to_body_name",
            "actor",
            "actor_name",
            "rule",
            "rule_name",
            "reason",
            "created_at",
        ]

    def get_actor_name(self, event) -> str:
        return str(event.actor) if event.actor_id else str(_("系统"))


class DisputeDetailSerializer(DisputeListSerializer):
    description = serializers.CharField(read_only=True)
    events = EventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    agreement = serializers.SerializerMethodField()

    class Meta(DisputeListSerializer.Meta):
        fields = [
            *DisputeListSerializer.Meta.fields,
            "description",
            "threats_noted",
            "events",
            "allowed_actions",
            "agreement",
        ]

    def get_parties(self, dispute) -> list[dict]:
        request = self.context.get("request")
        full = can_view_personal_data(request.user if request else None)
        rows = super().get_parties(dispute)
        for row, party in zip(rows, dispute.parties.all(), strict=True):
            number, phone = party.person.id_number or "", party.person.phone
            row["id_number"] = number if full else mask_id_number(number)
            row["phone"] = phone if full else mask_phone(phone)
        return rows

    def get_allowed_actions(self, dispute) -> list[str]:
        return allowed_moves(dispute.status)

    def get_agreement(self, dispute) -> dict | None:
        agreement = getattr(dispute, "agreement", None)
        if agreement is None:
            return None
        return AgreementSerializer(agreement).data


class DisputeIntakeSerializer(serializers.ModelSerializer):
    division = ScopedSlugRelatedField(slug_field="code", queryset=Division.objects.all(), help_text=_("区划代码"))
    parties = PartySerializer(many=True)
    external_id = serializers.CharField(max_length=64, required=False, allow_blank=True, allow_null=True)
    received_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Dispute
        fields = [
            "channel",
            "external_id",
            "category",
            "division",
            "description",
            "threats_noted",
            "received_at",
            "parties",
        ]
        # The same external id posted again is answered with the existing case, not refused.
        validators: list = []


class TransferSerializer(serializers.Serializer):
    to_body = serializers.PrimaryKeyRelatedField(queryset=MediationBody.objects.active())
    reason = serializers.CharField(max_length=500)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AgreementSerializer(serializers.ModelSerializer):
    class Meta:
        model = MediationAgreement
        fields = ["terms", "amount", "signed_on", "judicial_confirmation"]
        extra_kwargs = {"judicial_confirmation": {"default": JudicialConfirmation.NONE}}


class VisitSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class MediationBodySerializer(DivisionRefMixin, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = MediationBody
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "level",
            "level_display",
            "division",
            "division_id",
            "division_name",
            "parent",
            "specialities",
            "at_centre",
            "on_duty_24h",
            "phone",
            "is_active",
        ]


class RoutingRuleSerializer(serializers.ModelSerializer):
    division = serializers.CharField(source="division.code", read_only=True, default=None)

    class Meta:
        model = RoutingRule
        fields = [
            "id",
            "name",
            "category",
            "channel",
            "division",
            "risk_level",
            "target_kind",
            "target_body",
            "deadline_days",
            "is_active",
        ]


class PoliceRoomSerializer(DivisionRefMixin, serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True, default="")
    covers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    staff = serializers.SerializerMethodField()

    class Meta:
        model = PoliceRoom
        fields = [
            "id",
            "name",
            "division",
            "division_id",
            "division_name",
            "station",
            "station_name",
            "covers",
            "staff",
            "is_active",
        ]

    def get_staff(self, room) -> list[dict]:
        return [{"name": s.name, "kind": s.kind, "kind_display": s.get_kind_display()} for s in room.staff.all()]


class PatrolTeamSerializer(DivisionRefMixin, serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = PatrolTeam
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "division",
            "division_id",
            "division_name",
            "leader",
            "member_count",
            "is_active",
        ]


class PatrolLogSerializer(DivisionRefMixin, serializers.ModelSerializer):
    team = ScopedPrimaryKeyRelatedField(queryset=PatrolTeam.objects.all())
    team_name = serializers.CharField(source="team.name", read_only=True)
    dispute_number = serializers.CharField(source="dispute.number", read_only=True, default=None)

    class Meta:
        model = PatrolLog
        fields = [
            "id",
            "team",
            "team_name",
            "date",
            "division",
            "division_id",
            "division_name",
            "duration_minutes",
            "findings",
            "dispute",
            "dispute_number",
        ]
        read_only_fields = ["dispute"]


class PatrolFindingSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField()
    parties = PartySerializer(many=True)


class SecurityStatSerializer(DivisionRefMixin, serializers.ModelSerializer):
    class Meta:
        model = SecurityStat
        fields = [
            "id",
            "division",
            "division_id",
            "division_name",
            "month",
            "police_incidents",
            "criminal_cases",
            "administrative_cases",
        ]
