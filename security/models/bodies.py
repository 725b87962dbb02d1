"""调处主体 and 分流规则: the bodies that take disputes and the rules that route cases to them. Working days
are ``governance.calendar``'s."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited, audited_links
from governance.models.fields import ChoiceArrayField
from governance.phones import PhoneNumberField
from governance.querysets import Reach, ScopedQuerySet
from security.choices import BodyKind, BodyLevel, Category, Channel, RiskLevel
from security.querysets import MediationBodyQuerySet


@audited()
class MediationBody(models.Model):
    """调处主体 — a body that takes disputes: 人民调解委员会, 司法/行政调解, 劳动仲裁, 信访接待, 派出所 and its
    矛调中心, 警务室, a department, or the 综治中心 of a level."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=32, choices=BodyKind.choices)
    level = models.CharField(_("层级"), max_length=16, choices=BodyLevel.choices)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="mediation_bodies"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        help_text=_("如派出所矛调中心所属的派出所。"),
    )
    specialities = ChoiceArrayField(
        models.CharField(max_length=32, choices=Category.choices),
        verbose_name=_("擅长纠纷类型"),
        default=list,
        blank=True,
    )
    at_centre = models.BooleanField(_("入驻综治中心（一地办公）"), default=False)
    on_duty_24h = models.BooleanField(_("24小时值守"), default=False)
    phone = PhoneNumberField(_("联系电话"), service=True)  # hotlines such as 12348
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("工作人员"), blank=True, related_name="mediation_bodies"
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = MediationBodyQuerySet.as_manager()

    class Meta:
        verbose_name = _("调处主体")
        verbose_name_plural = _("调处主体")
        ordering = ["division__path", "kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "kind", "name"],
                name="mediation_body_unique_name",
                violation_error_message=_("该区划下已有同类型、同名称的调处主体。"),
            ),
        ]
        indexes = [models.Index(fields=["kind", "division"], name="mediation_body_kind_division")]

    def __str__(self) -> str:
        return self.name


@audited_links()
class MediationBodyStaffLink(MediationBody.staff.through):
    """调处主体工作人员 — who works for a body, and so may accept, mediate and close its cases (and
    see them); every link added or removed is audited."""

    class Meta:
        proxy = True


@audited()
class RoutingRule(models.Model):
    """分流规则 — which body (or kind of body) receives a dispute, and in how many working days it is due.
    Blank criteria match anything; the most specific matching rule wins. A rule applies to its division's
    subtree (no division: everywhere), so it is visible below it (``scope_reach``)."""

    scope_reach = Reach.ANCESTORS

    name = models.CharField(_("名称"), max_length=100)
    category = models.CharField(_("纠纷类型"), max_length=32, choices=Category.choices, blank=True)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices, blank=True)
    division = models.ForeignKey(
        "governance.Division",
        verbose_name=_("适用区划（含下级）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    risk_level = models.PositiveSmallIntegerField(_("风险等级"), choices=RiskLevel.choices, null=True, blank=True)
    target_kind = models.CharField(_("分派至主体类型"), max_length=32, choices=BodyKind.choices, blank=True)
    target_body = models.ForeignKey(
        MediationBody,
        verbose_name=_("分派至主体"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    deadline_days = models.PositiveSmallIntegerField(
        _("办理时限（工作日）"), default=10, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("分流规则")
        verbose_name_plural = _("分流规则")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target_kind="") | Q(target_body__isnull=False),
                name="routing_rule_has_target",
                violation_error_message=_("请选择分派至的主体类型或具体主体。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline_days__gte=1),
                name="routing_rule_deadline_positive",
                violation_error_message=_("办理时限至少为 1 个工作日。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def specificity(self) -> tuple[int, int]:
        criteria = sum(bool(v) for v in (self.category, self.channel, self.division_id, self.risk_level))
        return criteria, (self.division.depth if self.division_id else -1)
