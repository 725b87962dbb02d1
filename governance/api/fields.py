"""Related fields that offer only what the caller may see."""

from __future__ import annotations

from collections.abc import Mapping

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail
from rest_framework.fields import empty

from governance.phones import PhoneNumberField, phone_normalize
from governance.selectors import choices_in_scope
from governance.services import record_save
from governance.write_path import service_owned_error, service_owned_named


def serializer_scope_roles(field: serializers.Field) -> frozenset[str] | None:
    """The ``scope_roles`` of the model a field's serializer writes (through a ``many=True`` wrapper
    too): a division referenced from an integrity row must be one where the caller is discipline staff."""
    parent = field.parent
    while parent is not None and not hasattr(parent, "Meta"):
        parent = parent.parent
    model = getattr(getattr(parent, "Meta", None), "model", None)
    return getattr(model, "scope_roles", None)


class ScopedRelatedMixin:
    """Only objects in the requesting user's subtree can be referenced (with the roles the written
    model asks for); others are "not found", reported against the field. Related models that are not
    scoped (users, say) are left as they are."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        scoped = choices_in_scope(queryset, request.user if request else None, serializer_scope_roles(self))
        return queryset if scoped is None else scoped


class ScopedPrimaryKeyRelatedField(ScopedRelatedMixin, serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("编号为 {pk_value} 的对象不存在，或不在您的管辖范围内。"),
        "incorrect_type": _("应为整数编号，收到的是 {data_type}。"),
    }


class ScopedSlugRelatedField(ScopedRelatedMixin, serializers.SlugRelatedField):
    default_error_messages = {
        "does_not_exist": _("代码为 {value} 的对象不存在，或不在您的管辖范围内。"),
        "invalid": _("值无效。"),
    }


class PhoneSerializerField(serializers.CharField):
    """A phone number in any common form (``+86 138…``, ``(0738)8123456``), given back in the stored
    form; ``service=True`` accepts service numbers (12345) too. See ``governance.phones``."""

    def __init__(self, *, service: bool = False, **kwargs):
        self.service = service
        kwargs.pop("validators", None)  # the model field's checks are phone_normalize itself
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        return phone_normalize(value, service=self.service) if value else value


def _model_field_path(model, source: str) -> list:
    """The model fields along a dotted ``source`` (``"dispute.number"``), or [] when it is not one
    (a method, a property, ``"*"``)."""
    chain = []
    for name in source.split("."):
        if model is None:
            return []
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return []
        chain.append(field)
        model = field.related_model
    return chain


class ScopedModelSerializer(serializers.ModelSerializer):
    """The base of every model serializer: the related fields DRF builds by itself are scoped too,
    so a foreign key to a scoped model can never point outside the caller's subtree; a phone number
    is read in any common form and stored in one."""

    # (Subclasses without a docstring show this one in the OpenAPI schema: keep it short.)
    # The fields also say what they really carry, so that the OpenAPI schema is the contract:
    # - a read-only field whose source passes through a nullable column (``parent_id``, ``dispute.number``
    #   of a log without a dispute) is ``allow_null``: DRF answers null there, and the schema said never;
    # - an optional writable field takes its model column's default, so a service called with
    #   ``**validated_data`` gets every argument (a declaration without ``days`` was a ``TypeError``).

    serializer_related_field = ScopedPrimaryKeyRelatedField
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        PhoneNumberField: PhoneSerializerField,
    }

    def build_standard_field(self, field_name, model_field):
        field_class, field_kwargs = super().build_standard_field(field_name, model_field)
        if isinstance(model_field, PhoneNumberField):
            field_kwargs["service"] = model_field.service
        return field_class, field_kwargs

    def to_representation(self, instance):
        # DRF skips a field's default when the serializer is partial, so the answer to a PATCH lost
        # every read-only field with a default (a household without a head had no ``head_name``). An
        # answer is the whole object whatever the request was.
        partial, self.partial = self.partial, False
        try:
            return super().to_representation(instance)
        finally:
            self.partial = partial

    #: service-owned fields (``governance.write_path``) a create may name: the viewset hands them to
    #: the creating service
    allowed_on_create: tuple[str, ...] = ()

    def _owned_allowed(self) -> tuple[str, ...]:
        return self.allowed_on_create if self.instance is None else ()

    def to_internal_value(self, data):
        """One write path: a write naming a field only a service sets is refused — 400 on that field,
        code ``service_owned_field``, nothing written — instead of being silently dropped."""
        if isinstance(data, Mapping):
            named = service_owned_named(self.Meta.model, data, allowed=self._owned_allowed())
            if named:
                error = service_owned_error(named)
                raise serializers.ValidationError(
                    {
                        name: [ErrorDetail(str(e.message), code=e.code) for e in errors]
                        for name, errors in error.error_dict.items()
                    }
                )
        return super().to_internal_value(data)

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        # A field only a service sets is read-only here (and so in the OpenAPI schema).
        allowed = set(self.allowed_on_create)
        for name in service_owned_named(model, fields, allowed=allowed):
            fields[name].read_only, fields[name].required = True, False
        for name, field in fields.items():
            chain = [step for step in _model_field_path(model, field.source or name) if step.concrete]
            if not chain:
                continue
            if field.read_only:
                if any(step.null and not step.many_to_many for step in chain):
                    field.allow_null = True
            elif not field.required and field.default is empty and len(chain) == 1 and chain[0].has_default():
                field.default = chain[0].default
        return fields


class RecordSerializer(ScopedModelSerializer):
    """Plain register rows, created and updated through ``record_save`` (the model's own checks, then
    save); many-to-many links are set once the row is saved."""

    def _split_links(self, validated_data: dict) -> dict:
        model = self.Meta.model
        return {
            name: validated_data.pop(name) for name in list(validated_data) if model._meta.get_field(name).many_to_many
        }

    def _save(self, instance, links: dict):
        record_save(instance=instance)
        for name, value in links.items():
            getattr(instance, name).set(value)
        return instance

    def create(self, validated_data):
        links = self._split_links(validated_data)
        return self._save(self.Meta.model(**validated_data), links)

    def update(self, instance, validated_data):
        links = self._split_links(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self._save(instance, links)
