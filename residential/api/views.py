"""The residential API: ``/api/v1/residential/…``. Rows come from ``for_user`` (out of scope: 404);
nothing here is deleted; a published 红黑榜 answers 409 to any change (the services' ``Conflict``)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.queries import AreaPeriodQuerySerializer
from governance.api.views import RegisterViewSet, ScopedViewSetMixin
from residential import filtersets
from residential.api import serializers as s
from residential.models import (
    BuildingCouncilMeeting,
    CommitteeRectification,
    Compound,
    CreditEvaluation,
    EnforcementVisit,
    MeetingResolution,
    OwnersCommittee,
    Petition,
    PropertyCompany,
    PropertyContract,
    RedBlackList,
)
from residential.selectors import petition_yoy, petition_yoy_by_child
from residential.services import (
    credit_evaluation_publish,
    follow_up_record,
    meeting_record,
    meeting_update,
    red_black_list_publish,
)


class CompoundViewSet(RegisterViewSet):
    """小区 (each with its own division node under its community)."""

    queryset = Compound.objects.select_related("division__parent", "party_branch")
    serializer_class = s.CompoundSerializer
    filterset_class = filtersets.CompoundFilterSet
    ordering_fields = ["division__path", "joined_on"]


class PropertyCompanyViewSet(RegisterViewSet):
    """物业服务企业."""

    queryset = PropertyCompany.objects.select_related("division")
    serializer_class = s.PropertyCompanySerializer
    filterset_class = filtersets.PropertyCompanyFilterSet


class PropertyContractViewSet(RegisterViewSet):
    """物业服务合同: contracts of one compound never overlap."""

    queryset = PropertyContract.objects.select_related("company", "compound")
    serializer_class = s.PropertyContractSerializer
    filterset_class = filtersets.PropertyContractFilterSet


class OwnersCommitteeViewSet(RegisterViewSet):
    """业主委员会 with live compliance figures; ``members/`` adds a member (residents only)."""

    queryset = OwnersCommittee.objects.select_related("organization", "compound")
    serializer_class = s.OwnersCommitteeSerializer
    filterset_class = filtersets.OwnersCommitteeFilterSet

    def get_queryset(self):
        return super().get_queryset().with_compliance()

    @extend_schema(
        summary="添加业委会成员",
        description="为业委会添加一名成员；违反党员占比等规则时返回 400，不写入任何数据。",
        request=s.CommitteeMemberSerializer,
        responses=s.CommitteeMemberSerializer,
    )
    @action(detail=True, methods=["post"], url_path="members")
    def members(self, request, pk=None):
        committee = self.get_object()
        serializer = s.CommitteeMemberSerializer(
            data=request.data, context={**self.get_serializer_context(), "committee": committee}
        )
        serializer.is_valid(raise_exception=True)
        serializer.save()
        return Response(serializer.data, status=status.HTTP_201_CREATED)


class CommitteeRectificationViewSet(RegisterViewSet):
    """业委会整治."""

    queryset = CommitteeRectification.objects.select_related("committee")
    serializer_class = s.CommitteeRectificationSerializer
    filterset_class = filtersets.CommitteeRectificationFilterSet


class CreditEvaluationViewSet(RegisterViewSet):
    """服务信用等级评价: scores per item; total and grade are computed. A new or rescored evaluation is a
    draft (``status`` 草稿, set only by the services); ``publish/`` publishes it, and from then on any
    change answers 409."""

    queryset = CreditEvaluation.objects.select_related(
        "company", "period", "evaluator", "published_by"
    ).prefetch_related("scores__item")
    serializer_class = s.CreditEvaluationSerializer
    filterset_class = filtersets.CreditEvaluationFilterSet

    @extend_schema(
        summary="发布信用评价",
        description="发布一份草稿评价：此后计入红黑榜、不能再修改；已发布的再次发布答 409。",
        request=None,
        responses=s.CreditEvaluationSerializer,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        evaluation = credit_evaluation_publish(evaluation=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=evaluation.pk)).data)


class RedBlackListViewSet(RegisterViewSet):
    """红黑榜: a draft is made from a period's evaluations and may be remade; ``publish/`` freezes it.
    Any change to a published list answers 409."""

    queryset = RedBlackList.objects.select_related("period").prefetch_related("entries__company")
    serializer_class = s.RedBlackListSerializer
    filterset_class = filtersets.RedBlackListFilterSet

    @extend_schema(
        summary="发布红黑榜",
        description="发布一期物业服务企业红黑榜；已发布的不能再次发布。",
        request=None,
        responses=s.RedBlackListSerializer,
    )
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        red_black_list = red_black_list_publish(red_black_list=self.get_object(), by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=red_black_list.pk)).data)


class BuildingCouncilMeetingViewSet(RegisterViewSet):
    """楼宇会 with participants by kind and resolutions."""

    queryset = BuildingCouncilMeeting.objects.select_related("compound__division").prefetch_related(
        "participants", "resolutions"
    )
    serializer_class = s.BuildingCouncilMeetingSerializer
    filterset_class = filtersets.BuildingCouncilMeetingFilterSet

    def perform_create(self, serializer):
        """Through ``meeting_record`` (the recorder is the caller), all or nothing."""
        data = dict(serializer.validated_data)
        resolutions = [{k: v for k, v in r.items() if k != "id"} for r in data.pop("resolutions", [])]
        serializer.instance = meeting_record(**data, resolutions=resolutions, recorded_by=self.request.user)
        self._reread(serializer)

    def perform_update(self, serializer):
        """Through ``meeting_update``: one transaction, participants and resolutions not dropped."""
        data = dict(serializer.validated_data)
        participants, resolutions = data.pop("participants", None), data.pop("resolutions", None)
        serializer.instance = meeting_update(
            meeting=serializer.instance, fields=data, participants=participants, resolutions=resolutions
        )
        self._reread(serializer)


class MeetingResolutionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """楼宇会决议 and their follow-up: ``follow-up/`` records it through ``follow_up_record`` (status,
    note appended, completion date); the follow-up fields are written by nothing else."""

    queryset = MeetingResolution.objects.all()
    serializer_class = s.MeetingResolutionFollowUpSerializer

    @extend_schema(
        summary="记录楼宇会决议跟进",
        description="记录跟进：办理中（附跟进情况）或已办结（办结日期默认今天）；已办结的不能再记录。",
        request=s.FollowUpInputSerializer,
        responses=s.MeetingResolutionFollowUpSerializer,
    )
    @action(detail=True, methods=["post"], url_path="follow-up", serializer_class=s.FollowUpInputSerializer)
    def follow_up(self, request, pk=None):
        resolution = self.get_object()
        data = s.FollowUpInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = follow_up_record(row=resolution, by=request.user, **data.validated_data)
        return Response(s.MeetingResolutionFollowUpSerializer(row, context=self.get_serializer_context()).data)


class YearOverYearQuery(AreaPeriodQuerySerializer):
    """``?within=&start=&end=``; without ``end``, the period runs to the end of ``start``'s year."""

    default_end = "year_end"


class PetitionViewSet(RegisterViewSet):
    """物业领域信访; ``yoy/`` gives this period against the same period a year before."""

    queryset = Petition.objects.select_related("compound__division")
    serializer_class = s.PetitionSerializer
    filterset_class = filtersets.PetitionFilterSet

    @extend_schema(
        summary="物业领域信访同比",
        description="管辖范围内（或 `within` 指定区划）物业领域信访件数与上年同期的比较。",
        parameters=[YearOverYearQuery],
        responses=s.PetitionYoySerializer,
    )
    @action(detail=False, methods=["get"], filter_backends=[], pagination_class=None)
    def yoy(self, request):
        query = YearOverYearQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        start, end = query.validated_data["start"], query.validated_data["end"]
        division = query.area(request.user)
        scoped = Petition.objects.for_user(request.user)
        total = petition_yoy(division=division, start=start, end=end, queryset=scoped)
        children = petition_yoy_by_child(division=division, start=start, end=end, queryset=scoped)

        def figures(yoy):
            return {"current": yoy.current, "previous": yoy.previous, "change_pct": yoy.change_pct}

        return Response(
            {
                "division": division.code,
                "start": start,
                "end": end,
                **figures(total),
                "children": [
                    {"division": c.division.code if c.division else division.code, **figures(c.figures)}
                    for c in children
                ],
            }
        )


class EnforcementVisitViewSet(RegisterViewSet):
    """执法进小区."""

    queryset = EnforcementVisit.objects.select_related("compound")
    serializer_class = s.EnforcementVisitSerializer
    filterset_class = filtersets.EnforcementVisitFilterSet
