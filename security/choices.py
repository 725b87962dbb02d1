"""The choices and status groups of the security app. They live apart from the models so that the
querysets, services, forms and serializers can use them without importing the models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class BodyKind(models.TextChoices):
    CENTRE = "centre", _("综治中心（矛调中心）")
    PEOPLES_MEDIATION = "peoples_mediation", _("人民调解委员会")
    JUDICIAL = "judicial", _("司法调解")
    ADMINISTRATIVE = "administrative", _("行政调解")
    LABOUR_ARBITRATION = "labour_arbitration", _("劳动人事争议仲裁")
    PETITION = "petition", _("信访接待")
    POLICE_STATION = "police_station", _("派出所")
    STATION_CENTRE = "station_centre", _("派出所矛盾调处中心")
    POLICE_ROOM = "police_room", _("警务室")
    DEPARTMENT = "department", _("部门")


class BodyLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    TOWNSHIP = "township", _("乡镇（街道）级")
    VILLAGE = "village", _("村（社区）级")


class Channel(models.TextChoices):
    POLICE = "police", _("警情")
    LITIGATION = "litigation", _("诉情")
    PETITION = "petition", _("访情")
    WALK_IN = "walk_in", _("来访")
    HOTLINE = "hotline", _("12345热线")
    GRID = "grid", _("网格巡查")
    OTHER_SYSTEM = "other_system", _("其他系统")


class Category(models.TextChoices):
    MARRIAGE_FAMILY = "marriage_family", _("婚姻家庭")
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    LAND = "land", _("土地山林")
    DEMOLITION = "demolition", _("征地拆迁")
    LABOUR = "labour", _("劳动争议")
    CONTRACT_DEBT = "contract_debt", _("合同债务")
    PROPERTY = "property", _("物业纠纷")
    MEDICAL = "medical", _("医疗纠纷")
    TRAFFIC = "traffic", _("交通事故")
    DAMAGE = "damage", _("损害赔偿")
    CONSUMER = "consumer", _("消费纠纷")
    PUBLIC_ORDER = "public_order", _("治安案件")
    CRIMINAL = "criminal", _("涉嫌刑事")
    OTHER = "other", _("其他")


# Matters only the police may handle: a mediation body that receives one passes it to the station.
POLICE_CATEGORIES = frozenset({Category.PUBLIC_ORDER, Category.CRIMINAL})


class RiskLevel(models.IntegerChoices):
    LOW = 1, _("低")
    MEDIUM = 2, _("中")
    HIGH = 3, _("高")


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理登记")
    ROUTED = "routed", _("已分派")
    TRANSFERRED = "transferred", _("已移交")
    ESCALATED = "escalated", _("已上报")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已接收")
    MEDIATING = "mediating", _("调解中")
    AGREEMENT = "agreement", _("达成协议")
    FAILED = "failed", _("调解不成")
    CLOSED = "closed", _("已办结")


# A case in one of these waits for its current body to accept it.
AWAITING_ACCEPTANCE = (Status.ROUTED, Status.TRANSFERRED, Status.ESCALATED, Status.RETURNED)
OPEN_STATUSES = (*AWAITING_ACCEPTANCE, Status.ACCEPTED, Status.MEDIATING, Status.FAILED)
RESOLVED_STATUSES = (Status.AGREEMENT, Status.CLOSED)


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD_PARTY = "third_party", _("第三人")


class EventAction(models.TextChoices):
    RECEIVED = "received", _("受理登记")
    ROUTED = "routed", _("分派")
    TRANSFERRED = "transferred", _("移交")
    ACCEPTED = "accepted", _("接收")
    RETURNED = "returned", _("退回")
    MEDIATING = "mediating", _("开始调解")
    AGREEMENT = "agreement", _("达成协议")
    FAILED = "failed", _("调解不成")
    ESCALATED = "escalated", _("上报上级")
    CLOSED = "closed", _("办结")
    RISK = "risk", _("风险研判")
    VISIT = "visit", _("回访")
    RATED = "rated", _("群众评价")
    REOPENED = "reopened", _("评价未解决，重新办理")
    LINKED = "linked", _("关联原案")
    REFERRED = "referred", _("提请裁定管辖")
    DECIDED = "decided", _("裁定管辖")


class JudicialConfirmation(models.TextChoices):
    NONE = "none", _("未申请")
    REQUESTED = "requested", _("已申请")
    CONFIRMED = "confirmed", _("已确认")


class Satisfaction(models.IntegerChoices):
    UNSATISFIED = 1, _("不满意")
    FAIR = 2, _("基本满意")
    SATISFIED = 3, _("满意")


class RoomStaffKind(models.TextChoices):
    """Who staffs a 警务室 (the article: 民警、辅警、乡镇街道警务专干 as full-time auxiliary force). Migration
    0011 turned the former "乡镇（街道）干部" (``township_officer``) into 警务专干."""

    POLICE = "police", _("民警")
    AUXILIARY = "auxiliary", _("辅警")
    AFFAIRS_OFFICER = "affairs_officer", _("乡镇街道警务专干")


class PoliceRoomKind(models.TextChoices):
    """中心警务室 (in high-incident, complex areas) or the 警务室 every community (village) has."""

    CENTRAL = "central", _("中心警务室")
    COMMUNITY = "community", _("社区（村）警务室")


class ResourceCategory(models.TextChoices):
    """What a protective resource is; its kind (物防 or 技防) follows from it (``RESOURCE_KINDS``)."""

    GATE = "gate", _("门岗（大门）")
    BARRIER = "barrier", _("道闸（护栏）")
    FIRE_EQUIPMENT = "fire_equipment", _("消防器材")
    CAMERA = "camera", _("视频监控")
    ACCESS_CONTROL = "access_control", _("门禁")
    ALARM = "alarm", _("报警装置")


class ProtectionKind(models.TextChoices):
    """三防联保: 人防 (patrol teams, guards, volunteers — ``PatrolTeam``/``PatrolLog``), 物防, 技防."""

    PEOPLE = "people", _("人防")
    PHYSICAL = "physical", _("物防")
    TECHNICAL = "technical", _("技防")


PHYSICAL_CATEGORIES = (ResourceCategory.GATE, ResourceCategory.BARRIER, ResourceCategory.FIRE_EQUIPMENT)
TECHNICAL_CATEGORIES = (ResourceCategory.CAMERA, ResourceCategory.ACCESS_CONTROL, ResourceCategory.ALARM)
RESOURCE_KINDS = {
    **dict.fromkeys(PHYSICAL_CATEGORIES, ProtectionKind.PHYSICAL),
    **dict.fromkeys(TECHNICAL_CATEGORIES, ProtectionKind.TECHNICAL),
}


class ResourceStatus(models.TextChoices):
    """Only a resource in service (``NORMAL``) counts towards coverage."""

    NORMAL = "normal", _("正常")
    FAULTY = "faulty", _("故障待修")
    RETIRED = "retired", _("停用")


class PatrolKind(models.TextChoices):
    SECURITY_GUARD = "security_guard", _("保安")
    COURIER = "courier", _("快递员")
    VOLUNTEER = "volunteer", _("志愿者")
    POLICE = "police", _("警力")


# Patrols whose members earn civility points for their hours (issue 16: 保安、快递员、志愿者 "融进小区、网格、
# 屋场管理"); police patrols are duty, not volunteering.
POINT_PATROL_KINDS = (PatrolKind.SECURITY_GUARD, PatrolKind.COURIER, PatrolKind.VOLUNTEER)


# 站内通知 kinds the security app sends (registered in ``security.roles``).
NOTICE_AWAITING = "security.awaiting_acceptance"
NOTICE_DUE_SOON = "security.due_soon"
NOTICE_OVERDUE = "security.overdue_escalated"
NOTICE_HIGH_RISK = "security.high_risk"
NOTICE_FOLLOW_UP = "security.follow_up_due"
NOTICE_REOPENED = "security.reopened_by_rating"
