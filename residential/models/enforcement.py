"""执法进小区 and 业委会整治 — law enforcement in compounds and the rectification of owners'
committees."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from residential.choices import RectificationKind, WorkStatus
from residential.models.committees import OwnersCommittee
from residential.models.compounds import Compound
from residential.querysets import EnforcementVisitQuerySet, RectificationQuerySet


@audited()
class CommitteeRectification(models.Model):
    """业委会整治 — misconduct of an owners' committee (不履职、不作为、乱作为) found and rectified."""

    scope_lookup = "committee__compound__division"

    committee = models.ForeignKey(
        OwnersCommittee, verbose_name=_("业主委员会"), on_delete=models.PROTECT, related_name="rectifications"
    )
    kind = models.CharField(_("问题类型"), max_length=20, choices=RectificationKind.choices)
    found_on = models.DateField(_("发现日期"))
    problem = models.TextField(_("问题描述"))
    measures = models.TextField(_("整改措施"), blank=True)
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.PENDING)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("业委会整治")
        verbose_name_plural = _("业委会整治")
        ordering = ["-found_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("found_on")),
                name="committee_rectification_deadline",
                violation_error_message=_("整改期限不能早于发现日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.get_kind_display()}"


@audited()
class EnforcementVisit(models.Model):
    """执法进小区 — a law-enforcement department's visit to a compound, the problems found and their
    rectification."""

    scope_lookup = "compound__division"

    compound = models.ForeignKey(
        Compound, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="enforcement_visits"
    )
    department = models.CharField(_("执法部门"), max_length=100)
    visited_on = models.DateField(_("日期"))
    problems_found = models.TextField(_("发现问题"), blank=True)
    problem_count = models.PositiveSmallIntegerField(_("问题数"), default=0)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)

    objects = EnforcementVisitQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法进小区")
        verbose_name_plural = _("执法进小区")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rectify_by__isnull=True) | Q(rectify_by__gte=F("visited_on")),
                name="enforcement_visit_deadline",
                violation_error_message=_("整改期限不能早于执法日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound} · {self.department} · {self.visited_on}"
