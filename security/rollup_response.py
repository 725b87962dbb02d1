"""响应率 rolled up (issue 12): the response rate's measures per division and month, as
``governance.rollups`` reads them, the same rows and rule as ``security.rates`` (``_assignments`` and
``_response_counts``; the rule in that module's docstring, issue 20 item 3):

- an *assignment* is an event of ``ASSIGNMENTS`` with a body to send to; it is dated by its own local
  date (Asia/Shanghai) and belongs to its case's division;
- its *next hand-over* is the case's first later event (by id) that is an 接收 or another assignment;
- ``responded``: that next hand-over is an 接收 made before the end of the acceptance window (the
  start of the day after the ``ACCEPT_WORKING_DAYS``-th working day after the assignment's date, in
  the district's calendar: ``governance.calendar.working_days_sql``, overrides included);
- ``assigned`` (decided): there is a next hand-over, or the window has ended by today.

Dirty marks: a new event marks its own month and the month of the case's previous assignment (whose
next hand-over it may now be); a case moved to another division marks its assignments' months in
both; a calendar override marks the months of the assignments whose window it may fall in. Windows
end as days pass, so the source is volatile (recomputed daily) and the measure reads ``{today}``.

The windows are computed in SQL from the calendar of the days the events span (``WINDOW_SPAN_DAYS``
before their first day, so that a working day precedes it, to as many after their last; read off the
index on ``created_at``): the cost of a read grows with the years of records, not with the rows. A
calendar override marks the assignments of the ``WINDOW_SPAN_DAYS`` days before it (a window of two
working days never spans more)."""

from __future__ import annotations

import functools

from governance.calendar import working_days_sql
from governance.registry import RollupSource, RollupTrigger, registry
from security.choices import EventAction
from security.rates import ASSIGNMENTS
from security.services.common import ACCEPT_WORKING_DAYS

SOURCE = "security.responses"
# Days of calendar around the events' span, and how far before a calendar override the assignments
# whose window it may change are marked dirty.
WINDOW_SPAN_DAYS = 60
LOCAL = "Asia/Shanghai"

_ASSIGNMENTS = "(" + ", ".join(f"'{action}'" for action in ASSIGNMENTS) + ")"
_HANDOVERS = "(" + ", ".join(f"'{action}'" for action in (EventAction.ACCEPTED, *ASSIGNMENTS)) + ")"


def _windows_sql() -> str:
    """``(…) w``: for every day ``day`` of the calendar span, ``end_day``: the day the acceptance window
    of an assignment made that day ends before (the day after its ``ACCEPT_WORKING_DAYS``-th working
    day, as ``security.rates.accept_deadlines``). Each day maps to the last working day on or before
    it (the same working days follow both), whose ``ACCEPT_WORKING_DAYS``-th next working day is a
    ``lead`` over the working days: two sorts of the days spanned, whatever the rows."""
    calendar = working_days_sql(
        f"SELECT (min(created_at) AT TIME ZONE '{LOCAL}')::date - {WINDOW_SPAN_DAYS} FROM security_disputeevent",
        f"SELECT (max(created_at) AT TIME ZONE '{LOCAL}')::date + {WINDOW_SPAN_DAYS} FROM security_disputeevent",
    )
    return (
        f"(WITH wc AS {calendar}, "
        f"wk AS (SELECT day, lead(day, {ACCEPT_WORKING_DAYS}) OVER (ORDER BY day) AS due FROM wc WHERE work) "
        "SELECT wp.day, wk.due + 1 AS end_day FROM (SELECT day, max(day) FILTER (WHERE work) OVER (ORDER BY day) AS p "
        "FROM wc) wp JOIN wk ON wk.day = wp.p) w"
    )


@functools.cache
def _from_sql() -> str:
    """Assignment events ``t`` with their case ``c``, next hand-over ``nx`` and window ``w`` (built once,
    at first use)."""
    return (
        "security_disputeevent t JOIN security_dispute c ON c.id = t.dispute_id "
        "LEFT JOIN LATERAL (SELECT n.action, n.created_at FROM security_disputeevent n "
        f"WHERE n.dispute_id = t.dispute_id AND n.id > t.id AND n.action IN {_HANDOVERS} "
        # ``n.id + 0``: the case's few events through its ``dispute_id`` index in each monthly partition,
        # not an ordered walk of every partition's primary key (id, created_at) from ``t.id`` on.
        "ORDER BY n.id + 0 LIMIT 1) nx ON TRUE "
        f"LEFT JOIN {_windows_sql()} ON w.day = (t.created_at AT TIME ZONE '{LOCAL}')::date"
    )


def _local_day(column: str) -> str:
    return f"({column} AT TIME ZONE '{LOCAL}')::date"


registry.rollup_source(
    RollupSource(
        key=SOURCE,
        from_sql=_from_sql,
        division="c.division_id",
        day_column="t.created_at",
        day_is_timestamp=True,
        where=f"t.action IN {_ASSIGNMENTS} AND t.to_body_id IS NOT NULL",
        measures={
            "responded": (
                f"count(*) FILTER (WHERE nx.action = '{EventAction.ACCEPTED}' "
                f"AND nx.created_at < (w.end_day::timestamp AT TIME ZONE '{LOCAL}'))"
            ),
            "assigned": "count(*) FILTER (WHERE nx.action IS NOT NULL OR w.end_day <= {today})",
        },
        triggers=(
            # The event's own month (a new assignment).
            RollupTrigger(
                "security_disputeevent",
                division="d.division_id",
                day=_local_day("r.created_at"),
                joins="JOIN security_dispute d ON d.id = r.dispute_id",
            ),
            # The month of the case's previous assignment: the new event may be its next hand-over.
            RollupTrigger(
                "security_disputeevent",
                division="d.division_id",
                day=_local_day("p.created_at"),
                joins=(
                    "JOIN security_dispute d ON d.id = r.dispute_id JOIN LATERAL (SELECT p.created_at "
                    "FROM security_disputeevent p WHERE p.dispute_id = r.dispute_id AND p.id < r.id "
                    f"AND p.action IN {_ASSIGNMENTS} ORDER BY p.id DESC LIMIT 1) p ON TRUE"
                ),
            ),
            # A case moved to another division takes its assignments along.
            RollupTrigger(
                "security_dispute",
                division="r.division_id",
                day=_local_day("g.created_at"),
                joins=f"JOIN security_disputeevent g ON g.dispute_id = r.id AND g.action IN {_ASSIGNMENTS}",
            ),
            # A calendar override moves the windows of the assignments made up to WINDOW_SPAN_DAYS before it.
            RollupTrigger(
                "governance_calendarday",
                division="c.division_id",
                day=_local_day("g.created_at"),
                joins=(
                    f"JOIN security_disputeevent g ON g.action IN {_ASSIGNMENTS} "
                    f"AND g.created_at >= ((r.date - {WINDOW_SPAN_DAYS + 1})::timestamp AT TIME ZONE '{LOCAL}') "
                    f"AND g.created_at < (r.date::timestamp AT TIME ZONE '{LOCAL}') "
                    "JOIN security_dispute c ON c.id = g.dispute_id"
                ),
            ),
        ),
        volatile=True,
    )
)
