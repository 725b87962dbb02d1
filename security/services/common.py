"""What the security services share: their errors, the case's row lock, saving a case and recording a
step of its timeline, and setting a case's deadline in working days (``governance.calendar``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError

from governance.calendar import working_days_due
from governance.errors import Conflict
from governance.models import User
from security.choices import RiskLevel
from security.models import Dispute, DisputeEvent, MediationBody, RoutingRule
from security.services.notices import dispute_notices_for_events
from security.services.webhooks import dispute_webhooks_for_events

ERR_TRANSITION = "transition_not_allowed"
ERR_NOT_RECEIVING_BODY = "not_receiving_body"
ERR_NO_UPPER_LEVEL = "no_upper_level"
ERR_SAME_BODY = "same_body"
ERR_INACTIVE_BODY = "inactive_body"
ERR_POLICE_MATTER = "police_matter_to_station"
ERR_REASON_REQUIRED = "required"
ERR_NO_PARTIES = "dispute_no_parties"
ERR_DUPLICATE_PARTY = "duplicate_party"
ERR_PARTY_ROLE = "invalid_choice"
ERR_VISIT_TOO_EARLY = "visit_before_resolution"
ERR_LOG_HAS_DISPUTE = "patrol_log_has_dispute"

DEFAULT_DEADLINE_DAYS = 10
# Working days a body has to accept a case routed, transferred, returned or escalated to it.
ACCEPT_WORKING_DAYS = 2


class DisputeConflict(Conflict):
    """A move that the case's current status, its receiving body or the case itself does not allow
    (409 in the API, a message on the page); nothing is changed."""


if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def conflict(field: str, message: StrOrPromise, code: str, **params: object) -> DisputeConflict:
    """``DisputeConflict`` naming ``field``, with a stable ``code``."""
    return DisputeConflict({field: ValidationError(message, code=code, params=params or None)})


def invalid(field: str, message: StrOrPromise, code: str) -> ValidationError:
    """A bad value of ``field`` (400 in the API, shown on the form's field)."""
    return ValidationError({field: ValidationError(message, code=code)})


def dispute_locked(dispute: Dispute) -> Dispute:
    """The case re-read under a row lock (with its current body), so two officers cannot move it at
    once. Call inside a transaction."""
    return Dispute.objects.select_for_update(of=("self",)).select_related("current_body").get(pk=dispute.pk)


def dispute_save(dispute: Dispute, fields: Sequence[str]) -> None:
    """Validate the case's own fields and save ``fields`` (and ``updated_at``). Raises
    ``ValidationError`` for a field that fails its validators."""
    dispute.full_clean(validate_unique=False, validate_constraints=False)
    dispute.save(update_fields=[*fields, "updated_at"])


def event_record(
    dispute: Dispute,
    *,
    action: str,
    from_status: str,
    from_body: MediationBody | None,
    by: User | None,
    reason: str = "",
    rule: RoutingRule | None = None,
) -> DisputeEvent:
    """One step on the case's timeline, from ``from_status``/``from_body`` to where the case is now;
    the notices and webhook deliveries it calls for are written with it."""
    event = DisputeEvent.objects.create(
        dispute=dispute,
        action=action,
        from_status=from_status,
        to_status=dispute.status,
        from_body=from_body,
        to_body=dispute.current_body,
        actor=by,
        rule=rule,
        reason=reason,
    )
    dispute_notices_for_events([event.pk])
    dispute_webhooks_for_events([event.pk])
    return event


def deadline_set(dispute: Dispute, *, start: datetime.date, days: int) -> list[str]:
    """Give the case the ``days``-th working day after ``start`` as its deadline, marked provisional
    when the count ran through a year with no published holiday schedule. Returns the fields changed
    (to save). Raises ``ValueError`` for a negative ``days``."""
    dispute.deadline, dispute.deadline_provisional = working_days_due(start, days)
    return ["deadline", "deadline_provisional"]


def handling_days(dispute: Dispute) -> int:
    """Working days the accepting body has for the case: 民转刑 high risk halves them."""
    if dispute.risk_level >= RiskLevel.HIGH:
        return max(1, dispute.handling_days // 2)
    return dispute.handling_days
