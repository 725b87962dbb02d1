"""What each role may do with the core registers. Other apps add their own grants from their
``roles.py``; ``roles_sync`` (run after every migrate) turns them into one group per role."""

from django.utils.translation import gettext_lazy as _

from governance.models import Role
from governance.registry import HomeLink, NavLink, Schedule, registry


def _perms(app_label: str, models: list[str], actions: list[str]) -> list[str]:
    return [f"{app_label}.{action}_{model}" for model in models for action in actions]


CORE_REGISTERS = ["division", "person", "household", "householdmember", "organization", "post"]
# The working-day calendar: kept by district admins, read by everyone whose deadlines it counts.
CALENDAR = ["calendarday", "calendaryear"]
PEOPLE_REGISTERS = ["person", "household", "householdmember", "organization", "post"]
VIEW = ["view"]
EDIT = ["view", "add", "change"]
ALL = ["view", "add", "change", "delete"]

registry.grant(
    Role.DISTRICT_ADMIN,
    [
        *_perms("governance", [*CORE_REGISTERS, *CALENDAR, "user", "roleassignment", "apikey"], ALL),
        "governance.view_personal_data",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.add_periodictask",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.add_crontabschedule",
        "django_celery_beat.change_crontabschedule",
    ],
)
registry.grant(Role.LEADER, _perms("governance", CORE_REGISTERS, VIEW))
for role in (Role.LEADER, Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER, Role.MEDIATOR, Role.POLICE, Role.API_CLIENT):
    registry.grant(role, _perms("governance", CALENDAR, VIEW))
registry.grant(
    Role.TOWNSHIP_OFFICER, _perms("governance", ["division"], VIEW) + _perms("governance", PEOPLE_REGISTERS, EDIT)
)
registry.grant(
    Role.COMMUNITY_OFFICER, _perms("governance", ["division"], VIEW) + _perms("governance", PEOPLE_REGISTERS, EDIT)
)
registry.grant(
    Role.MEDIATOR,
    _perms("governance", ["division", "organization", "post", "household", "householdmember"], VIEW)
    + _perms("governance", ["person"], EDIT)
    + ["governance.view_personal_data"],
)
registry.grant(
    Role.POLICE,
    _perms("governance", ["division", "organization", "post", "household", "householdmember"], VIEW)
    + _perms("governance", ["person"], EDIT)
    + ["governance.view_personal_data"],
)
registry.grant(Role.DISCIPLINE_INSPECTOR, _perms("governance", CORE_REGISTERS, VIEW))
registry.grant(Role.SHOP_OPERATOR, _perms("governance", ["division", "household", "householdmember"], VIEW))
registry.grant(Role.API_CLIENT, _perms("governance", CORE_REGISTERS, VIEW))
# Webhooks: district admins keep every key's subscriptions and read the delivery log; a key manages its own.
registry.grant(
    Role.DISTRICT_ADMIN,
    _perms("governance", ["webhooksubscription"], EDIT)
    + _perms("governance", ["webhookdelivery", "webhookattempt", "districtrun"], VIEW),
)
registry.grant(Role.API_CLIENT, _perms("governance", ["webhooksubscription"], ALL))

ALL_STAFF = frozenset(r for r in Role.values if r != Role.API_CLIENT)
PEOPLE_READERS = ALL_STAFF - {Role.SHOP_OPERATOR}
registry.nav(NavLink(_("驾驶舱"), "dashboard:home", 10, roles=frozenset({Role.LEADER, Role.DISTRICT_ADMIN})))
registry.nav(NavLink(_("人员"), "governance:person-list", 80, permission="governance.view_person"))
registry.nav(NavLink(_("家庭户"), "governance:household-list", 81, permission="governance.view_household"))
registry.link(
    HomeLink(_("人员名册"), "governance:person-list", PEOPLE_READERS, _("本辖区人员，敏感信息按权限脱敏"), 10)
)
registry.link(HomeLink(_("家庭户"), "governance:household-list", ALL_STAFF, _("本辖区家庭户及成员"), 20))
registry.link(
    HomeLink(
        _("管理后台"), "admin:index", ALL_STAFF, _("维护行政区划、人员、家庭户、组织与职务台账，Excel 导入导出"), 90
    )
)
registry.link(HomeLink(_("接口文档"), "api-docs", frozenset({Role.DISTRICT_ADMIN}), _("OpenAPI 3 接口说明"), 95))

registry.schedule(
    Schedule(
        name="区划树路径校验",
        task="governance.division_tree_verify",
        crontab={"minute": "10", "hour": "2"},
        description="每晚核对行政区划路径与上级一致。",
    )
)
registry.schedule(
    Schedule(
        name="节假日安排检查",
        task="governance.calendar_check",
        crontab={"minute": "20", "hour": "2"},
        description="每晚检查本年（每年11月1日起还有下一年）是否已有国务院节假日安排；缺少时记警告日志，管理后台同时提示。",
    )
)
registry.schedule(
    Schedule(
        name="导入文件清理",
        task="governance.import_job_files_purge",
        crontab={"minute": "30", "hour": "2"},
        description="每晚删除上传超过规定时限（IMPORT_FILE_KEEP_HOURS）的导入文件及退回行报告（含身份证号、电话），保留导入记录。",
    )
)
registry.schedule(
    Schedule(
        name="通知邮件补发",
        task="governance.notices_email",
        crontab={"minute": "*/10"},
        description="每10分钟补发发送失败或排队中的通知邮件（站内通知不受影响）。",
    )
)
registry.schedule(
    Schedule(
        name="推送重试",
        task="governance.webhooks_retry_due",
        crontab={"minute": "*"},
        description="每分钟重新推送到期重试的推送记录（正常情况下延时任务已完成）。",
    )
)


def _todo_total(user) -> int:
    from governance.todo import todo_total

    return todo_total(user)


# 我的待办 (issue 13 item 6): every role that is given work by the apps' todo sources.
TODO_ROLES = frozenset(
    {
        Role.DISTRICT_ADMIN,
        Role.LEADER,
        Role.TOWNSHIP_OFFICER,
        Role.COMMUNITY_OFFICER,
        Role.MEDIATOR,
        Role.POLICE,
        Role.DISCIPLINE_INSPECTOR,
    }
)
registry.link(
    HomeLink(
        _("我的待办"),
        "governance:todo",
        TODO_ROLES,
        _("待接收、即将到期、已超期的案件，待确认的积分，到期的整改与决议"),
        1,
        count=_todo_total,
    )
)
registry.nav(NavLink(_("我的待办"), "governance:todo", 1, roles=TODO_ROLES))
# How often the dirty roll-up cells are recomputed: a write is on the dashboard within this plus the
# refresh's own time (issue 12: ≤ 60 s; a crontab's minute grain measured 60.2 s at worst).
ROLLUPS_REFRESH_SECONDS = 15
registry.schedule(
    Schedule(
        name="指标汇总刷新",
        task="governance.rollups_refresh",
        crontab={},
        every_seconds=ROLLUPS_REFRESH_SECONDS,
        description="每15秒重算数据有变动的指标汇总单元（驾驶舱数据一分钟内更新）。",
    )
)
registry.schedule(
    Schedule(
        name="指标汇总核对",
        task="governance.rollups_verify",
        crontab={"minute": "40", "hour": "2"},
        description="每晚抽样用业务表重算指标汇总并比对，不一致的记错误日志并修复。",
    )
)
