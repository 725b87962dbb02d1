"""退单: a case sent back and forth between bodies. After the second bounce the 综治中心 above both bodies
decides which body has jurisdiction, within one working day; each referral is kept here."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet


@audited()
class JurisdictionReferral(models.Model):
    """管辖裁定 — a bounced case referred to a 综治中心, which must name the body that handles it by
    ``due_on`` (one working day). Open while ``decided_at`` is empty; one open referral per case."""

    scope_lookup = "dispute__division"
    scope_through = "dispute"

    dispute = models.ForeignKey(
        "security.Dispute", verbose_name=_("纠纷"), on_delete=models.PROTECT, related_name="referrals"
    )
    centre = models.ForeignKey(
        "security.MediationBody", verbose_name=_("裁定的综治中心"), on_delete=models.PROTECT, related_name="+"
    )
    bounces = models.PositiveSmallIntegerField(_("提请时退单次数"))
    referred_at = models.DateTimeField(_("提请时间"), default=timezone.now)
    due_on = models.DateField(_("裁定期限"))
    decided_at = models.DateTimeField(_("裁定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("裁定人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_body = models.ForeignKey(
        "security.MediationBody",
        verbose_name=_("裁定承办主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("管辖裁定")
        verbose_name_plural = _("管辖裁定")
        ordering = ["-referred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(decided_at__isnull=True),
                name="referral_one_open_per_case",
                violation_error_message=_("该纠纷已有待裁定的管辖争议。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} · {self.centre_id}"
