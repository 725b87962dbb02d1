"""What the security app adds to the leaders' dashboard (section "safety")."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.registry import GOOD_DOWN, GOOD_UP, RATIO, Indicator, Rollup, RollupSource, RollupTrigger, registry
from security.choices import AWAITING_ACCEPTANCE, OPEN_STATUSES, RiskLevel
from security.models import Dispute
from security.rates import rates_for_division
from security.selectors import coverage_gaps, dispute_figures, security_stats_yoy


def _figure(key: str):
    def compute(*, division, start=None, end=None):
        return dispute_figures(queryset=Dispute.objects.in_subtree(division), start=start, end=end)[key]

    return compute


def _coverage_gaps(*, division, start=None, end=None) -> int:
    return coverage_gaps(division=division).count()


def _yoy(field: str):
    def compute(*, division, start=None, end=None):
        end = end or timezone.localdate()
        start = start or datetime.date(end.year, 1, 1)
        return security_stats_yoy(division=division, start=start, end=end)[field]["change_pct"]

    return compute


# Which figures the dashboard draws: received by township and by month, overdue by township,
# resolved by month.
CHARTS = {"received": ("by_child", "by_month"), "overdue": ("by_child",), "resolved": ("by_month",)}
# Which way is better; received cases are neither (more may mean more trust in the centre).
GOOD = {
    "resolved": GOOD_UP,
    "resolution_rate": GOOD_UP,
    "mean_days_to_resolve": GOOD_DOWN,
    "overdue": GOOD_DOWN,
    "high_risk_open": GOOD_DOWN,
    "awaiting_acceptance": GOOD_DOWN,
}


def _sql_in(values) -> str:
    return "(" + ", ".join("'" + str(v) + "'" for v in values) + ")"


# The same figures as ``dispute_figures``, per division and month received (local date), as sums
# that add up; 超期 depends on today, so the cells are recomputed once a day as well (volatile).
_OPEN = f"t.status IN {_sql_in(OPEN_STATUSES)}"
registry.rollup_source(
    RollupSource(
        key="security.disputes",
        from_sql="security_dispute t",
        day_column="t.received_at",
        day_is_timestamp=True,
        measures={
            "received": "count(*)",
            "resolved": "count(*) FILTER (WHERE t.resolved_at IS NOT NULL)",
            "resolve_seconds": (
                "COALESCE(sum(extract(epoch FROM t.resolved_at - t.received_at)) "
                "FILTER (WHERE t.resolved_at IS NOT NULL), 0)"
            ),
            "overdue": f"count(*) FILTER (WHERE {_OPEN} AND t.deadline < {{today}})",
            "high_risk_open": f"count(*) FILTER (WHERE {_OPEN} AND t.risk_level >= {int(RiskLevel.HIGH)})",
            "awaiting_acceptance": f"count(*) FILTER (WHERE t.status IN {_sql_in(AWAITING_ACCEPTANCE)})",
        },
        triggers=(RollupTrigger("security_dispute", day="(r.received_at AT TIME ZONE 'Asia/Shanghai')::date"),),
        volatile=True,
    )
)


def _rate(numerator, denominator) -> Decimal:
    """化解率 as ``dispute_figures`` gives it: resolved × 100 ÷ received, 0.1 %, 0 with no case."""
    rate = Decimal(numerator * 100) / Decimal(denominator) if denominator else Decimal(0)
    return rate.quantize(Decimal("0.1"), ROUND_HALF_UP)


def _mean_days(seconds, resolved) -> Decimal | None:
    """平均化解天数 as ``dispute_figures`` gives it: mean (resolved − received) in days, to 0.1; None
    when none is resolved."""
    if not resolved or not seconds:
        return None
    return Decimal(float(seconds) / float(resolved) / 86400).quantize(Decimal("0.1"), ROUND_HALF_UP)


ROLLUPS = {
    "received": Rollup("security.disputes", "received"),
    "resolved": Rollup("security.disputes", "resolved"),
    "resolution_rate": Rollup("security.disputes", "resolved", "received", RATIO, _rate),
    "mean_days_to_resolve": Rollup("security.disputes", "resolve_seconds", "resolved", RATIO, _mean_days),
    "overdue": Rollup("security.disputes", "overdue"),
    "high_risk_open": Rollup("security.disputes", "high_risk_open"),
    "awaiting_acceptance": Rollup("security.disputes", "awaiting_acceptance"),
}

for order, (key, title, unit) in enumerate(
    [
        ("received", _("受理纠纷"), _("件")),
        ("resolved", _("化解纠纷"), _("件")),
        ("resolution_rate", _("化解率"), "%"),
        ("mean_days_to_resolve", _("平均化解天数"), _("天")),
        ("overdue", _("超期纠纷"), _("件")),
        ("high_risk_open", _("在办高风险纠纷"), _("件")),
        ("awaiting_acceptance", _("待接收移交"), _("件")),
    ],
    start=10,
):
    registry.indicator(
        Indicator(
            f"security.{key}",
            title,
            "safety",
            _figure(key),
            unit,
            order,
            charts=CHARTS.get(key, ()),
            good=GOOD.get(key, ""),
            rollup=ROLLUPS[key],
        )
    )
registry.indicator(
    Indicator(
        "security.coverage_gaps",
        _("未覆盖警务室的村（社区）"),
        "safety",
        _coverage_gaps,
        _("个"),
        20,
        dated=False,
        good=GOOD_DOWN,
    )
)
registry.indicator(
    Indicator(
        "security.police_incidents_yoy", _("接处警同比"), "safety", _yoy("police_incidents"), "%", 21, good=GOOD_DOWN
    )
)
registry.indicator(
    Indicator(
        "security.criminal_cases_yoy", _("刑事立案同比"), "safety", _yoy("criminal_cases"), "%", 22, good=GOOD_DOWN
    )
)
registry.indicator(
    Indicator(
        "security.administrative_cases_yoy",
        _("行政案件同比"),
        "safety",
        _yoy("administrative_cases"),
        "%",
        23,
        good=GOOD_DOWN,
    )
)


def _rate(key: str):
    """三率 on the dashboard: formulas in ``security.rates`` (响应率: accepted within the acceptance
    window ÷ assignments decided; 满意率: 满意 and 基本满意 ÷ all ratings; 化解率 is ``resolution_rate`` above)."""

    def compute(*, division, start=None, end=None):
        return rates_for_division(division=division, start=start, end=end)[key]

    return compute


registry.indicator(
    Indicator(
        "security.response_rate", _("响应率（按时接收）"), "safety", _rate("response_rate"), "%", 17, good=GOOD_UP
    )
)
registry.indicator(
    Indicator(
        "security.satisfaction_rate", _("群众满意率"), "safety", _rate("satisfaction_rate"), "%", 18, good=GOOD_UP
    )
)
