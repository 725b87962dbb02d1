"""一案一码 and 群众评价: the public tracking code of a case and the parties' ratings of it.

The code's token is never stored: only its SHA-256 (``token_hash``) and the random ``nonce`` it is
derived from with the site's secret key (``security.services.tracking``), so a copy of the database
alone opens no case page, and the officer can print the same code again."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet
from security.choices import Satisfaction
from security.models.bodies import MediationBody
from security.models.disputes import Dispute, DisputeParty


@audited(exclude=["token_hash", "nonce"])
class TrackingCode(models.Model):
    """一案一码 — the code printed (with its QR) on the intake receipt and the agreement; whoever holds it
    may follow the case's public progress and, being a party, rate it. At most one code of a case is
    valid at a time; a revoked code stays as a record (and answers 404)."""

    scope_lookup = "dispute__division"
    scope_through = "dispute"

    dispute = models.ForeignKey(
        Dispute, verbose_name=_("纠纷"), on_delete=models.PROTECT, related_name="tracking_codes"
    )
    nonce = models.CharField(_("随机因子"), max_length=32, editable=False)
    token_hash = models.CharField(_("查询码摘要"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作废人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Wrong phone digits on the rating form: counted here, the form is locked for a while after a few.
    failed_attempts = models.PositiveSmallIntegerField(_("核验失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("案件查询码（一案一码）")
        verbose_name_plural = _("案件查询码（一案一码）")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute"],
                condition=Q(revoked_at__isnull=True),
                name="tracking_code_one_valid_per_dispute",
                violation_error_message=_("该纠纷已有有效的查询码。"),
            ),
        ]
        triggers = [pgtrigger.Protect(name="tracking_code_no_delete", operation=pgtrigger.Delete)]

    def __str__(self) -> str:
        return f"{self.dispute} · {self.created_at:%Y-%m-%d}"

    @property
    def is_valid(self) -> bool:
        return self.revoked_at is None


class DisputeRating(models.Model):
    """群众评价 — one party's rating of a resolved case, verified by the last four digits of the phone
    given with the case: satisfaction, whether the problem was solved, a comment (the reason when it
    was not). One per party per round (a case reopened by a rating is rated again when it closes).
    Append-only: a rating is the party's word and is not edited."""

    audit_exempt = "the parties' append-only ratings (a trigger refuses updates and deletes); each is also an event"
    scope_lookup = "dispute__division"
    scope_through = "dispute"

    dispute = models.ForeignKey(Dispute, verbose_name=_("纠纷"), on_delete=models.PROTECT, related_name="ratings")
    party = models.ForeignKey(
        DisputeParty, verbose_name=_("评价当事人"), on_delete=models.PROTECT, related_name="ratings"
    )
    # The body that held the case when it was rated: the satisfaction rate is this body's.
    body = models.ForeignKey(
        MediationBody, verbose_name=_("承办主体"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("评价轮次"), default=0, help_text=_("0 为首次办结后的评价。"))
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), choices=Satisfaction.choices)
    solved = models.BooleanField(_("问题是否解决"))
    comment = models.TextField(_("意见"), blank=True, max_length=500)
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("群众评价")
        verbose_name_plural = _("群众评价")
        ordering = ["dispute", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["party", "round"],
                name="dispute_rating_once_per_party_round",
                violation_error_message=_("该当事人已评价过本案。"),
            ),
        ]
        indexes = [
            models.Index(fields=["body", "created_at"], name="dispute_rating_body"),
            models.Index(fields=["dispute", "created_at"], name="dispute_rating_dispute"),
        ]
        triggers = [
            pgtrigger.Protect(name="dispute_rating_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} · {self.get_satisfaction_display()}"
