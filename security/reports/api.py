"""API of the 三调联治 and 三情联处 reports: ``/api/v1/security/reports/three-mediations/`` and
``…/three-situations/`` (``?within=<code>&year=YYYY&month=M``). The caller needs ``view_dispute``; the
cases are those ``Dispute.objects.for_user`` gives; a ``within`` outside the scope is a 404, a bad year,
month or code a 400 naming the field."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from governance.api.views import ScopedViewSetMixin
from governance.selectors import division_in_scope
from security.models import Dispute
from security.reports.forms import YearMonthForm
from security.reports.selectors import (
    MEDIATION_KINDS,
    MEDIATION_LEVELS,
    SITUATION_CHANNELS,
    SITUATION_METRICS,
    three_mediations,
    three_situations,
)


class YearMonthQuerySerializer(serializers.Serializer):
    """``?within=&year=&month=`` as the report pages read them (``security.reports.forms.YearMonthForm``):
    a 400 names ``within``, ``year`` or ``month`` with the Chinese message."""

    within = serializers.CharField(required=False, allow_blank=True, help_text=_("区划代码（含下级）；默认为您的辖区"))
    year = serializers.IntegerField(
        required=False, help_text=_("年份，默认今年"), error_messages={"invalid": _("年份请填写四位数字，如 2024。")}
    )
    month = serializers.IntegerField(
        required=False,
        help_text=_("月份 1–12；不填为全年"),
        error_messages={"invalid": _("月份请填写 1 至 12 的数字。")},
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        form = YearMonthForm({key: value for key, value in attrs.items() if value is not None})
        if not form.is_valid():
            raise serializers.ValidationError(
                {
                    field: [serializers.ErrorDetail(" ".join(error.messages), code=error.code) for error in errors]
                    for field, errors in form.errors.as_data().items()
                }
            )
        return form.cleaned_data


class MediationCellSerializer(serializers.Serializer):
    """One cell of 三调联治: cases received in the period held by a body of ``kind`` at ``level``
    (``"all"`` in a total)."""

    kind = serializers.CharField(help_text=_("调解类型：peoples_mediation、judicial、administrative 或 all"))
    kind_label = serializers.CharField()
    level = serializers.CharField(help_text=_("层级：district、township、village 或 all"))
    level_label = serializers.CharField()
    received = serializers.IntegerField(help_text=_("受理（件）"))
    resolved = serializers.IntegerField(help_text=_("其中已化解（件）"))
    resolution_rate = serializers.FloatField(allow_null=True, help_text=_("化解率（%），无受理时为 null"))
    mean_days = serializers.FloatField(allow_null=True, help_text=_("平均化解天数（天），无化解时为 null"))


class ThreeMediationsSerializer(serializers.Serializer):
    division = serializers.CharField(help_text=_("区划代码"))
    start = serializers.DateField()
    end = serializers.DateField()
    cells = MediationCellSerializer(many=True, help_text=_("每种调解类型 × 每个层级，另含各类型、各层级及总计的合计"))


class SituationRowSerializer(serializers.Serializer):
    """One channel of one division and month of 三情联处 (cases received that month)."""

    division = serializers.CharField(help_text=_("区划代码"))
    division_name = serializers.CharField()
    month = serializers.CharField(help_text=_("YYYY-MM"))
    channel = serializers.CharField(help_text=_("police（警情）、litigation（诉情）、petition（访情）"))
    received = serializers.IntegerField()
    resolved = serializers.IntegerField()
    transferred = serializers.IntegerField(help_text=_("在派出所与矛调中心之间移交过的（件）"))
    escalated = serializers.IntegerField(help_text=_("上报过上级的（件）"))


class SituationChangeSerializer(serializers.Serializer):
    channel = serializers.CharField()
    metric = serializers.CharField(help_text=_("received、resolved、transferred 或 escalated"))
    current = serializers.IntegerField()
    previous = serializers.IntegerField(help_text=_("上年同期"))
    change_pct = serializers.FloatField(allow_null=True, help_text=_("同比（%），上年同期为 0 时为 null"))


class ThreeSituationsSerializer(serializers.Serializer):
    division = serializers.CharField(help_text=_("区划代码"))
    start = serializers.DateField()
    end = serializers.DateField()
    rows = SituationRowSerializer(many=True, help_text=_("每个下级区划 × 每月 × 每类"))
    totals = SituationChangeSerializer(many=True, help_text=_("全区划合计，与上年同期比较"))


def _number(value) -> float | None:
    return None if value is None else float(value)


def _cell(kind: str, level: str, cell: dict) -> dict[str, Any]:
    return {
        "kind": kind,
        "kind_label": MEDIATION_KINDS.get(kind, "合计"),
        "level": level,
        "level_label": MEDIATION_LEVELS.get(level, "合计"),
        "received": cell["received"],
        "resolved": cell["resolved"],
        "resolution_rate": _number(cell["resolution_rate"]),
        "mean_days": _number(cell["mean_days"]),
    }


class SecurityReportViewSet(ScopedViewSetMixin, viewsets.GenericViewSet):
    """三调联治 and 三情联处 over an area and a year or month."""

    queryset = Dispute.objects.all()
    filter_backends: list = []
    pagination_class = None

    def _query(self, request) -> tuple[Any, Any, Any]:
        query = YearMonthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        division = division_in_scope(request.user, query.validated_data.get("within"))
        return division, query.validated_data["start"], query.validated_data["end"]

    @extend_schema(
        summary="三调联治",
        description=(
            "本期受理、当前由人民调解、司法调解、行政调解主体承办的纠纷，按调解类型 × 层级（区、乡镇、村）"
            "统计受理、化解、化解率和平均化解天数。"
        ),
        parameters=[YearMonthQuerySerializer],
        responses=ThreeMediationsSerializer,
    )
    @action(detail=False, methods=["get"], url_path="three-mediations")
    def three_mediations(self, request):
        division, start, end = self._query(request)
        report = three_mediations(disputes=self.get_queryset(), division=division, start=start, end=end)
        cells = [
            _cell(kind, level, report["cells"][kind][level]) for kind in MEDIATION_KINDS for level in MEDIATION_LEVELS
        ]
        cells += [_cell(kind, "all", report["by_kind"][kind]) for kind in MEDIATION_KINDS]
        cells += [_cell("all", level, report["by_level"][level]) for level in MEDIATION_LEVELS]
        cells.append(_cell("all", "all", report["total"]))
        return Response({"division": division.code, "start": start, "end": end, "cells": cells})

    @extend_schema(
        summary="三情联处",
        description=(
            "本期受理的警情、诉情、访情，按下级区划和月份对照受理、化解、警调互转（派出所与矛调中心之间移交）、"
            "上报的件数，并与上年同期比较。"
        ),
        parameters=[YearMonthQuerySerializer],
        responses=ThreeSituationsSerializer,
    )
    @action(detail=False, methods=["get"], url_path="three-situations")
    def three_situations(self, request):
        division, start, end = self._query(request)
        report = three_situations(disputes=self.get_queryset(), division=division, start=start, end=end)
        rows = [
            {
                "division": row["division"].code,
                "division_name": row["division"].name,
                "month": f"{row['month']:%Y-%m}",
                "channel": channel,
                **row["figures"][channel],
            }
            for row in report["rows"]
            for channel in SITUATION_CHANNELS
        ]
        totals = [
            {"channel": channel, "metric": metric, **{**item, "change_pct": _number(item["change_pct"])}}
            for channel, metrics in report["totals"].items()
            for metric, item in metrics.items()
            if metric in SITUATION_METRICS
        ]
        return Response({"division": division.code, "start": start, "end": end, "rows": rows, "totals": totals})
