"""立案审查调查: cases filed from clues, the measures taken in them, sanctions and organisational
handling, and the money recovered."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited, audited_links
from governance.dates import past_date_validate
from governance.querysets import ScopedQuerySet
from integrity.choices import (
    DISCIPLINE_ROLES,
    ERR_AMOUNT_NOT_POSITIVE,
    ERR_GOVERNMENT_SANCTION_NON_OFFICIAL,
    ERR_PARTY_SANCTION_NON_MEMBER,
    ERR_SANCTION_NEEDS_CASE,
    ERR_SANCTION_SUBJECT_NOT_IN_CASE,
    FORMAL_SANCTIONS,
    GOVERNMENT_SANCTIONS,
    PARTY_SANCTIONS,
    MeasureKind,
    RecoveryKind,
    SanctionKind,
    dates_error,
)
from integrity.models.campaigns import Campaign
from integrity.models.clues import Clue, Subject


@audited()
class IntegrityCase(models.Model):
    """立案审查调查 — a case filed from one clue or several."""

    scope_roles = DISCIPLINE_ROLES

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

    objects = ScopedQuerySet.as_manager()

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
            raise dates_error("closed_on", _("结案日期不能早于立案日期。"))
        if self.filed_on and self.transferred_on and self.transferred_on < self.filed_on:
            raise dates_error("transferred_on", _("移送日期不能早于立案日期。"))
        if self.transferred_to_procuratorate and not self.transferred_on:
            raise ValidationError(
                {"transferred_on": ValidationError(_("移送检察机关须填写移送日期。"), code="required")}
            )


@audited()
class Measure(models.Model):
    """审查调查措施 — a measure taken in a case against one person (留置 with its dates, 谈话…)."""

    scope_roles = DISCIPLINE_ROLES
    scope_lookup = "case__division"

    case = models.ForeignKey(IntegrityCase, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="measures")
    subject = models.ForeignKey(Subject, verbose_name=_("对象"), on_delete=models.PROTECT, related_name="measures")
    kind = models.CharField(_("措施"), max_length=16, choices=MeasureKind.choices)
    start_on = models.DateField(_("开始日期"))
    end_on = models.DateField(_("解除日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

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
        if self.start_on:
            try:
                past_date_validate(self.start_on)
            except ValidationError as error:
                raise ValidationError({"start_on": error.error_list}) from None
        if self.start_on and self.end_on and self.end_on < self.start_on:
            raise dates_error("end_on", _("解除日期不能早于开始日期。"))
        if self.case_id and self.start_on and self.start_on < self.case.filed_on:
            raise dates_error("start_on", _("措施不能早于立案日期。"))
        if self.case_id and self.subject_id and not self.case.subjects.filter(pk=self.subject_id).exists():
            raise ValidationError(
                {"subject": ValidationError(_("该人员不是本案被审查调查人。"), code=ERR_SANCTION_SUBJECT_NOT_IN_CASE)}
            )


@audited()
class Sanction(models.Model):
    """处分 / 组织处理 — a Party or government sanction (党纪政务处分) decided in a case, or an
    organisational handling (诫勉、批评教育…) that may follow a case or a clue's talk/verification."""

    scope_roles = DISCIPLINE_ROLES
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

    objects = ScopedQuerySet.as_manager()

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
                raise dates_error("decided_on", _("处分决定日期不能早于立案日期。"))
        elif self.clue_id and self.decided_on and self.decided_on < self.clue.received_on:
            raise dates_error("decided_on", _("处理决定日期不能早于线索受理日期。"))


@audited()
class Recovery(models.Model):
    """追缴退缴 — money recovered in a case (yuan, exact to the fen)."""

    scope_roles = DISCIPLINE_ROLES
    scope_lookup = "case__division"

    case = models.ForeignKey(IntegrityCase, verbose_name=_("案件"), on_delete=models.PROTECT, related_name="recoveries")
    amount = models.DecimalField(_("金额（元）"), max_digits=14, decimal_places=2)
    kind = models.CharField(_("方式"), max_length=10, choices=RecoveryKind.choices)
    recovered_on = models.DateField(_("日期"))

    objects = ScopedQuerySet.as_manager()

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
            raise dates_error("recovered_on", _("追缴退缴日期不能早于立案日期。"))


@audited_links()
class CaseClueLink(IntegrityCase.clues.through):
    """案件来源线索 — which clues a case was filed from; every link added or removed is audited."""

    class Meta:
        proxy = True


@audited_links()
class CaseSubjectLink(IntegrityCase.subjects.through):
    """被审查调查人 — who is under review in a case; every link added or removed is audited."""

    class Meta:
        proxy = True
