from governance.models.accounts import ApiKey, Role, RoleAssignment, User
from governance.models.calendar import CalendarDay, CalendarYear
from governance.models.divisions import Division, DivisionLevel
from governance.models.organizations import Organization, OrganizationKind, Post
from governance.models.people import Household, HouseholdMember, Person, PoliticalStatus, Relation

__all__ = [
    "ApiKey",
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
    "Relation",
    "Role",
    "RoleAssignment",
    "User",
]
