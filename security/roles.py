"""What each role may do in the security app, the home-page links and the default schedules."""

from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import HomeLink, NavLink, NoticeKind, Schedule, registry
from security.choices import (
    NOTICE_AWAITING,
    NOTICE_DUE_SOON,
    NOTICE_FOLLOW_UP,
    NOTICE_HIGH_RISK,
    NOTICE_OVERDUE,
    NOTICE_REOPENED,
)

REGISTERS = ["mediationbody", "routingrule", "policeroom", "policeroomstaff", "patrolteam", "securitystat"]
CASES = ["dispute", "disputeparty", "disputeevent", "mediationagreement", "followupvisit"]
CASES += ["trackingcode", "disputerating"]  # 一案一码 and 群众评价
VIEW = ["view"]
EDIT = ["view", "add", "change"]


def _perms(models: list[str], actions: list[str]) -> list[str]:
    return [f"security.{action}_{model}" for model in models for action in actions]


# Cases are never deleted by anyone; registers are deleted only by district admins.
registry.grant(
    Role.DISTRICT_ADMIN,
    _perms(REGISTERS, [*EDIT, "delete"]) + _perms(CASES, EDIT) + _perms(["patrollog"], EDIT),
)
registry.grant(Role.LEADER, _perms([*REGISTERS, *CASES, "patrollog"], VIEW))
for role in (Role.MEDIATOR, Role.POLICE, Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER):
    registry.grant(
        role,
        _perms(REGISTERS, VIEW) + _perms(CASES, EDIT) + _perms(["patrollog"], EDIT),
    )
registry.grant(Role.POLICE, _perms(["policeroom", "policeroomstaff", "patrolteam"], EDIT))
registry.grant(Role.TOWNSHIP_OFFICER, _perms(["patrolteam", "securitystat"], EDIT))
registry.grant(Role.API_CLIENT, _perms(REGISTERS, VIEW) + _perms(["dispute", "disputeevent"], ["view", "add"]))

CASE_WORKERS = frozenset(
    {Role.DISTRICT_ADMIN, Role.LEADER, Role.MEDIATOR, Role.POLICE, Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER}
)
registry.nav(NavLink(_("矛盾纠纷"), "security:dispute-list", 20, permission="security.view_dispute"))
registry.link(HomeLink(_("矛盾纠纷"), "security:dispute-list", CASE_WORKERS, _("受理、分派、移交、调解与办结"), 30))
registry.link(
    HomeLink(_("纠纷登记"), "security:dispute-intake", CASE_WORKERS - {Role.LEADER}, _("一站式受理各渠道纠纷"), 31)
)
registry.link(HomeLink(_("警务室覆盖"), "security:coverage", CASE_WORKERS, _("未覆盖警务室的村（社区）"), 32))

registry.schedule(
    Schedule(
        name="矛盾纠纷超期上报",
        task="governance.district_fanout",
        kwargs={"job": "security.sweep"},
        crontab={"minute": "*/30"},
        description="每30分钟按区县分别把超期未办结、调解不成的纠纷上报上一级综治中心（每个区县一个任务）。",
    )
)

registry.notice_kind(
    NoticeKind(NOTICE_AWAITING, _("纠纷待接收"), _("有纠纷分派、移交、上报或退回到您所在的调处主体"), 10)
)
registry.notice_kind(NoticeKind(NOTICE_DUE_SOON, _("纠纷即将到期"), _("您承办的纠纷两个工作日内到期"), 20))
registry.notice_kind(NoticeKind(NOTICE_OVERDUE, _("纠纷超期上报"), _("您承办的纠纷超期未办结，已自动上报上级"), 30))
registry.notice_kind(NoticeKind(NOTICE_FOLLOW_UP, _("纠纷待回访"), _("您承办的纠纷化解满30天尚未回访"), 45))
registry.notice_kind(NoticeKind(NOTICE_HIGH_RISK, _("民转刑高风险"), _("您辖区或您承办的纠纷被研判为高风险"), 40))
registry.notice_kind(
    NoticeKind(NOTICE_REOPENED, _("群众评价未解决"), _("当事人评价问题未解决，案件退回您所在的调处主体重新办理"), 46)
)
registry.link(HomeLink(_("三率统计"), "security:three-rates", CASE_WORKERS, _("响应率、化解率、满意率"), 33))
registry.link(
    HomeLink(_("三调联治"), "security:three-mediations", CASE_WORKERS, _("人民调解、司法调解、行政调解分级统计"), 34)
)
registry.link(
    HomeLink(_("三情联处"), "security:three-situations", CASE_WORKERS, _("警情、诉情、访情按区划和月份对照"), 35)
)
registry.webhook_event("dispute.event", _("纠纷办理进展（受理、分派、移交、接收、调解、办结等每一步）"))

registry.schedule(
    Schedule(
        name="领导包案提名",
        task="security.leader_cases_nominate",
        crontab={"minute": "15", "hour": "6"},
        description="每天6:15按领导包案规则提名重复信访、群体性、久拖未决的纠纷。",
    )
)

registry.schedule(
    Schedule(
        name="纠纷流转记录月分区",
        task="security.event_partitions_ensure",
        crontab={"minute": "40", "hour": "3"},
        description="每晚为纠纷流转记录表建好本月及后三个月的按月分区（已存在则不变）；旧月份用 events_archive 归档。",
    )
)


def _my_leader_cases(user) -> int:
    """我包的案 still in charge, for the home tile. One query."""
    return user.leader_cases.filter(status="in_charge").count()


registry.link(
    HomeLink(
        _("我包的案"),
        "security:leader-cases",
        frozenset({Role.LEADER}),
        _("领导包案：化解方案、进展与计划化解日期"),
        29,
        count=_my_leader_cases,
    )
)
registry.link(HomeLink(_("退单统计"), "security:bounces", CASE_WORKERS, _("案件在主体之间退回、来回移交的情况"), 33))

# --- Issue 16: 三防联保 resources, 24-hour duty, the 综治中心's 一地办公, patrol hours → points -------------
SAFETY_REGISTERS = ["protectiveresource", "dutyshift"]
registry.grant(Role.DISTRICT_ADMIN, _perms(SAFETY_REGISTERS, [*EDIT, "delete"]))
registry.grant(Role.LEADER, _perms(SAFETY_REGISTERS, VIEW))
for role in (Role.MEDIATOR, Role.COMMUNITY_OFFICER, Role.API_CLIENT):
    registry.grant(role, _perms(SAFETY_REGISTERS, VIEW))
registry.grant(Role.POLICE, _perms(SAFETY_REGISTERS, EDIT))
registry.grant(Role.TOWNSHIP_OFFICER, _perms(SAFETY_REGISTERS, EDIT))
registry.link(HomeLink(_("三防联保"), "security:protection", CASE_WORKERS, _("人防、物防、技防覆盖情况"), 34))
registry.link(HomeLink(_("24小时值班"), "security:duty", CASE_WORKERS, _("矛调中心、综治中心值班表与空档"), 35))
registry.link(HomeLink(_("综治中心一地办公"), "security:centre", CASE_WORKERS, _("入驻部门与人民调解委员会"), 36))
registry.schedule(
    Schedule(
        name="巡防时长转化积分",
        task="security.patrol_logs_convert",
        crontab={"minute": "20", "hour": "2"},
        description="每晚把保安、快递员、志愿者巡防队已登记巡防人员的巡防时长按积分规则（含每月上限）转化为积分；重复运行不重复记分。",
    )
)
