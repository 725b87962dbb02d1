"""The officers' pages of the 三调联治 and 三情联处 reports (mounted under ``/security/``), each with its
Excel download (``?format=xlsx``). Rows come from ``Dispute.objects.for_user``; ``?within=`` outside the
user's scope answers 404, a bad year, month or code 400 with the form's Chinese error."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from governance.reports import ReportTable, ReportView
from governance.selectors import division_in_scope
from governance.spreadsheets import heading
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


def _as_float(value) -> float | None:
    return None if value is None else float(value)


def _flat(figures: dict) -> list[int]:
    return [figures[channel][metric] for channel in SITUATION_CHANNELS for metric in SITUATION_METRICS]


class YearMonthReportView(ReportView):
    """A report over an area and a year (or one month of it): ``report(disputes, division, start,
    end)`` gives the figures."""

    permission_required = "security.view_dispute"

    def report(self, **kwargs) -> dict[str, Any]:
        raise NotImplementedError

    def get_context_data(self, **kwargs):
        form = YearMonthForm(self.request.GET)
        if not form.is_valid():
            division = division_in_scope(self.request.user)
            return super().get_context_data(division=division, form=form, status=400, **kwargs)
        division = division_in_scope(self.request.user, form.cleaned_data.get("within"))
        start, end = form.period()
        disputes = Dispute.objects.for_user(self.request.user)
        figures = self.report(disputes=disputes, division=division, start=start, end=end)
        return super().get_context_data(division=division, form=form, start=start, end=end, report=figures, **kwargs)


class ThreeMediationsView(YearMonthReportView):
    """三调联治 — the cases of the area received in the period by mediation kind × level of the body
    holding them (``security.reports.selectors.three_mediations``)."""

    template_name = "security/reports/three_mediations.html"
    export_filename = "three-mediations"

    def report(self, **kwargs):
        figures = three_mediations(**kwargs)
        figures["table"] = [
            {
                "kind": label,
                # Each cell names its level, for the card a phone shows instead of the table's columns.
                "cells": [
                    {"level": label, **figures["cells"][kind][level]} for level, label in MEDIATION_LEVELS.items()
                ],
                "total": figures["by_kind"][kind],
            }
            for kind, label in MEDIATION_KINDS.items()
        ]
        figures["level_totals"] = [
            {"level": label, **figures["by_level"][level]} for level, label in MEDIATION_LEVELS.items()
        ]
        return figures

    def get_context_data(self, **kwargs):
        return super().get_context_data(levels=list(MEDIATION_LEVELS.values()), **kwargs)

    def export_tables(self, context):
        report = context["report"]
        headings = [
            _("调解类型"),
            _("层级"),
            heading(_("受理"), _("件")),
            heading(_("化解"), _("件")),
            heading(_("化解率"), "%"),
            heading(_("平均化解天数"), _("天")),
        ]

        def line(kind: str, level: str, cell: dict) -> list:
            rate, days = _as_float(cell["resolution_rate"]), _as_float(cell["mean_days"])
            return [kind, level, cell["received"], cell["resolved"], rate, days]

        rows = []
        for kind, label in MEDIATION_KINDS.items():
            for level, level_label in MEDIATION_LEVELS.items():
                rows.append(line(label, level_label, report["cells"][kind][level]))
            rows.append(line(label, str(_("合计")), report["by_kind"][kind]))
        for level, level_label in MEDIATION_LEVELS.items():
            rows.append(line(str(_("合计")), level_label, report["by_level"][level]))
        rows.append(line(str(_("合计")), str(_("合计")), report["total"]))
        return [ReportTable(_("三调联治"), headings, rows)]


class ThreeSituationsView(YearMonthReportView):
    """三情联处 — 警情, 诉情, 访情 side by side per child division and month, with the year-over-year
    change (``security.reports.selectors.three_situations``)."""

    template_name = "security/reports/three_situations.html"
    export_filename = "three-situations"

    def report(self, **kwargs):
        figures = three_situations(**kwargs)
        # The page's tables read flat lists, channel by channel, metric by metric; on a phone each cell is
        # a line of a card, so it carries its own label (警情受理…).
        labels = [
            f"{channel}{metric}" for channel in SITUATION_CHANNELS.values() for metric in SITUATION_METRICS.values()
        ]
        for row in (*figures["rows"], *figures["by_child"], *figures["by_month"]):
            row["cells"] = _flat(row["figures"])
            row["labelled"] = list(zip(labels, row["cells"], strict=True))
        for row in figures["by_month"]:
            row["previous_cells"] = _flat(row["previous"])
            row["previous_labelled"] = list(zip(labels, row["previous_cells"], strict=True))
        figures["yoy"] = [
            {"channel": SITUATION_CHANNELS[channel], "metric": SITUATION_METRICS[metric], **item}
            for channel, metrics in figures["totals"].items()
            for metric, item in metrics.items()
        ]
        return figures

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            channels=list(SITUATION_CHANNELS.items()), metrics=list(SITUATION_METRICS.items()), **kwargs
        )

    def export_tables(self, context):
        report = context["report"]
        columns = [heading(f"{label}{metric}", _("件")) for label in SITUATION_CHANNELS.values()
                   for metric in SITUATION_METRICS.values()]  # fmt: skip

        rows = [[row["division"].name, f"{row['month']:%Y-%m}", *row["cells"]] for row in report["rows"]]
        yoy_headings = [heading(_("本期"), _("件")), heading(_("上年同期"), _("件")), heading(_("同比"), "%")]
        yoy = [
            [item["channel"], item["metric"], item["current"], item["previous"], _as_float(item["change_pct"])]
            for item in report["yoy"]
        ]
        return [
            ReportTable(_("按区划和月份"), [_("区划"), _("月份"), *columns], rows),
            ReportTable(_("同比"), [_("类别"), _("指标"), *yoy_headings], yoy),
        ]
