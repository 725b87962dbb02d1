"""How more of security's dashboard figures roll up (issue 12): 满意率 (ratings), 三调联治 and 三情联处
per division and month, as ``governance.rollups`` reads them. Each source repeats, in SQL, the rows and
filters of the selector it stands for (``security.rates.rates_for_division``'s ratings,
``security.reports.selectors.three_mediations_figures`` and ``three_situations_figures``); the roll-up
equality tests (tests/governance/test_rollups_more.py) hold the two to the same figures.

Days are local dates (Asia/Shanghai) of the timestamps, as the selectors' periods are."""

from __future__ import annotations

from governance.registry import RollupSource, RollupTrigger, registry
from security.choices import EventAction
from security.rates import SATISFIED
from security.reports.selectors import MEDIATION_KINDS, POLICE_PAIR, SITUATION_CHANNELS

RECEIVED_DAY = "(d.received_at AT TIME ZONE 'Asia/Shanghai')::date"


def _in(values) -> str:
    return "(" + ", ".join(f"'{value}'" for value in values) + ")"


# 满意率: ratings made in the period (their own date) of the cases of the subtree (the case's division).
registry.rollup_source(
    RollupSource(
        key="security.ratings",
        from_sql="security_disputerating t JOIN security_dispute c ON c.id = t.dispute_id",
        division="c.division_id",
        day_column="t.created_at",
        day_is_timestamp=True,
        measures={
            "rated": "count(*)",
            "satisfied": f"count(*) FILTER (WHERE t.satisfaction IN ({', '.join(str(int(s)) for s in SATISFIED)}))",
        },
        triggers=(
            RollupTrigger(
                "security_disputerating",
                division="d.division_id",
                day="(r.created_at AT TIME ZONE 'Asia/Shanghai')::date",
                joins="JOIN security_dispute d ON d.id = r.dispute_id",
            ),
            # A case moved to another division takes its ratings along.
            RollupTrigger(
                "security_dispute",
                division="r.division_id",
                day="(g.created_at AT TIME ZONE 'Asia/Shanghai')::date",
                joins="JOIN security_disputerating g ON g.dispute_id = r.id",
            ),
        ),
    )
)

# 三调联治: cases received in the period held now by a 人民调解, 司法调解 or 行政调解 body (any level).
registry.rollup_source(
    RollupSource(
        key="security.three_mediations",
        from_sql="security_dispute t JOIN security_mediationbody b ON b.id = t.current_body_id",
        day_column="t.received_at",
        day_is_timestamp=True,
        where=f"b.kind IN {_in(MEDIATION_KINDS)}",
        measures={
            "received": "count(*)",
            "resolved": "count(*) FILTER (WHERE t.resolved_at IS NOT NULL)",
        },
        triggers=(
            RollupTrigger("security_dispute", day="(r.received_at AT TIME ZONE 'Asia/Shanghai')::date"),
            # A body changing its kind changes which of its cases count.
            RollupTrigger(
                "security_mediationbody",
                division="d.division_id",
                day=RECEIVED_DAY,
                joins="JOIN security_dispute d ON d.current_body_id = r.id",
            ),
        ),
    )
)

# 三情联处: 警情, 诉情 and 访情 received in the period, and those handed at least once between a police
# station and a 矛调中心 (either way).
_PAIR = (
    f"((fb.kind = '{POLICE_PAIR[0]}' AND tb.kind = '{POLICE_PAIR[1]}') "
    f"OR (fb.kind = '{POLICE_PAIR[1]}' AND tb.kind = '{POLICE_PAIR[0]}'))"
)
registry.rollup_source(
    RollupSource(
        key="security.three_situations",
        from_sql="security_dispute t",
        day_column="t.received_at",
        day_is_timestamp=True,
        where=f"t.channel IN {_in(SITUATION_CHANNELS)}",
        measures={
            "received": "count(*)",
            "transferred": (
                "count(*) FILTER (WHERE EXISTS (SELECT 1 FROM security_disputeevent e "
                "JOIN security_mediationbody fb ON fb.id = e.from_body_id "
                "JOIN security_mediationbody tb ON tb.id = e.to_body_id "
                f"WHERE e.dispute_id = t.id AND e.action = '{EventAction.TRANSFERRED}' AND {_PAIR}))"
            ),
        },
        triggers=(
            RollupTrigger("security_dispute", day="(r.received_at AT TIME ZONE 'Asia/Shanghai')::date"),
            RollupTrigger(
                "security_disputeevent",
                division="d.division_id",
                day=RECEIVED_DAY,
                joins="JOIN security_dispute d ON d.id = r.dispute_id",
            ),
            RollupTrigger(
                "security_mediationbody",
                division="d.division_id",
                day=RECEIVED_DAY,
                joins=(
                    "JOIN security_disputeevent e ON e.from_body_id = r.id OR e.to_body_id = r.id "
                    "JOIN security_dispute d ON d.id = e.dispute_id"
                ),
            ),
        ),
    )
)


def _protection_sql() -> str:
    """Each 三防 unit with its four flags, compiled from ``protection_units`` (the rule written once), as
    a FROM item ``t`` (``t.id`` is the unit's division). Compiled at use: "patrolled in the last 30
    days" moves with today, so the source is volatile (recomputed daily)."""
    from django.db import connection

    from governance.models import Division
    from security.selectors import protection_units

    query = (
        protection_units(Division.objects.all())
        .values("id", "team", "patrolled", "has_physical", "has_technical")
        .order_by()
        .query
    )
    sql, params = query.sql_with_params()
    # The SQL runs with parameters: the LIKE patterns' ``%`` doubled.
    return "(" + connection.ops.compose_sql(sql, params).replace("%", "%%") + ") t"


# A unit's flags change with the resources, teams and patrols anywhere in its subtree: a changed row
# marks every division above its own (the units among them are recomputed).
_ABOVE = "JOIN governance_division rd ON rd.id = r.division_id JOIN governance_division u ON rd.path LIKE u.path || '%'"
registry.rollup_source(
    RollupSource(
        key="security.protection",
        from_sql=_protection_sql,
        division="t.id",
        measures={
            "units": "count(*)",
            "full": "count(*) FILTER (WHERE (t.team OR t.patrolled) AND t.has_physical AND t.has_technical)",
        },
        triggers=(
            RollupTrigger("security_patrolteam", division="u.id", joins=_ABOVE),
            RollupTrigger("security_patrollog", division="u.id", joins=_ABOVE),
            RollupTrigger("security_protectiveresource", division="u.id", joins=_ABOVE),
            RollupTrigger("governance_division", division="r.id"),
        ),
        volatile=True,
    )
)


# 未覆盖警务室的村（社区）: active villages and communities that no active police room covers (as
# ``coverage_gaps``), kept on the village's own division.
registry.rollup_source(
    RollupSource(
        key="security.coverage",
        from_sql="governance_division t",
        division="t.id",
        where="t.level IN ('village', 'community') AND t.is_active",
        measures={
            "gaps": (
                "count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM security_policeroom_covers l "
                "JOIN security_policeroom p ON p.id = l.policeroom_id WHERE l.division_id = t.id AND p.is_active))"
            )
        },
        triggers=(
            RollupTrigger("security_policeroom_covers"),
            RollupTrigger(
                "security_policeroom",
                division="l.division_id",
                joins="JOIN security_policeroom_covers l ON l.policeroom_id = r.id",
            ),
            RollupTrigger("governance_division", division="r.id"),
        ),
    )
)
