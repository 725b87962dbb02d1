from governance.models.accounts import ApiKey, Role, RoleAssignment, User
from governance.models.calendar import CalendarDay, CalendarYear
from governance.models.district_runs import DistrictRun, DistrictRunStatus
from governance.models.divisions import Division, DivisionLevel
from governance.models.imports import IMPORT_JOB_RUNNING, ImportJob, ImportJobStatus
from governance.models.notices import Notice, NoticePreference
from governance.models.organizations import Organization, OrganizationKind, Post
from governance.models.people import Household, HouseholdMember, Person, PoliticalStatus, Relation
from governance.models.rollups import RollupCell, RollupDayCell, RollupDirty, RollupKind, RollupTreeCell
from governance.models.second_factor import AuthenticatorDevice, RecoveryCodesDevice
from governance.models.webhooks import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription

__all__ = [
    "IMPORT_JOB_RUNNING",
    "ApiKey",
    "AuthenticatorDevice",
    "CalendarDay",
    "CalendarYear",
    "DeliveryStatus",
    "DistrictRun",
    "DistrictRunStatus",
    "Division",
    "DivisionLevel",
    "Household",
    "HouseholdMember",
    "ImportJob",
    "ImportJobStatus",
    "Notice",
    "NoticePreference",
    "Organization",
    "OrganizationKind",
    "Person",
    "PoliticalStatus",
    "Post",
    "RecoveryCodesDevice",
    "Relation",
    "Role",
    "RoleAssignment",
    "RollupCell",
    "RollupDayCell",
    "RollupDirty",
    "RollupKind",
    "RollupTreeCell",
    "User",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookSubscription",
]
