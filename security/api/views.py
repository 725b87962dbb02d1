"""``/api/v1/security/``: disputes (intake from other systems, moves as actions), bodies, rules, police
rooms and their coverage, patrols and monthly figures. Every queryset is scoped by ``for_user``."""

from __future__ import annotations

import datetime

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from governance.api.pagination import KeysetPagination
from governance.api.permissions import ScopedModelPermissions
from governance.api.views import ScopedViewSetMixin
from governance.models import Division
from security import services
from security.api import serializers
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
    MediationBody,
    PatrolLog,
    PatrolTeam,
    PoliceRoom,
    RoutingRule,
    SecurityStat,
)
from security.selectors import coverage_gaps, security_stats_yoy

MOVES = {"route", "accept", "transfer", "return_", "mediate", "agreement", "fail", "escalate", "close", "visit"}


class Conflict(exceptions.ValidationError):
    """409 with the one error body, naming the field (``status``, ``current_body``…) that forbids the move."""

    status_code = status.HTTP_409_CONFLICT


class DisputePermissions(ScopedModelPermissions):
    """Moving a case needs "change dispute"; registering one needs "add dispute"."""

    def has_permission(self, request, view):
        if getattr(view, "action", None) in MOVES:
            user = request.user
            return bool(user and user.is_authenticated and user.has_perm("security.change_dispute"))
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
        return {
            "list": serializers.DisputeListSerializer,
            "create": serializers.DisputeIntakeSerializer,
            "transfer": serializers.TransferSerializer,
            "agreement": serializers.AgreementSerializer,
            "visit": serializers.VisitSerializer,
            "fail": serializers.RequiredReasonSerializer,
            "escalate": serializers.RequiredReasonSerializer,
            "return_": serializers.RequiredReasonSerializer,
        }.get(
            self.action,
            serializers.DisputeDetailSerializer if self.action == "retrieve" else serializers.ReasonSerializer,
        )

    def _detail(self, dispute: Dispute, code: int = status.HTTP_200_OK) -> Response:
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
        return Response(serializers.DisputeDetailSerializer(fresh, context=self.get_serializer_context()).data, code)

    @extend_schema(request=serializers.DisputeIntakeSerializer, responses=serializers.DisputeDetailSerializer)
    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        parties = _parties(data.pop("parties"))
        dispute, created = services.dispute_intake(**data, parties=parties, received_by=request.user)
        if not created and not self.get_queryset().filter(pk=dispute.pk).exists():
            # Registered before, but not where this caller may see it: say only that it exists.
            return Response({"id": None, "number": None, "external_id": dispute.external_id}, status.HTTP_200_OK)
        return self._detail(dispute, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _move(self, request, func, **extra) -> Response:
        dispute = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            result = func(dispute=dispute, by=request.user, **serializer.validated_data, **extra)
        except services.DisputeConflict as error:
            raise Conflict(as_serializer_error(error)) from None
        return self._detail(getattr(result, "dispute", result))

    @action(detail=True, methods=["post"])
    def route(self, request, pk=None):
        """received → routed, by the routing rules."""
        dispute = self.get_object()
        try:
            services.dispute_route(dispute=dispute, by=request.user)
        except services.DisputeConflict as error:
            raise Conflict(as_serializer_error(error)) from None
        return self._detail(dispute)

    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        """The receiving body accepts the case (only that body may)."""
        return self._move(request, services.dispute_accept)

    @action(detail=True, methods=["post"])
    def transfer(self, request, pk=None):
        """Hand the case to another body, which must accept it."""
        return self._move(request, services.dispute_transfer)

    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """Send a transferred case back to the body that sent it."""
        return self._move(request, services.dispute_return)

    @action(detail=True, methods=["post"])
    def mediate(self, request, pk=None):
        """accepted → mediating."""
        return self._move(request, services.dispute_mediate)

    @action(detail=True, methods=["post"])
    def agreement(self, request, pk=None):
        """mediating → agreement, with terms and amount."""
        return self._move(request, services.dispute_record_agreement)

    @action(detail=True, methods=["post"])
    def fail(self, request, pk=None):
        """mediating → failed (then one level up)."""
        return self._move(request, services.dispute_fail)

    @action(detail=True, methods=["post"])
    def escalate(self, request, pk=None):
        """One level up, to the 综治中心 above."""
        return self._move(request, services.dispute_escalate)

    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the case."""
        return self._move(request, services.dispute_close)

    @action(detail=True, methods=["post"])
    def visit(self, request, pk=None):
        """回访 with satisfaction."""
        return self._move(request, services.dispute_visit)


class MediationBodyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """调处主体 (kept in the admin)."""

    queryset = MediationBody.objects.select_related("division")
    serializer_class = serializers.MediationBodySerializer
    filterset_class = MediationBodyFilterSet


class RoutingRuleViewSet(viewsets.ReadOnlyModelViewSet):
    """分流规则 (kept in the admin)."""

    queryset = RoutingRule.objects.select_related("division").order_by("name")
    serializer_class = serializers.RoutingRuleSerializer


class PoliceRoomViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """警务室 with their staff and the villages/communities they cover."""

    queryset = PoliceRoom.objects.select_related("division", "station").prefetch_related("covers", "staff")
    serializer_class = serializers.PoliceRoomSerializer
    filterset_class = PoliceRoomFilterSet

    @action(detail=False, methods=["get"], url_path="coverage-gaps", url_name="coverage-gaps")
    def coverage_gaps(self, request):
        """Villages and communities no police room covers, in ``within`` (a code; default: your area)."""
        scope = Division.objects.for_user(request.user)
        code = request.query_params.get("within")
        division = get_object_or_404(scope, code=code) if code else scope.order_by("depth", "path").first()
        if division is None:
            return Response([])
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

    def perform_create(self, serializer):
        from governance.services import record_save

        serializer.instance = record_save(instance=PatrolLog(**serializer.validated_data))

    @extend_schema(request=serializers.PatrolFindingSerializer, responses=serializers.PatrolLogSerializer)
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
        try:
            services.patrol_log_open_dispute(log=log, by=request.user, parties=_parties(data.pop("parties")), **data)
        except services.DisputeConflict as error:
            raise Conflict(as_serializer_error(error)) from None
        log.refresh_from_db()
        return Response(serializers.PatrolLogSerializer(log, context=self.get_serializer_context()).data, 201)


class SecurityStatViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """治安统计 (monthly, entered or imported in the admin) and ``yoy`` for any period and subtree."""

    queryset = SecurityStat.objects.select_related("division")
    serializer_class = serializers.SecurityStatSerializer
    filterset_class = SecurityStatFilterSet

    @action(detail=False, methods=["get"])
    def yoy(self, request):
        """``?within=<code>&start=YYYY-MM-DD&end=YYYY-MM-DD`` (default: this year so far)."""
        scope = Division.objects.for_user(request.user)
        code = request.query_params.get("within")
        division = get_object_or_404(scope, code=code) if code else scope.order_by("depth", "path").first()
        today = timezone.localdate()
        try:
            start = datetime.date.fromisoformat(request.query_params.get("start") or f"{today.year}-01-01")
            end = datetime.date.fromisoformat(request.query_params.get("end") or today.isoformat())
        except ValueError:
            raise exceptions.ValidationError({"start": [_("日期格式应为 YYYY-MM-DD。")]}) from None
        if division is None:
            return Response({})
        figures = security_stats_yoy(division=division, start=start, end=end)
        return Response({"division": division.code, "start": start, "end": end, "figures": figures})
