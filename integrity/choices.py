"""Choices and constants of the integrity app: kept apart from the models so that querysets,
filtersets, selectors and the demo can name them without importing a model."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import Role

# Who may see an integrity row at all (the models' ``scope_roles``), and with which roles a division
# is read for an integrity report (``division_in_scope(user, code, roles=DISCIPLINE_ROLES)``).
DISCIPLINE_ROLES = frozenset({Role.DISCIPLINE_INSPECTOR})

ERR_DATES_ORDER = "dates_out_of_order"
ERR_INVALID_CHOICE = "invalid_choice"  # Django's and DRF's code for a value outside the choices
ERR_DISPOSITION_INCOMPLETE = "disposition_incomplete"
ERR_PARTY_SANCTION_NON_MEMBER = "party_sanction_non_member"
ERR_GOVERNMENT_SANCTION_NON_OFFICIAL = "government_sanction_non_official"
ERR_SANCTION_NEEDS_CASE = "sanction_needs_case"
ERR_SANCTION_SUBJECT_NOT_IN_CASE = "sanction_subject_not_in_case"
ERR_AMOUNT_NOT_POSITIVE = "amount_not_positive"
ERR_REVIEW_NOT_PAST_PROJECT = "review_not_past_project"
ERR_SCORE_RANGE = "score_out_of_range"
ERR_PROGRESS_RANGE = "progress_out_of_range"
ERR_CASE_NEEDS_CLUE = "case_needs_clue"
ERR_CASE_NEEDS_SUBJECT = "case_needs_subject"
ERR_CLUE_NOT_READY = "clue_not_ready_for_filing"
ERR_RECOVERY_NEEDS_CASE = "recovery_needs_case"
ERR_EVALUATION_NEEDS_ITEMS = "evaluation_needs_items"
ERR_CASE_CLOSED = "case_already_closed"
ERR_SERVICE_OWNED = "service_owned_field"  # a field only its service may set (``services.SERVICE_OWNED_FIELDS``)


class ClueSource(models.TextChoices):
    PETITION = "petition", _("信访举报")
    SUPERVISION = "supervision", _("监督检查")
    AUDIT = "audit", _("审计")
    INSPECTION_TOUR = "inspection_tour", _("巡察")
    TRANSFERRED = "transferred", _("其他机关移送")
    ONLINE = "online", _("网络举报")


class ClueCategory(models.TextChoices):
    NEAR_THE_PEOPLE = "near_people", _("群众身边不正之风")
    CORRUPTION = "corruption", _("腐败问题")
    FORMALISM = "formalism", _("形式主义、官僚主义")
    HEDONISM = "hedonism", _("享乐主义、奢靡之风")
    DERELICTION = "dereliction", _("失职失责")
    OTHER = "other", _("其他")


class Disposition(models.TextChoices):
    """The four ways of disposing of a problem clue (问题线索四类处置方式)."""

    TALK = "talk", _("谈话函询")
    VERIFY = "verify", _("初步核实")
    SHELVE = "shelve", _("暂存待查")
    CLOSE = "close", _("予以了结")


class ClueStatus(models.TextChoices):
    RECEIVED = "received", _("待处置")
    DISPOSED = "disposed", _("已处置")
    FILED = "filed", _("已立案")
    CONCLUDED = "concluded", _("已办结")


class SubjectLevel(models.TextChoices):
    VILLAGE = "village", _("村（社区）干部")
    STAFF = "staff", _("一般干部")
    SECTION = "section", _("科级干部")
    DIVISION = "division", _("县处级干部")
    OTHER = "other", _("其他人员")


class MeasureKind(models.TextChoices):
    DETENTION = "detention", _("留置")
    TALK = "talk", _("谈话")
    INQUIRY = "inquiry", _("询问")
    FREEZE = "freeze", _("查询、冻结")
    SEARCH = "search", _("搜查")
    SEIZE = "seize", _("调取、查封、扣押")
    EXIT_BAN = "exit_ban", _("限制出境")


class SanctionKind(models.TextChoices):
    PARTY_WARNING = "party_warning", _("党内警告")
    PARTY_SERIOUS_WARNING = "party_serious_warning", _("党内严重警告")
    PARTY_REMOVAL = "party_removal", _("撤销党内职务")
    PARTY_PROBATION = "party_probation", _("留党察看")
    PARTY_EXPULSION = "party_expulsion", _("开除党籍")
    GOV_WARNING = "gov_warning", _("政务警告")
    GOV_DEMERIT = "gov_demerit", _("记过")
    GOV_MAJOR_DEMERIT = "gov_major_demerit", _("记大过")
    GOV_DEMOTION = "gov_demotion", _("降级")
    GOV_DISMISSAL = "gov_dismissal", _("撤职")
    GOV_EXPULSION = "gov_expulsion", _("开除")
    ORG_ADMONITION = "org_admonition", _("诫勉")
    ORG_CRITICISM = "org_criticism", _("批评教育")
    ORG_OTHER = "org_other", _("其他组织处理")


PARTY_SANCTIONS = tuple(k for k in SanctionKind.values if k.startswith("party_"))
GOVERNMENT_SANCTIONS = tuple(k for k in SanctionKind.values if k.startswith("gov_"))
# 党纪政务处分: what the funnel's "sanctions" counts (organisational handling is not a sanction).
FORMAL_SANCTIONS = PARTY_SANCTIONS + GOVERNMENT_SANCTIONS


class RecoveryKind(models.TextChoices):
    SEIZED = "seized", _("追缴")
    RETURNED = "returned", _("退缴")


class ProjectLevel(models.TextChoices):
    CCDI = "ccdi", _("中央纪委重点推动")
    DISTRICT = "district", _("区级民生实事")
    TOWNSHIP = "township", _("一镇街一实事")


class VisitMethod(models.TextChoices):
    TALK = "talk", _("座谈交流")
    DOCUMENTS = "documents", _("查看资料")
    SITE = "site", _("实地走访")


class CleanUnitKind(models.TextChoices):
    OFFICE = "office", _("清廉机关")
    VILLAGE = "village", _("清廉村居")
    SCHOOL = "school", _("清廉学校")
    HOSPITAL = "hospital", _("清廉医院")
    ENTERPRISE = "enterprise", _("清廉企业")


class CleanUnitStatus(models.TextChoices):
    BUILDING = "building", _("创建中")
    STANDARD = "standard", _("达标")
    MODEL = "model", _("示范")


class AccessAction(models.TextChoices):
    """What an access-log row records: one clue or case opened, one list of them shown (one row per
    request, with the ids on the page), or a reporter's identity revealed."""

    OPEN = "open", _("查看")
    LIST = "list", _("列表")
    REVEAL = "reveal", _("查看举报人")


class AccessTarget(models.TextChoices):
    """Which register a list row is of."""

    CLUE = "clue", _("问题线索")
    CASE = "case", _("案件")


class AccessVia(models.TextChoices):
    PAGE = "page", _("页面")
    API = "api", _("接口")
    ADMIN = "admin", _("管理后台")


def dates_error(field: str, message: str) -> ValidationError:
    """A date before the one it must follow, reported against ``field`` (code ``ERR_DATES_ORDER``)."""
    return ValidationError({field: ValidationError(message, code=ERR_DATES_ORDER)})


class CultureSiteKind(models.TextChoices):
    """廉洁文化阵地 kinds the seed article names ("在网红景点打造廉洁文化主题公园、在社区建立家风家训馆")."""

    THEME_PARK = "theme_park", _("廉洁文化主题公园")
    FAMILY_HALL = "family_hall", _("家风家训馆")
    EDUCATION_BASE = "education_base", _("廉政教育基地")
    OTHER = "other", _("其他阵地")


class CultureTarget(models.TextChoices):
    """“廉洁文化进企业、团体、家庭、公共场所” — where an activity took integrity culture."""

    ENTERPRISE = "enterprise", _("进企业")
    GROUP = "group", _("进团体")
    FAMILY = "family", _("进家庭")
    PUBLIC_PLACE = "public_place", _("进公共场所")
    SITE = "site", _("阵地参观")
