from governance.models.accounts import ApiKey, Role, RoleAssignment, User
from governance.models.calendar import CalendarDay, CalendarYear
from governance.models.divisions import Division, DivisionLevel
from governance.models.organizations import Organization, OrganizationKind, Post
from governance.models.people import Household, HouseholdMember, Person, PoliticalStatus, Relation
from governance.models.second_factor import AuthenticatorDevice, RecoveryCodesDevice

__all__ = [
    "ApiKey",
    "AuthenticatorDevice",
    "CalendarDay",
    "CalendarYear",
    "Division",
    "DivisionLevel",
    "Household",
    "HouseholdMember",
    "Organization",
    "OrganizationKind",
    "Person",
    "PoliticalStatus",
    "Post",
    "RecoveryCodesDevice",
    "Relation",
    "Role",
    "RoleAssignment",
    "User",
]
