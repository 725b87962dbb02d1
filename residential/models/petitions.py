"""物业领域信访 — property petitions against a compound's company or owners' committee."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from residential.choices import (
    ERR_PETITION_COMMITTEE_COMPOUND,
    ERR_PETITION_TARGET,
    PetitionCategory,
    PetitionChannel,
    PetitionStatus,
    PetitionTarget,
)
from residential.models.committees import OwnersCommittee
from residential.models.companies import PropertyCompany
from residential.models.compounds import Compound
from residential.querysets import PetitionQuerySet


@audited()
class Petition(models.Model):
    """物业领域信访 — a petition about a compound's property affairs, against its property company or
    owners' committee. Counted per compound, community, township and district, year over year."""

    scope_lookup = "compound__division"

    number = models.CharField(_("信访件编号"), max_length=40, unique=True)
    compound = models.ForeignKey(Compound, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="petitions")
    received_on = models.DateField(_("受理日期"))
    channel = models.CharField(_("渠道"), max_length=16, choices=PetitionChannel.choices)
    category = models.CharField(_("类别"), max_length=20, choices=PetitionCategory.choices)
    against = models.CharField(_("反映对象"), max_length=16, choices=PetitionTarget.choices)
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("被反映物业服务企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("被反映业委会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    summary = models.TextField(_("诉求内容"))
    status = models.CharField(_("状态"), max_length=16, choices=PetitionStatus.choices, default=PetitionStatus.RECEIVED)
    outcome = models.TextField(_("办理结果"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业领域信访")
        verbose_name_plural = _("物业领域信访")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["received_on"], name="petition_received_on")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(against=PetitionTarget.COMPANY) | Q(company__isnull=False),
                name="petition_company_named",
                violation_error_message=_("反映对象为物业服务企业时，须填写被反映的企业。"),
            ),
            models.CheckConstraint(
                condition=~Q(against=PetitionTarget.COMMITTEE) | Q(committee__isnull=False),
                name="petition_committee_named",
                violation_error_message=_("反映对象为业主委员会时，须填写被反映的业委会。"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.against == PetitionTarget.COMPANY and not self.company_id:
            raise ValidationError(
                {
                    "company": ValidationError(
                        _("反映对象为物业服务企业时，须填写被反映的企业。"), code=ERR_PETITION_TARGET
                    )
                }
            )
        if self.against == PetitionTarget.COMMITTEE and not self.committee_id:
            raise ValidationError(
                {
                    "committee": ValidationError(
                        _("反映对象为业主委员会时，须填写被反映的业委会。"), code=ERR_PETITION_TARGET
                    )
                }
            )
        if self.committee_id and self.compound_id and self.committee.compound_id != self.compound_id:
            raise ValidationError(
                {"committee": ValidationError(_("被反映的业委会不属于该小区。"), code=ERR_PETITION_COMMITTEE_COMPOUND)}
            )
