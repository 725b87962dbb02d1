"""矛盾纠纷 and what hangs on a case: its parties, its timeline of moves (流转记录), the agreement reached
and the follow-up visits."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.models import Role
from governance.phones import PhoneNumberField
from governance.querysets import ScopedQuerySet
from security.choices import (
    OPEN_STATUSES,
    Category,
    Channel,
    EventAction,
    JudicialConfirmation,
    PartyRole,
    RiskLevel,
    Satisfaction,
    Status,
)
from security.models.bodies import MediationBody, RoutingRule
from security.querysets import BODY_ROLES, DisputeQuerySet, cases_filed_by_me, cases_of_my_bodies


@audited(
    model_name="DisputeAuditEvent",  # "DisputeEvent" (and "events") is the case timeline below
    obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
)
class Dispute(models.Model):
    """矛盾纠纷 — one case, one number (一案一码), whatever channel it came through. Its status moves only
    through the services, each move a ``DisputeEvent``. Never deleted.

    Mediators and police see the cases of the bodies they work for and those they handled
    (``scope_rules``); other systems' keys see the cases they filed; everyone else sees the cases of
    their division subtree."""

    scope_rules = {**dict.fromkeys(BODY_ROLES, cases_of_my_bodies), Role.API_CLIENT: cases_filed_by_me}

    number = models.CharField(_("案件编号"), max_length=32, unique=True, editable=False)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    external_id = models.CharField(_("外部系统编号"), max_length=64, null=True, blank=True)
    category = models.CharField(_("纠纷类型"), max_length=32, choices=Category.choices)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="disputes"
    )
    description = models.TextField(_("纠纷简况"))
    address = models.CharField(
        _("发生地点"), max_length=200, blank=True, default="", help_text=_("详细地址，如“乐坪街道XX社区3栋”")
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    people_involved = models.PositiveIntegerField(
        _("涉及人数"), null=True, blank=True, help_text=_("来电或来访反映的涉及人数；未知可不填")
    )
    media_url = models.URLField(_("图片或附件链接"), max_length=500, blank=True, default="")
    threats_noted = models.BooleanField(_("有威胁或暴力倾向"), default=False)
    received_at = models.DateTimeField(_("受理时间"), default=timezone.now)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="received_disputes",
    )
    risk_level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices, default=RiskLevel.LOW)
    risk_score = models.PositiveSmallIntegerField(_("民转刑风险分"), default=0)
    risk_reasons = ArrayField(models.CharField(max_length=200), verbose_name=_("风险依据"), default=list, blank=True)
    current_body = models.ForeignKey(
        MediationBody,
        verbose_name=_("当前承办主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="disputes",
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    handling_days = models.PositiveSmallIntegerField(_("办理时限（工作日）"), default=10)
    deadline = models.DateField(_("办理期限"), null=True, blank=True)
    deadline_provisional = models.BooleanField(
        _("期限暂定"),
        default=False,
        db_default=False,
        help_text=_("期限跨入尚无国务院节假日安排的年度，按周一至周五推算，可能与正式安排不符。"),
    )
    resolved_at = models.DateTimeField(_("化解时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = DisputeQuerySet.as_manager()

    class Meta:
        verbose_name = _("矛盾纠纷")
        verbose_name_plural = _("矛盾纠纷")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=Q(external_id__isnull=False),
                name="dispute_unique_external_id",
                violation_error_message=_("该渠道已登记过此外部编号的纠纷。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="dispute_status_deadline"),
            models.Index(fields=["current_body", "status"], name="dispute_body_status"),
            models.Index(fields=["division", "received_at"], name="dispute_division_received"),
            models.Index(fields=["-received_at", "-id"], name="dispute_received_desc"),
        ]
        triggers = [
            pgtrigger.Protect(name="dispute_no_delete", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.deadline is not None and self.deadline < timezone.localdate()


@audited()
class DisputeParty(models.Model):
    """纠纷当事人 — a person taking part in a dispute, with their role."""

    # Seen exactly with its case (a mediator sees the parties of the cases of their body).
    scope_lookup = "dispute__division"
    scope_through = "dispute"

    dispute = models.ForeignKey(Dispute, verbose_name=_("纠纷"), on_delete=models.PROTECT, related_name="parties")
    person = models.ForeignKey(
        "governance.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="dispute_parties"
    )
    role = models.CharField(_("身份"), max_length=16, choices=PartyRole.choices)
    # The number given with this case: a caller may ring from a service line (12345) that is no
    # personal number, so it is kept here, not on the person.
    phone = PhoneNumberField(_("来电号码"), service=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("纠纷当事人")
        verbose_name_plural = _("纠纷当事人")
        ordering = ["dispute", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispute", "person"],
                name="dispute_party_unique",
                violation_error_message=_("同一人员在同一纠纷中只能登记一次。"),
            ),
        ]
        indexes = [models.Index(fields=["person", "dispute"], name="dispute_party_person")]

    def __str__(self) -> str:
        return f"{self.person} · {self.get_role_display()}"


class DisputeEvent(models.Model):
    """纠纷流转记录 — one step on a case's timeline: who, when, from which body to which, why, and under
    which routing rule. Append-only (a database trigger refuses updates and deletes), so it is itself
    the audit trail and is not tracked again by pghistory."""

    audit_exempt = "the case's own append-only timeline (a trigger refuses updates and deletes): each move's record"
    # Seen exactly with its case (a mediator sees the parties of the cases of their body).
    scope_lookup = "dispute__division"
    scope_through = "dispute"

    dispute = models.ForeignKey(Dispute, verbose_name=_("纠纷"), on_delete=models.PROTECT, related_name="events")
    action = models.CharField(_("动作"), max_length=16, choices=EventAction.choices)
    from_status = models.CharField(_("原状态"), max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=16, choices=Status.choices, blank=True)
    from_body = models.ForeignKey(
        MediationBody, verbose_name=_("原主体"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    to_body = models.ForeignKey(
        MediationBody, verbose_name=_("新主体"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="dispute_events",
        help_text=_("为空表示系统自动处理（如超期上报）。"),
    )
    rule = models.ForeignKey(
        RoutingRule, verbose_name=_("分流规则"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(_("理由"), blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("纠纷流转记录")
        verbose_name_plural = _("纠纷流转记录")
        ordering = ["dispute", "created_at", "id"]
        indexes = [
            models.Index(fields=["dispute", "created_at"], name="dispute_event_timeline"),
            models.Index(fields=["actor", "dispute"], name="dispute_event_actor"),
            # Events by date: the 响应率 roll-up's refresh and partial months read a day range of
            # assignments (``security.rollup_response``), a calendar override the weeks before it.
            models.Index(fields=["created_at"], name="dispute_event_created"),
        ]
        triggers = [
            pgtrigger.Protect(name="dispute_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} · {self.get_action_display()}"


ERR_DATE_BEFORE_CASE = "date_before_case"
ERR_DATE_IN_FUTURE = "date_in_future"


def case_date_validate(dispute: Dispute, day, field: str) -> None:
    """A date of something done on the case (an agreement signed, a visit made): not before the case
    was received, not after today (Asia/Shanghai). Raises ``ValidationError`` on ``field``
    (``ERR_DATE_BEFORE_CASE``, ``ERR_DATE_IN_FUTURE``)."""
    if day is None or dispute is None or dispute.received_at is None:
        return
    received = timezone.localdate(dispute.received_at)
    if day < received:
        raise ValidationError(
            {
                field: ValidationError(
                    _("日期不能早于纠纷受理日期（%(day)s）。"), code=ERR_DATE_BEFORE_CASE, params={"day": received}
                )
            }
        )
    if day > timezone.localdate():
        raise ValidationError({field: ValidationError(_("日期不能晚于今天。"), code=ERR_DATE_IN_FUTURE)})


@audited()
class MediationAgreement(models.Model):
    """调解协议 — the terms reached, an amount (yuan), when signed, and 司法确认."""

    # Seen exactly with its case (a mediator sees the parties of the cases of their body).
    scope_lookup = "dispute__division"
    scope_through = "dispute"

    dispute = models.OneToOneField(Dispute, verbose_name=_("纠纷"), on_delete=models.PROTECT, related_name="agreement")
    terms = models.TextField(_("协议内容"))
    amount = models.DecimalField(
        _("涉及金额（元）"),
        max_digits=14,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0, message=_("协议金额不能小于零。"))],
    )
    signed_on = models.DateField(_("签订日期"))
    judicial_confirmation = models.CharField(
        _("司法确认"), max_length=16, choices=JudicialConfirmation.choices, default=JudicialConfirmation.NONE
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("调解协议")
        verbose_name_plural = _("调解协议")
        ordering = ["-signed_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0),
                name="mediation_agreement_amount_not_negative",
                violation_error_message=_("协议金额不能小于零。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dispute} · {self.signed_on}"

    def clean(self) -> None:
        case_date_validate(self.dispute if self.dispute_id else None, self.signed_on, "signed_on")


@audited()
class FollowUpVisit(models.Model):
    """回访 — a visit to the parties after the case, with their satisfaction."""

    # Seen exactly with its case (a mediator sees the parties of the cases of their body).
    scope_lookup = "dispute__division"
    scope_through = "dispute"

    dispute = models.ForeignKey(Dispute, verbose_name=_("纠纷"), on_delete=models.PROTECT, related_name="visits")
    visited_on = models.DateField(_("回访日期"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("回访人"), on_delete=models.PROTECT, related_name="+"
    )
    satisfaction = models.PositiveSmallIntegerField(_("满意度"), choices=Satisfaction.choices)
    note = models.TextField(_("回访情况"), blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("回访")
        verbose_name_plural = _("回访")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.dispute} · {self.visited_on}"

    def clean(self) -> None:
        case_date_validate(self.dispute if self.dispute_id else None, self.visited_on, "visited_on")
