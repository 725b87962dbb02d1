"""What each role may do with the residential registers."""

from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import HomeLink, NoticeKind, registry
from residential.choices import NOTICE_LIST_PUBLISHED

REGISTERS = [
    "compound",
    "propertycompany",
    "propertycontract",
    "ownerscommittee",
    "committeerectification",
    "scoringitem",
    "creditperiod",
    "creditevaluation",
    "creditscore",
    "redblacklist",
    "redblackentry",
    "buildingcouncilmeeting",
    "meetingparticipant",
    "meetingresolution",
    "petition",
    "enforcementvisit",
]
# Recorded by officers in compounds; the district keeps companies, evaluations and the 红黑榜.
OFFICER_EDITS = [
    "buildingcouncilmeeting",
    "meetingparticipant",
    "meetingresolution",
    "petition",
    "enforcementvisit",
    "committeerectification",
    "ownerscommittee",
]


def _perms(models: list[str], actions: list[str]) -> list[str]:
    return [f"residential.{action}_{model}" for model in models for action in actions]


registry.grant(Role.DISTRICT_ADMIN, _perms(REGISTERS, ["view", "add", "change"]))
registry.grant(Role.LEADER, _perms(REGISTERS, ["view"]))
registry.grant(Role.DISCIPLINE_INSPECTOR, _perms(REGISTERS, ["view"]))
registry.grant(
    Role.TOWNSHIP_OFFICER,
    _perms(REGISTERS, ["view"]) + _perms([*OFFICER_EDITS, "compound", "propertycontract"], ["add", "change"]),
)
registry.grant(Role.COMMUNITY_OFFICER, _perms(REGISTERS, ["view"]) + _perms(OFFICER_EDITS, ["add", "change"]))
registry.grant(Role.API_CLIENT, _perms(REGISTERS, ["view"]) + _perms(["petition"], ["add", "change"]))

OFFICERS = frozenset({Role.DISTRICT_ADMIN, Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER})
READERS = OFFICERS | {Role.LEADER}
registry.link(
    HomeLink(_("记录楼宇会"), "residential:meeting-create", OFFICERS, _("小区楼宇会的参会方、议题与决议"), 40)
)
registry.link(HomeLink(_("登记物业信访"), "residential:petition-create", OFFICERS, _("物业领域信访件受理登记"), 41))
registry.link(
    HomeLink(_("业委会合规"), "residential:compliance", READERS, _("党员占比不足50%的业委会、交叉任职、任期届满"), 42)
)
registry.link(HomeLink(_("物业信访同比"), "residential:petition-yoy", READERS, _("物业领域信访年度同比变化"), 43))

registry.notice_kind(NoticeKind(NOTICE_LIST_PUBLISHED, _("红黑榜发布"), _("您辖区的物业企业信用红黑榜已发布"), 70))
registry.link(
    HomeLink(
        _("整改与决议跟进"),
        "residential:follow-ups",
        READERS,
        _("业委会整治、执法进小区整改、楼宇会决议的期限与超期"),
        42,
    )
)
registry.link(
    HomeLink(
        _("物业服务信用评价"),
        "residential:credit-periods",
        frozenset({Role.DISTRICT_ADMIN, Role.LEADER, Role.TOWNSHIP_OFFICER}),
        _("按评分模板评分、信访扣分、等级，红黑榜生成与发布"),
        44,
    )
)
