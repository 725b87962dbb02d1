"""领导包案: the district's editable rules that nominate a case for a leader, the nominated case with the
one leader in charge (一案一领导), the plan with its due date, and the progress entries."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet


class LeaderRuleKind(models.TextChoices):
    REPEATS = "repeats", _("重复信访次数达到")
    PEOPLE = "people", _("涉及人数达到")
    OPEN_DAYS = "open_days", _("未化解天数达到")


class LeaderCaseStatus(models.TextChoices):
    NOMINATED = "nominated", _("待领导包案")
    IN_CHARGE = "in_charge", _("领导包案中")
    DONE = "done", _("已化解销号")


@audited()
class LeaderCaseRule(models.Model):
    """领导包案规则 — a criterion the district keeps in the admin: a case with at least ``threshold``
    repeat petitions (重复信访), people involved, or days open unresolved is nominated for a leader."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("条件"), max_length=16, choices=LeaderRuleKind.choices)
    threshold = models.PositiveIntegerField(_("阈值"), validators=[MinValueValidator(1)])
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("领导包案规则")
        verbose_name_plural = _("领导包案规则")
        ordering = ["kind", "threshold"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=1),
                name="leader_rule_threshold_positive",
                violation_error_message=_("阈值至少为 1。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class LeaderCase(models.Model):
    """领导包案 — a case nominated by a rule; one leader takes charge of it (一案一领导) and records a plan
    with a due date. Seen with its case."""

    scope_lookup = "dispute__division"
    scope_through = "dispute"

    dispute = models.OneToOneField(
        "security.Dispute", verbose_name=_("纠纷"), on_delete=models.PROTECT, related_name="leader_case"
    )
    rule = models.ForeignKey(
        LeaderCaseRule, verbose_name=_("命中规则"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = ArrayField(models.CharField(max_length=200), verbose_name=_("包案依据"), default=list, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=LeaderCaseStatus.choices, default=LeaderCaseStatus.NOMINATED
    )
    nominated_at = models.DateTimeField(_("提名时间"), default=timezone.now)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包案领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leader_cases",
    )
    taken_at = models.DateTimeField(_("包案时间"), null=True, blank=True)
    plan = models.TextField(_("化解方案"), blank=True)
    plan_due = models.DateField(_("计划化解日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("领导包案")
        verbose_name_plural = _("领导包案")
        ordering = ["-nominated_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(leader__isnull=True) | Q(taken_at__isnull=False),
                name="leader_case_taken_when_led",
                violation_error_message=_("包案领导须有包案时间。"),
            ),
        ]
        indexes = [models.Index(fields=["leader", "status"], name="leader_case_leader_status")]
        triggers = [pgtrigger.Protect(name="leader_case_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.dispute_id} · {self.get_status_display()}"


class LeaderCaseProgress(models.Model):
    """包案进展 — one entry of what the leader's work on the case achieved. Append-only."""

    audit_exempt = "append-only progress log of a leader case (a trigger refuses updates and deletes)"
    scope_lookup = "leader_case__dispute__division"
    scope_through = "leader_case"

    leader_case = models.ForeignKey(
        LeaderCase, verbose_name=_("包案"), on_delete=models.PROTECT, related_name="progress_entries"
    )
    note = models.TextField(_("进展情况"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("包案进展")
        verbose_name_plural = _("包案进展")
        ordering = ["leader_case", "recorded_at", "id"]
        triggers = [
            pgtrigger.Protect(name="leader_progress_append_only", operation=pgtrigger.Update | pgtrigger.Delete)
        ]

    def __str__(self) -> str:
        return f"{self.leader_case_id} · {self.recorded_at:%Y-%m-%d}"
