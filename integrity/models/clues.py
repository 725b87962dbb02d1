"""问题线索: the people clues are about, the clues with their four dispositions, and the reporter
kept apart from them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited, audited_links
from governance.dates import past_date_validate
from governance.querysets import ScopedQuerySet
from integrity.choices import (
    DISCIPLINE_ROLES,
    ERR_DISPOSITION_INCOMPLETE,
    ClueCategory,
    ClueSource,
    ClueStatus,
    Disposition,
    SubjectLevel,
    dates_error,
)
from integrity.models.campaigns import Campaign

# 主要问题 is a summary, not the file: the form, the API and the model (``Clue.clean``) cap it here
# (a TextField keeps the column as it is, so no migration).
SUMMARY_MAX_LENGTH = 2000


@audited()
class Subject(models.Model):
    """被反映人 / 被审查调查人 — a person a clue is about, and who may come under review in a case."""

    scope_roles = DISCIPLINE_ROLES

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

    objects = ScopedQuerySet.as_manager()

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

    scope_roles = DISCIPLINE_ROLES

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

    objects = ScopedQuerySet.as_manager()

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
        if self.received_on:
            try:
                past_date_validate(self.received_on)
            except ValidationError as error:
                raise ValidationError({"received_on": error.error_list}) from None
        if self.summary and len(self.summary) > SUMMARY_MAX_LENGTH:
            raise ValidationError(
                {
                    "summary": ValidationError(
                        _("主要问题不能超过 %(max)d 字。"), code="max_length", params={"max": SUMMARY_MAX_LENGTH}
                    )
                }
            )
        if self.disposed_on and self.received_on and self.disposed_on < self.received_on:
            raise dates_error("disposed_on", _("处置日期不能早于受理日期。"))
        if self.disposition and (not self.disposed_on or not self.decided_by):
            field = "disposed_on" if not self.disposed_on else "decided_by"
            raise ValidationError(
                {field: ValidationError(_("作出处置时须填写处置日期和决定人。"), code=ERR_DISPOSITION_INCOMPLETE)}
            )


@audited(
    # The audit trail records that the reporter row changed, never who the reporter is (not even the
    # token: a rotated key must leave no older ciphertext behind).
    exclude=["identity"],
)
class ClueReporter(models.Model):
    """举报人 — who reported a clue. The identity (name, phone, address) is one Fernet token
    (``integrity.crypto``) with the key outside the database; it is opened only by
    ``services.reporter_reveal`` for holders of ``integrity.view_cluereporter`` (which no role holds
    by default), and each opening is in the access log. Never in lists, exports, the API or logs."""

    scope_roles = DISCIPLINE_ROLES
    scope_lookup = "clue__division"

    clue = models.OneToOneField(Clue, verbose_name=_("问题线索"), on_delete=models.PROTECT, related_name="reporter")
    is_anonymous = models.BooleanField(_("匿名举报"), default=False)
    identity = models.TextField(_("举报人信息（加密）"), blank=True, default="", editable=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("举报人")
        verbose_name_plural = _("举报人")

    def __str__(self) -> str:
        # Never the name: this string may reach a log line or an admin message.
        return str(_("线索 %(number)s 的举报人")) % {"number": self.clue.number}


@audited_links()
class ClueSubjectLink(Clue.subjects.through):
    """线索被反映人 — which people a clue is about; every link added or removed is audited."""

    class Meta:
        proxy = True
