"""Points rules (积分规则): what a behaviour is worth, issued by a district, township or village
for everyone below it (``Reach.ANCESTORS``)."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civility.choices import PointCategory
from civility.querysets import PointRuleQuerySet
from governance.audit import audited
from governance.querysets import Reach


@audited()
class PointRule(models.Model):
    """积分规则 — a behaviour worth points (or a deduction), with a monthly cap per household. A rule
    issued by a district or township applies to, and is visible to, everyone below it."""

    scope_reach = Reach.ANCESTORS

    code = models.CharField(_("规则编码"), max_length=32, unique=True)
    behaviour = models.CharField(_("行为"), max_length=200)
    category = models.CharField(_("类别"), max_length=16, choices=PointCategory.choices)
    points = models.IntegerField(_("分值"), help_text=_("正数加分，负数扣分；志愿服务为每小时分值。"))
    monthly_cap = models.PositiveIntegerField(
        _("每户每月上限"), null=True, blank=True, help_text=_("本规则每户每月累计分值（绝对值）的上限，留空为不限。")
    )
    evidence_required = models.BooleanField(_("需佐证材料"), default=False)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("发布区划"), on_delete=models.PROTECT, related_name="point_rules"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    active_from = models.DateField(_("生效日期"), default=datetime.date(2024, 1, 1))
    active_to = models.DateField(_("失效日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PointRuleQuerySet.as_manager()

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["category", "code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(points=0), name="point_rule_points_nonzero", violation_error_message=_("分值不能为 0。")
            ),
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=F("active_from")),
                name="point_rule_active_range",
                violation_error_message=_("失效日期不能早于生效日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.behaviour}（{self.points:+d}）"

    def is_active_on(self, day: datetime.date) -> bool:
        return self.is_active and self.active_from <= day and (self.active_to is None or self.active_to >= day)
