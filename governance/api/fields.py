from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ScopedRelatedMixin:
    """Only objects in the requesting user's subtree can be referenced; others are "not found",
    reported against the field."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request")
        return queryset.for_user(request.user if request else None)


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
