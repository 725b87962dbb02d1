"""物业服务企业 — property companies, their contracts with compounds, their credit evaluations
(评分项、评价周期、评价、评分) and the 红黑榜 derived from them."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.phones import PhoneNumberField
from governance.querysets import Reach, ScopedQuerySet
from governance.validators import validate_uscc
from residential.choices import ERR_CONTRACT_OVERLAP, ERR_SCORE_RANGE, EvaluationStatus, Grade, ListSide
from residential.models.compounds import Compound


@audited()
class PropertyCompany(models.Model):
    """物业服务企业 — a property-management company, registered with the division that supervises it.
    A company registered with the district is visible to the townships and communities below it
    (they pick it for their compounds' contracts and petitions); one registered with a township is not
    seen by the other townships."""

    scope_reach = Reach.ANCESTORS

    name = models.CharField(_("企业名称"), max_length=120)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_uscc])
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = PhoneNumberField(_("联系电话"))
    address = models.CharField(_("地址"), max_length=200, blank=True)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("监管区划"), on_delete=models.PROTECT, related_name="property_companies"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"],
                name="property_company_unique_uscc",
                violation_error_message=_("已有相同统一社会信用代码的物业服务企业。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


_CONTRACT_OVERLAP_SQL = """
BEGIN
    IF EXISTS (
        SELECT 1 FROM residential_propertycontract other
        WHERE other.compound_id = NEW.compound_id AND other.id IS DISTINCT FROM NEW.id
          AND daterange(other.start_date, other.end_date, '[]') && daterange(NEW.start_date, NEW.end_date, '[]')
    ) THEN
        RAISE EXCEPTION 'property contracts of compound % overlap', NEW.compound_id
            USING ERRCODE = 'exclusion_violation';
    END IF;
    RETURN NEW;
END;
"""


@audited()
class PropertyContract(models.Model):
    """物业服务合同 — which company serves a compound from when to when; contracts of one compound
    never overlap, so the history of who served it is kept."""

    scope_lookup = "compound__division"

    compound = models.ForeignKey(Compound, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="contracts")
    company = models.ForeignKey(
        PropertyCompany, verbose_name=_("物业服务企业"), on_delete=models.PROTECT, related_name="contracts"
    )
    start_date = models.DateField(_("服务起"))
    end_date = models.DateField(_("服务止"), null=True, blank=True, help_text=_("留空表示仍在服务。"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["compound", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="property_contract_dates_ordered",
                violation_error_message=_("服务止日期不能早于服务起日期。"),
            ),
        ]
        triggers = [
            # The same rule as clean(), for imports, bulk writes and raw SQL (btree_gist, which an
            # exclusion constraint would need, is missing from the embedded PostgreSQL).
            pgtrigger.Trigger(
                name="property_contract_no_overlap",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update,
                func=_CONTRACT_OVERLAP_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound} · {self.company}"

    def clean(self) -> None:
        if not (self.compound_id and self.start_date) or (self.end_date and self.end_date < self.start_date):
            return
        others = PropertyContract.objects.filter(compound_id=self.compound_id).exclude(pk=self.pk)
        others = others.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if self.end_date:
            others = others.filter(start_date__lte=self.end_date)
        clash = others.select_related("company").first()
        if clash is not None:
            raise ValidationError(
                {
                    "start_date": ValidationError(
                        _("与该小区已有的物业服务合同（%(company)s，%(start)s 起）时间重叠。"),
                        code=ERR_CONTRACT_OVERLAP,
                        params={"company": clash.company.name, "start": clash.start_date},
                    )
                }
            )


@audited()
class ScoringItem(models.Model):
    """信用评价评分项 — one item of the scoring template the district keeps (e.g. 服务质量, 30 分)."""

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("制定区划"), on_delete=models.PROTECT, related_name="scoring_items"
    )
    name = models.CharField(_("评分项"), max_length=100)
    description = models.TextField(_("评分标准"), blank=True)
    max_score = models.PositiveSmallIntegerField(_("满分"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用评价评分项")
        verbose_name_plural = _("信用评价评分项")
        ordering = ["sort_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "name"],
                name="scoring_item_unique_name",
                violation_error_message=_("已有同名的评分项。"),
            ),
            models.CheckConstraint(
                condition=Q(max_score__gt=0),
                name="scoring_item_max_positive",
                violation_error_message=_("满分须大于0。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_score}分）"


@audited()
class CreditPeriod(models.Model):
    """信用评价周期 — a period of evaluation with the district's rules: grade thresholds and how many
    points each petition against a company costs it (capped)."""

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("评价区划"), on_delete=models.PROTECT, related_name="credit_periods"
    )
    name = models.CharField(_("名称"), max_length=50, help_text=_("如：2024年度"))
    start_date = models.DateField(_("起"))
    end_date = models.DateField(_("止"))
    petition_penalty = models.PositiveSmallIntegerField(_("每件信访扣分"), default=2)
    petition_penalty_cap = models.PositiveSmallIntegerField(_("信访扣分上限"), default=20)
    grade_a_min = models.PositiveSmallIntegerField(_("A级最低分"), default=90)
    grade_b_min = models.PositiveSmallIntegerField(_("B级最低分"), default=80)
    grade_c_min = models.PositiveSmallIntegerField(_("C级最低分"), default=60)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用评价周期")
        verbose_name_plural = _("信用评价周期")
        ordering = ["-start_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "name"],
                name="credit_period_unique_name",
                violation_error_message=_("已有同名的评价周期。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="credit_period_dates_ordered",
                violation_error_message=_("评价周期的结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(grade_a_min__gt=F("grade_b_min")) & Q(grade_b_min__gt=F("grade_c_min")),
                name="credit_period_grades_ordered",
                violation_error_message=_("等级分数线须满足：A级 > B级 > C级。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def grade_for(self, total: int) -> str:
        if total >= self.grade_a_min:
            return Grade.A
        if total >= self.grade_b_min:
            return Grade.B
        if total >= self.grade_c_min:
            return Grade.C
        return Grade.D


@audited()
class CreditEvaluation(models.Model):
    """服务信用等级评价 — one company's evaluation in one period: item scores, minus the petition
    deduction, give the total and the grade. A draft (草稿) is rescored freely and appears on no list;
    once published (``credit_evaluation_publish``) it counts on the 红黑榜 and is frozen: database
    triggers refuse any change to it or its scores."""

    scope_lookup = "company__division"

    company = models.ForeignKey(
        PropertyCompany, verbose_name=_("物业服务企业"), on_delete=models.PROTECT, related_name="evaluations"
    )
    period = models.ForeignKey(
        CreditPeriod, verbose_name=_("评价周期"), on_delete=models.PROTECT, related_name="evaluations"
    )
    evaluator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_evaluations",
    )
    evaluated_on = models.DateField(_("评价日期"))
    item_total = models.IntegerField(_("评分项合计"), default=0, editable=False)
    petition_count = models.PositiveIntegerField(_("期内信访件数"), default=0, editable=False)
    petition_deduction = models.PositiveIntegerField(_("信访扣分"), default=0, editable=False)
    total = models.IntegerField(_("总分"), default=0, editable=False)
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices, editable=False, blank=True)
    note = models.TextField(_("备注"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("服务信用等级评价")
        verbose_name_plural = _("服务信用等级评价")
        ordering = ["period", "-total", "company"]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "period"],
                name="credit_evaluation_unique",
                violation_error_message=_("该企业在该周期已有评价。"),
            ),
            models.CheckConstraint(
                condition=Q(status=EvaluationStatus.DRAFT, published_at__isnull=True)
                | Q(status=EvaluationStatus.PUBLISHED, published_at__isnull=False),
                name="credit_evaluation_published_at",
                violation_error_message=_("已发布的评价须有发布时间，草稿不能有。"),
            ),
        ]
        triggers = [
            pgtrigger.Protect(
                name="credit_evaluation_published_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__status="published"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.period} · {self.grade}"


_SCORE_FROZEN_SQL = """
BEGIN
    IF EXISTS (
        SELECT 1 FROM residential_creditevaluation evaluation
        WHERE evaluation.id IN (NEW.evaluation_id, OLD.evaluation_id) AND evaluation.status = 'published'
    ) THEN
        RAISE EXCEPTION 'credit evaluation % is published and cannot be changed',
            COALESCE(NEW.evaluation_id, OLD.evaluation_id)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END;
"""


@audited()
class CreditScore(models.Model):
    """评分 — the score one evaluation gives one item, within the item's range."""

    scope_lookup = "evaluation__company__division"

    evaluation = models.ForeignKey(
        CreditEvaluation, verbose_name=_("评价"), on_delete=models.CASCADE, related_name="scores"
    )
    item = models.ForeignKey(ScoringItem, verbose_name=_("评分项"), on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("得分"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["evaluation", "item__sort_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "item"],
                name="credit_score_unique",
                violation_error_message=_("同一评分项只能评一次。"),
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="credit_score_frozen",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=_SCORE_FROZEN_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.name}: {self.score}"

    def clean(self) -> None:
        if self.item_id and self.score is not None and self.score > self.item.max_score:
            raise ValidationError(
                {
                    "score": ValidationError(
                        _("“%(item)s”的得分应在 0 到 %(max)s 之间，收到 %(score)s。"),
                        code=ERR_SCORE_RANGE,
                        params={"item": self.item.name, "max": self.item.max_score, "score": self.score},
                    )
                }
            )


_ENTRY_FROZEN_SQL = """
BEGIN
    IF EXISTS (
        SELECT 1 FROM residential_redblacklist list
        WHERE list.id IN (NEW.list_id, OLD.list_id) AND list.published_at IS NOT NULL
    ) THEN
        RAISE EXCEPTION 'red/black list % is published and cannot be changed', COALESCE(NEW.list_id, OLD.list_id)
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END;
"""


@audited()
class RedBlackList(models.Model):
    """红黑榜 — the red (best) and black (worst) property companies of a period, derived from the
    evaluations. A draft can be recomputed; once published it is a frozen snapshot (database triggers
    refuse any change to the list or its entries)."""

    scope_lookup = "period__division"

    period = models.OneToOneField(
        CreditPeriod, verbose_name=_("评价周期"), on_delete=models.PROTECT, related_name="red_black_list"
    )
    title = models.CharField(_("标题"), max_length=100)
    red_size = models.PositiveSmallIntegerField(_("红榜名额"), default=3)
    black_size = models.PositiveSmallIntegerField(_("黑榜名额"), default=3)
    note = models.TextField(_("说明"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")
        ordering = ["-period__start_date"]
        triggers = [
            pgtrigger.Protect(
                name="red_black_list_frozen",
                operation=pgtrigger.Update | pgtrigger.Delete,
                condition=pgtrigger.Q(old__published_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


@audited()
class RedBlackEntry(models.Model):
    """红黑榜条目 — one company on the red or black side of a list, with the figures it was ranked by."""

    scope_lookup = "list__period__division"

    list = models.ForeignKey(RedBlackList, verbose_name=_("红黑榜"), on_delete=models.PROTECT, related_name="entries")
    company = models.ForeignKey(
        PropertyCompany, verbose_name=_("物业服务企业"), on_delete=models.PROTECT, related_name="list_entries"
    )
    side = models.CharField(_("榜别"), max_length=8, choices=ListSide.choices)
    rank = models.PositiveSmallIntegerField(_("名次"))
    total = models.IntegerField(_("总分"))
    grade = models.CharField(_("等级"), max_length=1, choices=Grade.choices)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("红黑榜条目")
        verbose_name_plural = _("红黑榜条目")
        ordering = ["list", "side", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["list", "company"], name="red_black_entry_unique", violation_error_message=_("企业已在榜上。")
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="red_black_entry_frozen",
                when=pgtrigger.Before,
                operation=pgtrigger.Insert | pgtrigger.Update | pgtrigger.Delete,
                func=_ENTRY_FROZEN_SQL,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.rank}. {self.company}"
