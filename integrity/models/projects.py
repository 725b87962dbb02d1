"""民生实事监督: livelihood projects, their milestones and supervision visits."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet
from integrity.choices import (
    DISCIPLINE_ROLES,
    ERR_PROGRESS_RANGE,
    ERR_REVIEW_NOT_PAST_PROJECT,
    ProjectLevel,
    VisitMethod,
)
from integrity.querysets import MilestoneQuerySet


@audited()
class LivelihoodProject(models.Model):
    """民生实事 — a livelihood project of a year (CCDI-pushed, district-level or 一镇街一实事) under supervision."""

    scope_roles = DISCIPLINE_ROLES

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

    objects = ScopedQuerySet.as_manager()

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

    scope_roles = DISCIPLINE_ROLES
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

    scope_roles = DISCIPLINE_ROLES
    scope_lookup = "project__division"

    project = models.ForeignKey(
        LivelihoodProject, verbose_name=_("民生实事"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("督导日期"))
    method = models.CharField(_("方式"), max_length=10, choices=VisitMethod.choices)
    is_review = models.BooleanField(_("回头看"), default=False)
    findings = models.TextField(_("发现问题"), blank=True)
    follow_up = models.TextField(_("整改跟进"), blank=True)

    objects = ScopedQuerySet.as_manager()

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
