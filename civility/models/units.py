"""“8+N” 文明单元: the kinds of civility unit the district keeps (eight standing kinds plus the N it
adds), each unit's application and its evaluation rounds (seed article: "在‘8+N’文明单元创建的基础上")."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.choices import UnitLevel, UnitStatus
from governance.audit import audited
from governance.querysets import Reach, ScopedQuerySet


@audited()
class UnitKind(models.Model):
    """文明单元类型 — one of the eight standing kinds or of those the district added (文明单位、文明村、
    文明家庭…), with its creation criteria.
    Kept by the district (``division``) and visible to every division below it."""

    scope_reach = Reach.ANCESTORS

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("设立区划"), on_delete=models.PROTECT, related_name="civility_unit_kinds"
    )
    code = models.SlugField(_("编码"), max_length=32)
    name = models.CharField(_("名称"), max_length=50)
    level = models.CharField(_("创建层级"), max_length=16, choices=UnitLevel.choices)
    is_standing = models.BooleanField(
        _("常设类型（“8”）"), default=False, help_text=_("八类常设文明单元；不勾选即为区里增设的类型。")
    )
    criteria = models.TextField(_("创建标准"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("文明单元类型")
        verbose_name_plural = _("文明单元类型")
        ordering = ["-is_standing", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "code"], name="civility_unit_kind_code", violation_error_message=_("编码已存在。")
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class CivilityUnit(models.Model):
    """文明单元 — one unit's creation: who applied, when, and where it stands after the latest evaluation
    round (``status`` is set by ``services.unit_review_record``)."""

    kind = models.ForeignKey(UnitKind, verbose_name=_("类型"), on_delete=models.PROTECT, related_name="units")
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="civility_units"
    )
    name = models.CharField(_("单元名称"), max_length=100)
    applied_on = models.DateField(_("申报日期"))
    application = models.TextField(_("申报材料摘要"), blank=True)
    status = models.CharField(_("创建状态"), max_length=12, choices=UnitStatus.choices, default=UnitStatus.APPLIED)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("文明单元")
        verbose_name_plural = _("文明单元")
        ordering = ["kind__sort_order", "division__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "division", "name"],
                name="civility_unit_unique",
                violation_error_message=_("该区划已有同名同类的文明单元。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} · {self.name}"


@audited()
class UnitReview(models.Model):
    """评审轮次 — one evaluation round of a unit (score 0–100) and its result."""

    scope_lookup = "unit__division"

    unit = models.ForeignKey(CivilityUnit, verbose_name=_("文明单元"), on_delete=models.PROTECT, related_name="reviews")
    round = models.PositiveSmallIntegerField(_("轮次"))
    reviewed_on = models.DateField(_("评审日期"))
    score = models.PositiveSmallIntegerField(_("得分"), null=True, blank=True)
    result = models.CharField(_("评审结果"), max_length=12, choices=UnitStatus.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("文明单元评审")
        verbose_name_plural = _("文明单元评审")
        ordering = ["unit", "round"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "round"],
                name="civility_unit_review_round",
                violation_error_message=_("该轮评审已存在。"),
            ),
            models.CheckConstraint(
                condition=Q(score__lte=100),
                name="civility_unit_review_score",
                violation_error_message=_("得分不超过 100。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · 第{self.round}轮"
