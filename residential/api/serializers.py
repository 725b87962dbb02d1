"""Serializers of the residential API. Writes go through the model's own checks (``record_save``) or
a service; references to other rows are limited to the caller's subtree."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.api.fields import (
    RecordSerializer,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
    ScopedSlugRelatedField,
)
from governance.api.queries import ChangeSerializer
from governance.models import Division, Organization, Person
from governance.services import record_save
from residential.choices import WorkStatus
from residential.models import (
    BuildingCouncilMeeting,
    CommitteeRectification,
    Compound,
    CreditEvaluation,
    CreditPeriod,
    CreditScore,
    EnforcementVisit,
    MeetingParticipant,
    MeetingResolution,
    OwnersCommittee,
    Petition,
    PropertyCompany,
    PropertyContract,
    RedBlackEntry,
    RedBlackList,
    ScoringItem,
)
from residential.services import (
    committee_member_add,
    compound_save,
    evaluation_save,
    red_black_list_draft,
)


class CompoundSerializer(ScopedModelSerializer):
    code = serializers.CharField(source="division.code", max_length=32)
    name = serializers.CharField(source="division.name", max_length=100)
    community = ScopedSlugRelatedField(
        source="division.parent", slug_field="code", queryset=Division.objects.all(), help_text=_("社区区划代码")
    )
    community_name = serializers.CharField(source="division.parent.name", read_only=True)
    party_branch = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), allow_null=True, required=False)
    division_id = serializers.IntegerField(read_only=True)

    class Meta:
        model = Compound
        fields = [
            "id",
            "code",
            "name",
            "community",
            "community_name",
            "division_id",
            "address",
            "joined_on",
            "party_branch",
        ]

    def _save(self, compound, validated_data):
        division = validated_data.pop("division", {})
        current = compound.division if compound else None
        return compound_save(
            compound=compound,
            code=division.get("code", current.code if current else ""),
            name=division.get("name", current.name if current else ""),
            community=division.get("parent", current.parent if current else None),
            address=validated_data.get("address", compound.address if compound else ""),
            joined_on=validated_data.get("joined_on", compound.joined_on if compound else None),
            party_branch=validated_data.get("party_branch", compound.party_branch if compound else None),
        )

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class PropertyCompanySerializer(RecordSerializer):
    division = ScopedSlugRelatedField(slug_field="code", queryset=Division.objects.all(), help_text=_("监管区划代码"))

    class Meta:
        model = PropertyCompany
        fields = ["id", "name", "uscc", "contact_person", "phone", "address", "division"]

    def validate_uscc(self, value: str) -> str:
        return value.strip().upper()


class PropertyContractSerializer(RecordSerializer):
    compound = ScopedPrimaryKeyRelatedField(queryset=Compound.objects.all())
    company = ScopedPrimaryKeyRelatedField(queryset=PropertyCompany.objects.all())
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = PropertyContract
        fields = ["id", "compound", "company", "company_name", "start_date", "end_date", "note"]


class OwnersCommitteeSerializer(ScopedModelSerializer):
    compound = ScopedPrimaryKeyRelatedField(queryset=Compound.objects.all())
    name = serializers.CharField(source="organization.name", read_only=True)
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    member_count = serializers.IntegerField(read_only=True)
    party_count = serializers.IntegerField(read_only=True)
    party_share = serializers.FloatField(read_only=True)
    party_rule_met = serializers.BooleanField(read_only=True)
    cross_in_branch = serializers.IntegerField(read_only=True, help_text=_("同时在小区党支部任职的委员数"))
    branch_in_committee = serializers.IntegerField(read_only=True, help_text=_("同时在业委会任职的支部委员数"))
    term_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = OwnersCommittee
        fields = [
            "id",
            "compound",
            "organization",
            "name",
            "term_start",
            "term_end",
            "member_count",
            "party_count",
            "party_share",
            "party_rule_met",
            "cross_in_branch",
            "branch_in_committee",
            "term_expired",
        ]

    def create(self, validated_data):
        from residential.services import committee_create

        return committee_create(**validated_data)

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return record_save(instance=instance)


class CommitteeMemberSerializer(serializers.Serializer):
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all())
    title = serializers.CharField(max_length=50, default="委员")
    is_head = serializers.BooleanField(default=False)
    id = serializers.IntegerField(read_only=True)
    person_name = serializers.CharField(source="person.name", read_only=True)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)

    def create(self, validated_data):
        return committee_member_add(committee=self.context["committee"], **validated_data)


class CommitteeRectificationSerializer(RecordSerializer):
    committee = ScopedPrimaryKeyRelatedField(queryset=OwnersCommittee.objects.all())

    class Meta:
        model = CommitteeRectification
        fields = ["id", "committee", "kind", "found_on", "problem", "measures", "deadline", "status", "done_on"]


class CreditScoreSerializer(ScopedModelSerializer):
    item = serializers.PrimaryKeyRelatedField(queryset=ScoringItem.objects.all())
    item_name = serializers.CharField(source="item.name", read_only=True)

    class Meta:
        model = CreditScore
        fields = ["item", "item_name", "score"]


class CreditEvaluationSerializer(ScopedModelSerializer):
    company = ScopedPrimaryKeyRelatedField(queryset=PropertyCompany.objects.all())
    company_name = serializers.CharField(source="company.name", read_only=True)
    period = ScopedPrimaryKeyRelatedField(queryset=CreditPeriod.objects.all())
    period_name = serializers.CharField(source="period.name", read_only=True)
    scores = CreditScoreSerializer(many=True)
    evaluator = serializers.StringRelatedField(read_only=True)
    published_by = serializers.StringRelatedField(read_only=True)

    class Meta:
        model = CreditEvaluation
        fields = [
            "id",
            "company",
            "company_name",
            "period",
            "period_name",
            "evaluated_on",
            "evaluator",
            "scores",
            "item_total",
            "petition_count",
            "petition_deduction",
            "total",
            "grade",
            "note",
            "status",
            "published_at",
            "published_by",
        ]
        read_only_fields = ["item_total", "petition_count", "petition_deduction", "total", "grade"]

    def _save(self, instance, validated_data):
        scores = validated_data.pop("scores", None)
        if scores is None:
            scores = [{"item": s.item, "score": s.score} for s in instance.scores.select_related("item")]
        data = {
            "company": instance.company if instance else None,
            "period": instance.period if instance else None,
            "evaluated_on": instance.evaluated_on if instance else None,
            "note": instance.note if instance else "",
            **validated_data,
        }
        request = self.context.get("request")
        return evaluation_save(
            evaluation=instance,
            scores=[(s["item"], s["score"]) for s in scores],
            evaluator=request.user if request else None,
            **data,
        )

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class RedBlackEntrySerializer(ScopedModelSerializer):
    company_name = serializers.CharField(source="company.name", read_only=True)

    class Meta:
        model = RedBlackEntry
        fields = ["side", "rank", "company", "company_name", "total", "grade"]


class RedBlackListSerializer(ScopedModelSerializer):
    period = ScopedPrimaryKeyRelatedField(queryset=CreditPeriod.objects.all())
    entries = RedBlackEntrySerializer(many=True, read_only=True)
    is_published = serializers.BooleanField(read_only=True)

    class Meta:
        model = RedBlackList
        fields = [
            "id",
            "period",
            "title",
            "red_size",
            "black_size",
            "note",
            "is_published",
            "published_at",
            "entries",
        ]
        read_only_fields = ["published_at"]
        extra_kwargs = {"title": {"required": False}}

    def _save(self, instance, validated_data):
        data = {
            "period": instance.period if instance else None,
            "title": instance.title if instance else "",
            "red_size": instance.red_size if instance else 3,
            "black_size": instance.black_size if instance else 3,
            "note": instance.note if instance else "",
            **validated_data,
        }
        return red_black_list_draft(red_black_list=instance, **data)

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)


class MeetingParticipantSerializer(ScopedModelSerializer):
    class Meta:
        model = MeetingParticipant
        fields = ["kind", "name"]


class MeetingResolutionSerializer(ScopedModelSerializer):
    """楼宇会决议: what, who is responsible, by when, and its follow-up."""

    id = serializers.IntegerField(
        required=False, help_text=_("修改已有决议时填写其编号；不填则新增一条决议。未列出的决议保持不变。")
    )

    class Meta:
        model = MeetingResolution
        fields = ["id", "content", "owner_kind", "owner", "deadline", "status", "follow_up", "done_on"]


class BuildingCouncilMeetingSerializer(ScopedModelSerializer):
    """楼宇会. Only validates: ``BuildingCouncilMeetingViewSet`` records it through ``meeting_record`` and
    changes it through ``meeting_update`` (one transaction: ``participants`` given replace the list,
    ``resolutions`` are added or, named by ``id``, changed — none removed)."""

    compound = ScopedPrimaryKeyRelatedField(queryset=Compound.objects.all())
    compound_name = serializers.CharField(source="compound.division.name", read_only=True)
    participants = MeetingParticipantSerializer(many=True)
    resolutions = MeetingResolutionSerializer(many=True, required=False)

    class Meta:
        model = BuildingCouncilMeeting
        fields = ["id", "compound", "compound_name", "held_on", "place", "topics", "participants", "resolutions"]


class FollowUpInputSerializer(serializers.Serializer):
    """A follow-up to record (``follow_up_record``): 办理中 with a note, or 已办结 on a day (default today)."""

    status = serializers.ChoiceField(choices=[(WorkStatus.IN_PROGRESS, _("办理中")), (WorkStatus.DONE, _("已办结"))])
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    done_on = serializers.DateField(required=False, allow_null=True, default=None)


class MeetingResolutionFollowUpSerializer(RecordSerializer):
    """A resolution with its follow-up, as read; the follow-up is recorded by ``follow-up/``."""

    meeting = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = MeetingResolution
        fields = ["id", "meeting", "content", "owner_kind", "owner", "deadline", "status", "follow_up", "done_on"]
        read_only_fields = ["content", "owner_kind", "owner", "deadline"]


class PetitionSerializer(RecordSerializer):
    compound = ScopedPrimaryKeyRelatedField(queryset=Compound.objects.all())
    compound_name = serializers.CharField(source="compound.division.name", read_only=True)
    company = ScopedPrimaryKeyRelatedField(queryset=PropertyCompany.objects.all(), allow_null=True, required=False)
    committee = ScopedPrimaryKeyRelatedField(queryset=OwnersCommittee.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Petition
        fields = [
            "id",
            "number",
            "compound",
            "compound_name",
            "received_on",
            "channel",
            "category",
            "against",
            "company",
            "committee",
            "summary",
            "status",
            "outcome",
            "closed_on",
        ]


class EnforcementVisitSerializer(RecordSerializer):
    compound = ScopedPrimaryKeyRelatedField(queryset=Compound.objects.all())

    class Meta:
        model = EnforcementVisit
        fields = [
            "id",
            "compound",
            "department",
            "visited_on",
            "problems_found",
            "problem_count",
            "rectify_by",
            "rectified_on",
        ]


class PetitionYoyChildSerializer(ChangeSerializer):
    division = serializers.CharField()


class PetitionYoySerializer(ChangeSerializer):
    """``petitions/yoy/``: petitions of the period against a year before, in total and per child division."""

    division = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    children = PetitionYoyChildSerializer(many=True)
