"""The moves of a case, described once.

``MOVES`` is the table: for each move the statuses it may start from, who may make it, the status it
leads to, the event it records, how it sets the deadline, what it asks for and its typed service.
Every service goes through ``_move``, one transaction: lock the case, refuse what the row (or the
move's own check) forbids, change, save, record the event. ``moves_for(dispute, user)`` lists
exactly the moves ``_move`` would not refuse, for the case page's buttons and the API's
``allowed_actions``; the page and the API build their forms, serializers and action endpoints from
the same rows and call ``dispute_move``. A new move is one row and its one-line service, plus a hook
when it does more than change the status.

A plain table rather than a state-machine library (django-fsm-2, python-statemachine): a move here
re-reads the case under a row lock, asks who the actor works for and writes an event row, all in one
transaction; the libraries' transitions change an instance in memory and would leave all of that to
us, adding a layer without removing any of this code.
"""

from __future__ import annotations

import datetime
import enum
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import User
from security.choices import (
    AWAITING_ACCEPTANCE,
    OPEN_STATUSES,
    POLICE_CATEGORIES,
    RESOLVED_STATUSES,
    BodyKind,
    EventAction,
    JudicialConfirmation,
    Status,
)
from security.models import Dispute, FollowUpVisit, MediationAgreement, MediationBody, RoutingRule
from security.services.bounces import (
    deadline_for,
    decide_apply,
    dispute_refer_if_bounced,
    open_referral,
    referral_close_on_accept,
)
from security.services.common import (
    ERR_INACTIVE_BODY,
    ERR_NO_UPPER_LEVEL,
    ERR_NOT_RECEIVING_BODY,
    ERR_POLICE_MATTER,
    ERR_REASON_REQUIRED,
    ERR_SAME_BODY,
    ERR_TRANSITION,
    ERR_VISIT_TOO_EARLY,
    DisputeConflict,
    conflict,
    dispute_locked,
    dispute_save,
    event_record,
    invalid,
)
from security.services.risk import dispute_risk_update
from security.services.routing import centre_above, route_for

# Moving a case on the page or through the API needs this permission: the views refuse others (403)
# and ``moves_for`` shows them nothing; the rows below say who among its holders may make which move.
MOVE_PERMISSION = "security.change_dispute"

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Actor(enum.Enum):
    """Who may make a move."""

    # The staff of the case's current body (or of the station above it), or an officer whose area
    # holds that body: never the system.
    BODY = "body"
    # Whoever may see the case (callers find it through ``for_user``), or the system (``by=None``).
    ANYONE = "anyone"


class Deadline(enum.Enum):
    """How a move sets the case's deadline."""

    KEEP = "keep"
    ACCEPT = "accept"  # ACCEPT_WORKING_DAYS from today: the receiving body must accept the case
    HANDLE = "handle"  # the case's handling days from today (halved for 民转刑 high risk)


class Input(enum.Enum):
    """What a move asks for besides the case (the page's form and the API's body are built from it)."""

    NONE = "none"
    REASON = "reason"  # an optional reason
    REQUIRED_REASON = "required_reason"
    TRANSFER = "transfer"  # to_body and a reason
    AGREEMENT = "agreement"  # terms, amount (yuan), signed_on, judicial_confirmation
    VISIT = "visit"  # visited_on, satisfaction, note


@dataclass(frozen=True)
class Effect:
    """What a move's hook adds to the move: field changes of the case, the event's reason (instead of
    the one given) and rule, and what the service returns besides the case (an agreement, a visit)."""

    changes: dict[str, Any] = field(default_factory=dict)
    reason: str | None = None
    rule: RoutingRule | None = None
    result: Any = None


Hook = Callable[[Dispute, "User | None", dict[str, Any]], Effect]


@dataclass(frozen=True)
class Move:
    """One row of the move table."""

    name: str  # the page's and the API's action: POST …/disputes/<id>/<name>/
    label: StrOrPromise  # the button
    sources: frozenset[str]  # statuses the move may start from
    actor: Actor
    target: str | None  # the status it leads to; None keeps the status (回访)
    event: str  # EventAction recorded
    deadline: Deadline = Deadline.KEEP
    input: Input = Input.REASON
    # Refusals that depend on the case alone (they hide the button): raises DisputeConflict.
    check: Callable[[Dispute], object] | None = None
    # The move's own part, given the input: validates it (ValidationError) and returns the Effect.
    apply: Hook | None = None
    # What follows the move in the same transaction (a failed mediation goes one level up).
    after: Callable[[Dispute, User | None], Dispute] | None = None
    # The message and code when the status forbids the move (default: "cannot become <target>").
    refusal: tuple[StrOrPromise, str] | None = None
    # The typed service that makes the move (through ``_move``), called by ``dispute_move``.
    service: Callable[..., Any] = field(kw_only=True)


# --- The hooks: what a move does besides changing the status ------------------------------------


def _route(dispute: Dispute, by: User | None, data: dict[str, Any]) -> Effect:
    route = route_for(dispute=dispute)
    if route.body is None:
        raise conflict("current_body", _("找不到可分派的调处主体，请先在后台设置。"), ERR_NO_UPPER_LEVEL)
    changes = {"current_body": route.body, "handling_days": route.deadline_days}
    return Effect(changes, reason=route.reason, rule=route.rule)


def _transfer(dispute: Dispute, by: User | None, data: dict[str, Any]) -> Effect:
    to_body: MediationBody = data["to_body"]
    if to_body.pk == dispute.current_body_id:
        raise invalid("to_body", _("不能移交给当前承办主体本身。"), ERR_SAME_BODY)
    if not to_body.is_active:
        raise invalid("to_body", _("该主体已停用。"), ERR_INACTIVE_BODY)
    if dispute.category in POLICE_CATEGORIES and to_body.kind != BodyKind.POLICE_STATION:
        raise invalid("to_body", _("治安、刑事类警务事项只能移交派出所。"), ERR_POLICE_MATTER)
    return Effect({"current_body": to_body})


def _return(dispute: Dispute, by: User | None, data: dict[str, Any]) -> Effect:
    last = (
        dispute.events.filter(action=EventAction.TRANSFERRED)
        .select_related("from_body")
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None or last.from_body_id is None:
        raise conflict("status", _("找不到移交来源，无法退回。"), ERR_TRANSITION)
    return Effect({"current_body": last.from_body})


def _agreement(dispute: Dispute, by: User | None, data: dict[str, Any]) -> Effect:
    agreement = MediationAgreement(
        dispute=dispute,
        terms=data["terms"],
        amount=data.get("amount", Decimal("0")),
        signed_on=data["signed_on"],
        judicial_confirmation=data.get("judicial_confirmation", JudicialConfirmation.NONE),
    )
    agreement.full_clean()
    agreement.save()
    reason = str(_("协议金额 %(amount)s 元")) % {"amount": agreement.amount}
    return Effect({"resolved_at": timezone.now()}, reason=reason, result=agreement)


def _centre_above_case(dispute: Dispute) -> MediationBody:
    upper = centre_above(dispute.current_body) if dispute.current_body else None
    if upper is None:
        raise conflict("current_body", _("已是最高层级，无法再上报。"), ERR_NO_UPPER_LEVEL)
    return upper


def _escalate(dispute: Dispute, by: User | None, data: dict[str, Any]) -> Effect:
    return Effect({"current_body": _centre_above_case(dispute)})


def _accept(dispute: Dispute, by: User | None, data: dict[str, Any]) -> Effect:
    referral_close_on_accept(dispute, by)
    return Effect()


def _decide(dispute: Dispute, by: User | None, data: dict[str, Any]) -> Effect:
    return Effect(decide_apply(dispute, by, data))


def _after_fail(dispute: Dispute, by: User | None) -> Dispute:
    dispute_risk_update(dispute=dispute, by=by)
    if dispute.current_body and centre_above(dispute.current_body) is not None:
        dispute = dispute_escalate(dispute=dispute, by=by, reason=str(_("调解不成，上报上级")))
    return dispute


def _close(dispute: Dispute, by: User | None, data: dict[str, Any]) -> Effect:
    if dispute.status != Status.AGREEMENT and not data.get("reason", "").strip():
        raise invalid("reason", _("请说明办结理由。"), ERR_REASON_REQUIRED)
    now = timezone.now()
    resolved_at = dispute.resolved_at if dispute.status == Status.FAILED else dispute.resolved_at or now
    return Effect({"closed_at": now, "resolved_at": resolved_at})


def _visit(dispute: Dispute, by: User | None, data: dict[str, Any]) -> Effect:
    note = data.get("note", "")
    visit = FollowUpVisit(
        dispute=dispute, visited_on=data["visited_on"], visitor=by, satisfaction=data["satisfaction"], note=note
    )
    visit.full_clean()
    visit.save()
    return Effect(reason=f"{visit.get_satisfaction_display()} {note}".strip(), result=visit)


# --- One service per move (the table's last column): typed, keyword-only -------------------------


def _run(action: str, dispute: Dispute, by: User | None, **data: Any) -> tuple[Dispute, Any]:
    return _move(dispute, MOVES[action], by, data)


def dispute_route(*, dispute: Dispute, by: User | None) -> Dispute:
    """received → routed: to the body the routing rules name (``route_for``); it must then accept the
    case within ``ACCEPT_WORKING_DAYS``. Raises ``DisputeConflict`` (``status``: not received;
    ``current_body``/``ERR_NO_UPPER_LEVEL``: no body to route to)."""
    return _run("route", dispute, by)[0]


def dispute_transfer(*, dispute: Dispute, to_body: MediationBody, by: User, reason: str) -> Dispute:
    """Hand the case to another body (police ↔ mediation both ways); that body must accept it.
    Raises ``DisputeConflict`` (``status``; ``current_body``/``ERR_NOT_RECEIVING_BODY``: ``by`` does not
    act for the current body) and ``ValidationError`` on ``to_body`` (``ERR_SAME_BODY``,
    ``ERR_INACTIVE_BODY``, ``ERR_POLICE_MATTER``: police matters go to a station only)."""
    return _run("transfer", dispute, by, reason=reason, to_body=to_body)[0]


def dispute_accept(*, dispute: Dispute, by: User, reason: str = "") -> Dispute:
    """The receiving body takes the case on; the handling deadline starts (halved for high risk).
    Raises ``DisputeConflict`` (``status``; ``current_body``/``ERR_NOT_RECEIVING_BODY``)."""
    return _run("accept", dispute, by, reason=reason)[0]


def dispute_return(*, dispute: Dispute, by: User, reason: str) -> Dispute:
    """The receiving body sends a transferred case back to the body that sent it. Raises
    ``DisputeConflict`` (``status``: not transferred, or no sender found; ``current_body``)."""
    return _run("return", dispute, by, reason=reason)[0]


def dispute_decide(*, dispute: Dispute, to_body: MediationBody, by: User, reason: str) -> Dispute:
    """裁定管辖: the 综治中心 a bounced case was referred to names the body that handles it (itself or
    another); that body must accept it and cannot return it. Raises ``DisputeConflict`` (``status``:
    no referral waiting; ``current_body``: ``by`` does not act for the centre) and ``ValidationError``
    on ``to_body`` (``ERR_INACTIVE_BODY``)."""
    return _run("decide", dispute, by, reason=reason, to_body=to_body)[0]


def dispute_mediate(*, dispute: Dispute, by: User, reason: str = "") -> Dispute:
    """accepted → mediating. Raises ``DisputeConflict`` (``status``; ``current_body``)."""
    return _run("mediate", dispute, by, reason=reason)[0]


def dispute_record_agreement(
    *,
    dispute: Dispute,
    by: User,
    terms: str,
    signed_on: datetime.date,
    amount: Decimal = Decimal("0"),
    judicial_confirmation: str = JudicialConfirmation.NONE,
) -> MediationAgreement:
    """mediating → agreement, with the agreement's terms, amount (yuan) and 司法确认; returns the
    agreement. Raises ``DisputeConflict`` (``status``; ``current_body``) and ``ValidationError`` for a
    bad agreement (``amount`` below zero…)."""
    data = {"terms": terms, "signed_on": signed_on, "amount": amount, "judicial_confirmation": judicial_confirmation}
    return _run("agreement", dispute, by, **data)[1]


def dispute_escalate(*, dispute: Dispute, by: User | None, reason: str) -> Dispute:
    """Send an open case one level up, to the 综治中心 above its current body; that centre must accept
    it. ``by=None`` is the system. Raises ``DisputeConflict`` (``status``: not open;
    ``current_body``/``ERR_NO_UPPER_LEVEL``: already at the top)."""
    return _run("escalate", dispute, by, reason=reason)[0]


def dispute_fail(*, dispute: Dispute, by: User, reason: str) -> Dispute:
    """mediating → failed; the risk is reassessed and the case goes one level up (if there is one).
    Raises ``DisputeConflict`` (``status``; ``current_body``)."""
    return _run("fail", dispute, by, reason=reason)[0]


def dispute_close(*, dispute: Dispute, by: User, reason: str = "") -> Dispute:
    """Close the case: after an agreement, after a failed mediation at the top level, or when the
    accepting body has dealt with it otherwise (the reason says how). Raises ``DisputeConflict``
    (``status``; ``current_body``) and ``ValidationError`` (``reason``/``ERR_REASON_REQUIRED``: no
    reason for a case closed without an agreement)."""
    return _run("close", dispute, by, reason=reason)[0]


def dispute_visit(
    *, dispute: Dispute, by: User, visited_on: datetime.date, satisfaction: int, note: str = ""
) -> FollowUpVisit:
    """回访 after the case is resolved or closed, with the parties' satisfaction; returns the visit.
    Raises ``DisputeConflict`` (``status``/``ERR_VISIT_TOO_EARLY``) and ``ValidationError`` for a bad
    visit."""
    data = {"visited_on": visited_on, "satisfaction": satisfaction, "note": note}
    return _run("visit", dispute, by, **data)[1]


# --- The table ----------------------------------------------------------------------------------

# Columns: name, button, from statuses, who, to status, event, deadline, input; then by keyword the
# hooks and the service.
MOVES: dict[str, Move] = {
    move.name: move
    for move in [
        Move("route", _("分派"), frozenset({Status.RECEIVED}), Actor.ANYONE, Status.ROUTED, EventAction.ROUTED,
             Deadline.ACCEPT, Input.NONE, apply=_route, service=dispute_route),
        Move("accept", _("接收"), frozenset(AWAITING_ACCEPTANCE), Actor.BODY, Status.ACCEPTED, EventAction.ACCEPTED,
             Deadline.HANDLE, apply=_accept, service=dispute_accept),
        Move("transfer", _("移交"),
             frozenset({*AWAITING_ACCEPTANCE, Status.ACCEPTED, Status.MEDIATING} - {Status.TRANSFERRED}),
             Actor.BODY, Status.TRANSFERRED, EventAction.TRANSFERRED, Deadline.ACCEPT, Input.TRANSFER,
             apply=_transfer, after=dispute_refer_if_bounced, service=dispute_transfer),
        Move("return", _("退回"), frozenset({Status.TRANSFERRED}), Actor.BODY, Status.RETURNED, EventAction.RETURNED,
             Deadline.ACCEPT, Input.REQUIRED_REASON, apply=_return, after=dispute_refer_if_bounced,
             service=dispute_return),
        Move("decide", _("裁定管辖"), frozenset({Status.ESCALATED}), Actor.BODY, Status.ROUTED, EventAction.DECIDED,
             Deadline.ACCEPT, Input.TRANSFER, check=open_referral, apply=_decide, service=dispute_decide),
        Move("mediate", _("开始调解"), frozenset({Status.ACCEPTED}), Actor.BODY, Status.MEDIATING,
             EventAction.MEDIATING, service=dispute_mediate),
        Move("agreement", _("记录协议"), frozenset({Status.MEDIATING}), Actor.BODY, Status.AGREEMENT,
             EventAction.AGREEMENT, input=Input.AGREEMENT, apply=_agreement, service=dispute_record_agreement),
        Move("fail", _("调解不成"), frozenset({Status.MEDIATING}), Actor.BODY, Status.FAILED, EventAction.FAILED,
             input=Input.REQUIRED_REASON, after=_after_fail, service=dispute_fail),
        Move("escalate", _("上报上级"), frozenset(OPEN_STATUSES), Actor.ANYONE, Status.ESCALATED,
             EventAction.ESCALATED, Deadline.ACCEPT, Input.REQUIRED_REASON, check=_centre_above_case,
             apply=_escalate, service=dispute_escalate),
        Move("close", _("办结"), frozenset({Status.AGREEMENT, Status.FAILED, Status.ACCEPTED}), Actor.BODY,
             Status.CLOSED, EventAction.CLOSED, apply=_close, service=dispute_close),
        Move("visit", _("回访"), frozenset(RESOLVED_STATUSES), Actor.ANYONE, None, EventAction.VISIT,
             input=Input.VISIT, apply=_visit, refusal=(_("纠纷化解或办结后才能回访。"), ERR_VISIT_TOO_EARLY),
             service=dispute_visit),
    ]
}  # fmt: skip


# --- Making a move ------------------------------------------------------------------------------


def _acts_for_current_body(dispute: Dispute, by: User | None) -> bool:
    if by is None or dispute.current_body_id is None:
        return False
    return MediationBody.objects.acting_for(by).filter(pk=dispute.current_body_id).exists()


def _refusal(move: Move, dispute: Dispute, by: User | None, acts: Callable[[], bool]) -> DisputeConflict | None:
    """Why ``move`` is not allowed on ``dispute`` for ``by`` now, or None: the one rule behind both
    the service and the buttons."""
    if dispute.status not in move.sources:
        message, code = move.refusal or (_("当前状态“%(current)s”不能变更为“%(target)s”。"), ERR_TRANSITION)
        target = Status(move.target).label if move.target else move.label
        return conflict("status", message, code, current=dispute.get_status_display(), target=target)
    if move.actor is Actor.BODY and not acts():
        message = _("该纠纷当前由“%(body)s”承办，您不能代其办理。")
        return conflict("current_body", message, ERR_NOT_RECEIVING_BODY, body=dispute.current_body or "—")
    if move.check is not None:
        try:
            move.check(dispute)
        except DisputeConflict as error:
            return error
    return None


def moves_for(dispute: Dispute, user: User) -> list[Move]:
    """The moves ``user`` may make on ``dispute`` now, in table order: exactly those ``dispute_move``
    would not refuse for the case's status, its current body or the case itself (it may still refuse
    bad input), and none for a user without ``MOVE_PERMISSION``. One query for the body, plus a
    move's own check."""
    if not user.has_perm(MOVE_PERMISSION):
        return []
    acts = functools.cache(lambda: _acts_for_current_body(dispute, user))
    return [move for move in MOVES.values() if _refusal(move, dispute, user, acts) is None]


@transaction.atomic
def _move(dispute: Dispute, move: Move, by: User | None, data: dict[str, Any]) -> tuple[Dispute, Any]:
    dispute = dispute_locked(dispute)
    refusal = _refusal(move, dispute, by, lambda: _acts_for_current_body(dispute, by))
    if refusal is not None:
        raise refusal
    from_status, from_body = dispute.status, dispute.current_body
    effect = move.apply(dispute, by, data) if move.apply else Effect()
    fields = list(effect.changes)
    for name, value in effect.changes.items():
        setattr(dispute, name, value)
    if move.target is not None:
        dispute.status = move.target
        fields.append("status")
    if move.deadline is not Deadline.KEEP:
        # A bounce does not restart the handling clock (issue 20): see ``bounces.deadline_for``.
        fields += deadline_for(dispute, move=move.name, handle=move.deadline is Deadline.HANDLE)
    if fields:
        dispute_save(dispute, fields)
    reason = effect.reason if effect.reason is not None else data.get("reason", "")
    event_record(
        dispute, action=move.event, from_status=from_status, from_body=from_body, by=by, reason=reason, rule=effect.rule
    )
    if move.after is not None:
        dispute = move.after(dispute, by)
    return dispute, effect.result


def dispute_move(*, dispute: Dispute, action: str, by: User | None, **data: Any) -> Dispute:
    """Make the move named ``action`` (a key of ``MOVES``) through its row's service, with that
    service's input (``reason``; ``to_body``; ``terms``/``amount``/``signed_on``/
    ``judicial_confirmation``; ``visited_on``/``satisfaction``/``note``: see the row's ``input``).
    Returns the case. The case page and the API call this.

    Raises ``DisputeConflict`` (field ``status``: code ``ERR_TRANSITION``/``ERR_VISIT_TOO_EARLY``;
    ``current_body``: ``ERR_NOT_RECEIVING_BODY``, ``ERR_NO_UPPER_LEVEL``) when the case's state or the
    actor forbids the move, ``ValidationError`` for bad input and ``KeyError`` for an unknown action;
    nothing is changed then."""
    result = MOVES[action].service(dispute=dispute, by=by, **data)
    return result if isinstance(result, Dispute) else result.dispute


@transaction.atomic
def agreement_update_confirmation(*, agreement: MediationAgreement, judicial_confirmation: str) -> MediationAgreement:
    """司法确认 requested or confirmed after the agreement was signed (the admin's agreement form).
    Raises ``ValidationError`` (``judicial_confirmation``) for a value that is not a choice."""
    agreement.judicial_confirmation = judicial_confirmation
    agreement.full_clean()
    agreement.save(update_fields=["judicial_confirmation"])
    return agreement
