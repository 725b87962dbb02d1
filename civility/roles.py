"""What each role may do in the civility app, its home-page links and its default beat schedules."""

from django.utils.translation import gettext_lazy as _

from civility.choices import NOTICE_ENTRY_PENDING, NOTICE_RANKING_PUBLISHED, RANKING_WATCHDOG_MINUTES
from governance.models import Role
from governance.registry import HomeLink, NavLink, NoticeKind, Schedule, registry

REGISTERS = [
    "pointrule",
    "pointaccount",
    "pointentry",
    "shop",
    "rewarditem",
    "redemption",
    "redemptionline",
    "rankingmonth",
    "monthlyranking",
    "civilizedfamily",
    "villagerule",
    "banquetserviceteam",
    "banquetdeclaration",
    "dissuasion",
    "banquetabstention",
    "practicestation",
    "volunteerteam",
    "volunteer",
    "serviceactivity",
    "honorlist",
    "honorlistentry",
    "rankingcorrection",
]
CONFIG = ["pointrule", "rewarditem", "shop", "villagerule", "banquetserviceteam", "practicestation", "volunteerteam"]
OFFICER_WRITES = [
    "pointentry",
    "banquetdeclaration",
    "dissuasion",
    "banquetabstention",
    "volunteer",
    "serviceactivity",
    "civilizedfamily",
    "honorlist",
]


def _perms(models: list[str], actions: list[str]) -> list[str]:
    return [f"civility.{action}_{model}" for model in models for action in actions]


# Ledger entries are never deleted or changed by anyone: only view and add.
registry.grant(
    Role.DISTRICT_ADMIN,
    _perms(REGISTERS, ["view"])
    + _perms(CONFIG, ["add", "change"])
    + _perms(OFFICER_WRITES, ["add", "change"])
    + _perms(["rankingmonth"], ["change"]),
)
registry.grant(Role.LEADER, _perms(REGISTERS, ["view"]))
for role in (Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER):
    registry.grant(role, _perms(REGISTERS, ["view"]) + _perms(OFFICER_WRITES, ["add", "change"]))
registry.grant(
    Role.SHOP_OPERATOR,
    _perms(["pointaccount", "pointentry", "shop", "rewarditem", "redemption", "redemptionline"], ["view"])
    + _perms(["redemption"], ["add"])
    + _perms(["rewarditem"], ["change"]),
)
registry.grant(Role.API_CLIENT, _perms(REGISTERS, ["view"]))

OFFICERS = frozenset({Role.DISTRICT_ADMIN, Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER})
registry.nav(NavLink(_("积分录入"), "civility:batch-entry", 40, permission="civility.add_pointentry"))
registry.nav(NavLink(_("积分超市"), "civility:shop", 41, permission="civility.add_redemption"))
registry.link(HomeLink(_("文明积分"), "civility:batch-entry", OFFICERS, _("屋场批量记分、自报确认、家庭积分"), 50))
registry.link(HomeLink(_("红白事报备"), "civility:declaration-create", OFFICERS, _("对照村规民约标准，超标即提示"), 51))
registry.link(
    HomeLink(_("红白事报备一览"), "civility:declaration-list", OFFICERS, _("本辖区报备，未办的在前，超标一目了然"), 52)
)
registry.nav(NavLink(_("积分评比"), "civility:ranking", 42, permission="civility.view_monthlyranking"))
registry.link(
    HomeLink(_("月度积分评比"), "civility:ranking", OFFICERS, _("屋场、村、乡镇、全区排名，可打印、导出"), 53)
)
registry.link(HomeLink(_("红黑榜"), "civility:board-list", OFFICERS, _("提名、审核、公布；公布后不可修改"), 54))
registry.link(HomeLink(_("文明家庭"), "civility:family-list", OFFICERS, _("推荐、评定、公布"), 55))
registry.link(
    HomeLink(_("积分超市"), "civility:shop", frozenset({Role.SHOP_OPERATOR}), _("查户、看余额、兑换商品"), 52)
)

registry.schedule(
    Schedule(
        name="文明积分月度评比",
        task="governance.district_fanout",
        kwargs={"job": "civility.ranking"},
        crontab={"minute": "30", "hour": "1", "day_of_month": "1"},
        description="每月 1 日按区县分别计算上月评比（每个区县一个任务；已公布的月份不重算，已算完的区县不重复）。",
    )
)
registry.schedule(
    Schedule(
        name="文明积分月度评比补算",
        task="civility.ranking_watchdog",
        crontab={"minute": f"*/{RANKING_WATCHDOG_MINUTES}"},
        description=f"每{RANKING_WATCHDOG_MINUTES}分钟检查上月评比是否已算完，未算完（如计算中进程被终止）则重新派发。",
    )
)
registry.schedule(
    Schedule(
        name="志愿服务与巡防时长转化积分",
        task="civility.activities_convert",
        crontab={"minute": "10", "hour": "2"},
        description="每晚把已开展、尚未转化的志愿服务和巡防时长按积分规则（含每月上限）转化为积分；重复运行不重复记分。",
    )
)
registry.schedule(
    Schedule(
        name="文明积分流水核验",
        task="governance.district_fanout",
        kwargs={"job": "civility.ledger_verify"},
        crontab={"minute": "40", "hour": "2"},
        description="每晚按区县分别核验积分流水哈希链与账户余额（每个区县一个任务，发现问题的区县记为失败并报告）。",
    )
)

registry.notice_kind(NoticeKind(NOTICE_ENTRY_PENDING, _("积分待确认"), _("辖区农户自报的积分等待您确认或驳回"), 50))
registry.notice_kind(NoticeKind(NOTICE_RANKING_PUBLISHED, _("积分评比公布"), _("您辖区的月度积分评比已公布"), 60))
