"""What the integrity app adds to the leaders' dashboard: aggregate counts only — never a clue, a
case or a name. Leaders see these figures; they never see the rows behind them."""

from __future__ import annotations

from decimal import Decimal

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from governance.registry import GOOD_DOWN, GOOD_UP, Indicator, Rollup, RollupSource, RollupTrigger, registry
from integrity.choices import CleanUnitStatus
from integrity.selectors import (
    FUNNEL_LABELS,
    ZERO,
    _funnel_from,
    _funnel_sources,
    clean_units_by_status,
    funnel_totals,
    project_timeliness,
)

UNITS = {
    "clues": _("件"),
    "handled": _("人"),
    "cases": _("件"),
    "sanctioned": _("人"),
    "detained": _("人"),
    "recovered": _("元"),
    "matters_resolved": _("件"),
}


def _funnel_figure(key: str):
    """One step of ``funnel_totals``, reading only the record table behind it (one query, not six)."""

    def compute(*, division, start=None, end=None) -> int | Decimal:
        for queryset, _campaign_key, aggregates in _funnel_sources(division, start, end):
            if key in aggregates:
                values = queryset.order_by().aggregate(**{key: aggregates[key]})
                return getattr(_funnel_from(values), key)
        return getattr(funnel_totals(division=division, start=start, end=end), key)

    return compute


def _projects(key: str):
    def compute(*, division, start=None, end=None) -> int:
        return project_timeliness(division=division, on=end)[key]

    return compute


def _clean_units(status: str):
    def compute(*, division, start=None, end=None) -> int:
        return clean_units_by_status(division=division)[status]

    return compute


# The funnel's additive steps (as ``funnel_totals`` counts them) per division and month, from one
# UNION ALL of the four record tables; the steps counting distinct people (处理, 处分, 留置) cannot be
# summed over divisions or months and stay computed from the base tables.
registry.rollup_source(
    RollupSource(
        key="integrity.funnel",
        from_sql=(
            "(SELECT division_id, received_on AS day, 1 AS clues, 0 AS cases, 0::numeric AS amount, 0 AS matters "
            "FROM integrity_clue "
            "UNION ALL SELECT division_id, filed_on, 0, 1, 0, 0 FROM integrity_integritycase "
            "UNION ALL SELECT c.division_id, r.recovered_on, 0, 0, r.amount, 0 FROM integrity_recovery r "
            "JOIN integrity_integritycase c ON c.id = r.case_id "
            "UNION ALL SELECT division_id, resolved_on, 0, 0, 0, 1 FROM integrity_campaignmatter "
            "WHERE resolved_on IS NOT NULL) t"
        ),
        day_column="t.day",
        measures={
            "clues": "COALESCE(sum(t.clues), 0)",
            "cases": "COALESCE(sum(t.cases), 0)",
            "recovered": "COALESCE(sum(t.amount), 0)",
            "matters_resolved": "COALESCE(sum(t.matters), 0)",
        },
        triggers=(
            RollupTrigger("integrity_clue", day="r.received_on"),
            RollupTrigger("integrity_integritycase", day="r.filed_on"),
            RollupTrigger(
                "integrity_recovery",
                division="c.division_id",
                day="r.recovered_on",
                joins="JOIN integrity_integritycase c ON c.id = r.case_id",
            ),
            RollupTrigger("integrity_campaignmatter", day="r.resolved_on"),
        ),
    )
)


def _recovered(amount, _denominator) -> Decimal:
    """追缴退缴 as ``funnel_totals`` gives it: yuan to the fen."""
    return Decimal(amount or 0).quantize(ZERO)


ROLLUPS = {
    "clues": Rollup("integrity.funnel", "clues"),
    "cases": Rollup("integrity.funnel", "cases"),
    "recovered": Rollup("integrity.funnel", "recovered", finish=_recovered),
    "matters_resolved": Rollup("integrity.funnel", "matters_resolved"),
}

for order, (key, title) in enumerate(FUNNEL_LABELS.items(), start=60):
    charts = {"clues": ("by_child", "by_month"), "cases": ("by_child",)}.get(key, ())
    registry.indicator(
        Indicator(
            f"integrity.funnel.{key}",
            title,
            "integrity",
            _funnel_figure(key),
            UNITS[key],
            order,
            charts=charts,
            rollup=ROLLUPS.get(key),
        )
    )
registry.indicator(
    Indicator(
        "integrity.projects.on_time",
        _("民生实事按期推进"),
        "integrity",
        _projects("on_time"),
        _("项"),
        70,
        good=GOOD_UP,
    )
)
registry.indicator(
    Indicator(
        "integrity.projects.late", _("民生实事进度滞后"), "integrity", _projects("late"), _("项"), 71, good=GOOD_DOWN
    )
)
for order, (status, label) in enumerate(CleanUnitStatus.choices, start=72):
    registry.indicator(
        Indicator(
            f"integrity.clean_units.{status}",
            format_lazy("{}{}", _("清廉单元："), label),
            "integrity",
            _clean_units(status),
            _("个"),
            order,
            dated=False,
        )
    )
