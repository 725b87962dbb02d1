"""``/api/v1/security/``: disputes (intake from other systems, moves as actions), bodies, rules, police
rooms and their coverage, patrols and monthly figures. Every queryset is scoped by ``for_user``."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Prefetch
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.pagination import KeysetPagination
from governance.api.permissions import ScopedModelPermissions
from governance.api.queries import AreaPeriodQuerySerializer, AreaQuerySerializer
from governance.api.views import ScopedViewSetMixin
from security import services
from security.api import serializers, serializers_safety
from security.filtersets import (
    DisputeFilterSet,
    MediationBodyFilterSet,
    PatrolLogFilterSet,
    PatrolTeamFilterSet,
    PoliceRoomFilterSet,
    SecurityStatFilterSet,
)
from security.models import (
    Dispute,
    DisputeEvent,
    DisputeParty,
    DutyShift,
    MediationBody,
    PatrolLog,
    PatrolTeam,
    PoliceRoom,
    ProtectiveResource,
    RoutingRule,
    SecurityStat,
)
from security.selectors import coverage_gaps, duty_gaps, protection_coverage, security_stats_comparison


class DisputePermissions(ScopedModelPermissions):
    """Moving a case needs "change dispute" (``MOVE_PERMISSION``); registering one needs "add dispute"."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) in services.MOVES:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm(services.MOVE_PERMISSION))
        return super().has_permission(request, view)


def _parties(items: list[dict]) -> list[services.PartyInput]:
    return [services.PartyInput(**item) for item in items]


class DisputeViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """矛盾纠纷. ``POST`` registers a case from any channel (other systems send ``external_id``: the same
    id posted twice registers one case, the second answer is 200 with it). Moves are actions; a move
    the case's status does not allow answers 409 and changes nothing. Never deleted."""

    queryset = Dispute.objects.select_related("division", "current_body")
    filterset_class = DisputeFilterSet
    permission_classes = [DisputePermissions]
    pagination_class = KeysetPagination
    ordering_fields = ["received_at", "deadline", "risk_score", "id"]
    ordering = ["-received_at", "-id"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "list":
            # Plain rows, read once: the list serializer builds each answer row from them.
            return queryset.values(*serializers.DisputeListSerializer.COLUMNS)
        queryset = queryset.prefetch_related(
            Prefetch("parties", queryset=DisputeParty.objects.select_related("person").order_by("id"))
        )
        if self.action == "retrieve":
            events = DisputeEvent.objects.select_related("from_body", "to_body", "actor", "rule").order_by(
                "created_at", "id"
            )
            queryset = queryset.select_related("agreement").prefetch_related(Prefetch("events", queryset=events))
        return queryset

    def get_serializer_class(self):
        if self.action in services.MOVES:
            return serializers.MOVE_SERIALIZERS[services.MOVES[self.action].input]
        return {
            "list": serializers.DisputeListSerializer,
            "create": serializers.DisputeIntakeSerializer,
        }.get(self.action, serializers.DisputeDetailSerializer)

    def _detail(self, dispute: Dispute, code: int = status.HTTP_200_OK, serializer_class=None) -> Response:
        fresh = (
            self.get_queryset()
            .select_related("agreement")
            .prefetch_related(
                Prefetch(
                    "events", queryset=DisputeEvent.objects.select_related("from_body", "to_body", "actor", "rule")
                )
            )
            .get(pk=dispute.pk)
        )
        serializer_class = serializer_class or serializers.DisputeDetailSerializer
        return Response(serializer_class(fresh, context=self.get_serializer_context()).data, code)

    @extend_schema(
        request=serializers.DisputeIntakeSerializer,
        responses={
            201: serializers.DisputeIntakeResultSerializer,
            200: PolymorphicProxySerializer(
                component_name="DisputeIntakeRepeat",
                serializers=[serializers.DisputeIntakeResultSerializer, serializers.DisputeElsewhereSerializer],
                resource_type_field_name=None,
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parties = _parties(data.pop("parties"))
        place = services.Place(address=data.pop("address", ""), people_involved=data.pop("people_involved", None))
        dispute, created = services.dispute_intake(**data, parties=parties, place=place, received_by=request.user)
        if not created and not self.get_queryset().filter(pk=dispute.pk).exists():
            # Registered before, but not where this caller may see it: say only that it exists.
            body = serializers.DisputeElsewhereSerializer(
                {"id": None, "number": None, "external_id": dispute.external_id}
            )
            return Response(body.data, status.HTTP_200_OK)
        # With the case, the earlier cases (in the caller's scope) it may repeat: issue 20 at intake.
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return self._detail(dispute, code, serializers.DisputeIntakeResultSerializer)

    def move(self, request, *args, **kwargs) -> Response:
        """POST one move of ``services.MOVES`` (the action's name); answers the case as it is now."""
        dispute = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.dispute_move(dispute=dispute, action=self.action, by=request.user, **serializer.validated_data)
        return self._detail(dispute)


def _move_endpoint(move: services.Move):
    """``POST …/disputes/<id>/<move>/`` for one row of the move table, with the row's serializer."""

    def endpoint(self, request, pk=None):
        return self.move(request)

    endpoint.__name__ = move.name
    endpoint.__doc__ = f"{move.label}：a move the case does not allow now answers 409 and changes nothing."
    endpoint = action(detail=True, methods=["post"], url_path=move.name, url_name=move.name)(endpoint)
    request = serializers.MOVE_SERIALIZERS[move.input]
    summary = f"纠纷{move.label}"
    description = f"对纠纷执行“{move.label}”；当前状态或您的身份不允许时返回 409，不做任何改变。"
    return extend_schema(
        summary=summary, description=description, request=request, responses=serializers.DisputeDetailSerializer
    )(endpoint)


# One action per move: a new row of the table is a new endpoint, named as on the page.
for _row in services.MOVES.values():
    setattr(DisputeViewSet, _row.name, _move_endpoint(_row))


class MediationBodyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """调处主体 (kept in the admin)."""

    queryset = MediationBody.objects.select_related("division")
    serializer_class = serializers.MediationBodySerializer
    filterset_class = MediationBodyFilterSet


class RoutingRuleViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """分流规则 (kept in the admin): those of the caller's area and those issued above it."""

    queryset = RoutingRule.objects.select_related("division").order_by("name")
    serializer_class = serializers.RoutingRuleSerializer


class PoliceRoomViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """警务室 with their staff and the villages/communities they cover."""

    queryset = PoliceRoom.objects.select_related("division", "station").prefetch_related("covers", "staff")
    serializer_class = serializers.PoliceRoomSerializer
    filterset_class = PoliceRoomFilterSet

    @extend_schema(
        summary="警务室未覆盖的村（社区）",
        description="管辖范围内（或 `within` 指定区划）没有任何警务室覆盖的村和社区。",
        parameters=[AreaQuerySerializer],
        responses=serializers.CoverageGapSerializer(many=True),
    )
    @action(
        detail=False,
        methods=["get"],
        url_path="coverage-gaps",
        url_name="coverage-gaps",
        filter_backends=[],
        pagination_class=None,
    )
    def coverage_gaps(self, request):
        """Villages and communities no police room covers, in ``within`` (a code; default: your area)."""
        query = AreaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = query.area(request.user)
        rows = [
            {"code": d.code, "name": d.name, "level": d.level, "parent": d.parent.name if d.parent_id else ""}
            for d in coverage_gaps(division=division)
        ]
        return Response(rows)


class PatrolTeamViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """巡防队."""

    queryset = PatrolTeam.objects.select_related("division")
    serializer_class = serializers.PatrolTeamSerializer
    filterset_class = PatrolTeamFilterSet


class PatrolLogViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """巡防记录; a finding can open a dispute (``POST …/open-dispute/``)."""

    queryset = PatrolLog.objects.select_related("division", "team", "dispute")
    serializer_class = serializers.PatrolLogSerializer
    filterset_class = PatrolLogFilterSet

    def get_queryset(self):
        return super().get_queryset().prefetch_related("participants")

    def perform_create(self, serializer):
        from governance.services import record_save

        data = dict(serializer.validated_data)
        participants = data.pop("participants", [])
        with transaction.atomic():
            serializer.instance = record_save(instance=PatrolLog(**data))
            serializer.instance.participants.set(participants)

    @extend_schema(
        summary="巡防时长转化积分（单条）",
        description=(
            "把这条巡防记录（保安、快递员、志愿者巡防队）的时长按巡防积分规则（未设置时按志愿服务积分规则）"
            "转化为巡防人员家庭的文明积分，受规则每户每月上限约束；每条只转化一次，重复调用返回 400。"
        ),
        request=None,
        responses=serializers_safety.PatrolConvertResultSerializer,
    )
    @action(detail=True, methods=["post"], url_path="convert", url_name="convert", serializer_class=None)
    def convert(self, request, pk=None):
        from security.services.patrol_points import patrol_log_convert

        log = self.get_object()
        entries = patrol_log_convert(log=log, by=request.user)
        return Response({"logs": 1, "entries": entries, "refused": []})

    @extend_schema(
        summary="巡防时长转化积分（本辖区）",
        operation_id="security_patrol_logs_convert_due",
        description=(
            "把管辖范围内（或 `within` 指定区划）截至 `until`（默认今天）尚未转化、登记了巡防人员的巡防记录"
            "全部转化；可重复调用，不重复记分。"
        ),
        request=None,
        parameters=[serializers_safety.PatrolConvertQuerySerializer],
        responses=serializers_safety.PatrolConvertResultSerializer,
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="convert",
        url_name="convert-due",
        filter_backends=[],
        pagination_class=None,
        serializer_class=None,
    )
    def convert_due(self, request):
        from security.services.patrol_points import patrol_logs_convert_due

        query = serializers_safety.PatrolConvertQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = query.area(request.user)
        result = patrol_logs_convert_due(until=query.validated_data.get("until"), division=division, by=request.user)
        return Response(result)

    @extend_schema(
        summary="由巡防发现登记纠纷",
        description="把巡防记录中的发现登记为一件矛盾纠纷，并与该记录关联。",
        request=serializers.PatrolFindingSerializer,
        responses=serializers.PatrolLogSerializer,
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="open-dispute",
        url_name="open-dispute",
        serializer_class=serializers.PatrolFindingSerializer,
    )
    def open_dispute(self, request, pk=None):
        log = self.get_object()
        serializer = serializers.PatrolFindingSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        services.patrol_log_open_dispute(log=log, by=request.user, parties=_parties(data.pop("parties")), **data)
        log.refresh_from_db()
        return Response(serializers.PatrolLogSerializer(log, context=self.get_serializer_context()).data, 201)


class SecurityStatViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """治安统计 (monthly, entered or imported in the admin) and ``yoy`` for any period and subtree."""

    queryset = SecurityStat.objects.select_related("division")
    serializer_class = serializers.SecurityStatSerializer
    filterset_class = SecurityStatFilterSet

    @extend_schema(
        summary="治安统计同比",
        description=(
            "管辖范围内（或 `within` 指定区划）`start` 至 `end` 期间的接处警、刑事立案、行政案件"
            "与上年同期比较；默认今年至今。只计已结束且各乡镇（街道）均已确认完整的月份，"
            "任一月份缺少完整月报时同比为 `null`（无数据）。"
        ),
        parameters=[AreaPeriodQuerySerializer],
        responses=serializers.SecurityStatsYoySerializer,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def yoy(self, request):
        """``?within=<code>&start=YYYY-MM-DD&end=YYYY-MM-DD`` (default: this year so far)."""
        query = AreaPeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = query.area(request.user)
        start, end = query.validated_data["start"], query.validated_data["end"]
        comparison = security_stats_comparison(division=division, start=start, end=end)
        return Response({"division": division.code, "start": start, "end": end, **comparison})


# --- Issue 16: 三防联保 resources and coverage, 24-hour duty roster and gaps ------------------------------


class ProtectiveResourceViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """防范资源（物防、技防）, kept in the admin; ``coverage`` answers 三防联保 per village, community and
    compound."""

    queryset = ProtectiveResource.objects.select_related("division")
    serializer_class = serializers_safety.ProtectiveResourceSerializer

    @extend_schema(
        summary="三防联保覆盖",
        description=(
            "管辖范围内（或 `within` 指定区划）每个村、社区、小区是否有人防（在岗巡防队或近30天巡防记录）、"
            "物防、技防（状态正常的防范资源），以及缺少的类别。"
        ),
        parameters=[AreaQuerySerializer],
        responses=serializers_safety.ProtectionCoverageSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def coverage(self, request):
        """``?within=<code>`` (default: your area)."""
        query = AreaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = query.area(request.user)
        rows = [
            {
                "code": row.code,
                "name": row.name,
                "level": row.level,
                "people": row.has_people,
                "physical": row.has_physical,
                "technical": row.has_technical,
                "missing": row.missing,
            }
            for row in protection_coverage(division=division)
        ]
        return Response(rows)


class DutyShiftViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """值班安排 of the police stations' 矛调中心 and the 综治中心 (kept in the admin); ``gaps`` answers the
    stretches of the next 7 days with nobody on duty."""

    queryset = DutyShift.objects.select_related("body")
    serializer_class = serializers_safety.DutyShiftSerializer

    @extend_schema(
        summary="值班空档",
        description=(
            "管辖范围内（或 `within` 指定区划）24小时值守的矛调中心、综治中心在未来7天（从当前整点起）无人值班的时段。"
        ),
        parameters=[AreaQuerySerializer],
        responses=serializers_safety.DutyGapSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def gaps(self, request):
        """``?within=<code>`` (default: your area)."""
        query = AreaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = query.area(request.user)
        rows = duty_gaps(bodies=MediationBody.objects.in_subtree(division))
        # Through the documented serializer, so the answer is the schema's (gap hours a decimal string).
        return Response(serializers_safety.DutyGapSerializer(rows, many=True).data)
