"""清廉建设: problem clues and their dispositions, cases filed, sanctions, detention and funds
recovered, rectification campaigns, livelihood projects under supervision, clean units and their
rules. Only discipline staff (纪检监察干部) ever read these rows; see ``querysets.for_discipline``."""

from __future__ import annotations

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from integrity.querysets import CampaignQuerySet, ClueQuerySet, IntegrityQuerySet, MilestoneQuerySet, ProjectQuerySet

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


def _dates_error(field: str, message) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=ERR_DATES_ORDER)})


# --- choices --------------------------------------------------------------------------------------


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


class AccessVia(models.TextChoices):
    PAGE = "page", _("页面")
    API = "api", _("接口")
    ADMIN = "admin", _("管理后台")


# --- campaigns, subjects, clues ------------------------------------------------------------------


@audited()
class Campaign(models.Model):
    """集中整治 — a rectification campaign (e.g. 群众身边不正之风和腐败问题集中整治)."""

    name = models.CharField(_("名称"), max_length=120, unique=True)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("组织区划"), on_delete=models.PROTECT, related_name="integrity_campaigns"
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    scope = models.TextField(_("整治范围"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("集中整治")
        verbose_name_plural = _("集中整治")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="integrity_campaign_dates",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class Subject(models.Model):
    """被反映人 / 被审查调查人 — a person a clue is about, and who may come under review in a case."""

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="integrity_subjects"
    )
    person = models.ForeignKey(
        "governance.Person",
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="integrity_subjects",
    )
    name = models.CharField(_("姓名"), max_length=50)
    unit = models.CharField(_("工作单位"), max_length=120)
    post = models.CharField(_("职务"), max_length=60, blank=True)
    level = models.CharField(_("职级"), max_length=16, choices=SubjectLevel.choices, default=SubjectLevel.STAFF)
    is_party_member = models.BooleanField(_("中共党员"), default=False)
    is_public_official = models.BooleanField(_("监察对象（公职人员）"), default=True)

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("涉及人员")
        verbose_name_plural = _("涉及人员")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}{self.post}）"


@audited()
class Clue(models.Model):
    """问题线索 — a problem clue, received from a source and given one of the four dispositions.

    The reporter (举报人) is kept apart, in ``ClueReporter``."""

    number = models.CharField(_("线索编号"), max_length=32, unique=True)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="integrity_clues"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("集中整治"), null=True, blank=True, on_delete=models.PROTECT, related_name="clues"
    )
    source = models.CharField(_("线索来源"), max_length=20, choices=ClueSource.choices)
    received_on = models.DateField(_("受理日期"))
    category = models.CharField(_("问题类别"), max_length=20, choices=ClueCategory.choices)
    summary = models.TextField(_("主要问题"))
    subjects = models.ManyToManyField(Subject, verbose_name=_("被反映人"), related_name="clues", blank=True)
    disposition = models.CharField(_("处置方式"), max_length=10, choices=Disposition.choices, blank=True)
    disposed_on = models.DateField(_("处置日期"), null=True, blank=True)
    decided_by = models.CharField(_("决定人"), max_length=50, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ClueStatus.choices, default=ClueStatus.RECEIVED)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ClueQuerySet.as_manager()

    class Meta:
        verbose_name = _("问题线索")
        verbose_name_plural = _("问题线索")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["campaign", "received_on"], name="integrity_clue_campaign")]
        constraints = [
            models.CheckConstraint(
                condition=Q(disposition__in=["", *Disposition.values]),
                name="integrity_clue_disposition_four",
                violation_error_message=_("处置方式只能是谈话函询、初步核实、暂存待查、予以了结之一。"),
            ),
            models.CheckConstraint(
                condition=Q(disposed_on__isnull=True) | Q(disposed_on__gte=F("received_on")),
                name="integrity_clue_dates",
                violation_error_message=_("处置日期不能早于受理日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.disposed_on and self.received_on and self.disposed_on < self.received_on:
            raise _dates_error("disposed_on", _("处置日期不能早于受理日期。"))
        if self.disposition and (not self.disposed_on or not self.decided_by):
            field = "disposed_on" if not self.disposed_on else "decided_by"
            raise ValidationError(
                {field: ValidationError(_("作出处置时须填写处置日期和决定人。"), code=ERR_DISPOSITION_INCOMPLETE)}
            )


@audited(
    # The audit trail records that the reporter row changed, never who the reporter is.
    exclude=["name", "phone", "address"],
)
class ClueReporter(models.Model):
    """举报人 — who reported a clue. Readable only with ``integrity.view_cluereporter``, which no role
    holds by default; never shown in lists, exports, the API or logs."""

    scope_lookup = "clue__division"

    clue = models.OneToOneField(Clue, verbose_name=_("问题线索"), on_delete=models.PROTECT, related_name="reporter")
    is_anonymous = models.BooleanField(_("匿名举报"), default=False)
    name = models.CharField(_("举报人姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("联系地址"), max_length=200, blank=True)

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报人")
        verbose_name_plural = _("举报人")

    def __str__(self) -> str:
        # Never the name: this string may reach a log line or an admin message.
        return str(_("线索 %(number)s 的举报人")) % {"number": self.clue.number}


# --- cases ----------------------------------------------------------------------------------------


@audited()
class IntegrityCase(models.Model):
    """立案审查调查 — a case filed from one clue or several."""

    number = models.CharField(_("案件编号"), max_length=32, unique=True)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="integrity_cases"
    )
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("集中整治"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    clues = models.ManyToManyField(Clue, verbose_name=_("来源线索"), related_name="cases")
    subjects = models.ManyToManyField(Subject, verbose_name=_("被审查调查人"), related_name="cases")
    filed_on = models.DateField(_("立案日期"))
    findings = models.TextField(_("查明事实"), blank=True)
    transferred_to_procuratorate = models.BooleanField(_("移送检察机关"), default=False)
    transferred_on = models.DateField(_("移送日期"), null=True, blank=True)
    closed_on = models.DateField(_("结案日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("立案审查调查")
        verbose_name_plural = _("立案审查调查")
        ordering = ["-filed_on", "-id"]
        indexes = [models.Index(fields=["campaign", "filed_on"], name="integrity_case_campaign")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("filed_on")),
                name="integrity_case_closed_after_filed",
                violation_error_message=_("结案日期不能早于立案日期。"),
            ),
            models.CheckConstraint(
                condition=Q(transferred_on__isnull=True) | Q(transferred_on__gte=F("filed_on")),
                name="integrity_case_transferred_after_filed",
                violation_error_message=_("移送日期不能早于立案日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.filed_on and self.closed_on and self.closed_on < self.filed_on:
            raise _dates_error("closed_on", _("结案日期不能早于立案日期。"))
        if self.filed_on and self.transferred_on and self.transferred_on < self.filed_on:
            raise _dates_error("transferred_on", _("移送日期不能早于立案日期。"))
        if self.transferred_to_procuratorate and not self.transferred_on:
            raise ValidationError(
                {"transferred_on": ValidationError(_("移送检察机关须填写移送日期。"), code="required")}
            )


@audited()
class Measure(models.Model):
    """审查调查措施 — a measure taken in a case against one person (留置 with its dates, 谈话…)."""

    scope_lookup = "case__division"

    case = models.ForeignKey(IntegrityCase, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="measures")
    subject = models.ForeignKey(Subject, verbose_name=_("对象"), on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("措施"), max_length=16, choices=MeasureKind.choices)
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("解除日期"), null=True, blank=True)

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("审查调查措施")
        verbose_name_plural = _("审查调查措施")
        ordering = ["start_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="integrity_measure_dates",
                violation_error_message=_("解除日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.subject.name}"

    def clean(self) -> None:
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise _dates_error("end_on", _("解除日期不能早于开始日期。"))
        if self.case_id and self.start_on and self.start_on < self.case.filed_on:
            raise _dates_error("start_on", _("措施不能早于立案日期。"))
        if self.case_id and self.subject_id and not self.case.subjects.filter(pk=self.subject_id).exists():
            raise ValidationError(
                {"subject": ValidationError(_("该人员不是本案被审查调查人。"), code=ERR_SANCTION_SUBJECT_NOT_IN_CASE)}
            )


@audited()
class Sanction(models.Model):
    """处分 / 组织处理 — a Party or government sanction (党纪政务处分) decided in a case, or an
    organisational handling (诫勉、批评教育…) that may follow a case or a clue's talk/verification."""

    scope_lookup = "subject__division"

    subject = models.ForeignKey(Subject, verbose_name=_("受处理人"), on_delete=models.PROTECT, related_name="sanctions")
    case = models.ForeignKey(
        IntegrityCase, verbose_name=_("案件"), null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions"
    )
    clue = models.ForeignKey(
        Clue, verbose_name=_("问题线索"), null=True, blank=True, on_delete=models.PROTECT, related_name="sanctions"
    )
    kind = models.CharField(_("处分（处理）种类"), max_length=24, choices=SanctionKind.choices)
    decided_on = models.DateField(_("决定日期"))

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("处分与处理")
        verbose_name_plural = _("处分与处理")
        ordering = ["-decided_on", "-id"]
        indexes = [models.Index(fields=["decided_on"], name="integrity_sanction_decided")]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(clue__isnull=False),
                name="integrity_sanction_has_origin",
                violation_error_message=_("处理须来自一起案件或一条问题线索。"),
            ),
            models.CheckConstraint(
                condition=Q(case__isnull=False) | ~Q(kind__in=FORMAL_SANCTIONS),
                name="integrity_formal_sanction_has_case",
                violation_error_message=_("党纪政务处分须在立案审查调查后作出。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject.name} · {self.get_kind_display()}"

    def clean(self) -> None:
        if not self.subject_id:
            return
        subject = self.subject
        if self.kind in PARTY_SANCTIONS and not subject.is_party_member:
            raise ValidationError(
                {
                    "kind": ValidationError(
                        _("%(name)s 不是中共党员，不能给予党纪处分。"),
                        code=ERR_PARTY_SANCTION_NON_MEMBER,
                        params={"name": subject.name},
                    )
                }
            )
        if self.kind in GOVERNMENT_SANCTIONS and not subject.is_public_official:
            raise ValidationError(
                {
                    "kind": ValidationError(
                        _("%(name)s 不是监察对象（公职人员），不能给予政务处分。"),
                        code=ERR_GOVERNMENT_SANCTION_NON_OFFICIAL,
                        params={"name": subject.name},
                    )
                }
            )
        if self.kind in FORMAL_SANCTIONS and not self.case_id:
            raise ValidationError(
                {"case": ValidationError(_("党纪政务处分须在立案审查调查后作出。"), code=ERR_SANCTION_NEEDS_CASE)}
            )
        if not self.case_id and not self.clue_id:
            raise ValidationError(
                {"case": ValidationError(_("处理须来自一起案件或一条问题线索。"), code=ERR_SANCTION_NEEDS_CASE)}
            )
        if self.case_id:
            if not self.case.subjects.filter(pk=subject.pk).exists():
                raise ValidationError(
                    {
                        "subject": ValidationError(
                            _("该人员不是本案被审查调查人。"), code=ERR_SANCTION_SUBJECT_NOT_IN_CASE
                        )
                    }
                )
            if self.decided_on and self.decided_on < self.case.filed_on:
                raise _dates_error("decided_on", _("处分决定日期不能早于立案日期。"))
        elif self.clue_id and self.decided_on and self.decided_on < self.clue.received_on:
            raise _dates_error("decided_on", _("处理决定日期不能早于线索受理日期。"))


@audited()
class Recovery(models.Model):
    """追缴退缴 — money recovered in a case (yuan, exact to the fen)."""

    scope_lookup = "case__division"

    case = models.ForeignKey(IntegrityCase, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="recoveries")
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    kind = models.CharField(_("方式"), max_length=10, choices=RecoveryKind.choices)
    recovered_on = models.DateField(_("日期"))

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("追缴退缴")
        verbose_name_plural = _("追缴退缴")
        ordering = ["-recovered_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0),
                name="integrity_recovery_amount_positive",
                violation_error_message=_("金额必须大于零。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case} · {self.get_kind_display()} {self.amount} 元"

    def clean(self) -> None:
        if self.amount is not None and self.amount <= Decimal("0"):
            raise ValidationError({"amount": ValidationError(_("金额必须大于零。"), code=ERR_AMOUNT_NOT_POSITIVE)})
        if self.case_id and self.recovered_on and self.recovered_on < self.case.filed_on:
            raise _dates_error("recovered_on", _("追缴退缴日期不能早于立案日期。"))


@audited()
class CampaignMatter(models.Model):
    """整治民生实事 — a livelihood matter a campaign set out to resolve (resolved once ``resolved_on`` is set)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("集中整治"), on_delete=models.PROTECT, related_name="matters")
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="integrity_matters"
    )
    title = models.CharField(_("事项"), max_length=200)
    opened_on = models.DateField(_("立项日期"))
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("整治民生实事")
        verbose_name_plural = _("整治民生实事")
        ordering = ["-opened_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("opened_on")),
                name="integrity_matter_dates",
                violation_error_message=_("解决日期不能早于立项日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        if self.opened_on and self.resolved_on and self.resolved_on < self.opened_on:
            raise _dates_error("resolved_on", _("解决日期不能早于立项日期。"))


# --- access log -----------------------------------------------------------------------------------


class AccessLog(models.Model):
    """查阅记录 — who viewed which clue or case, when and where (page, API or admin). Append-only:
    a database trigger refuses every update and delete, whoever asks. It is its own audit trail, so
    pghistory does not track it."""

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), on_delete=models.PROTECT, related_name="+"
    )
    clue = models.ForeignKey(
        Clue, verbose_name=_("问题线索"), null=True, blank=True, on_delete=models.PROTECT, related_name="access_logs"
    )
    case = models.ForeignKey(
        IntegrityCase,
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_logs",
    )
    via = models.CharField(_("途径"), max_length=8, choices=AccessVia.choices)
    path = models.CharField(_("地址"), max_length=500)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("查阅记录")
        verbose_name_plural = _("查阅记录")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(clue__isnull=False, case__isnull=True) | Q(clue__isnull=True, case__isnull=False),
                name="integrity_access_log_one_object",
                violation_error_message=_("一条查阅记录对应一条线索或一起案件。"),
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="integrity_access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.clue or self.case} · {self.at:%Y-%m-%d %H:%M}"


# --- livelihood projects --------------------------------------------------------------------------


@audited()
class LivelihoodProject(models.Model):
    """民生实事 — a livelihood project of a year (CCDI-pushed, district-level or 一镇街一实事) under supervision."""

    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("层级"), max_length=10, choices=ProjectLevel.choices)
    title = models.CharField(_("项目名称"), max_length=200)
    owner_unit = models.ForeignKey(
        "governance.Organization",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        related_name="livelihood_projects",
    )
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("实施区划"), on_delete=models.PROTECT, related_name="livelihood_projects"
    )
    budget = models.DecimalField(_("预算（元）"), max_digits=14, decimal_places=2, default=Decimal("0"))
    description = models.TextField(_("内容"), blank=True)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        verbose_name = _("民生实事")
        verbose_name_plural = _("民生实事")
        ordering = ["-year", "level", "title"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "title"],
                name="integrity_project_unique_title",
                violation_error_message=_("同一年度已有同名民生实事。"),
            ),
            models.CheckConstraint(
                condition=Q(budget__gte=0),
                name="integrity_project_budget_not_negative",
                violation_error_message=_("预算不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} · {self.title}"


@audited()
class Milestone(models.Model):
    """节点 — a milestone of a livelihood project, planned and actual dates and progress (%)."""

    scope_lookup = "project__division"

    project = models.ForeignKey(
        LivelihoodProject, verbose_name=_("民生实事"), on_delete=models.PROTECT, related_name="milestones"
    )
    title = models.CharField(_("节点"), max_length=120)
    planned_on = models.DateField(_("计划完成日期"))
    actual_on = models.DateField(_("实际完成日期"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["planned_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__lte=100),
                name="integrity_milestone_progress",
                violation_error_message=_("进度应在 0 到 100 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project.title} · {self.title}"

    def clean(self) -> None:
        if self.progress is not None and not 0 <= self.progress <= 100:
            raise ValidationError({"progress": ValidationError(_("进度应在 0 到 100 之间。"), code=ERR_PROGRESS_RANGE)})


@audited()
class SupervisionVisit(models.Model):
    """督导 — a supervision visit to a livelihood project; a "回头看" review looks back at a past year's project."""

    scope_lookup = "project__division"

    project = models.ForeignKey(
        LivelihoodProject, verbose_name=_("民生实事"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("督导日期"))
    method = models.CharField(_("方式"), max_length=10, choices=VisitMethod.choices)
    is_review = models.BooleanField(_("回头看"), default=False)
    findings = models.TextField(_("发现问题"), blank=True)
    follow_up = models.TextField(_("整改跟进"), blank=True)

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("督导")
        verbose_name_plural = _("督导")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.project.title} · {self.visited_on}"

    def clean(self) -> None:
        if self.is_review and self.project_id and self.visited_on and self.project.year >= self.visited_on.year:
            raise ValidationError(
                {"is_review": ValidationError(_("“回头看”针对以往年度的民生实事。"), code=ERR_REVIEW_NOT_PAST_PROJECT)}
            )


# --- clean units ----------------------------------------------------------------------------------


@audited()
class CleanUnit(models.Model):
    """清廉单元 — a unit building integrity: 清廉机关、清廉村居、清廉学校、清廉医院、清廉企业."""

    scope_lookup = "organization__division"

    organization = models.OneToOneField(
        "governance.Organization", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="clean_unit"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=CleanUnitKind.choices)
    status = models.CharField(_("创建状态"), max_length=10, choices=CleanUnitStatus.choices)
    started_on = models.DateField(_("启动日期"))

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("清廉单元")
        verbose_name_plural = _("清廉单元")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.organization.name}"


@audited()
class Evaluation(models.Model):
    """评估 — one evaluation round of a clean unit, with scored items and the resulting status."""

    scope_lookup = "unit__organization__division"

    unit = models.ForeignKey(
        CleanUnit, verbose_name=_("清廉单元"), on_delete=models.PROTECT, related_name="evaluations"
    )
    round = models.PositiveSmallIntegerField(_("轮次"))
    evaluated_on = models.DateField(_("评估日期"))
    result = models.CharField(_("评估结果"), max_length=10, choices=CleanUnitStatus.choices)

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("清廉单元评估")
        verbose_name_plural = _("清廉单元评估")
        ordering = ["unit", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "round"],
                name="integrity_evaluation_round",
                violation_error_message=_("该单元已有这一轮评估。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · 第{self.round}轮"


@audited()
class EvaluationItem(models.Model):
    """评估项 — one scored item of an evaluation (integer points)."""

    scope_lookup = "evaluation__unit__organization__division"

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("评估"), on_delete=models.CASCADE, related_name="items")
    item = models.CharField(_("评估项"), max_length=120)
    max_score = models.PositiveSmallIntegerField(_("满分"))
    score = models.PositiveSmallIntegerField(_("得分"))

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估项")
        verbose_name_plural = _("评估项")
        ordering = ["evaluation", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=F("max_score")),
                name="integrity_evaluation_score_range",
                violation_error_message=_("得分不能超过满分。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.score}/{self.max_score}"

    def clean(self) -> None:
        if self.score is not None and self.max_score is not None and self.score > self.max_score:
            raise ValidationError({"score": ValidationError(_("得分不能超过满分。"), code=ERR_SCORE_RANGE)})


@audited()
class UnitRule(models.Model):
    """制度 — a rule a clean unit adopted, and the loophole it closes."""

    scope_lookup = "unit__organization__division"

    unit = models.ForeignKey(CleanUnit, verbose_name=_("清廉单元"), on_delete=models.PROTECT, related_name="rules")
    title = models.CharField(_("制度名称"), max_length=200)
    adopted_on = models.DateField(_("出台日期"))
    closes = models.TextField(_("规范事项（堵塞漏洞）"), blank=True)

    objects = IntegrityQuerySet.as_manager()

    class Meta:
        verbose_name = _("制度")
        verbose_name_plural = _("制度")
        ordering = ["unit", "-adopted_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "title"],
                name="integrity_rule_unique_title",
                violation_error_message=_("该单元已有同名制度。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title
