"""``/api/v1/security/disputes/<id>/suggestions/`` and ``…/link/`` (issue 20): the earlier cases a case
may repeat, and linking it to one as a duplicate or a repeat. Both cases are found through ``for_user``
(out of scope: 404 for the case, a 400 naming ``original`` for the other); a suggestion carries the
earlier case's own fields and the kinds of match, never a party's name, 身份证号 or phone."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.permissions import ScopedModelPermissions
from governance.api.views import ScopedViewSetMixin
from security import services
from security.models import Dispute, LinkKind
from security.services import duplicates


class SuggestionSerializer(serializers.Serializer):
    """An earlier case in the caller's scope that may be the same matter or the same people again."""

    id = serializers.IntegerField(source="dispute.pk", help_text="案件内部编号")
    number = serializers.CharField(source="dispute.number", help_text="案件编号（一案一码）")
    category = serializers.CharField(source="dispute.category", help_text="纠纷类型代码")
    division = serializers.CharField(source="dispute.division.code", help_text="发生地区划代码")
    status = serializers.CharField(source="dispute.status", help_text="状态代码")
    received_at = serializers.DateTimeField(source="dispute.received_at", help_text="受理时间（ISO 8601）")
    matches = serializers.ListField(
        child=serializers.ChoiceField(choices=list(duplicates.MATCH_LABELS)),
        help_text="匹配方式：party_id 身份证号一致，party 同一当事人，party_phone 同一联系电话，place 同一地点同类纠纷",
    )
    match_labels = serializers.ListField(child=serializers.CharField(), source="labels", help_text="匹配方式（中文）")


class LinkSerializer(serializers.Serializer):
    original = serializers.IntegerField(min_value=1, help_text="原案的内部编号（须在调用方可见范围内）")
    kind = serializers.ChoiceField(choices=LinkKind.choices, help_text="duplicate 重复件（并案办结）；repeat 重复信访")
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="", help_text="关联说明")


class LinkResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="dispute_id")
    original = serializers.IntegerField(source="original_id")
    original_number = serializers.CharField(source="original.number")
    kind = serializers.CharField()
    status = serializers.CharField(source="dispute.status", help_text="本案关联后的状态（重复件为已办结）")
    risk_score = serializers.IntegerField(source="dispute.risk_score", help_text="本案关联后的民转刑风险分")


class LinkPermissions(ScopedModelPermissions):
    """Reading suggestions needs "view dispute"; linking needs "change dispute" (``MOVE_PERMISSION``)."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) == "link":
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm(services.MOVE_PERMISSION))
        return super().has_permission(request, view)


class DisputeRepeatsViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """Repeat and duplicate detection of one case."""

    queryset = Dispute.objects.select_related("division")
    permission_classes = [LinkPermissions]
    serializer_class = LinkSerializer

    @extend_schema(
        summary="疑似重复件或重复信访",
        description="调用方可见范围内、当事人（身份证号、联系电话）相同或同一地点同类的未办结或近期案件，"
        "最多十件，匹配项多者在前；只返回案件本身的信息和匹配方式，不返回当事人的姓名、证件号或电话。",
        responses=SuggestionSerializer(many=True),
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def suggestions(self, request, pk=None) -> Response:
        """Earlier cases in the caller's scope with the same party (身份证号, phone) or place and category
        (open, or received within ``SECURITY_REPEAT_WINDOW_DAYS``); at most ten, most matches first."""
        dispute = self.get_object()
        found = duplicates.dispute_suggestions(dispute=dispute, user=request.user)
        return Response(SuggestionSerializer(found, many=True).data)

    @extend_schema(
        summary="关联原案",
        description="把本案关联为原案的重复件（本案办结并随原案办理）或重复信访（计入重复次数，提高风险分）。"
        "原案不在可见范围内或数据有误时返回 400 并指明字段，已关联过时返回 409，均不写入任何数据。",
        request=LinkSerializer,
        responses={201: LinkResultSerializer},
    )
    @action(detail=True, methods=["post"])
    def link(self, request, pk=None) -> Response:
        """Link the case to an earlier one: a duplicate is closed and follows the original; a repeat is
        counted and raises the risk. 400 naming the field for bad input or an original out of scope,
        409 when the case is linked already; nothing is written then."""
        dispute = self.get_object()
        serializer = LinkSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        original = Dispute.objects.for_user(request.user).filter(pk=data["original"]).first()
        if original is None:
            raise serializers.ValidationError({"original": ["找不到该原案，或不在您的管辖范围内。"]})
        link = duplicates.dispute_link(
            dispute=dispute, original=original, kind=data["kind"], by=request.user, reason=data["reason"]
        )
        link.dispute.refresh_from_db()
        return Response(LinkResultSerializer(link).data, status=status.HTTP_201_CREATED)
