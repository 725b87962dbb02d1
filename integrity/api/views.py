"""The integrity API under ``/api/v1/integrity/``. Closed to all but discipline inspectors: anyone
else (a district admin, a leader…) gets 404 on every path, lists included, as if the app did not
exist. Rows come from ``for_user`` (every integrity model declares ``scope_roles``); reading a clue
or a case writes an access-log row."""

from __future__ import annotations

from django.db.models import Count, Prefetch, Sum
from django.db.models.functions import Coalesce
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.views import ScopedViewSetMixin
from integrity import filtersets, services
from integrity.api import serializers
from integrity.choices import AccessTarget, AccessVia
from integrity.models import (
    AccessLog,
    Campaign,
    CampaignMatter,
    CleanUnit,
    Clue,
    CultureActivity,
    CultureSite,
    IntegrityCase,
    LivelihoodProject,
    Measure,
    Milestone,
    Recovery,
    Sanction,
    Subject,
    SupervisionVisit,
    UnitRule,
)
from integrity.selectors import campaign_area, campaign_funnel


class ReadViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass


class WriteViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create, update — never delete: clues, cases and ledgers are kept for good. The one
    write path: ``perform_create`` calls the model's creating service (``create_record``; a plain
    register row goes through ``record_edit``), ``perform_update`` calls ``record_edit``, which refuses
    the fields a service owns. The serializer only validates."""

    def create_record(self, data: dict):
        model = self.get_serializer_class().Meta.model
        links = {name: data.pop(name) for name in list(data) if model._meta.get_field(name).many_to_many}
        return services.record_edit(instance=model(**data), data=links)

    def perform_create(self, serializer):
        serializer.instance = self.create_record(dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = services.record_edit(instance=serializer.instance, data=dict(serializer.validated_data))


class AccessLoggedRetrieveMixin:
    """Reading one clue or case, and every page of their list, writes an access-log row (a list: one
    row with the ids on the page)."""

    access_target: str

    def list(self, request, *args, **kwargs):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        rows = list(page if page is not None else queryset)
        services.access_log_list(
            user=request.user,
            target=self.access_target,
            ids=[row.pk for row in rows],
            via=AccessVia.API,
            path=request.get_full_path(),
        )
        data = self.get_serializer(rows, many=True).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        services.access_log_record(user=request.user, obj=obj, via=AccessVia.API, path=request.get_full_path())
        return Response(self.get_serializer(obj).data)


class CampaignViewSet(ReadViewSet):
    """集中整治, with the live funnel of each campaign."""

    queryset = Campaign.objects.select_related("division")
    serializer_class = serializers.CampaignSerializer
    filterset_class = filtersets.CampaignFilterSet

    @extend_schema(
        summary="集中整治成效漏斗",
        description="问题线索 → 处置 → 立案 → 党纪政务处分 → 留置 → 追缴退缴 → 推动解决民生实事，按记录实时计算。",
        parameters=[serializers.FunnelQuerySerializer],
        responses=serializers.FunnelSerializer,
    )
    @action(detail=True, methods=["get"])
    def funnel(self, request, pk=None):
        """问题线索 → 处理 → 立案 → 党纪政务处分 → 留置 → 追缴退缴 → 推动解决民生实事, computed from the records."""
        campaign = self.get_object()
        query = serializers.FunnelQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = campaign_area(user=request.user, campaign=campaign, code=query.validated_data.get("within"))
        funnel = campaign_funnel(campaign=campaign, division=division, on=query.validated_data.get("on"))
        return Response(serializers.FunnelSerializer(funnel).data)


class SubjectViewSet(WriteViewSet):
    """被反映人 / 被审查调查人."""

    queryset = Subject.objects.select_related("division")
    serializer_class = serializers.SubjectSerializer
    filterset_class = filtersets.SubjectFilterSet


class ClueViewSet(AccessLoggedRetrieveMixin, WriteViewSet):
    """问题线索. The reporter is never part of it."""

    queryset = Clue.objects.select_related("division").prefetch_related(
        Prefetch("subjects", Subject.objects.only("pk"))
    )
    serializer_class = serializers.ClueSerializer
    filterset_class = filtersets.ClueFilterSet
    access_target = AccessTarget.CLUE
    ordering_fields = ["received_on", "number", "id"]

    def create_record(self, data):
        return services.clue_register(**data)

    @extend_schema(
        summary="处置问题线索",
        description="按四种处置方式（谈话函询、初步核实、暂存待查、予以了结）之一处置线索。",
        request=serializers.DisposeSerializer,
        responses=serializers.ClueSerializer,
    )
    @action(detail=True, methods=["post"])
    def dispose(self, request, pk=None):
        """Give the clue one of the four dispositions."""
        clue = self.get_object()
        data = serializers.DisposeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.clue_dispose(clue=clue, **data.validated_data)
        return Response(self.get_serializer(clue).data)


class IntegrityCaseViewSet(AccessLoggedRetrieveMixin, WriteViewSet):
    """立案审查调查."""

    queryset = IntegrityCase.objects.select_related("division").prefetch_related(
        Prefetch("clues", Clue.objects.only("pk")), Prefetch("subjects", Subject.objects.only("pk"))
    )
    serializer_class = serializers.IntegrityCaseSerializer
    filterset_class = filtersets.IntegrityCaseFilterSet
    access_target = AccessTarget.CASE
    ordering_fields = ["filed_on", "number", "id"]

    def create_record(self, data):
        extra = {k: data.pop(k) for k in ("transferred_to_procuratorate", "transferred_on") if k in data}
        case = services.case_file(**data)
        return services.record_edit(instance=case, data=extra) if extra else case

    @extend_schema(
        summary="结案",
        description="结案：来源线索均标记为已办结。",
        request=serializers.CloseSerializer,
        responses=serializers.IntegrityCaseSerializer,
    )
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """Close the case (``case_close``): its clues are concluded."""
        case = self.get_object()
        data = serializers.CloseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.case_close(case=case, closed_on=data.validated_data["closed_on"])
        return Response(self.get_serializer(self.get_queryset().get(pk=case.pk)).data)


class MeasureViewSet(WriteViewSet):
    """审查调查措施 (留置…)."""

    queryset = Measure.objects.all()
    serializer_class = serializers.MeasureSerializer
    filterset_class = filtersets.MeasureFilterSet

    def create_record(self, data):
        return services.measure_take(**data)


class SanctionViewSet(WriteViewSet):
    """党纪政务处分与组织处理."""

    queryset = Sanction.objects.select_related("subject")
    serializer_class = serializers.SanctionSerializer
    filterset_class = filtersets.SanctionFilterSet

    def create_record(self, data):
        return services.sanction_decide(**data)


class RecoveryViewSet(WriteViewSet):
    """追缴退缴 (yuan)."""

    queryset = Recovery.objects.all()
    serializer_class = serializers.RecoverySerializer
    filterset_class = filtersets.RecoveryFilterSet

    def create_record(self, data):
        return services.recovery_record(**data)


class CampaignMatterViewSet(WriteViewSet):
    """整治民生实事."""

    queryset = CampaignMatter.objects.select_related("division")
    serializer_class = serializers.CampaignMatterSerializer
    filterset_class = filtersets.CampaignMatterFilterSet


class LivelihoodProjectViewSet(ReadViewSet):
    """民生实事 with their milestones."""

    queryset = LivelihoodProject.objects.select_related("division", "owner_unit").prefetch_related(
        Prefetch("milestones", Milestone.objects.order_by("planned_on", "id"))
    )
    serializer_class = serializers.LivelihoodProjectSerializer
    filterset_class = filtersets.LivelihoodProjectFilterSet


class SupervisionVisitViewSet(WriteViewSet):
    """督导 and 回头看."""

    queryset = SupervisionVisit.objects.all()
    serializer_class = serializers.SupervisionVisitSerializer
    filterset_class = filtersets.SupervisionVisitFilterSet


class CleanUnitViewSet(ReadViewSet):
    """清廉单元."""

    queryset = CleanUnit.objects.select_related("organization")
    serializer_class = serializers.CleanUnitSerializer
    filterset_class = filtersets.CleanUnitFilterSet


class UnitRuleViewSet(ReadViewSet):
    """清廉单元的制度."""

    queryset = UnitRule.objects.all()
    serializer_class = serializers.UnitRuleSerializer
    filterset_class = filtersets.UnitRuleFilterSet


class CultureSiteViewSet(ReadViewSet):
    """廉洁文化阵地 with their activities and visits (participants summed)."""

    queryset = CultureSite.objects.annotate(
        activity_count=Count("activities"), visits=Coalesce(Sum("activities__participants"), 0)
    ).order_by("division__path", "name", "id")
    serializer_class = serializers.CultureSiteSerializer
    filterset_class = filtersets.CultureSiteFilterSet


class CultureActivityViewSet(ReadViewSet):
    """廉洁文化进企业、团体、家庭、公共场所 activities (and visits to the sites)."""

    queryset = CultureActivity.objects.all()
    serializer_class = serializers.CultureActivitySerializer
    filterset_class = filtersets.CultureActivityFilterSet


class AccessLogViewSet(ReadViewSet):
    """查阅记录 (append-only)."""

    queryset = AccessLog.objects.select_related("user")
    serializer_class = serializers.AccessLogSerializer
    filterset_class = filtersets.AccessLogFilterSet
