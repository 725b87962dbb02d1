"""The civility API. Ledger entries and redemptions are created through services and never
edited or deleted here; a redemption takes an ``Idempotency-Key`` header."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from civility.api import serializers
from civility.choices import EntrySource
from civility.filtersets import (
    BanquetDeclarationFilterSet,
    MonthlyRankingFilterSet,
    PointAccountFilterSet,
    PointEntryFilterSet,
    RedemptionFilterSet,
)
from civility.models import (
    BanquetDeclaration,
    MonthlyRanking,
    PointAccount,
    PointEntry,
    RankingMonth,
    Redemption,
    ServiceActivity,
)
from civility.selectors import black_list, ranking_published_for, red_list
from civility.services import (
    RedemptionRequest,
    activities_convert_due,
    activity_convert,
    banquet_declare,
    entry_reverse,
    points_record,
    points_redeem,
)
from governance.api.pagination import KeysetPagination
from governance.api.views import ScopedViewSetMixin
from governance.models import Division
from governance.selectors import division_in_scope

ERR_IDEMPOTENCY_KEY_MISSING = "idempotency_key_missing"
IDEMPOTENCY_HEADER = "Idempotency-Key"


class PointAccountViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """积分账户 with the cached balance (proved equal to the entries by ``ledger_verify``)."""

    queryset = PointAccount.objects.select_related("household__head", "household__division")
    serializer_class = serializers.PointAccountSerializer
    filterset_class = PointAccountFilterSet
    ordering_fields = ["balance", "id"]


class PointEntryViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """积分流水: list, read, record by a rule, or reverse an entry (``reverses``). No update, no delete.

    The list is keyset-paginated like the dispute list (``KeysetPagination``: ``?cursor=`` from the
    ``next``/``previous`` links, ``?page_size=``, no ``count``): newest first (``-id``), or
    ``?ordering=occurred_on`` / ``-occurred_on`` (then ``id``). A page is one index range read after
    the last row seen, so a page deep in ten million entries costs what the first one does
    (issue 12: at most four queries — caller, scope, page, nothing per row)."""

    queryset = PointEntry.objects.select_related("rule")
    serializer_class = serializers.PointEntrySerializer
    filterset_class = PointEntryFilterSet
    pagination_class = KeysetPagination
    ordering_fields = ["occurred_on", "id"]
    ordering = ["-id"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = request.headers.get(IDEMPOTENCY_HEADER) or data.get("idempotency_key")
        created = True
        if data.get("reverses"):
            entry = entry_reverse(
                account=data["account"],
                entry=data["reverses"],
                by=request.user,
                reason=data.get("reason", ""),
                idempotency_key=key,
            )
        else:
            if not key:
                raise exceptions.ValidationError(
                    {"idempotency_key": [exceptions.ErrorDetail(_("请提供幂等键。"), code=ERR_IDEMPOTENCY_KEY_MISSING)]}
                )
            entry, created = points_record(
                account=data["account"],
                rule=data["rule"],
                occurred_on=data["occurred_on"],
                recorded_by=request.user,
                source=data.get("source") or EntrySource.VISIT,
                idempotency_key=key,
                note=data.get("note", ""),
                evidence=data.get("evidence", ""),
            )
        body = self.get_serializer(entry).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class RedemptionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """积分兑换. POST with an ``Idempotency-Key`` header: the same key twice creates one redemption
    (the second answer is 200 with the first one)."""

    queryset = Redemption.objects.prefetch_related("lines")
    serializer_class = serializers.RedemptionSerializer
    filterset_class = RedemptionFilterSet
    ordering_fields = ["created_at", "id"]

    def create(self, request, *args, **kwargs):
        key = request.headers.get(IDEMPOTENCY_HEADER, "").strip()
        if not key or len(key) > 100:
            raise exceptions.ValidationError(
                {
                    IDEMPOTENCY_HEADER: [
                        exceptions.ErrorDetail(
                            _("请在请求头提供 Idempotency-Key（不超过 100 字符）。"), code=ERR_IDEMPOTENCY_KEY_MISSING
                        )
                    ]
                }
            )
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        redemption, created = points_redeem(
            account=data["account"],
            shop=data["shop"],
            operator=request.user,
            idempotency_key=key,
            lines=[RedemptionRequest(line["item"], line["quantity"]) for line in data["lines"]],
        )
        body = self.get_serializer(redemption).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class MonthlyRankingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """月度排名 (一月一评比), by month, level and group; a village's 红榜 and 黑榜 of a published month."""

    queryset = MonthlyRanking.objects.select_related("ranking_month", "household", "group")
    serializer_class = serializers.MonthlyRankingSerializer
    filterset_class = MonthlyRankingFilterSet
    ordering_fields = ["rank", "points", "id"]

    def board_query(self, request) -> tuple[Division, RankingMonth | None, dict[str, Any]]:
        """The village asked for (404 outside the caller's scope), its published run and the query."""
        query = serializers.RankingBoardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        village = query.area(request.user)
        return (
            village,
            ranking_published_for(division=village, month=query.validated_data.get("month")),
            query.validated_data,
        )

    def board_page(self, rows) -> Response:
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="红榜",
        description="某村最近一个已发布月份（或 `month` 指定的月份）积分最高的前 `top` 户。",
        parameters=[serializers.RankingBoardQuerySerializer],
    )
    @action(detail=False, methods=["get"], url_path="red-list")
    def red_list(self, request):
        """红榜: the village's best ``top`` households of the latest published month (or ``month``)."""
        village, run, query = self.board_query(request)
        return self.board_page(red_list(run=run, village=village, top=query["top"]) if run else self.queryset.none())

    @extend_schema(
        summary="黑榜",
        description="某村当月扣分达到 `threshold` 分的家庭户。",
        parameters=[serializers.RankingBoardQuerySerializer],
    )
    @action(detail=False, methods=["get"], url_path="black-list")
    def black_list(self, request):
        """黑榜: the village's households whose deductions of the month reach ``threshold`` points."""
        village, run, query = self.board_query(request)
        rows = black_list(run=run, village=village, threshold=query["threshold"]) if run else self.queryset.none()
        return self.board_page(rows)


class BanquetDeclarationViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """红白事报备, checked against the village's caps on create."""

    queryset = BanquetDeclaration.objects.all()
    serializer_class = serializers.BanquetDeclarationSerializer
    filterset_class = BanquetDeclarationFilterSet
    ordering_fields = ["held_on", "id"]

    def perform_create(self, serializer):
        serializer.instance = banquet_declare(declared_by=self.request.user, **serializer.validated_data)


class ServiceActivityConversionViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """转化: volunteer and patrol hours → points, per the rules and their monthly caps. Idempotent: an
    activity converts once; asking again answers 200 with nothing written."""

    queryset = ServiceActivity.objects.all()
    serializer_class = serializers.ConversionResultSerializer

    @extend_schema(
        summary="转化一个活动的服务时长",
        description="按积分规则和每月上限把该活动的志愿服务或巡防时长转化为积分；已转化的活动不再记分，返回 0 笔。",
        request=None,
        responses=serializers.ConversionResultSerializer,
    )
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        """Convert one activity of the caller's area (404 outside it); already converted: 200, 0 entries."""
        activity = self.get_object()
        result = {"activities": 0, "entries": 0, "refused": []}
        if activity.converted_at is None:
            result["entries"] = activity_convert(activity=activity, by=request.user)
            result["activities"] = 1
        return Response(self.get_serializer(result).data)

    @extend_schema(
        operation_id="civility_activities_convert_due",
        summary="转化辖区内到期活动的服务时长",
        description="把本辖区内截至 `until`（默认今天）已开展、尚未转化的活动全部转化；重复调用不重复记分。",
        request=serializers.ConversionQuerySerializer,
        responses=serializers.ConversionResultSerializer,
    )
    @action(detail=False, methods=["post"], url_path="convert")
    def convert_due(self, request):
        """Convert every unconverted activity of the caller's area held on or before ``until``."""
        query = serializers.ConversionQuerySerializer(data=request.data)
        query.is_valid(raise_exception=True)
        area = division_in_scope(request.user)
        result = activities_convert_due(until=query.validated_data.get("until"), division=area, by=request.user)
        return Response(self.get_serializer(result).data)
