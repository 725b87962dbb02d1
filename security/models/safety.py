"""三防联保 (物防、技防 resources; 人防 are the patrol teams of ``security.models.police``) and the
24-hour duty roster of the police stations' 矛调中心 and the 综治中心 (issue 16)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.phones import PhoneNumberField
from governance.querysets import ScopedQuerySet
from security.choices import RESOURCE_KINDS, BodyKind, ResourceCategory, ResourceStatus
from security.models.bodies import MediationBody

# The bodies that keep 24-hour duty (the article: 派出所矛调中心 "24小时值班", and the 综治中心).
DUTY_BODY_KINDS = (BodyKind.STATION_CENTRE, BodyKind.CENTRE)
# A shift is at most this long (a 24-hour watch); longer entries are typing mistakes.
SHIFT_MAX = datetime.timedelta(hours=24)


@audited()
class ProtectiveResource(models.Model):
    """防范资源 — one 物防 (gate, barrier, fire equipment) or 技防 (camera, access control, alarm) item of a
    village, community, compound or any division: where it is, who keeps it, whether it works and
    when it was last inspected. Only resources in service count towards 三防 coverage."""

    division = models.ForeignKey(
        "governance.Division",
        verbose_name=_("所在区划（村、社区、小区）"),
        on_delete=models.PROTECT,
        related_name="protective_resources",
    )
    category = models.CharField(_("类别"), max_length=20, choices=ResourceCategory.choices)
    name = models.CharField(_("名称"), max_length=120)
    location = models.CharField(_("位置"), max_length=200)
    owner = models.CharField(_("责任单位（人）"), max_length=100)
    quantity = models.PositiveIntegerField(_("数量"), default=1)
    status = models.CharField(_("状态"), max_length=16, choices=ResourceStatus.choices, default=ResourceStatus.NORMAL)
    last_inspected_on = models.DateField(_("最近检查日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("防范资源（物防、技防）")
        verbose_name_plural = _("防范资源（物防、技防）")
        ordering = ["division__path", "category", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gte=1),
                name="protective_resource_quantity",
                violation_error_message=_("数量至少为 1。"),
            ),
        ]
        indexes = [models.Index(fields=["category", "status"], name="protective_resource_cat_status")]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_category_display()}）"

    @property
    def kind(self) -> str:
        """``ProtectionKind.PHYSICAL`` or ``TECHNICAL``, from the category."""
        return RESOURCE_KINDS[self.category]

    def clean(self) -> None:
        super().clean()
        if self.last_inspected_on and self.last_inspected_on > timezone.localdate():
            raise ValidationError({"last_inspected_on": _("最近检查日期不能晚于今天。")})


@audited()
class DutyShift(models.Model):
    """值班 — who is on duty at a 24-hour body (a police station's 矛调中心 or a 综治中心), where, from
    when to when. A shift lasts more than nothing and at most 24 hours; shifts may overlap (two on
    duty at once)."""

    scope_lookup = "body__division"

    body = models.ForeignKey(
        MediationBody,
        verbose_name=_("值班单位"),
        on_delete=models.PROTECT,
        related_name="duty_shifts",
        limit_choices_to={"kind__in": DUTY_BODY_KINDS},
    )
    name = models.CharField(_("值班人员"), max_length=50)
    post = models.CharField(_("所属（综治、信访、民警等）"), max_length=50, blank=True)
    phone = PhoneNumberField(_("值班电话"), service=True, blank=False)
    place = models.CharField(_("值班地点"), max_length=120, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["starts_at", "body", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="duty_shift_ends_after_start",
                violation_error_message=_("结束时间须晚于开始时间。"),
            ),
        ]
        indexes = [models.Index(fields=["body", "starts_at", "ends_at"], name="duty_shift_body_time")]

    def __str__(self) -> str:
        return f"{self.body} · {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.body_id and self.body.kind not in DUTY_BODY_KINDS:
            raise ValidationError({"body": _("值班单位须为派出所矛盾调处中心或综治中心。")})
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": _("结束时间须晚于开始时间。")})
            if self.ends_at - self.starts_at > SHIFT_MAX:
                raise ValidationError({"ends_at": _("一个班次最长 24 小时。")})
