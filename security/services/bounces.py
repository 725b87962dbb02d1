"""退单 (issue 20): a case bounced between bodies — returned (退回), or transferred back to a body it had
already been with. Bounces are read from the case's timeline (``DisputeEvent``), never stored twice.
After the second bounce the case goes to the 综治中心 above both bodies, which names the body that
handles it within one working day (``governance.calendar.working_days_add``): the ``decide`` move.

The handling clock does not restart on a bounce: once a body accepted the case, its handling deadline
counts from that first acceptance (since the last escalation to an upper level, which starts a new
level's clock); a later acceptance after a transfer, a return or a referral keeps it, and a bounce's
deadline to accept is never later than the running handling deadline."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.calendar import working_days_add, working_days_due
from governance.models import User
from governance.querysets import path_codes
from security.choices import BodyKind, EventAction, Status
from security.models import Dispute, DisputeEvent, JurisdictionReferral, MediationBody
from security.services.common import (
    ACCEPT_WORKING_DAYS,
    ERR_INACTIVE_BODY,
    conflict,
    dispute_save,
    event_record,
    handling_days,
    invalid,
)

# Bounces after which the case is referred to a 综治中心 (issue 20: "after a second bounce").
REFER_AFTER_BOUNCES = 2
DECIDE_WORKING_DAYS = 1
ERR_NO_REFERRAL = "no_open_referral"


def bounce_condition() -> Q:
    """The events that are bounces: a return, or a transfer to a body the case had come from before.
    For filtering ``DisputeEvent`` querysets (one EXISTS per row, on the timeline index)."""
    earlier = DisputeEvent.objects.filter(
        dispute_id=OuterRef("dispute_id"), from_body_id=OuterRef("to_body_id"), id__lt=OuterRef("id")
    )
    return Q(action=EventAction.RETURNED) | Q(Q(action=EventAction.TRANSFERRED) & Exists(earlier))


def bounce_events(queryset: QuerySet | None = None) -> QuerySet:
    """The bounce events of ``queryset`` (default: all events), with both bodies set."""
    queryset = DisputeEvent.objects.all() if queryset is None else queryset
    return queryset.filter(from_body__isnull=False, to_body__isnull=False).filter(bounce_condition())


def bounce_count(dispute: Dispute) -> int:
    """Bounces of one case. One query."""
    return bounce_events(DisputeEvent.objects.filter(dispute_id=dispute.pk)).count()


def centre_over(*bodies: MediationBody) -> MediationBody | None:
    """The deepest active 综治中心 whose division holds all of ``bodies`` (the township's centre for two
    bodies of one township, the district's for bodies of two townships). One query."""
    common: set[str] | None = None
    for body in bodies:
        codes = set(path_codes(body.division.path))
        common = codes if common is None else common & codes
    if not common:
        return None
    centres = MediationBody.objects.active().filter(kind=BodyKind.CENTRE, division__code__in=common)
    return max(centres.select_related("division"), key=lambda c: (c.division.depth, -c.pk), default=None)


# --- The handling clock --------------------------------------------------------------------------


def handling_due(dispute: Dispute) -> datetime.date | None:
    """The running handling deadline: the case's handling days counted from its first acceptance since
    the last escalation, or None when no body has accepted it since. One query (plus the calendar's)."""
    escalated = (
        DisputeEvent.objects.filter(dispute_id=dispute.pk, action=EventAction.ESCALATED)
        .order_by("-created_at", "-id")
        .values("created_at")[:1]
    )
    accepted = DisputeEvent.objects.filter(dispute_id=dispute.pk, action=EventAction.ACCEPTED)
    first = (
        accepted.filter(Q(created_at__gt=escalated) | ~Exists(escalated))
        .order_by("created_at", "id")
        .values_list("created_at", flat=True)
        .first()
    )
    if first is None:
        return None
    return working_days_add(timezone.localdate(first), handling_days(dispute))


# Moves between bodies at one level: they never give the case more time than the running clock.
CLOCK_KEEPING_MOVES = frozenset({"transfer", "return", "decide"})


def deadline_for(dispute: Dispute, *, move: str, handle: bool) -> list[str]:
    """Set the case's deadline for a move that starts a clock: on acceptance (``handle``) the running
    handling deadline if a body already accepted the case at this level, else the handling days from
    today; otherwise the receiving body's ``ACCEPT_WORKING_DAYS`` from today — for a move between
    bodies (``CLOCK_KEEPING_MOVES``) no later than the running handling deadline. Returns the fields
    changed (to save)."""
    today = timezone.localdate()
    if not handle and move not in CLOCK_KEEPING_MOVES:
        dispute.deadline, dispute.deadline_provisional = working_days_due(today, ACCEPT_WORKING_DAYS)
        return ["deadline", "deadline_provisional"]
    running = handling_due(dispute)
    if handle:
        if running is None:
            dispute.deadline, dispute.deadline_provisional = working_days_due(today, handling_days(dispute))
        else:
            dispute.deadline = running
    else:
        dispute.deadline, dispute.deadline_provisional = working_days_due(today, ACCEPT_WORKING_DAYS)
        if running is not None and running < dispute.deadline:
            dispute.deadline = running
    return ["deadline", "deadline_provisional"]


# --- Referral after the second bounce, and the centre's decision ---------------------------------


def dispute_refer_if_bounced(dispute: Dispute, by: User | None) -> Dispute:
    """After a bounce move (``after`` hook of transfer and return, in its transaction): when the case
    has bounced ``REFER_AFTER_BOUNCES`` times or more since its last referral, send it to the 综治中心
    over the two bodies, which must decide jurisdiction within one working day. Returns the case."""
    bounces = bounce_count(dispute)
    last = JurisdictionReferral.objects.filter(dispute_id=dispute.pk).order_by("-referred_at", "-id").first()
    if last is not None and (last.decided_at is None or bounces - last.bounces < REFER_AFTER_BOUNCES):
        return dispute
    if bounces < REFER_AFTER_BOUNCES:
        return dispute
    event = DisputeEvent.objects.filter(dispute_id=dispute.pk).order_by("-created_at", "-id").first()
    bodies = [b for b in (event.from_body, event.to_body) if b is not None] if event else []
    centre = centre_over(*bodies) if bodies else None
    if centre is None:
        return dispute
    today = timezone.localdate()
    due = working_days_add(today, DECIDE_WORKING_DAYS)
    JurisdictionReferral.objects.create(dispute=dispute, centre=centre, bounces=bounces, due_on=due)
    status, body = dispute.status, dispute.current_body
    dispute.status, dispute.current_body, dispute.deadline = Status.ESCALATED, centre, due
    dispute_save(dispute, ["status", "current_body", "deadline"])
    reason = str(_("第 %(n)d 次退单，提请%(centre)s在 %(due)s 前裁定管辖")) % {
        "n": bounces,
        "centre": centre.name,
        "due": due.isoformat(),
    }
    event_record(dispute, action=EventAction.REFERRED, from_status=status, from_body=body, by=by, reason=reason)
    return dispute


def open_referral(dispute: Dispute) -> JurisdictionReferral:
    """The case's referral waiting for a decision. Raises ``DisputeConflict`` (``status``/
    ``ERR_NO_REFERRAL``) when there is none (the ``decide`` move's check). One query."""
    referral = JurisdictionReferral.objects.filter(dispute_id=dispute.pk, decided_at__isnull=True).first()
    if referral is None:
        raise conflict("status", _("该纠纷没有待裁定的管辖争议。"), ERR_NO_REFERRAL)
    return referral


def decide_apply(dispute: Dispute, by: User | None, data: dict[str, Any]) -> dict[str, Any]:
    """The ``decide`` move's own part: the centre names ``to_body`` (itself or any active body), the
    referral is closed with who and when. The named body must then accept (it cannot return a decided
    case: the case is 已分派, not 已移交). Raises ``ValidationError`` (``to_body``/``ERR_INACTIVE_BODY``)
    and ``DisputeConflict`` (no open referral). Returns the case's field changes."""
    to_body: MediationBody = data["to_body"]
    if not to_body.is_active:
        raise invalid("to_body", _("该主体已停用。"), ERR_INACTIVE_BODY)
    referral = open_referral(dispute)
    referral.decided_at, referral.decided_by, referral.decided_body = timezone.now(), by, to_body
    referral.save(update_fields=["decided_at", "decided_by", "decided_body"])
    return {"current_body": to_body}


# --- Reads for the 退单 report ---------------------------------------------------------------------

REPORT_LIMIT = 50


def bounce_pairs(*, disputes: QuerySet, limit: int = REPORT_LIMIT) -> list[dict[str, Any]]:
    """Body pairs by bounces, most first: ``from_body__name`` (the body that sent the case away),
    ``to_body__name``, ``bounces`` and ``cases`` (distinct), over the events of ``disputes``. One query."""
    return list(
        bounce_events(DisputeEvent.objects.filter(dispute__in=disputes))
        .values("from_body_id", "from_body__name", "to_body_id", "to_body__name")
        .annotate(bounces=Count("id"), cases=Count("dispute_id", distinct=True))
        .order_by("-bounces", "from_body__name", "to_body__name")[:limit]
    )


def bounce_bodies(*, disputes: QuerySet, limit: int = REPORT_LIMIT) -> list[dict[str, Any]]:
    """Bodies by how many cases they bounced away, most first: ``from_body__name``, ``bounces``,
    ``cases``. One query."""
    return list(
        bounce_events(DisputeEvent.objects.filter(dispute__in=disputes))
        .values("from_body_id", "from_body__name")
        .annotate(bounces=Count("id"), cases=Count("dispute_id", distinct=True))
        .order_by("-bounces", "from_body__name")[:limit]
    )


def referral_close_on_accept(dispute: Dispute, by: User | None) -> None:
    """The 综治中心 a case was referred to accepts it itself: that is its decision (the centre keeps the
    case), so the open referral is closed with who and when. One query."""
    JurisdictionReferral.objects.filter(
        dispute_id=dispute.pk, decided_at__isnull=True, centre_id=dispute.current_body_id
    ).update(decided_at=timezone.now(), decided_by=by, decided_body_id=dispute.current_body_id)
