"""Choices and constants of the civility app, shared by its models, querysets, services and
selectors (imported by all of them, importing none of them)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# How often beat runs the ranking's watchdog (``civility.ranking_watchdog``), in minutes.
RANKING_WATCHDOG_MINUTES = 15

# The ``prev_hash`` of an account's first ledger entry.
GENESIS_HASH = "0" * 64


class PointCategory(models.TextChoices):
    FILIAL = "filial", _("孝老爱亲")
    SANITATION = "sanitation", _("环境卫生")
    VOLUNTEER = "volunteer", _("志愿服务")
    CUSTOMS = "customs", _("移风易俗")
    DELIBERATION = "deliberation", _("参与议事")
    NEIGHBOURLY = "neighbourly", _("邻里互助")
    DEDUCTION = "deduction", _("扣分事项")


class EntrySource(models.TextChoices):
    VISIT = "visit", _("干部走访采集")
    SELF_REPORT = "self_report", _("村民自报")
    VOLUNTEER = "volunteer", _("志愿服务时长")
    BANQUET = "banquet", _("红白事检查")
    MANUAL = "manual", _("人工调整")
    REDEMPTION = "redemption", _("积分兑换")
    REVERSAL = "reversal", _("冲正")


class EntryStatus(models.TextChoices):
    PENDING = "pending", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    REJECTED = "rejected", _("不予确认")


class RankingStatus(models.TextChoices):
    COMPUTED = "computed", _("已计算")
    PUBLISHED = "published", _("已公布")


class RankingLevel(models.TextChoices):
    UNIT = "unit", _("屋场/小区")
    VILLAGE = "village", _("村/社区")
    TOWNSHIP = "township", _("乡镇/街道")
    DISTRICT = "district", _("区")


# Which ancestor (or the node itself) a household is ranked within, at each level above its own unit.
RANKING_LEVEL_DIVISIONS = {
    RankingLevel.VILLAGE: ["village", "community"],
    RankingLevel.TOWNSHIP: ["township", "subdistrict"],
    RankingLevel.DISTRICT: ["district"],
}


class FamilyStatus(models.TextChoices):
    PROPOSED = "proposed", _("推荐")
    CONFIRMED = "confirmed", _("已评定")
    PUBLISHED = "published", _("已公布")


class BoardKind(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")


class BoardStatus(models.TextChoices):
    PROPOSED = "proposed", _("待审核")
    CONFIRMED = "confirmed", _("已审核")
    PUBLISHED = "published", _("已公布")


# propose → confirm → publish: (from status, action) → to status; read by the services and the pages' buttons.
BOARD_TRANSITIONS = {
    (BoardStatus.PROPOSED, "confirm"): BoardStatus.CONFIRMED,
    (BoardStatus.CONFIRMED, "publish"): BoardStatus.PUBLISHED,
}
FAMILY_TRANSITIONS = {
    (FamilyStatus.PROPOSED, "confirm"): FamilyStatus.CONFIRMED,
    (FamilyStatus.CONFIRMED, "publish"): FamilyStatus.PUBLISHED,
}

# 红榜: a village's best households of the month; 黑榜: those whose deductions reach the threshold.
BOARD_RED_TOP = 10
BOARD_BLACK_THRESHOLD = 10


class BanquetKind(models.TextChoices):
    WEDDING = "wedding", _("婚嫁")
    FUNERAL = "funeral", _("丧事")
    BIRTHDAY = "birthday", _("寿宴")
    HOUSEWARMING = "housewarming", _("乔迁")
    SCHOOL = "school", _("升学宴")
    NO_OCCASION = "no_occasion", _("无事酒")


class DissuasionOutcome(models.TextChoices):
    DISSUADED = "dissuaded", _("劝阻成功（不办）")
    SCALED_DOWN = "scaled_down", _("缩减规模")
    HELD_ANYWAY = "held_anyway", _("仍然操办")


DISSUADED_OUTCOMES = (DissuasionOutcome.DISSUADED, DissuasionOutcome.SCALED_DOWN)


class StationLevel(models.TextChoices):
    CENTRE = "centre", _("文明实践中心")
    INSTITUTE = "institute", _("文明实践所")
    STATION = "station", _("文明实践站")


class VolunteerBrand(models.TextChoices):
    XINGLIANXIN = "xinglianxin", _("星连心")
    LEPINGLE = "lepingle", _("乐坪乐")
    CHANGQINGTENG = "changqingteng", _("长青藤")
    OTHER = "other", _("其他")


class ActivityKind(models.TextChoices):
    PATROL = "patrol", _("治安巡逻")
    MEDIATION = "mediation", _("矛盾调解")
    SANITATION = "sanitation", _("环境整治")
    ELDERLY = "elderly", _("关爱老人")


# 站内通知 kinds the civility app sends (registered in ``civility.roles``).
NOTICE_ENTRY_PENDING = "civility.entry_pending"
NOTICE_RANKING_PUBLISHED = "civility.ranking_published"


class UnitLevel(models.TextChoices):
    """The level a kind of 文明单元 sits at: the article's basic units (单位、乡镇、村) extended down to
    社区 and 家庭 (seed article: "推动文明单位、文明乡镇、文明村等基础单元向社区、家庭等社会细胞延伸")."""

    ORGANIZATION = "organization", _("单位")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")
    COMPOUND = "compound", _("小区")
    FAMILY = "family", _("家庭")


class UnitStatus(models.TextChoices):
    APPLIED = "applied", _("已申报")
    BUILDING = "building", _("创建中")
    AWARDED = "awarded", _("已命名")
    FAILED = "failed", _("复查未通过")


class DissuasionKind(models.TextChoices):
    OVER_CAP = "over_cap", _("超标操办")
    NO_OCCASION = "no_occasion", _("无事酒")


# 15 分钟服务圈: the assumed walk, as straight-line distance from a 屋场/小区 to the nearest 阵地 (an
# adult walks ~4.8 km/h, 15 minutes ≈ 1.2 km; streets are longer than the straight line, so this is
# a generous bound). Source: issue 16 item 11 ("e.g. 1.2 km straight-line").
SERVICE_CIRCLE_METRES = 1200
