from __future__ import annotations

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from governance.api.fields import (
    PhoneSerializerField,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
)
from governance.api.serializers import DivisionRefMixin
from governance.masking import can_view_personal_data, mask_id_number, mask_phone
from governance.models import Division, Person
from governance.validators import validate_id_number
from security.choices import (
    OPEN_STATUSES,
    Category,
    Channel,
    JudicialConfirmation,
    PartyRole,
    RiskLevel,
    Satisfaction,
    Status,
)
from security.models import (
    Dispute,
    DisputeEvent,
    DisputeParty,
    MediationAgreement,
    MediationBody,
    PatrolLog,
    PatrolTeam,
    PoliceRoom,
    RoutingRule,
    SecurityStat,
)
from security.services import Input, duplicates, moves_for

_LABELS: dict[tuple[str, str | None], dict] = {}


def _labels(choices: type) -> dict:
    """``value → label`` of a choices class in the current language, built once per language."""
    key = (choices.__qualname__, get_language())
    labels = _LABELS.get(key)
    if labels is None:
        labels = _LABELS[key] = {choice.value: str(choice.label) for choice in choices}
    return labels


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.ReadOnlyField):
    """A choice's label, looked up in a per-language map: ``get_<field>_display()`` rebuilds and
    translates the whole choice list on every call, which dominated a 50-row list."""

    def __init__(self, choices: type, **kwargs):
        self.choices_class = choices
        super().__init__(**kwargs)

    def to_representation(self, value):
        return _labels(self.choices_class).get(value, value)


def role_labels(value: str) -> str:
    return _labels(PartyRole).get(value, value)


class PartySerializer(serializers.Serializer):
    """A party: an existing person by id, or a new one by name (and 身份证号, phone)."""

    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True, validators=[validate_id_number])
    phone = PhoneSerializerField(service=True, required=False, allow_blank=True)  # a caller may ring from 12345
    role = serializers.ChoiceField(choices=PartyRole.choices)

    def validate_id_number(self, value: str) -> str:
        return value.strip().upper()

    def validate(self, attrs):
        if not attrs.get("person") and not attrs.get("name"):
            raise serializers.ValidationError({"name": _("请填写当事人姓名或选择已登记人员。")}, code="required")
        return attrs


class DisputeFieldsMixin(serializers.Serializer):
    """The case fields that the list and the detail share."""

    channel_display = LabelField(Channel, source="channel")
    category_display = LabelField(Category, source="category")
    status_display = LabelField(Status, source="status")
    risk_level_display = LabelField(RiskLevel, source="risk_level")
    division = serializers.CharField(source="division.code", read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)
    current_body_name = serializers.CharField(source="current_body.name", read_only=True, default="")
    is_overdue = serializers.BooleanField(read_only=True)
    deadline_provisional = serializers.BooleanField(
        read_only=True,
        help_text=_(
            "期限暂定：办理期限跨入尚无国务院节假日安排的年度（该年既不在 chinese-calendar 中，区里也未录入），"
            "按周一至周五推算，可能与正式安排不符。"
        ),
    )
    parties = serializers.SerializerMethodField()

    FIELDS = [
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
        "deadline_provisional",
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


class DisputeRowsSerializer(serializers.ListSerializer):
    """A page of the dispute list, built from ``.values()`` rows in one pass: the parties of the whole
    page come in one query, labels from per-language maps. Field by field, DRF spent some 20 calls per
    row and most of a 50-row answer."""

    def to_representation(self, data):
        rows = list(data)
        parties: dict[int, list[dict]] = {row["id"]: [] for row in rows}
        party_rows = (
            DisputeParty.objects.filter(dispute_id__in=list(parties))
            .order_by("dispute_id", "id")
            .values_list("dispute_id", "person_id", "person__name", "role")
        )
        roles = _labels(PartyRole)
        for dispute_id, person_id, name, role in party_rows:
            row = {"person": person_id, "name": name, "role": role, "role_display": roles.get(role, role)}
            parties[dispute_id].append(row)
        channels, categories, statuses, risks = _labels(Channel), _labels(Category), _labels(Status), _labels(RiskLevel)
        received_at = serializers.DateTimeField().to_representation
        today, open_statuses = timezone.localdate(), OPEN_STATUSES

        def overdue(row) -> bool:
            return row["status"] in open_statuses and row["deadline"] is not None and row["deadline"] < today

        return [
            {
                "id": row["id"],
                "number": row["number"],
                "channel": row["channel"],
                "channel_display": channels.get(row["channel"], row["channel"]),
                "external_id": row["external_id"],
                "category": row["category"],
                "category_display": categories.get(row["category"], row["category"]),
                "division": row["division__code"],
                "division_id": row["division_id"],
                "division_name": row["division__name"],
                "received_at": received_at(row["received_at"]),
                "status": row["status"],
                "status_display": statuses.get(row["status"], row["status"]),
                "current_body": row["current_body_id"],
                "current_body_name": row["current_body__name"] or "",
                "deadline": row["deadline"] and row["deadline"].isoformat(),
                "deadline_provisional": row["deadline_provisional"],
                "is_overdue": overdue(row),
                "risk_level": row["risk_level"],
                "risk_level_display": risks.get(row["risk_level"], row["risk_level"]),
                "risk_score": row["risk_score"],
                "risk_reasons": row["risk_reasons"],
                "parties": parties[row["id"]],
            }
            for row in rows
        ]


class DisputeListSerializer(DisputeFieldsMixin, ScopedModelSerializer):
    """A row of the dispute list (the fields document it; ``DisputeRowsSerializer`` builds it)."""

    # What the list reads: the row, its place and its body, and nothing else.
    COLUMNS = (
        "id",
        "number",
        "channel",
        "external_id",
        "category",
        "division_id",
        "division__code",
        "division__name",
        "received_at",
        "status",
        "current_body_id",
        "current_body__name",
        "deadline",
        "deadline_provisional",
        "risk_level",
        "risk_score",
        "risk_reasons",
    )

    class Meta:
        model = Dispute
        fields = DisputeFieldsMixin.FIELDS
        list_serializer_class = DisputeRowsSerializer


class EventSerializer(ScopedModelSerializer):
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


class DisputeDetailSerializer(DisputeFieldsMixin, ScopedModelSerializer):
    description = serializers.CharField(read_only=True)
    events = EventSerializer(many=True, read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    agreement = serializers.SerializerMethodField()

    class Meta:
        model = Dispute
        fields = [
            *DisputeFieldsMixin.FIELDS,
            "description",
            "threats_noted",
            "address",
            "people_involved",
            "latitude",
            "longitude",
            "media_url",
            "events",
            "allowed_actions",
            "agreement",
        ]

    def get_parties(self, dispute) -> list[dict]:
        request = self.context.get("request")
        full = can_view_personal_data(request.user if request else None)
        rows = super().get_parties(dispute)
        for row, party in zip(rows, dispute.parties.all(), strict=True):
            number, phone = party.person.id_number or "", party.phone or party.person.phone
            row["id_number"] = number if full else mask_id_number(number)
            row["phone"] = phone if full else mask_phone(phone)
        return rows

    def get_allowed_actions(self, dispute) -> list[str]:
        """The moves (action names) the caller may make now: what the case page shows as buttons."""
        request = self.context.get("request")
        if request is None:
            return []
        return [move.name for move in moves_for(dispute, request.user)]

    def get_agreement(self, dispute) -> dict | None:
        agreement = getattr(dispute, "agreement", None)
        if agreement is None:
            return None
        return AgreementSerializer(agreement).data


class DisputeIntakeSerializer(ScopedModelSerializer):
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
            "address",
            "people_involved",
            "received_at",
            "parties",
        ]
        # The same external id posted again is answered with the existing case, not refused.
        validators: list = []


class EmptySerializer(serializers.Serializer):
    """A move that asks for nothing."""


class TransferSerializer(serializers.Serializer):
    to_body = serializers.PrimaryKeyRelatedField(queryset=MediationBody.objects.active())
    reason = serializers.CharField(max_length=500)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class RequiredReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class AgreementSerializer(ScopedModelSerializer):
    class Meta:
        model = MediationAgreement
        fields = ["terms", "amount", "signed_on", "judicial_confirmation"]
        extra_kwargs = {"judicial_confirmation": {"default": JudicialConfirmation.NONE}}


class VisitSerializer(serializers.Serializer):
    visited_on = serializers.DateField()
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


# The serializer of each kind of move input (``Move.input``).
MOVE_SERIALIZERS: dict[Input, type[serializers.Serializer]] = {
    Input.NONE: EmptySerializer,
    Input.REASON: ReasonSerializer,
    Input.REQUIRED_REASON: RequiredReasonSerializer,
    Input.TRANSFER: TransferSerializer,
    Input.AGREEMENT: AgreementSerializer,
    Input.VISIT: VisitSerializer,
}


class MediationBodySerializer(DivisionRefMixin, ScopedModelSerializer):
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


class RoutingRuleSerializer(ScopedModelSerializer):
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


class PoliceRoomSerializer(DivisionRefMixin, ScopedModelSerializer):
    """A 警务室: ``kind`` ``central`` (中心警务室) or ``community``; ``staff`` ``[{"name", "kind":
    police|auxiliary|affairs_officer, "kind_display"}]`` (民警、辅警、乡镇街道警务专干)."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    station_name = serializers.CharField(source="station.name", read_only=True, default="")
    covers = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    staff = serializers.SerializerMethodField()

    class Meta:
        model = PoliceRoom
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
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


class PatrolTeamSerializer(DivisionRefMixin, ScopedModelSerializer):
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


class PatrolLogSerializer(DivisionRefMixin, ScopedModelSerializer):
    team = ScopedPrimaryKeyRelatedField(queryset=PatrolTeam.objects.all())
    team_name = serializers.CharField(source="team.name", read_only=True)
    dispute_number = serializers.CharField(source="dispute.number", read_only=True, default=None)
    participants = ScopedPrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        many=True,
        required=False,
        help_text=_("巡防人员（人员编号）；保安、快递员、志愿者巡防队的巡防时长按积分规则转化为其家庭的文明积分。"),
    )

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
            "participants",
            "converted_at",
        ]
        read_only_fields = ["dispute", "converted_at"]


class PatrolFindingSerializer(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices)
    description = serializers.CharField()
    parties = PartySerializer(many=True)


class SecurityStatSerializer(DivisionRefMixin, ScopedModelSerializer):
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
            "is_complete",
        ]


class CoverageGapSerializer(serializers.Serializer):
    """A village or community no police room covers (``police-rooms/coverage-gaps/``)."""

    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    parent = serializers.CharField(help_text=_("上级区划名称"))


class StatChangeSerializer(serializers.Serializer):
    """One monthly figure summed over the months compared, against the same months a year before;
    all three null when a month of either year lacks complete returns ("无数据")."""

    current = serializers.IntegerField(allow_null=True)
    previous = serializers.IntegerField(allow_null=True)
    change_pct = serializers.FloatField(allow_null=True, help_text=_("同比变化（%），保留两位小数"))


class SecurityStatsYoySerializer(serializers.Serializer):
    """``stats/yoy/``: each monthly figure summed over the period's ended months, against a year
    before, from complete returns only (``security.selectors.security_stats_comparison``)."""

    division = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    figures = serializers.DictField(child=StatChangeSerializer(), help_text=_("按统计项"))
    months = serializers.ListField(child=serializers.CharField(), help_text=_("参与比较的月份（YYYY-MM）"))
    missing = serializers.ListField(
        child=serializers.CharField(), help_text=_("缺少完整月报的月份（本期或上年同期，YYYY-MM）")
    )


class DisputeElsewhereSerializer(serializers.Serializer):
    """The answer to an intake whose ``external_id`` was registered where the caller may not see it:
    only that it exists."""

    id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(allow_null=True)
    external_id = serializers.CharField()


class IntakeSuggestionSerializer(serializers.Serializer):
    """An earlier case the new one may repeat (issue 20), as ``duplicates.dispute_suggestions`` finds it:
    only the case's own id and number and the kinds of match — never a party's name, 身份证号 or phone."""

    id = serializers.IntegerField(source="dispute.pk", help_text=_("案件内部编号"))
    number = serializers.CharField(source="dispute.number", help_text=_("案件编号（一案一码）"))
    matches = serializers.ListField(
        child=serializers.ChoiceField(choices=list(duplicates.MATCH_LABELS)),
        help_text=_(
            "匹配方式：party_id 身份证号一致，party 同一当事人，party_phone 同一联系电话，place 同一地点同类纠纷"
        ),
    )


class DisputeIntakeResultSerializer(DisputeDetailSerializer):
    """The case as registered, plus ``suggestions`` (read-only): the earlier cases in the caller's scope
    it may repeat — the same list as ``GET …/disputes/<id>/suggestions/``, most matches first, at most
    ``duplicates.SUGGESTION_LIMIT``; empty when there are none."""

    suggestions = serializers.SerializerMethodField(
        help_text=_("疑似重复件或重复信访（调用方可见范围内），供决定是否关联原案")
    )

    class Meta(DisputeDetailSerializer.Meta):
        fields = [*DisputeDetailSerializer.Meta.fields, "suggestions"]

    @extend_schema_field(IntakeSuggestionSerializer(many=True))
    def get_suggestions(self, dispute) -> list[dict]:
        request = self.context.get("request")
        if request is None:
            return []
        found = duplicates.dispute_suggestions(dispute=dispute, user=request.user)
        return IntakeSuggestionSerializer(found, many=True).data
