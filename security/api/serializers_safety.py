"""Serializers of issue 16's safety registers: 三防联保 resources and coverage, the duty roster and its
gaps, patrol hours → points (kept apart from ``serializers`` to keep each module readable)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from governance.api.fields import (
    ScopedModelSerializer,
)
from governance.api.queries import AreaQuerySerializer
from governance.api.serializers import DivisionRefMixin
from security.models import (
    DutyShift,
    ProtectiveResource,
)

_LABELS: dict[tuple[str, str | None], dict] = {}


# --- Issue 16: 三防联保, 24-hour duty, patrol hours → points ----------------------------------------------


class ProtectiveResourceSerializer(DivisionRefMixin, ScopedModelSerializer):
    """A 物防 or 技防 resource; ``kind`` (``physical`` 物防 / ``technical`` 技防) follows from ``category``."""

    kind = serializers.CharField(read_only=True, help_text=_("physical（物防）或 technical（技防）"))
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = ProtectiveResource
        fields = [
            "id",
            "division",
            "division_id",
            "division_name",
            "category",
            "category_display",
            "kind",
            "name",
            "location",
            "owner",
            "quantity",
            "status",
            "status_display",
            "last_inspected_on",
        ]


class ProtectionCoverageSerializer(serializers.Serializer):
    """One village, community or compound of ``protective-resources/coverage/``: whether it has 人防,
    物防 and 技防 (see ``security.selectors.protection_coverage``) and the kinds it lacks."""

    code = serializers.CharField()
    name = serializers.CharField()
    level = serializers.CharField()
    people = serializers.BooleanField(help_text=_("人防：在岗巡防队或近30天巡防记录"))
    physical = serializers.BooleanField(help_text=_("物防：状态正常的门岗、道闸、消防器材"))
    technical = serializers.BooleanField(help_text=_("技防：状态正常的视频监控、门禁、报警装置"))
    missing = serializers.ListField(child=serializers.CharField(), help_text=_("缺少的类别（中文）"))


class DutyShiftSerializer(ScopedModelSerializer):
    """A duty shift: who (``name``, ``post``, ``phone``), where (``body``, ``place``), from–to (ISO 8601)."""

    body_name = serializers.CharField(source="body.name", read_only=True)

    class Meta:
        model = DutyShift
        fields = ["id", "body", "body_name", "name", "post", "phone", "place", "starts_at", "ends_at"]


class DutyGapSerializer(serializers.Serializer):
    """One 24-hour body of ``duty-shifts/gaps/``: the stretches of the next 7 days with nobody on duty.
    Reads ``security.selectors.duty_gaps``' rows (``{"body": MediationBody, "gap_hours", "gaps"}``)."""

    body = serializers.IntegerField(source="body.pk")
    body_name = serializers.CharField(source="body.name")
    gap_hours = serializers.DecimalField(max_digits=6, decimal_places=1, help_text=_("无人值班小时数"))
    gaps = serializers.ListField(
        child=serializers.ListField(child=serializers.DateTimeField(), min_length=2, max_length=2),
        help_text=_("空档时段 [开始, 结束]"),
    )


class PatrolConvertQuerySerializer(AreaQuerySerializer):
    """``patrol-logs/convert/``: convert patrols dated up to ``until`` (default today) in ``within`` (a
    division code; default the caller's area)."""

    until = serializers.DateField(required=False)

    def validate_until(self, value):
        if value > timezone.localdate():
            raise serializers.ValidationError(_("不能晚于今天。"))
        return value


class PatrolConvertResultSerializer(serializers.Serializer):
    """What a conversion did: logs converted, point entries written, logs refused with their errors."""

    logs = serializers.IntegerField()
    entries = serializers.IntegerField()
    refused = serializers.ListField(child=serializers.DictField())
