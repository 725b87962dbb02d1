"""清廉单元: units building integrity, their evaluation rounds and the rules they adopted."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.dates import past_date_validate
from governance.querysets import ScopedQuerySet
from integrity.choices import DISCIPLINE_ROLES, ERR_SCORE_RANGE, CleanUnitKind, CleanUnitStatus


@audited()
class CleanUnit(models.Model):
    """清廉单元 — a unit building integrity: 清廉机关、清廉村居、清廉学校、清廉医院、清廉企业."""

    scope_roles = DISCIPLINE_ROLES
    scope_lookup = "organization__division"

    organization = models.OneToOneField(
        "governance.Organization", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="clean_unit"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=CleanUnitKind.choices)
    # Set by ``services.evaluation_record`` from the latest evaluation round; a new unit is 创建中.
    status = models.CharField(
        _("创建状态"), max_length=10, choices=CleanUnitStatus.choices, default=CleanUnitStatus.BUILDING
    )
    started_on = models.DateField(_("启动日期"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("清廉单元")
        verbose_name_plural = _("清廉单元")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.organization.name}"


@audited()
class Evaluation(models.Model):
    """评估 — one evaluation round of a clean unit, with scored items and the resulting status."""

    scope_roles = DISCIPLINE_ROLES
    scope_lookup = "unit__organization__division"

    unit = models.ForeignKey(
        CleanUnit, verbose_name=_("清廉单元"), on_delete=models.PROTECT, related_name="evaluations"
    )
    round = models.PositiveSmallIntegerField(_("轮次"))
    evaluated_on = models.DateField(_("评估日期"))
    result = models.CharField(_("评估结果"), max_length=10, choices=CleanUnitStatus.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("清廉单元评估")
        verbose_name_plural = _("清廉单元评估")
        ordering = ["unit", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "round"],
                name="integrity_evaluation_round",
                violation_error_message=_("该单元已有这一轮评估。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · 第{self.round}轮"

    def clean(self) -> None:
        if self.evaluated_on:
            try:
                past_date_validate(self.evaluated_on)
            except ValidationError as error:
                raise ValidationError({"evaluated_on": error.error_list}) from None


@audited()
class EvaluationItem(models.Model):
    """评估项 — one scored item of an evaluation (integer points)."""

    scope_roles = DISCIPLINE_ROLES
    scope_lookup = "evaluation__unit__organization__division"

    evaluation = models.ForeignKey(Evaluation, verbose_name=_("评估"), on_delete=models.CASCADE, related_name="items")
    item = models.CharField(_("评估项"), max_length=120)
    max_score = models.PositiveSmallIntegerField(_("满分"))
    score = models.PositiveSmallIntegerField(_("得分"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估项")
        verbose_name_plural = _("评估项")
        ordering = ["evaluation", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(score__lte=F("max_score")),
                name="integrity_evaluation_score_range",
                violation_error_message=_("得分不能超过满分。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.score}/{self.max_score}"

    def clean(self) -> None:
        if self.score is not None and self.max_score is not None and self.score > self.max_score:
            raise ValidationError({"score": ValidationError(_("得分不能超过满分。"), code=ERR_SCORE_RANGE)})


@audited()
class UnitRule(models.Model):
    """制度 — a rule a clean unit adopted, and the loophole it closes."""

    scope_roles = DISCIPLINE_ROLES
    scope_lookup = "unit__organization__division"

    unit = models.ForeignKey(CleanUnit, verbose_name=_("清廉单元"), on_delete=models.PROTECT, related_name="rules")
    title = models.CharField(_("制度名称"), max_length=200)
    adopted_on = models.DateField(_("出台日期"))
    closes = models.TextField(_("规范事项（堵塞漏洞）"), blank=True)
    # Measurable effects, as numbers the dashboard sums (issue 16 item 9; seed article: 区卫健局
    # "堵塞12项管理漏洞……节约成本18.6%").
    loopholes_closed = models.PositiveSmallIntegerField(_("堵塞管理漏洞（项）"), default=0)
    savings_percent = models.DecimalField(_("节约成本（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    savings_amount = models.DecimalField(_("节约金额（元）"), max_digits=14, decimal_places=2, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("制度")
        verbose_name_plural = _("制度")
        ordering = ["unit", "-adopted_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "title"],
                name="integrity_rule_unique_title",
                violation_error_message=_("该单元已有同名制度。"),
            ),
            models.CheckConstraint(
                condition=Q(savings_percent__isnull=True) | Q(savings_percent__gte=0, savings_percent__lte=100),
                name="integrity_rule_savings_percent",
                violation_error_message=_("节约比例应在 0 至 100 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(savings_amount__isnull=True) | Q(savings_amount__gte=0),
                name="integrity_rule_savings_amount",
                violation_error_message=_("节约金额不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title
