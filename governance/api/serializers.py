from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.api.fields import ScopedModelSerializer, ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from governance.masking import can_view_personal_data, mask_id_number, mask_phone
from governance.models import Division, Household, HouseholdMember, Organization, Person, Post, Relation
from governance.services import household_create, household_update, record_save


class DivisionSerializer(ScopedModelSerializer):
    parent = ScopedSlugRelatedField(slug_field="code", queryset=Division.objects.all(), allow_null=True, required=False)
    parent_id = serializers.IntegerField(read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Division
        fields = ["id", "code", "name", "level", "level_display", "parent", "parent_id", "path", "depth", "is_active"]
        read_only_fields = ["path", "depth"]


class DivisionRefMixin(serializers.Serializer):
    division = ScopedSlugRelatedField(slug_field="code", queryset=Division.objects.all(), help_text=_("区划代码"))
    division_id = serializers.IntegerField(read_only=True)
    division_name = serializers.CharField(source="division.name", read_only=True)


class PersonSerializer(DivisionRefMixin, ScopedModelSerializer):
    # Both come from the 身份证号: null for a person without one, and the birth date is masked.
    sex = serializers.CharField(read_only=True, allow_null=True)
    birth_date = serializers.DateField(read_only=True, allow_null=True)
    is_party_member = serializers.BooleanField(read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "id_number",
            "phone",
            "sex",
            "birth_date",
            "political_status",
            "is_party_member",
            "division",
            "division_id",
            "division_name",
            "note",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_id_number(self, value: str | None) -> str | None:
        return value.strip().upper() if value else None

    def to_representation(self, instance):
        data = super().to_representation(instance)
        request = self.context.get("request")
        if not can_view_personal_data(request.user if request else None):
            data["id_number"] = mask_id_number(data["id_number"])
            data["phone"] = mask_phone(data["phone"])
            data["birth_date"] = None  # the birth date is part of the 身份证号
        return data

    def create(self, validated_data):
        return record_save(instance=Person(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return record_save(instance=instance)


class HouseholdMemberSerializer(ScopedModelSerializer):
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all())
    person_name = serializers.CharField(source="person.name", read_only=True)
    relation_display = serializers.CharField(source="get_relation_display", read_only=True)

    class Meta:
        model = HouseholdMember
        fields = ["person", "person_name", "relation", "relation_display"]


class HouseholdSerializer(DivisionRefMixin, ScopedModelSerializer):
    head = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all(), allow_null=True, required=False)
    head_name = serializers.CharField(source="head.name", read_only=True, default="")
    members = HouseholdMemberSerializer(many=True, required=False)

    class Meta:
        model = Household
        fields = [
            "id",
            "number",
            "address",
            "division",
            "division_id",
            "division_name",
            "head",
            "head_name",
            "members",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    @staticmethod
    def _members(validated_data: dict) -> list[tuple[Person, str]]:
        return [(m["person"], m.get("relation", Relation.OTHER)) for m in validated_data.pop("members", [])]

    def create(self, validated_data):
        members = self._members(validated_data)
        validated_data.setdefault("head", None)  # optional in the API, keyword-only in the service
        return household_create(**validated_data, members=members)

    def update(self, instance, validated_data):
        if "members" in validated_data:
            members = self._members(validated_data)
        else:
            members = [(m.person, m.relation) for m in instance.members.select_related("person")]
        head = validated_data.pop("head", instance.head)
        return household_update(household=instance, head=head, members=members, **validated_data)


class OrganizationSerializer(DivisionRefMixin, ScopedModelSerializer):
    parent = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), allow_null=True, required=False)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id",
            "kind",
            "kind_display",
            "name",
            "division",
            "division_id",
            "division_name",
            "parent",
            "uscc",
            "founded_on",
            "is_active",
        ]

    def create(self, validated_data):
        return record_save(instance=Organization(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return record_save(instance=instance)


class PostSerializer(ScopedModelSerializer):
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all())
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    person = ScopedPrimaryKeyRelatedField(queryset=Person.objects.all())
    person_name = serializers.CharField(source="person.name", read_only=True)

    class Meta:
        model = Post
        fields = [
            "id",
            "organization",
            "organization_name",
            "person",
            "person_name",
            "title",
            "is_head",
            "start_date",
            "end_date",
        ]

    def create(self, validated_data):
        return record_save(instance=Post(**validated_data))

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return record_save(instance=instance)
