"""What other systems are told of a case (webhook event ``dispute.event``, 纠纷办理进展): each step on
its timeline, without personal data (no party names, numbers or notes) — the case number, the
caller's own ``external_id``, the step, the status, the body now handling it and the deadline."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from governance.webhooks import webhooks_emit_many
from security.choices import EventAction, Status
from security.models import DisputeEvent

DISPUTE_EVENT = "dispute.event"


def dispute_webhooks_for_events(event_ids: Iterable[int]) -> int:
    """Queue ``dispute.event`` deliveries for a batch of case events (one query for the events, the
    rest per subscription: ``webhooks_emit_many``). Returns how many deliveries were queued."""
    events = list(
        DisputeEvent.objects.filter(pk__in=list(event_ids))
        .select_related("dispute", "dispute__division", "to_body")
        .order_by("id")
    )
    batch: list[tuple[Any, Any, dict[str, Any]]] = []
    for event in events:
        dispute = event.dispute
        data = {
            "number": dispute.number,
            "external_id": dispute.external_id,
            "channel": dispute.channel,
            "category": dispute.category,
            "division": dispute.division.code,
            "action": event.action,
            "action_label": str(EventAction(event.action).label),
            "status": dispute.status,
            "status_label": str(Status(dispute.status).label),
            "body": event.to_body.name if event.to_body else None,
            "deadline": dispute.deadline.isoformat() if dispute.deadline else None,
            "at": timezone.localtime(event.created_at).isoformat(timespec="seconds"),
        }
        batch.append((dispute, dispute.division, data))
    return webhooks_emit_many(event_type=DISPUTE_EVENT, events=batch)
