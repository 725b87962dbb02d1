"""业主委员会 — owners' committees, one row per term."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.models import OrganizationKind
from residential.choices import ERR_COMMITTEE_ORGANIZATION
from residential.models.compounds import Compound
from residential.querysets import OwnersCommitteeQuerySet


@audited()
class OwnersCommittee(models.Model):
    """业主委员会（业委会）— one term of a compound's owners' committee; its members are posts in its
    organisation, held by residents of the compound."""

    scope_lookup = "compound__division"

    compound = models.ForeignKey(
        Compound, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="owners_committees"
    )
    organization = models.OneToOneField(
        "governance.Organization",
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="owners_committee",
        limit_choices_to={"kind": OrganizationKind.OWNERS_COMMITTEE},
    )
    term_start = models.DateField(_("任期起"))
    term_end = models.DateField(_("任期止"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = OwnersCommitteeQuerySet.as_manager()
    choice_select_related = ("organization",)  # read by __str__: one query for a whole dropdown

    class Meta:
        verbose_name = _("业主委员会")
        verbose_name_plural = _("业主委员会")
        ordering = ["compound", "-term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=F("term_start")),
                name="owners_committee_term_ordered",
                violation_error_message=_("任期止日期不能早于任期起日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.organization.name if self.organization_id else str(_("业主委员会"))

    def clean(self) -> None:
        if self.organization_id and self.compound_id:
            org = self.organization
            if org.kind != OrganizationKind.OWNERS_COMMITTEE or org.division_id != self.compound.division_id:
                raise ValidationError(
                    {
                        "organization": ValidationError(
                            _("组织必须是设在本小区的业主委员会。"), code=ERR_COMMITTEE_ORGANIZATION
                        )
                    }
                )
