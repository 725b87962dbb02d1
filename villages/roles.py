"""What each role may do with the villages registers."""

from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import HomeLink, NavLink, registry

MODELS = [
    "hamlet",
    "contractplot",
    "shareholding",
    "sharerule",
    "operator",
    "landtransfer",
    "hamletmeeting",
    "meetingresolution",
]
# Share holdings are written only by the service (a new version per change), never edited by hand.
EDITABLE = ["hamlet", "contractplot", "operator", "landtransfer", "hamletmeeting", "meetingresolution"]


def _perms(models: list[str], actions: list[str]) -> list[str]:
    return [f"villages.{action}_{model}" for model in models for action in actions]


registry.grant(Role.DISTRICT_ADMIN, _perms(MODELS, ["view"]) + _perms([*EDITABLE, "sharerule"], ["add", "change"]))
registry.grant(Role.TOWNSHIP_OFFICER, _perms(MODELS, ["view"]) + _perms(EDITABLE, ["add", "change"]))
registry.grant(Role.COMMUNITY_OFFICER, _perms(MODELS, ["view"]) + _perms(EDITABLE, ["add", "change"]))
for role in (Role.LEADER, Role.DISCIPLINE_INSPECTOR, Role.API_CLIENT):
    registry.grant(role, _perms(MODELS, ["view"]))

OFFICERS = frozenset({Role.DISTRICT_ADMIN, Role.LEADER, Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER})
registry.nav(NavLink(_("屋场"), "villages:hamlet-list", 30, permission="villages.view_hamlet"))
registry.link(HomeLink(_("屋场"), "villages:hamlet-list", OFFICERS, _("屋场三屋同治、住户、承包地与屋场会"), 30))
registry.link(
    HomeLink(_("三屋同治完整性"), "villages:completeness", OFFICERS, _("缺组织、缺负责人或党小组无党员的屋场"), 31)
)
