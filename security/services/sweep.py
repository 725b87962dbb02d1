"""The sweep: overdue and failed cases go one level up by themselves (the system's "escalate" move,
set-based for the whole district)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.calendar import working_days_due
from governance.models import Division
from security.choices import BodyKind, Status
from security.models import Dispute, DisputeEvent, MediationBody
from security.services.common import ACCEPT_WORKING_DAYS
from security.services.moves import MOVES
from security.services.notices import dispute_notices_for_events
from security.services.webhooks import dispute_webhooks_for_events

_SWEEP_SQL = """
WITH due AS (
    SELECT d.id, d.status AS from_status, d.current_body_id AS from_body, up.id AS to_body
    FROM {dispute} d
    JOIN {body} b ON b.id = d.current_body_id
    JOIN {division} bd ON bd.id = b.division_id
    JOIN LATERAL (
        SELECT u.id FROM {body} u
        WHERE u.division_id = bd.parent_id AND u.kind = %(centre)s AND u.is_active
        ORDER BY u.id LIMIT 1
    ) up ON TRUE
    WHERE ((d.status = ANY(%(open)s) AND d.deadline < %(today)s) OR d.status = %(failed)s)
      AND (%(root)s::text IS NULL OR bd.path LIKE %(root)s)
    ORDER BY d.id
    LIMIT %(batch)s
    FOR UPDATE OF d SKIP LOCKED
), moved AS (
    UPDATE {dispute} d
    SET status = %(escalated)s, current_body_id = due.to_body, deadline = %(deadline)s,
        deadline_provisional = %(provisional)s, updated_at = %(now)s
    FROM due WHERE d.id = due.id
    RETURNING d.id, due.from_status, due.from_body, due.to_body
)
INSERT INTO {event} (dispute_id, action, from_status, to_status, from_body_id, to_body_id, actor_id, rule_id,
                     reason, created_at)
SELECT id, %(event)s, from_status, %(escalated)s, from_body, to_body, NULL, NULL, %(reason)s, %(now)s
FROM moved
RETURNING id
"""


def disputes_escalate_overdue(
    *, today: datetime.date | None = None, batch_size: int = 10_000, root: Division | None = None
) -> int:
    """Escalate every overdue (or failed) case one level up, in set-based batches: one statement per
    batch selects (skipping rows another worker holds), updates and writes the events, as the
    "escalate" row of ``MOVES`` says (the system may make it). An escalated case gets a new acceptance
    deadline, so running the sweep again escalates nothing twice. Returns how many cases went up;
    a case at the top level stays where it is. ``root``: only cases held by bodies in its subtree (one
    district's share, ``governance.fanout``). Raises nothing of its own."""
    escalate = MOVES["escalate"]
    today = today or timezone.localdate()
    deadline, provisional = working_days_due(today, ACCEPT_WORKING_DAYS)
    sql = _SWEEP_SQL.format(
        dispute=Dispute._meta.db_table,
        body=MediationBody._meta.db_table,
        division=Division._meta.db_table,
        event=DisputeEvent._meta.db_table,
    )
    params: dict[str, Any] = {
        "centre": BodyKind.CENTRE.value,
        "open": sorted(str(status) for status in escalate.sources - {Status.FAILED}),
        "failed": Status.FAILED.value,
        "escalated": str(escalate.target),
        "event": str(escalate.event),
        "today": today,
        "deadline": deadline,
        "provisional": provisional,
        "batch": batch_size,
        "root": root.path + "%" if root is not None else None,
        "reason": str(_("超期未办结，自动上报上级")),
    }
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            params["now"] = timezone.now()
            cursor.execute(sql, params)
            events = [row[0] for row in cursor.fetchall()]
            moved = len(events)
            dispute_notices_for_events(events)
            dispute_webhooks_for_events(events)
        total += moved
        if moved < batch_size:
            return total
