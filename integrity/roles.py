"""Only discipline inspectors hold the integrity app's permissions. Nobody, by default, holds
``integrity.view_cluereporter`` (the reporter's identity): the district grants it to a discipline
lead's account by hand. The access log is readable, never writable."""

from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import HomeLink, NavLink, registry
from integrity.choices import DISCIPLINE_ROLES

EDITABLE = [
    "campaign",
    "subject",
    "clue",
    "integritycase",
    "measure",
    "sanction",
    "recovery",
    "campaignmatter",
    "livelihoodproject",
    "milestone",
    "supervisionvisit",
    "cleanunit",
    "evaluation",
    "evaluationitem",
    "unitrule",
    "culturesite",
    "cultureactivity",
]

registry.grant(
    Role.DISCIPLINE_INSPECTOR,
    [f"integrity.{action}_{model}" for model in EDITABLE for action in ("view", "add", "change")]
    + ["integrity.view_accesslog"],
)

registry.nav(NavLink(_("问题线索"), "integrity:clue-list", 50, permission="integrity.view_clue"))
registry.link(HomeLink(_("问题线索"), "integrity:clue-list", DISCIPLINE_ROLES, _("问题线索登记与四类处置"), 60))
registry.link(
    HomeLink(
        _("集中整治"), "integrity:campaign-list", DISCIPLINE_ROLES, _("线索—处理—立案—处分—留置—追缴—民生实事"), 61
    )
)
registry.link(
    HomeLink(_("廉洁文化阵地"), "integrity:culture", DISCIPLINE_ROLES, _("阵地、参观人次与“廉洁文化进……”活动"), 63)
)
registry.link(HomeLink(_("民生实事监督"), "integrity:project-list", DISCIPLINE_ROLES, _("节点进度、督导与回头看"), 62))
