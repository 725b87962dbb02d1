"""The models of the security app, one module per aggregate: ``bodies`` (调处主体, 分流规则),
``disputes`` (矛盾纠纷 with its parties, timeline, agreement and visits), ``police`` (警务室, 巡防) and
``stats`` (治安统计), ``safety`` (三防联保 resources, 24-hour duty). The choices live in
``security.choices`` and are re-exported here for callers."""

from security.choices import (
    AWAITING_ACCEPTANCE,
    OPEN_STATUSES,
    POLICE_CATEGORIES,
    RESOLVED_STATUSES,
    BodyKind,
    BodyLevel,
    Category,
    Channel,
    EventAction,
    JudicialConfirmation,
    PartyRole,
    PatrolKind,
    RiskLevel,
    RoomStaffKind,
    Satisfaction,
    Status,
)
from security.models.bodies import MediationBody, MediationBodyStaffLink, RoutingRule
from security.models.bounces import JurisdictionReferral
from security.models.disputes import (
    ERR_DATE_BEFORE_CASE,
    ERR_DATE_IN_FUTURE,
    Dispute,
    DisputeEvent,
    DisputeParty,
    FollowUpVisit,
    MediationAgreement,
)
from security.models.leader_cases import (
    LeaderCase,
    LeaderCaseProgress,
    LeaderCaseRule,
    LeaderCaseStatus,
    LeaderRuleKind,
)
from security.models.links import DisputeLink, LinkKind
from security.models.police import (
    PatrolLog,
    PatrolLogParticipantLink,
    PatrolTeam,
    PoliceRoom,
    PoliceRoomCoverLink,
    PoliceRoomStaff,
)
from security.models.safety import DUTY_BODY_KINDS, DutyShift, ProtectiveResource
from security.models.stats import SecurityStat
from security.models.tracking import DisputeRating, TrackingCode

__all__ = [
    "AWAITING_ACCEPTANCE",
    "DUTY_BODY_KINDS",
    "ERR_DATE_BEFORE_CASE",
    "ERR_DATE_IN_FUTURE",
    "OPEN_STATUSES",
    "POLICE_CATEGORIES",
    "RESOLVED_STATUSES",
    "BodyKind",
    "BodyLevel",
    "Category",
    "Channel",
    "Dispute",
    "DisputeEvent",
    "DisputeLink",
    "DisputeParty",
    "DisputeRating",
    "DutyShift",
    "EventAction",
    "FollowUpVisit",
    "JudicialConfirmation",
    "JurisdictionReferral",
    "LeaderCase",
    "LeaderCaseProgress",
    "LeaderCaseRule",
    "LeaderCaseStatus",
    "LeaderRuleKind",
    "LinkKind",
    "MediationAgreement",
    "MediationBody",
    "MediationBodyStaffLink",
    "PartyRole",
    "PatrolKind",
    "PatrolLog",
    "PatrolLogParticipantLink",
    "PatrolTeam",
    "PoliceRoom",
    "PoliceRoomCoverLink",
    "PoliceRoomStaff",
    "ProtectiveResource",
    "RiskLevel",
    "RoomStaffKind",
    "RoutingRule",
    "Satisfaction",
    "SecurityStat",
    "Status",
    "TrackingCode",
]
