"""小区 — compounds, each its own division node under its community."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.models import DivisionLevel
from governance.models.organizations import PARTY_KINDS
from residential.choices import ERR_BRANCH_KIND, ERR_BRANCH_OUTSIDE, ERR_COMPOUND_LEVEL, ERR_COMPOUND_PARENT
from residential.querysets import CompoundQuerySet


@audited()
class Compound(models.Model):
    """小区 — a residential compound: its own division node (level 小区) under its community, where its
    households live; governed by 小区党支部 + 物业 + 楼宇会 once it has joined 星物管."""

    division = models.OneToOneField(
        "governance.Division",
        verbose_name=_("小区区划"),
        on_delete=models.PROTECT,
        related_name="compound",
        limit_choices_to={"level": DivisionLevel.COMPOUND},
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    joined_on = models.DateField(_("纳入星物管日期"), null=True, blank=True, help_text=_("留空表示尚未纳入“星物管”。"))
    party_branch = models.ForeignKey(
        "governance.Organization",
        verbose_name=_("小区党支部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branch_compounds",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CompoundQuerySet.as_manager()
    choice_select_related = ("division",)  # read by __str__: one query for a whole dropdown

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["division__path"]

    def __str__(self) -> str:
        return self.division.name if self.division_id else str(_("小区"))

    @property
    def name(self) -> str:
        return self.division.name

    @property
    def community(self):
        return self.division.parent

    def clean(self) -> None:
        if not self.division_id:
            return
        division = self.division
        if division.level != DivisionLevel.COMPOUND:
            raise ValidationError(
                {"division": ValidationError(_("小区必须对应层级为“小区”的区划。"), code=ERR_COMPOUND_LEVEL)}
            )
        if division.parent is None or division.parent.level != DivisionLevel.COMMUNITY:
            raise ValidationError(
                {"division": ValidationError(_("小区区划的上级必须是社区。"), code=ERR_COMPOUND_PARENT)}
            )
        branch = self.party_branch
        if branch is not None:
            if branch.kind not in PARTY_KINDS:
                raise ValidationError(
                    {"party_branch": ValidationError(_("小区党支部必须是党组织。"), code=ERR_BRANCH_KIND)}
                )
            if not branch.division.is_within(division.parent):
                raise ValidationError(
                    {
                        "party_branch": ValidationError(
                            _("小区党支部必须设在本小区或所在社区。"), code=ERR_BRANCH_OUTSIDE
                        )
                    }
                )
