"""Every write of the security app, one module per concern: ``intake`` (registering a case, also from
a patrol), ``moves`` (the table of a case's moves and the one function that makes them), ``risk``
(民转刑), ``routing`` (where a case goes), ``sweep`` (overdue cases go up) and ``common`` (errors, the
row lock, the timeline, deadlines in working days). A case's status changes only through ``moves``: each move
locks the case, checks it is allowed, makes it and records a ``DisputeEvent``; a move that is not
allowed raises ``DisputeConflict`` and changes nothing. Callers import from ``security.services``."""

from security.services.common import (
    ACCEPT_WORKING_DAYS,
    DEFAULT_DEADLINE_DAYS,
    ERR_DUPLICATE_PARTY,
    ERR_INACTIVE_BODY,
    ERR_LOG_HAS_DISPUTE,
    ERR_NO_PARTIES,
    ERR_NO_UPPER_LEVEL,
    ERR_NOT_RECEIVING_BODY,
    ERR_PARTY_ROLE,
    ERR_POLICE_MATTER,
    ERR_REASON_REQUIRED,
    ERR_SAME_BODY,
    ERR_TRANSITION,
    ERR_VISIT_TOO_EARLY,
    DisputeConflict,
)
from security.services.intake import PartyInput, Place, dispute_intake, patrol_log_open_dispute
from security.services.moves import (
    MOVE_PERMISSION,
    MOVES,
    Actor,
    Deadline,
    Input,
    Move,
    agreement_update_confirmation,
    dispute_accept,
    dispute_close,
    dispute_escalate,
    dispute_fail,
    dispute_mediate,
    dispute_move,
    dispute_record_agreement,
    dispute_return,
    dispute_route,
    dispute_transfer,
    dispute_visit,
    moves_for,
)
from security.services.risk import RiskAssessment, dispute_risk_assess, dispute_risk_update
from security.services.routing import Route, body_nearest, centre_above, route_for, routing_rule_match
from security.services.sweep import disputes_escalate_overdue

# One write path (issue 13, ``governance.write_path``): the fields only these services set — read-only
# in every admin, refused (400 ``service_owned_field``) by every API write. Model → field → service.
SERVICE_OWNED_FIELDS: dict[str, dict[str, str]] = {
    "security.dispute": {
        "status": "dispute_move",
        "current_body": "dispute_intake / dispute_move",
        "handling_days": "dispute_intake / dispute_move",
        "deadline": "dispute_intake / dispute_move",
        "deadline_provisional": "dispute_intake / dispute_move",
        "risk_level": "dispute_intake (risk)",
        "risk_score": "dispute_intake (risk)",
        "risk_reasons": "dispute_intake (risk)",
        "received_by": "dispute_intake",
        "resolved_at": "dispute_move",
        "closed_at": "dispute_move",
    },
    "security.disputeevent": dict.fromkeys(
        ("dispute", "action", "from_status", "to_status", "from_body", "to_body", "actor", "rule"), "dispute_move"
    ),
    "security.mediationagreement": {"dispute": "dispute_record_agreement"},
    "security.patrollog": {"dispute": "patrol_log_open_dispute"},
    "security.leadercase": {
        "status": "leader_case_take / leader_case_plan",
        "leader": "leader_case_take",
        "taken_at": "leader_case_take",
        "plan": "leader_case_plan",
        "plan_due": "leader_case_plan",
    },
}

__all__ = [
    "ACCEPT_WORKING_DAYS",
    "DEFAULT_DEADLINE_DAYS",
    "ERR_DUPLICATE_PARTY",
    "ERR_INACTIVE_BODY",
    "ERR_LOG_HAS_DISPUTE",
    "ERR_NOT_RECEIVING_BODY",
    "ERR_NO_PARTIES",
    "ERR_NO_UPPER_LEVEL",
    "ERR_PARTY_ROLE",
    "ERR_POLICE_MATTER",
    "ERR_REASON_REQUIRED",
    "ERR_SAME_BODY",
    "ERR_TRANSITION",
    "ERR_VISIT_TOO_EARLY",
    "MOVES",
    "MOVE_PERMISSION",
    "SERVICE_OWNED_FIELDS",
    "Actor",
    "Deadline",
    "DisputeConflict",
    "Input",
    "Move",
    "PartyInput",
    "Place",
    "RiskAssessment",
    "Route",
    "agreement_update_confirmation",
    "body_nearest",
    "centre_above",
    "dispute_accept",
    "dispute_close",
    "dispute_escalate",
    "dispute_fail",
    "dispute_intake",
    "dispute_mediate",
    "dispute_move",
    "dispute_record_agreement",
    "dispute_return",
    "dispute_risk_assess",
    "dispute_risk_update",
    "dispute_route",
    "dispute_transfer",
    "dispute_visit",
    "disputes_escalate_overdue",
    "moves_for",
    "patrol_log_open_dispute",
    "route_for",
    "routing_rule_match",
]
