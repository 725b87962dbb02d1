"""屋场 (hamlets) of the villages, their "三屋同治" bodies, contract land, shares in the 屋场合作社,
land transfers to new agricultural business entities, and 屋场会 meetings.

A 屋场 is one-to-one with its own division node (level hamlet) under its village, so scoping and
roll-ups go through the one division tree. Its three bodies are ``governance.Organization`` rows of
kinds party_group / council / cooperative on that node, with their members as ``Post`` rows.
Choices and error codes live in ``villages.choices``, chainable reads in ``villages.querysets``."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import BigIntegerRangeField, DateRangeField, RangeBoundary, RangeOperators
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.utils.translation import gettext_lazy as _

from governance.audit import audited, audited_links
from governance.models import DivisionLevel, OrganizationKind
from governance.querysets import ScopedQuerySet
from governance.validators import validate_uscc
from villages.choices import (
    ERR_COOPERATIVE_KIND,
    ERR_HAMLET_LEVEL,
    ERR_HAMLET_PARENT,
    ERR_HOLDING_COOPERATIVE,
    ERR_HOLDING_OVERLAP,
    ZERO,
    FollowUpStatus,
    OperatorKind,
    TransferFrom,
    TransferStatus,
)
from villages.querysets import HamletQuerySet, HamletResolutionQuerySet, LandTransferQuerySet, ShareHoldingQuerySet


@audited()
class Hamlet(models.Model):
    """屋场 — a hamlet unit of a village, tied to its own division node (level 屋场)."""

    division = models.OneToOneField(
        "governance.Division", verbose_name=_("区划节点"), on_delete=models.PROTECT, related_name="hamlet"
    )
    note = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = HamletQuerySet.as_manager()

    class Meta:
        verbose_name = _("屋场")
        verbose_name_plural = _("屋场")
        ordering = ["division__path"]

    def __str__(self) -> str:
        return self.division.name if self.division_id else str(_("新屋场"))

    @property
    def name(self) -> str:
        return self.division.name

    @property
    def code(self) -> str:
        return self.division.code

    @property
    def village(self):
        return self.division.parent

    def clean(self) -> None:
        if not self.division_id:
            return
        if self.division.level != DivisionLevel.HAMLET:
            raise ValidationError(
                {"division": ValidationError(_("屋场的区划节点层级必须是“屋场”。"), code=ERR_HAMLET_LEVEL)}
            )
        parent = self.division.parent
        if parent is None or parent.level != DivisionLevel.VILLAGE:
            raise ValidationError({"division": ValidationError(_("屋场必须设在某个村之下。"), code=ERR_HAMLET_PARENT)})


@audited()
class ShareRule(models.Model):
    """折股规则 — how a 屋场合作社 turns contracted area into shares (set by the district per cooperative)."""

    scope_lookup = "cooperative__division"

    cooperative = models.OneToOneField(
        "governance.Organization", verbose_name=_("屋场合作社"), on_delete=models.PROTECT, related_name="share_rule"
    )
    shares_per_mu = models.DecimalField(
        _("每亩折股数"), max_digits=8, decimal_places=2, default=Decimal("1.00"), validators=[MinValueValidator(ZERO)]
    )
    base_shares = models.DecimalField(
        _("每户基础股"),
        max_digits=8,
        decimal_places=2,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
        help_text=_("有承包地的农户另加的固定股数。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("折股规则")
        verbose_name_plural = _("折股规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(shares_per_mu__gte=0) & Q(base_shares__gte=0),
                name="share_rule_non_negative",
                violation_error_message=_("折股数不能为负数。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cooperative} · {self.shares_per_mu}/{_('亩')}"

    def clean(self) -> None:
        if self.cooperative_id and self.cooperative.kind != OrganizationKind.COOPERATIVE:
            raise ValidationError(
                {"cooperative": ValidationError(_("折股规则只能设给合作社。"), code=ERR_COOPERATIVE_KIND)}
            )

    def shares_for(self, area: Decimal) -> Decimal:
        if area <= 0:
            return ZERO
        return (self.base_shares + area * self.shares_per_mu).quantize(Decimal("0.01"))


@audited()
class ContractPlot(models.Model):
    """承包地 — a plot a household holds under its land contract (area in 亩)."""

    scope_lookup = "household__division"

    household = models.ForeignKey(
        "governance.Household", verbose_name=_("承包农户"), on_delete=models.PROTECT, related_name="contract_plots"
    )
    contract_number = models.CharField(_("承包合同编号"), max_length=40, unique=True)
    area = models.DecimalField(
        _("面积（亩）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    location = models.CharField(_("坐落"), max_length=120, blank=True, help_text=_("如：屋前垅、大塘冲"))
    is_active = models.BooleanField(_("有效"), default=True, help_text=_("已收回或调整掉的地块不再折股。"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("承包地")
        verbose_name_plural = _("承包地")
        ordering = ["household", "contract_number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__gt=0),
                name="contract_plot_area_positive",
                violation_error_message=_("承包地面积必须大于0亩。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_number}（{self.area}亩）"


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


class SameId(Func):
    """``int8range(id, id, '[]')``: equality written as range overlap, so an exclusion constraint can
    say "same household, same cooperative, overlapping dates" with GiST's own range operator class.
    (``=`` on integers in GiST needs the btree_gist extension, which the embedded PostgreSQL that
    ``make run`` and ``make test`` use does not ship.)"""

    function = "int8range"
    output_field = BigIntegerRangeField()

    def __init__(self, field: str):
        super().__init__(F(field), F(field), Value("[]"))


@audited()
class ShareHolding(models.Model):
    """股权（屋场合作社股份） — one version of a household's shares in its 屋场合作社, valid from/to.

    Every change is a new version; the old one is closed (``valid_to``), never overwritten, so the
    register keeps its whole history. Versions of one household in one cooperative never overlap
    (a PostgreSQL exclusion constraint)."""

    scope_lookup = "household__division"

    cooperative = models.ForeignKey(
        "governance.Organization", verbose_name=_("屋场合作社"), on_delete=models.PROTECT, related_name="share_holdings"
    )
    household = models.ForeignKey(
        "governance.Household", verbose_name=_("农户"), on_delete=models.PROTECT, related_name="share_holdings"
    )
    contracted_area = models.DecimalField(
        _("折股面积（亩）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    shares = models.DecimalField(_("股数"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)])
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("截止日期"), null=True, blank=True, help_text=_("为空表示现行版本。"))
    reason = models.CharField(_("变更原因"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ShareHoldingQuerySet.as_manager()

    class Meta:
        verbose_name = _("股权登记")
        verbose_name_plural = _("股权登记")
        ordering = ["household", "cooperative", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(shares__gte=0) & Q(contracted_area__gte=0),
                name="share_holding_non_negative",
                violation_error_message=_("股数和折股面积不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="share_holding_dates_ordered",
                violation_error_message=_("截止日期不能早于生效日期。"),
            ),
            ExclusionConstraint(
                name="share_holding_no_overlap",
                expressions=[
                    (SameId("household"), RangeOperators.OVERLAPS),
                    (SameId("cooperative"), RangeOperators.OVERLAPS),
                    (DateRange("valid_from", "valid_to", RangeBoundary()), RangeOperators.OVERLAPS),
                ],
                violation_error_code=ERR_HOLDING_OVERLAP,
                violation_error_message=_("该农户在该合作社的股权期间与已有记录重叠。"),
            ),
        ]
        indexes = [models.Index(fields=["household", "valid_to"], name="share_holding_current")]

    def __str__(self) -> str:
        return f"{self.household} · {self.shares}{_('股')} · {self.valid_from}"

    def clean(self) -> None:
        if self.household_id and self.cooperative_id and self.household.division_id != self.cooperative.division_id:
            raise ValidationError(
                {
                    "cooperative": ValidationError(
                        _("该农户不属于这个合作社所在的屋场，不能在此登记股权。"), code=ERR_HOLDING_COOPERATIVE
                    )
                }
            )


@audited()
class Operator(models.Model):
    """新型农业经营主体 — a family farm, specialised cooperative or enterprise that takes land in transfer."""

    kind = models.CharField(_("类型"), max_length=32, choices=OperatorKind.choices)
    name = models.CharField(_("名称"), max_length=120)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_uscc])
    legal_representative = models.CharField(_("法定代表人/经营者"), max_length=50, blank=True)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("登记区划"), on_delete=models.PROTECT, related_name="land_operators"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("新型农业经营主体")
        verbose_name_plural = _("新型农业经营主体")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


@audited()
class LandTransfer(models.Model):
    """土地流转 — plots (or area) of a 屋场 transferred from households or the 屋场合作社 to an operator."""

    scope_lookup = "hamlet__division"

    hamlet = models.ForeignKey(Hamlet, verbose_name=_("屋场"), on_delete=models.PROTECT, related_name="land_transfers")
    transferor = models.CharField(_("流出方"), max_length=16, choices=TransferFrom.choices)
    household = models.ForeignKey(
        "governance.Household",
        verbose_name=_("流出农户"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="land_transfers",
    )
    operator = models.ForeignKey(
        Operator, verbose_name=_("流入经营主体"), on_delete=models.PROTECT, related_name="land_transfers"
    )
    plots = models.ManyToManyField(ContractPlot, verbose_name=_("地块"), blank=True, related_name="land_transfers")
    area = models.DecimalField(
        _("流转面积（亩）"), max_digits=10, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("到期日期"))
    annual_rent = models.DecimalField(
        _("年租金（元）"), max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    status = models.CharField(_("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.ACTIVE)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = LandTransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("土地流转")
        verbose_name_plural = _("土地流转")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(area__gt=0),
                name="land_transfer_area_positive",
                violation_error_message=_("流转面积必须大于0亩。"),
            ),
            models.CheckConstraint(
                condition=Q(annual_rent__gte=0),
                name="land_transfer_rent_non_negative",
                violation_error_message=_("年租金不能为负数。"),
            ),
            models.CheckConstraint(
                condition=Q(end_date__gt=F("start_date")),
                name="land_transfer_term_ordered",
                violation_error_message=_("到期日期必须晚于起始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(transferor=TransferFrom.COOPERATIVE) | Q(household__isnull=False),
                name="land_transfer_household_given",
                violation_error_message=_("由农户流出时必须填写流出农户。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hamlet} → {self.operator}（{self.area}亩）"


@audited()
class HamletMeeting(models.Model):
    """屋场会 — a meeting of a 屋场's residents: date, topics, who came, what was resolved."""

    scope_lookup = "hamlet__division"

    hamlet = models.ForeignKey(Hamlet, verbose_name=_("屋场"), on_delete=models.PROTECT, related_name="meetings")
    held_on = models.DateField(_("召开日期"))
    topics = models.TextField(_("议题"))
    attendees = models.ManyToManyField(
        "governance.Person", verbose_name=_("参会人员"), blank=True, related_name="hamlet_meetings"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("屋场会")
        verbose_name_plural = _("屋场会")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.hamlet} · {self.held_on}"


@audited()
class MeetingResolution(models.Model):
    """屋场会决议 — one resolution of a 屋场会, with its follow-up: 落实情况, the record of what was done and
    the day it was done, all set by ``hamlet_resolution_follow_up`` only."""

    scope_lookup = "meeting__hamlet__division"

    meeting = models.ForeignKey(
        HamletMeeting, verbose_name=_("屋场会"), on_delete=models.CASCADE, related_name="resolutions"
    )
    text = models.CharField(_("决议内容"), max_length=300)
    follow_up = models.CharField(
        _("落实情况"), max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.PENDING
    )
    due_on = models.DateField(_("办结时限"), null=True, blank=True)
    follow_up_note = models.TextField(_("跟进记录"), blank=True)
    done_on = models.DateField(_("办结日期"), null=True, blank=True)

    objects = HamletResolutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("屋场会决议")
        verbose_name_plural = _("屋场会决议")
        ordering = ["meeting", "id"]

    def __str__(self) -> str:
        return self.text


@audited_links()
class LandTransferPlotLink(LandTransfer.plots.through):
    """流转地块 — which contract plots a land transfer covers; every plot added or removed is audited."""

    class Meta:
        proxy = True


@audited_links()
class HamletMeetingAttendeeLink(HamletMeeting.attendees.through):
    """屋场会参会人员 — who attended a 屋场会; every attendee added or removed is audited."""

    class Meta:
        proxy = True
