"""Choices and error codes of the residential registers, apart from the models so querysets,
filters and services can use them without importing the models."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

ERR_COMPOUND_LEVEL = "compound_division_level"
ERR_COMPOUND_PARENT = "compound_parent_not_community"
ERR_BRANCH_KIND = "compound_branch_kind"
ERR_BRANCH_OUTSIDE = "compound_branch_outside"
ERR_CONTRACT_OVERLAP = "contract_overlap"
ERR_COMMITTEE_ORGANIZATION = "committee_organization"
ERR_SCORE_RANGE = "score_out_of_range"
ERR_LIST_PUBLISHED = "red_black_list_published"
ERR_EVALUATION_PUBLISHED = "credit_evaluation_published"
ERR_PETITION_TARGET = "petition_target"
ERR_PETITION_COMMITTEE_COMPOUND = "petition_committee_compound"


class RectificationKind(models.TextChoices):
    NON_PERFORMANCE = "non_performance", _("不履职")
    INACTION = "inaction", _("不作为")
    MISCONDUCT = "misconduct", _("乱作为")


class WorkStatus(models.TextChoices):
    PENDING = "pending", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")


class Grade(models.TextChoices):
    A = "A", _("A 级（诚信）")
    B = "B", _("B 级（良好）")
    C = "C", _("C 级（基本合格）")
    D = "D", _("D 级（失信）")


class EvaluationStatus(models.TextChoices):
    """A credit evaluation's state: a draft is rescored freely and seen only by the evaluators; a
    published one counts on the 红黑榜 and is frozen."""

    DRAFT = "draft", _("草稿")
    PUBLISHED = "published", _("已发布")


class ListSide(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")


class ParticipantKind(models.TextChoices):
    RESIDENTS_COMMITTEE = "residents_committee", _("社区居委会")
    PARTY_BRANCH = "party_branch", _("小区党支部")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    RESIDENT_REPRESENTATIVE = "resident_representative", _("居民代表")


class PetitionChannel(models.TextChoices):
    VISIT = "visit", _("来访")
    LETTER = "letter", _("来信")
    PHONE = "phone", _("来电")
    HOTLINE = "hotline", _("12345热线")
    ONLINE = "online", _("网上信访")


class PetitionCategory(models.TextChoices):
    FEES = "fees", _("物业收费")
    REPAIRS = "repairs", _("维修养护")
    PARKING = "parking", _("停车管理")
    NOISE = "noise", _("噪音扰民")
    SANITATION = "sanitation", _("环境卫生")
    SECURITY = "security", _("安全秩序")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    OTHER = "other", _("其他")


class PetitionTarget(models.TextChoices):
    COMPANY = "company", _("物业服务企业")
    COMMITTEE = "committee", _("业主委员会")
    OTHER = "other", _("其他")


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    HANDLING = "handling", _("办理中")
    RESOLVED = "resolved", _("已办结")


# 站内通知 kind the residential app sends (registered in ``residential.roles``).
NOTICE_LIST_PUBLISHED = "residential.red_black_published"
