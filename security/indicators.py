"""What the security app adds to the leaders' dashboard (section "safety")."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.registry import (
    GOOD_DOWN,
    GOOD_UP,
    RATIO,
    SNAPSHOT,
    Indicator,
    Rollup,
    RollupSource,
    RollupTrigger,
    registry,
)
from governance.shared_figures import shared_figure
from security import rollup_response, rollup_sources  # noqa: F401  (declare the 响应率, ratings and 三调/三情 sources)
from security.choices import AWAITING_ACCEPTANCE, OPEN_STATUSES, RiskLevel
from security.models import Dispute, MediationBody
from security.rates import rate, rates_for_division, response_rate_for_division
from security.reports.selectors import three_mediations_figures, three_situations_figures
from security.selectors import (
    coverage_gaps,
    dispute_figures,
    duty_gaps,
    protection_coverage,
    protection_summary,
    security_stats_yoy,
)


def _figure(key: str):
    def compute(*, division, start=None, end=None):
        return dispute_figures(queryset=Dispute.objects.in_subtree(division), start=start, end=end)[key]

    return compute


def _coverage_gaps(*, division, start=None, end=None) -> int:
    return coverage_gaps(division=division).count()


@shared_figure
def _stats_yoy(*, division, start, end) -> dict:
    """``security_stats_yoy`` once per dashboard for the three …同比 figures (two queries, not six)."""
    return security_stats_yoy(division=division, start=start, end=end)


def _yoy(field: str):
    """接处警、刑事立案、行政案件同比 from complete monthly returns (``security_stats_comparison``):
    None ("无数据") when a month of the period or of the year before lacks them, never −100 %."""

    def compute(*, division, start=None, end=None):
        end = end or timezone.localdate()
        start = start or datetime.date(end.year, 1, 1)
        return _stats_yoy(division=division, start=start, end=end)[field]["change_pct"]

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
        rollup=Rollup("security.coverage", "gaps", kind=SNAPSHOT),
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


def _response_rate(*, division, start=None, end=None):
    """响应率 (``security.rates``): assignments accepted within the acceptance window ÷ assignments
    decided, from the records (two queries). The dashboard reads it rolled up (``security.responses``
    in ``security.rollup_response``: the same rule in SQL, recomputed daily as windows end)."""
    return response_rate_for_division(division=division, start=start, end=end)


def _satisfaction_rate(*, division, start=None, end=None):
    """满意率 (``security.rates``): 满意 and 基本满意 ÷ all ratings made in the period."""
    return rates_for_division(division=division, start=start, end=end)["satisfaction_rate"]


def _three_rate(numerator, denominator):
    """A rate as ``security.rates.rate`` and the 三调联治 figures give it: per cent, 0.1, None for 0 of 0."""
    return rate(numerator, denominator)


registry.indicator(
    Indicator(
        "security.response_rate",
        _("响应率（按时接收）"),
        "safety",
        _response_rate,
        "%",
        17,
        good=GOOD_UP,
        rollup=Rollup(rollup_response.SOURCE, "responded", "assigned", RATIO, _three_rate),
    )
)
registry.indicator(
    Indicator(
        "security.satisfaction_rate",
        _("群众满意率"),
        "safety",
        _satisfaction_rate,
        "%",
        18,
        good=GOOD_UP,
        rollup=Rollup("security.ratings", "satisfied", "rated", RATIO, _three_rate),
    )
)


def _protection_rate(*, division, start=None, end=None):
    """三防覆盖率: villages, communities and compounds with 人防, 物防 and 技防 ÷ all of them × 100
    (``security.selectors.protection_coverage``; today's state). ``None`` without such units."""
    return protection_summary(protection_coverage(division=division))["rate"]


def _duty_gap_hours(*, division, start=None, end=None):
    """值班空档: hours of the next seven days with nobody on duty, summed over the area's 24-hour
    矛调中心 and 综治中心 (``security.selectors.duty_gaps``)."""
    rows = duty_gaps(bodies=MediationBody.objects.in_subtree(division))
    return sum((row["gap_hours"] for row in rows), Decimal(0))


registry.indicator(
    Indicator(
        "security.protection_rate",
        _("三防覆盖率（人防、物防、技防齐全）"),
        "safety",
        _protection_rate,
        "%",
        24,
        dated=False,
        good=GOOD_UP,
        rollup=Rollup("security.protection", "full", "units", SNAPSHOT, _three_rate),
    )
)
registry.indicator(
    Indicator(
        "security.duty_gap_hours",
        _("未来7天值班空档"),
        "safety",
        _duty_gap_hours,
        _("小时"),
        25,
        dated=False,
        good=GOOD_DOWN,
    )
)


def _three_mediations(key: str):
    """三调联治 (issue 16 item 4): cases received in the period held by a 人民调解, 司法调解 or 行政调解
    body of any level (``three_mediations_figures``); one query computing only this figure."""

    def compute(*, division, start=None, end=None):
        return three_mediations_figures(disputes=Dispute.objects.all(), division=division, start=start, end=end)[key]

    return compute


def _three_situations(key: str):
    """三情联处 (issue 16 item 5): 警情, 诉情 and 访情 received in the period, and how many of them were
    handed between a police station and a 矛调中心 (``three_situations_figures``); one query."""

    def compute(*, division, start=None, end=None):
        return three_situations_figures(disputes=Dispute.objects.all(), division=division, start=start, end=end)[key]

    return compute


THREE_ROLLUPS = {
    "three_mediations_received": Rollup("security.three_mediations", "received"),
    "three_mediations_rate": Rollup("security.three_mediations", "resolved", "received", RATIO, _three_rate),
    "three_situations_received": Rollup("security.three_situations", "received"),
    "three_situations_transferred": Rollup("security.three_situations", "transferred"),
}
for key, title, unit, order, good, compute in [
    ("three_mediations_received", _("三调联治受理"), _("件"), 24, "", _three_mediations("received")),
    ("three_mediations_rate", _("三调联治化解率"), "%", 25, GOOD_UP, _three_mediations("resolution_rate")),
    ("three_situations_received", _("三情受理（警情、诉情、访情）"), _("件"), 26, "", _three_situations("received")),
    ("three_situations_transferred", _("警调互转"), _("件"), 27, "", _three_situations("transferred")),
]:
    registry.indicator(
        Indicator(f"security.{key}", title, "safety", compute, unit, order, good=good, rollup=THREE_ROLLUPS[key])
    )
