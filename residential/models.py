"""星物管: compounds (小区) with their Party branch, property company and 楼宇会; owners' committees;
property companies' credit evaluations and the 红黑榜; property petitions; law enforcement in
compounds and the rectification of owners' committees."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.models import DivisionLevel, OrganizationKind
from governance.models.organizations import PARTY_KINDS
from governance.querysets import ScopedQuerySet
from governance.validators import validate_phone, validate_uscc
from residential.querysets import (
    CompoundQuerySet,
    OwnersCommitteeQuerySet,
    PetitionQuerySet,
    RectificationQuerySet,
    ResolutionQuerySet,
)

ERR_COMPOUND_LEVEL = "compound_division_level"
ERR_COMPOUND_PARENT = "compound_parent_not_community"
ERR_BRANCH_KIND = "compound_branch_kind"
ERR_BRANCH_OUTSIDE = "compound_branch_outside"
ERR_CONTRACT_OVERLAP = "contract_overlap"
ERR_COMMITTEE_ORGANIZATION = "committee_organization"
ERR_SCORE_RANGE = "score_out_of_range"
ERR_LIST_PUBLISHED = "red_black_list_published"
ERR_PETITION_TARGET = "petition_target"
ERR_PETITION_COMMITTEE_COMPOUND = "petition_committee_compound"


# --- 小区 ---------------------------------------------------------------------------------------


@audited()
class Compound(models.Model):
    """小区 — a residential compound: its own division node (level 小区) under its community, where its
    households live; governed by 小区党支部 + 物业 + 楼宇会 once it has joined 星物管."""

    division = models.OneToOneField(
        "governance.Division",
        verbose_name=_("小区区划"),
        on_delete=models.PROTECT,
        related_name="compound",
        limit_choices_to={"level": DivisionLevel.COMPOUND},
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    joined_on = models.DateField(_("纳入星物管日期"), null=True, blank=True, help_text=_("留空表示尚未纳入“星物管”。"))
    party_branch = models.ForeignKey(
        "governance.Organization",
        verbose_name=_("小区党支部"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="branch_compounds",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CompoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("小区")
        verbose_name_plural = _("小区")
        ordering = ["division__path"]

    def __str__(self) -> str:
        return self.division.name if self.division_id else str(_("小区"))

    @property
    def name(self) -> str:
        return self.division.name

    @property
    def community(self):
        return self.division.parent

    def clean(self) -> None:
        if not self.division_id:
            return
        division = self.division
        if division.level != DivisionLevel.COMPOUND:
            raise ValidationError(
                {"division": ValidationError(_("小区必须对应层级为“小区”的区划。"), code=ERR_COMPOUND_LEVEL)}
            )
        if division.parent is None or division.parent.level != DivisionLevel.COMMUNITY:
            raise ValidationError(
                {"division": ValidationError(_("小区区划的上级必须是社区。"), code=ERR_COMPOUND_PARENT)}
            )
        branch = self.party_branch
        if branch is not None:
            if branch.kind not in PARTY_KINDS:
                raise ValidationError(
                    {"party_branch": ValidationError(_("小区党支部必须是党组织。"), code=ERR_BRANCH_KIND)}
                )
            if not branch.division.path.startswith(division.parent.path):
                raise ValidationError(
                    {
                        "party_branch": ValidationError(
                            _("小区党支部必须设在本小区或所在社区。"), code=ERR_BRANCH_OUTSIDE
                        )
                    }
                )


# --- 物业服务企业与合同 ------------------------------------------------------------------------------


@audited()
class PropertyCompany(models.Model):
    """物业服务企业 — a property-management company, registered with the division that supervises it."""

    name = models.CharField(_("企业名称"), max_length=120)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, validators=[validate_uscc])
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True, validators=[validate_phone])
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


# --- 业委会 -------------------------------------------------------------------------------------


@audited()
class OwnersCommittee(models.Model):
    """业主委员会（业委会）— one term of a compound's owners' committee; its members are posts in its
    organisation, held by residents of the compound."""

    scope_lookup = "compound__division"

    compound = models.ForeignKey(
        Compound, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="owners_committees"
    )
    organization = models.OneToOneField(
        "governance.Organization",
        verbose_name=_("组织"),
        on_delete=models.PROTECT,
        related_name="owners_committee",
        limit_choices_to={"kind": OrganizationKind.OWNERS_COMMITTEE},
    )
    term_start = models.DateField(_("任期起"))
    term_end = models.DateField(_("任期止"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = OwnersCommitteeQuerySet.as_manager()

    class Meta:
        verbose_name = _("业主委员会")
        verbose_name_plural = _("业主委员会")
        ordering = ["compound", "-term_start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gte=F("term_start")),
                name="owners_committee_term_ordered",
                violation_error_message=_("任期止日期不能早于任期起日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.organization.name if self.organization_id else str(_("业主委员会"))

    def clean(self) -> None:
        if self.organization_id and self.compound_id:
            org = self.organization
            if org.kind != OrganizationKind.OWNERS_COMMITTEE or org.division_id != self.compound.division_id:
                raise ValidationError(
                    {
                        "organization": ValidationError(
                            _("组织必须是设在本小区的业主委员会。"), code=ERR_COMMITTEE_ORGANIZATION
                        )
                    }
                )


class RectificationKind(models.TextChoices):
    NON_PERFORMANCE = "non_performance", _("不履职")
    INACTION = "inaction", _("不作为")
    MISCONDUCT = "misconduct", _("乱作为")


class WorkStatus(models.TextChoices):
    PENDING = "pending", _("待办")
    IN_PROGRESS = "in_progress", _("办理中")
    DONE = "done", _("已办结")


@audited()
class CommitteeRectification(models.Model):
    """业委会整治 — misconduct of an owners' committee (不履职、不作为、乱作为) found and rectified."""

    scope_lookup = "committee__compound__division"

    committee = models.ForeignKey(
        OwnersCommittee, verbose_name=_("业主委员会"), on_delete=models.PROTECT, related_name="rectifications"
    )
    kind = models.CharField(_("问题类型"), max_length=20, choices=RectificationKind.choices)
    found_on = models.DateField(_("发现日期"))
    problem = models.TextField(_("问题描述"))
    measures = models.TextField(_("整改措施"), blank=True)
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(_("状态"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.PENDING)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("业委会整治")
        verbose_name_plural = _("业委会整治")
        ordering = ["-found_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(deadline__gte=F("found_on")),
                name="committee_rectification_deadline",
                violation_error_message=_("整改期限不能早于发现日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.committee} · {self.get_kind_display()}"


# --- 服务信用等级评价与红黑榜 --------------------------------------------------------------------------


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


class Grade(models.TextChoices):
    A = "A", _("A 级（诚信）")
    B = "B", _("B 级（良好）")
    C = "C", _("C 级（基本合格）")
    D = "D", _("D 级（失信）")


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
    deduction, give the total and the grade."""

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
        ]

    def __str__(self) -> str:
        return f"{self.company} · {self.period} · {self.grade}"


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


class ListSide(models.TextChoices):
    RED = "red", _("红榜")
    BLACK = "black", _("黑榜")


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


# --- 楼宇会 -------------------------------------------------------------------------------------


class ParticipantKind(models.TextChoices):
    RESIDENTS_COMMITTEE = "residents_committee", _("社区居委会")
    PARTY_BRANCH = "party_branch", _("小区党支部")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    PROPERTY_COMPANY = "property_company", _("物业服务企业")
    RESIDENT_REPRESENTATIVE = "resident_representative", _("居民代表")


@audited()
class BuildingCouncilMeeting(models.Model):
    """楼宇会 — a meeting of the residents' committee, the Party branch, the owners' committee, the
    property company and residents' representatives deciding a compound's affairs."""

    scope_lookup = "compound__division"

    compound = models.ForeignKey(Compound, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("召开日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    topics = models.TextField(_("议题"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("楼宇会")
        verbose_name_plural = _("楼宇会")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.compound} · {self.held_on}"


@audited()
class MeetingParticipant(models.Model):
    """楼宇会参会方 — who took part in a 楼宇会, by kind."""

    scope_lookup = "meeting__compound__division"

    meeting = models.ForeignKey(
        BuildingCouncilMeeting, verbose_name=_("楼宇会"), on_delete=models.CASCADE, related_name="participants"
    )
    kind = models.CharField(_("参会方"), max_length=32, choices=ParticipantKind.choices)
    name = models.CharField(_("姓名或单位"), max_length=100)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("参会方")
        verbose_name_plural = _("参会方")
        ordering = ["meeting", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.name}"


@audited()
class MeetingResolution(models.Model):
    """楼宇会决议 — a decision of a 楼宇会, with who carries it out, by when, and its follow-up."""

    scope_lookup = "meeting__compound__division"

    meeting = models.ForeignKey(
        BuildingCouncilMeeting, verbose_name=_("楼宇会"), on_delete=models.CASCADE, related_name="resolutions"
    )
    content = models.TextField(_("决议事项"))
    owner_kind = models.CharField(_("责任方"), max_length=32, choices=ParticipantKind.choices)
    owner = models.CharField(_("责任人"), max_length=100)
    deadline = models.DateField(_("完成期限"))
    status = models.CharField(_("跟进状态"), max_length=20, choices=WorkStatus.choices, default=WorkStatus.PENDING)
    follow_up = models.TextField(_("跟进情况"), blank=True)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)

    objects = ResolutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("楼宇会决议")
        verbose_name_plural = _("楼宇会决议")
        ordering = ["meeting", "deadline", "id"]

    def __str__(self) -> str:
        return self.content[:30]


# --- 物业领域信访 --------------------------------------------------------------------------------


class PetitionChannel(models.TextChoices):
    VISIT = "visit", _("来访")
    LETTER = "letter", _("来信")
    PHONE = "phone", _("来电")
    HOTLINE = "hotline", _("12345热线")
    ONLINE = "online", _("网上信访")


class PetitionCategory(models.TextChoices):
    FEES = "fees", _("物业收费")
    REPAIRS = "repairs", _("维修养护")
    PARKING = "parking", _("停车管理")
    NOISE = "noise", _("噪音扰民")
    SANITATION = "sanitation", _("环境卫生")
    SECURITY = "security", _("安全秩序")
    OWNERS_COMMITTEE = "owners_committee", _("业委会")
    OTHER = "other", _("其他")


class PetitionTarget(models.TextChoices):
    COMPANY = "company", _("物业服务企业")
    COMMITTEE = "committee", _("业主委员会")
    OTHER = "other", _("其他")


class PetitionStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    HANDLING = "handling", _("办理中")
    RESOLVED = "resolved", _("已办结")


@audited()
class Petition(models.Model):
    """物业领域信访 — a petition about a compound's property affairs, against its property company or
    owners' committee. Counted per compound, community, township and district, year over year."""

    scope_lookup = "compound__division"

    number = models.CharField(_("信访件编号"), max_length=40, unique=True)
    compound = models.ForeignKey(Compound, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="petitions")
    received_on = models.DateField(_("受理日期"))
    channel = models.CharField(_("渠道"), max_length=16, choices=PetitionChannel.choices)
    category = models.CharField(_("类别"), max_length=20, choices=PetitionCategory.choices)
    against = models.CharField(_("反映对象"), max_length=16, choices=PetitionTarget.choices)
    company = models.ForeignKey(
        PropertyCompany,
        verbose_name=_("被反映物业服务企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    committee = models.ForeignKey(
        OwnersCommittee,
        verbose_name=_("被反映业委会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="petitions",
    )
    summary = models.TextField(_("诉求内容"))
    status = models.CharField(_("状态"), max_length=16, choices=PetitionStatus.choices, default=PetitionStatus.RECEIVED)
    outcome = models.TextField(_("办理结果"), blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = PetitionQuerySet.as_manager()

    class Meta:
        verbose_name = _("物业领域信访")
        verbose_name_plural = _("物业领域信访")
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["received_on"], name="petition_received_on")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(against=PetitionTarget.COMPANY) | Q(company__isnull=False),
                name="petition_company_named",
                violation_error_message=_("反映对象为物业服务企业时，须填写被反映的企业。"),
            ),
            models.CheckConstraint(
                condition=~Q(against=PetitionTarget.COMMITTEE) | Q(committee__isnull=False),
                name="petition_committee_named",
                violation_error_message=_("反映对象为业主委员会时，须填写被反映的业委会。"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.against == PetitionTarget.COMPANY and not self.company_id:
            raise ValidationError(
                {
                    "company": ValidationError(
                        _("反映对象为物业服务企业时，须填写被反映的企业。"), code=ERR_PETITION_TARGET
                    )
                }
            )
        if self.against == PetitionTarget.COMMITTEE and not self.committee_id:
            raise ValidationError(
                {
                    "committee": ValidationError(
                        _("反映对象为业主委员会时，须填写被反映的业委会。"), code=ERR_PETITION_TARGET
                    )
                }
            )
        if self.committee_id and self.compound_id and self.committee.compound_id != self.compound_id:
            raise ValidationError(
                {"committee": ValidationError(_("被反映的业委会不属于该小区。"), code=ERR_PETITION_COMMITTEE_COMPOUND)}
            )


# --- 执法进小区 ----------------------------------------------------------------------------------


@audited()
class EnforcementVisit(models.Model):
    """执法进小区 — a law-enforcement department's visit to a compound, the problems found and their
    rectification."""

    scope_lookup = "compound__division"

    compound = models.ForeignKey(
        Compound, verbose_name=_("小区"), on_delete=models.PROTECT, related_name="enforcement_visits"
    )
    department = models.CharField(_("执法部门"), max_length=100)
    visited_on = models.DateField(_("日期"))
    problems_found = models.TextField(_("发现问题"), blank=True)
    problem_count = models.PositiveSmallIntegerField(_("问题数"), default=0)
    rectify_by = models.DateField(_("整改期限"), null=True, blank=True)
    rectified_on = models.DateField(_("整改完成日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("执法进小区")
        verbose_name_plural = _("执法进小区")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rectify_by__isnull=True) | Q(rectify_by__gte=F("visited_on")),
                name="enforcement_visit_deadline",
                violation_error_message=_("整改期限不能早于执法日期。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.compound} · {self.department} · {self.visited_on}"
