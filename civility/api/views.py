"""The civility API. Ledger entries and redemptions are created through services and never
edited or deleted here; a redemption takes an ``Idempotency-Key`` header."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.response import Response

from civility.api import serializers
from civility.filtersets import (
    BanquetDeclarationFilterSet,
    MonthlyRankingFilterSet,
    PointAccountFilterSet,
    PointEntryFilterSet,
    RedemptionFilterSet,
)
from civility.models import BanquetDeclaration, MonthlyRanking, PointAccount, PointEntry, Redemption
from civility.services import (
    ERR_IDEMPOTENCY_CONFLICT,
    EntrySource,
    IdempotencyConflict,
    RedemptionRequest,
    banquet_declare,
    entry_reverse,
    points_record,
    points_redeem,
)
from governance.api.views import ScopedViewSetMixin

ERR_IDEMPOTENCY_KEY_MISSING = "idempotency_key_missing"
IDEMPOTENCY_HEADER = "Idempotency-Key"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该幂等键已用于另一笔请求。")
    default_code = ERR_IDEMPOTENCY_CONFLICT


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
    """积分流水: list, read, record by a rule, or reverse an entry (``reverses``). No update, no delete."""

    queryset = PointEntry.objects.select_related("rule")
    serializer_class = serializers.PointEntrySerializer
    filterset_class = PointEntryFilterSet
    ordering_fields = ["occurred_on", "id"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        key = request.headers.get(IDEMPOTENCY_HEADER) or data.get("idempotency_key")
        created = True
        try:
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
                        {
                            "idempotency_key": [
                                exceptions.ErrorDetail(_("请提供幂等键。"), code=ERR_IDEMPOTENCY_KEY_MISSING)
                            ]
                        }
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
        except IdempotencyConflict as exc:
            raise Conflict() from exc
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
        try:
            redemption, created = points_redeem(
                account=data["account"],
                shop=data["shop"],
                operator=request.user,
                idempotency_key=key,
                lines=[RedemptionRequest(line["item"], line["quantity"]) for line in data["lines"]],
            )
        except IdempotencyConflict as exc:
            raise Conflict() from exc
        body = self.get_serializer(redemption).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class MonthlyRankingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """月度排名 (一月一评比), by month, level and group."""

    queryset = MonthlyRanking.objects.select_related("ranking_month", "household", "group")
    serializer_class = serializers.MonthlyRankingSerializer
    filterset_class = MonthlyRankingFilterSet
    ordering_fields = ["rank", "points", "id"]


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
