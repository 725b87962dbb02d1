"""纠纷关联: a new case linked to an earlier one, as a duplicate (重复件: the same matter reported twice,
closed and following the original) or as a repeat (重复信访: the same people come back about it, counted
and raising the case's risk). Links always point at the first case of the chain (its root)."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet


class LinkKind(models.TextChoices):
    DUPLICATE = "duplicate", _("重复件（同一事项，并案）")
    REPEAT = "repeat", _("重复信访")


@audited()
class DisputeLink(models.Model):
    """纠纷关联 — ``dispute`` (the later case) is a duplicate or a repeat of ``original`` (the chain's
    first case). One link per later case; never deleted (a trigger refuses it)."""

    scope_lookup = "dispute__division"
    scope_through = "dispute"

    dispute = models.OneToOneField(
        "security.Dispute", verbose_name=_("本案"), on_delete=models.PROTECT, related_name="link"
    )
    original = models.ForeignKey(
        "security.Dispute", verbose_name=_("原案"), on_delete=models.PROTECT, related_name="linked_cases"
    )
    kind = models.CharField(_("关联类型"), max_length=16, choices=LinkKind.choices)
    reason = models.TextField(_("关联说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("关联人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("关联时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("纠纷关联")
        verbose_name_plural = _("纠纷关联")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(dispute=F("original")),
                name="dispute_link_not_self",
                violation_error_message=_("不能把案件关联到其本身。"),
            ),
        ]
        indexes = [models.Index(fields=["original", "kind"], name="dispute_link_original_kind")]
        triggers = [pgtrigger.Protect(name="dispute_link_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.dispute_id} → {self.original_id} · {self.get_kind_display()}"
