from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.queries import AreaQuerySerializer
from governance.api.views import RegisterViewSet, ScopedViewSetMixin
from villages import selectors, services
from villages.api import serializers
from villages.filtersets import (
    ContractPlotFilterSet,
    HamletFilterSet,
    HamletMeetingFilterSet,
    LandTransferFilterSet,
    OperatorFilterSet,
    ShareHoldingFilterSet,
)
from villages.models import ContractPlot, Hamlet, HamletMeeting, LandTransfer, MeetingResolution, Operator, ShareHolding


class HamletViewSet(RegisterViewSet):
    """屋场 with household and population counts and "三屋同治" completeness flags (filterable);
    ``households/`` moves households of the village into a 屋场, ``households/release/`` takes one out."""

    queryset = Hamlet.objects.all()
    serializer_class = serializers.HamletSerializer
    filterset_class = HamletFilterSet
    ordering_fields = ["id", "division__code"]

    def get_queryset(self):
        return selectors.hamlet_list(queryset=super().get_queryset()).order_by("division__path")

    @extend_schema(
        summary="屋场“三屋同治”完整度",
        description=(
            "管辖范围内（或 `within` 指定区划）屋场总数、组织齐全数，"
            "以及缺党小组、理事会、合作社、负责人或党员的屋场数。"
        ),
        parameters=[AreaQuerySerializer],
        responses=serializers.HamletCompletenessSerializer,
    )
    @action(detail=False, methods=["get"], url_path="completeness", filter_backends=[], pagination_class=None)
    def completeness(self, request):
        """Counts for the caller's scope (or ``within``): total, complete, lacking a body, a head or a Party member."""
        query = AreaQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = query.area(request.user)
        summary = selectors.hamlet_completeness(division=division, queryset=Hamlet.objects.for_user(request.user))
        summary.pop("incomplete")
        return Response({"division": division.code, **summary})

    def _hamlet_response(self, hamlet: Hamlet) -> Response:
        return Response(self.get_serializer(self.get_queryset().get(pk=hamlet.pk)).data)

    @extend_schema(
        summary="家庭户划入屋场",
        description=(
            "把本村的家庭户（连同成员）划入该屋场；已属其他屋场的户会被拒绝（`households` 字段 400），且不移动任何户。"
        ),
        request=serializers.HamletHouseholdsSerializer,
        responses=serializers.HamletSerializer,
    )
    @action(detail=True, methods=["post"])
    def households(self, request, pk=None):
        """Move households of the 屋场's village (and their members) into it; one already in another
        屋场 is refused (400 on ``households``) and nothing moves."""
        hamlet = self.get_object()
        data = serializers.HamletHouseholdsSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.hamlet_households_assign(hamlet=hamlet, households=data.validated_data["households"])
        return self._hamlet_response(hamlet)

    @extend_schema(
        summary="家庭户移出屋场",
        description="把屋场中的一户移回所在村，并结束其合作社股份。",
        request=serializers.HamletHouseholdReleaseSerializer,
        responses=serializers.HamletSerializer,
    )
    @action(detail=True, methods=["post"], url_path="households/release")
    def households_release(self, request, pk=None):
        """Take a household of the 屋场 back to its village, closing its share holding."""
        hamlet = self.get_object()
        data = serializers.HamletHouseholdReleaseSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        services.hamlet_household_release(hamlet=hamlet, household=data.validated_data["household"])
        return self._hamlet_response(hamlet)


class ContractPlotViewSet(RegisterViewSet):
    """承包地. Creating or changing a plot makes a new share-holding version when the shares change."""

    queryset = ContractPlot.objects.select_related("household")
    serializer_class = serializers.ContractPlotSerializer
    filterset_class = ContractPlotFilterSet
    ordering_fields = ["id", "contract_number", "area"]


class ShareHoldingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """股权登记: every version, current and past (read-only; versions come from plot changes)."""

    queryset = ShareHolding.objects.select_related("household", "cooperative")
    serializer_class = serializers.ShareHoldingSerializer
    filterset_class = ShareHoldingFilterSet
    ordering_fields = ["id", "valid_from"]


class OperatorViewSet(RegisterViewSet):
    """新型农业经营主体 (USCC validated)."""

    queryset = Operator.objects.select_related("division")
    serializer_class = serializers.OperatorSerializer
    filterset_class = OperatorFilterSet
    ordering_fields = ["id", "name"]


class LandTransferViewSet(RegisterViewSet):
    """土地流转."""

    queryset = LandTransfer.objects.select_related("hamlet__division", "operator").prefetch_related("plots")
    serializer_class = serializers.LandTransferSerializer
    filterset_class = LandTransferFilterSet
    ordering_fields = ["id", "start_date", "area"]


class HamletMeetingViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """屋场会 with attendees and resolutions."""

    queryset = HamletMeeting.objects.select_related("hamlet__division").prefetch_related(
        "attendees", Prefetch("resolutions", queryset=MeetingResolution.objects.order_by("id"))
    )
    serializer_class = serializers.HamletMeetingSerializer
    filterset_class = HamletMeetingFilterSet
    ordering_fields = ["id", "held_on"]

    def _reread(self, serializer, meeting: HamletMeeting) -> None:
        serializer.instance = self.get_queryset().get(pk=meeting.pk)

    def perform_create(self, serializer):
        """Through ``hamlet_meeting_record`` (the recorder is the caller)."""
        data = serializer.validated_data
        meeting = services.hamlet_meeting_record(
            hamlet=data["hamlet"],
            held_on=data["held_on"],
            topics=data["topics"],
            attendees=data.get("attendees", []),
            resolutions=data.get("resolutions", []),
            recorded_by=self.request.user,
        )
        self._reread(serializer, meeting)

    def perform_update(self, serializer):
        """Through ``hamlet_meeting_update``: one transaction, resolutions kept and followed up."""
        data = serializer.validated_data
        meeting = services.hamlet_meeting_update(
            meeting=serializer.instance,
            hamlet=data.get("hamlet"),
            held_on=data.get("held_on"),
            topics=data.get("topics"),
            attendees=data.get("attendees"),
            resolutions=data.get("resolutions"),
        )
        self._reread(serializer, meeting)
