"""星物管: compounds (小区) with their Party branch, property company and 楼宇会; owners' committees;
property companies' credit evaluations and the 红黑榜; property petitions; law enforcement in
compounds and the rectification of owners' committees. One module per aggregate; choices and error
codes live in ``residential.choices`` and are re-exported here."""

from residential.choices import (
    ERR_BRANCH_KIND,
    ERR_BRANCH_OUTSIDE,
    ERR_COMMITTEE_ORGANIZATION,
    ERR_COMPOUND_LEVEL,
    ERR_COMPOUND_PARENT,
    ERR_CONTRACT_OVERLAP,
    ERR_LIST_PUBLISHED,
    ERR_PETITION_COMMITTEE_COMPOUND,
    ERR_PETITION_TARGET,
    ERR_SCORE_RANGE,
    Grade,
    ListSide,
    ParticipantKind,
    PetitionCategory,
    PetitionChannel,
    PetitionStatus,
    PetitionTarget,
    RectificationKind,
    WorkStatus,
)
from residential.models.committees import OwnersCommittee
from residential.models.companies import (
    CreditEvaluation,
    CreditPeriod,
    CreditScore,
    PropertyCompany,
    PropertyContract,
    RedBlackEntry,
    RedBlackList,
    ScoringItem,
)
from residential.models.compounds import Compound
from residential.models.councils import BuildingCouncilMeeting, MeetingParticipant, MeetingResolution
from residential.models.enforcement import CommitteeRectification, EnforcementVisit
from residential.models.petitions import Petition

__all__ = [
    "ERR_BRANCH_KIND",
    "ERR_BRANCH_OUTSIDE",
    "ERR_COMMITTEE_ORGANIZATION",
    "ERR_COMPOUND_LEVEL",
    "ERR_COMPOUND_PARENT",
    "ERR_CONTRACT_OVERLAP",
    "ERR_LIST_PUBLISHED",
    "ERR_PETITION_COMMITTEE_COMPOUND",
    "ERR_PETITION_TARGET",
    "ERR_SCORE_RANGE",
    "BuildingCouncilMeeting",
    "CommitteeRectification",
    "Compound",
    "CreditEvaluation",
    "CreditPeriod",
    "CreditScore",
    "EnforcementVisit",
    "Grade",
    "ListSide",
    "MeetingParticipant",
    "MeetingResolution",
    "OwnersCommittee",
    "ParticipantKind",
    "Petition",
    "PetitionCategory",
    "PetitionChannel",
    "PetitionStatus",
    "PetitionTarget",
    "PropertyCompany",
    "PropertyContract",
    "RectificationKind",
    "RedBlackEntry",
    "RedBlackList",
    "ScoringItem",
    "WorkStatus",
]
