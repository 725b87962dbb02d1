"""What the integrity app adds to the leaders' dashboard: aggregate counts only — never a clue, a
case or a name. Leaders see these figures; they never see the rows behind them."""

from __future__ import annotations

import datetime
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from governance.aggregates import AggregatePart, aggregate_together
from governance.registry import GOOD_DOWN, GOOD_UP, SNAPSHOT, Indicator, Rollup, RollupSource, RollupTrigger, registry
from governance.shared_figures import shared_figure
from integrity.choices import CleanUnitStatus
from integrity.selectors import (
    FUNNEL_LABELS,
    ZERO,
    _funnel_from,
    _funnel_sources,
    clean_units_by_status,
    culture_counts,
    funnel_totals,
    project_timeliness,
    project_timeliness_part,
    rule_effects,
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


@shared_figure
def _funnel_table(*, division, start, end, index: int) -> dict:
    """Every step one record table of the funnel gives (处理 and 处分 share the sanctions), one query,
    once per dashboard."""
    queryset, _campaign_key, aggregates = _funnel_sources(division, start, end)[index]
    return queryset.order_by().aggregate(**aggregates)


def _funnel_figure(key: str):
    """One step of ``funnel_totals``, reading only the record table behind it (one query, not six)."""

    def compute(*, division, start=None, end=None) -> int | Decimal:
        for index, (_queryset, _campaign_key, aggregates) in enumerate(_funnel_sources(division, start, end)):
            if key in aggregates:
                values = _funnel_table(division=division, start=start, end=end, index=index)
                return getattr(_funnel_from(values), key)
        return getattr(funnel_totals(division=division, start=start, end=end), key)

    return compute


@shared_figure
def _timeliness(*, division, on) -> dict:
    return project_timeliness(division=division, on=on)


def _projects(key: str):
    def compute(*, division, start=None, end=None) -> int:
        return _timeliness(division=division, on=end)[key]

    return compute


# The funnel's steps counting distinct people (处理, 处分, 留置: not additive, so no roll-up) and
# 民生实事 on time / late (as of a period's end, not of today: no snapshot either).
PEOPLE = ("handled", "sanctioned", "detained")
PROJECTS = ("on_time", "late")
Span = tuple[datetime.date, datetime.date]


@shared_figure
def _by_span(*, division, spans: tuple[Span, ...]) -> list[dict[str, Any]]:
    """For each span (start, end, inclusive): the people steps as ``funnel_totals`` counts them and
    ``project_timeliness`` on the span's end, ``{"handled", "sanctioned", "detained", "on_time",
    "late": int}`` — ONE query for all spans and all five indicators (``aggregate_together`` over the
    selectors' own querysets), once per dashboard."""
    parts: list[AggregatePart] = []
    owners: list[int] = []  # the span of each part
    for index, (start, end) in enumerate(spans):
        for queryset, _campaign_key, aggregates in _funnel_sources(division, start, end):
            wanted = {key: aggregate for key, aggregate in aggregates.items() if key in PEOPLE}
            if wanted:
                parts.append((queryset, wanted))
                owners.append(index)
        parts.append(project_timeliness_part(division=division, on=end))
        owners.append(index)
    merged: list[dict[str, Any]] = [{} for _ in spans]
    for index, row in zip(owners, aggregate_together(parts), strict=True):
        merged[index].update(row)
    figures = []
    for values in merged:
        funnel = _funnel_from(values)
        figures.append({**{key: getattr(funnel, key) for key in PEOPLE}, **{key: values[key] for key in PROJECTS}})
    return figures


def _spans(key: str):
    """``Indicator.compute_spans`` of one of the figures of ``_by_span``."""

    def compute_spans(*, division, spans: list[Span]) -> list[int]:
        return [row[key] for row in _by_span(division=division, spans=tuple(spans))]

    return compute_spans


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
            compute_spans=_spans(key) if key in PEOPLE else None,
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
        compute_spans=_spans("on_time"),
    )
)
registry.indicator(
    Indicator(
        "integrity.projects.late",
        _("民生实事进度滞后"),
        "integrity",
        _projects("late"),
        _("项"),
        71,
        good=GOOD_DOWN,
        compute_spans=_spans("late"),
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


def _rule_effect(key: str):
    """Sums of the clean units' rules' measured effects (``selectors.rule_effects``), as they stand."""

    def compute(*, division, start=None, end=None):
        return rule_effects(division=division)[key]

    return compute


def _culture(key: str):
    def compute(*, division, start=None, end=None) -> int:
        return culture_counts(division=division, start=start, end=end)[key]

    return compute


for key, title, unit, order in [
    ("loopholes", _("制度堵塞管理漏洞"), _("项"), 80),
    ("savings_amount", _("制度节约资金"), _("元"), 81),
    ("measured", _("有量化成效的制度"), _("项"), 82),
]:
    registry.indicator(
        Indicator(
            f"integrity.rules.{key}", title, "integrity", _rule_effect(key), unit, order, dated=False, good=GOOD_UP
        )
    )
registry.indicator(
    Indicator("integrity.culture.sites", _("廉洁文化阵地"), "integrity", _culture("sites"), _("个"), 83, dated=False)
)
registry.indicator(
    Indicator(
        "integrity.culture.activities",
        _("廉洁文化进企业、团体、家庭、公共场所活动"),
        "integrity",
        _culture("activities"),
        _("场"),
        84,
        good=GOOD_UP,
    )
)


# --- how the units, rules and culture figures roll up (issue 12) ----------------------------------
# Each repeats in SQL the rows of its selector (``clean_units_by_status``, ``rule_effects``,
# ``culture_counts``); a unit's and a rule's division is its organisation's, so an organisation
# moving marks both divisions.
registry.rollup_source(
    RollupSource(
        key="integrity.units",
        from_sql="integrity_cleanunit t JOIN governance_organization o ON o.id = t.organization_id",
        division="o.division_id",
        measures={status: f"count(*) FILTER (WHERE t.status = '{status}')" for status in CleanUnitStatus.values},
        triggers=(
            RollupTrigger(
                "integrity_cleanunit",
                division="o.division_id",
                joins="JOIN governance_organization o ON o.id = r.organization_id",
            ),
            RollupTrigger("governance_organization", division="r.division_id"),
        ),
    )
)
registry.rollup_source(
    RollupSource(
        key="integrity.rules",
        from_sql=(
            "integrity_unitrule t JOIN integrity_cleanunit u ON u.id = t.unit_id "
            "JOIN governance_organization o ON o.id = u.organization_id"
        ),
        division="o.division_id",
        measures={
            "loopholes": "COALESCE(sum(t.loopholes_closed), 0)",
            "savings_amount": "COALESCE(sum(t.savings_amount), 0)",
            "measured": (
                "count(*) FILTER (WHERE t.loopholes_closed > 0 OR t.savings_percent IS NOT NULL "
                "OR t.savings_amount IS NOT NULL)"
            ),
        },
        triggers=(
            RollupTrigger(
                "integrity_unitrule",
                division="o.division_id",
                joins=(
                    "JOIN integrity_cleanunit u ON u.id = r.unit_id "
                    "JOIN governance_organization o ON o.id = u.organization_id"
                ),
            ),
            RollupTrigger(
                "integrity_cleanunit",
                division="o.division_id",
                joins="JOIN governance_organization o ON o.id = r.organization_id",
            ),
            RollupTrigger("governance_organization", division="r.division_id"),
        ),
    )
)
registry.rollup_source(
    RollupSource(
        key="integrity.culture_sites",
        from_sql="integrity_culturesite t",
        measures={"sites": "count(*)"},
        triggers=(RollupTrigger("integrity_culturesite"),),
    )
)
registry.rollup_source(
    RollupSource(
        key="integrity.culture_activities",
        from_sql="integrity_cultureactivity t",
        day_column="t.held_on",
        measures={"activities": "count(*)"},
        triggers=(RollupTrigger("integrity_cultureactivity", day="r.held_on"),),
    )
)


def _attach(key: str, rollup: Rollup) -> None:
    """Give a registered indicator its roll-up (the indicator itself declared above, once)."""
    registry.indicator(replace(registry.indicators[key], rollup=rollup))


for _status in CleanUnitStatus.values:
    _attach(f"integrity.clean_units.{_status}", Rollup("integrity.units", _status, kind=SNAPSHOT))
_attach("integrity.rules.loopholes", Rollup("integrity.rules", "loopholes", kind=SNAPSHOT))
_attach("integrity.rules.savings_amount", Rollup("integrity.rules", "savings_amount", kind=SNAPSHOT, finish=_recovered))
_attach("integrity.rules.measured", Rollup("integrity.rules", "measured", kind=SNAPSHOT))
_attach("integrity.culture.sites", Rollup("integrity.culture_sites", "sites", kind=SNAPSHOT))
_attach("integrity.culture.activities", Rollup("integrity.culture_activities", "activities"))
