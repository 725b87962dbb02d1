"""The dispute-mediation centre and "星群防": bodies, disputes and their event timeline, routing rules,
the holiday calendar, agreements and follow-up visits, police rooms, patrols and monthly figures."""

from __future__ import annotations

import pghistory
import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet
from security.querysets import DisputeEventQuerySet, DisputeQuerySet, MediationBodyQuerySet


class BodyKind(models.TextChoices):
    CENTRE = "centre", _("综治中心（矛调中心）")
    PEOPLES_MEDIATION = "peoples_mediation", _("人民调解委员会")
    JUDICIAL = "judicial", _("司法调解")
    ADMINISTRATIVE = "administrative", _("行政调解")
    LABOUR_ARBITRATION = "labour_arbitration", _("劳动人事争议仲裁")
    PETITION = "petition", _("信访接待")
    POLICE_STATION = "police_station", _("派出所")
    STATION_CENTRE = "station_centre", _("派出所矛盾调处中心")
    POLICE_ROOM = "police_room", _("警务室")
    DEPARTMENT = "department", _("部门")


POLICE_KINDS = (BodyKind.POLICE_STATION, BodyKind.POLICE_ROOM)


class BodyLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    TOWNSHIP = "township", _("乡镇（街道）级")
    VILLAGE = "village", _("村（社区）级")


class Channel(models.TextChoices):
    POLICE = "police", _("警情")
    LITIGATION = "litigation", _("诉情")
    PETITION = "petition", _("访情")
    WALK_IN = "walk_in", _("来访")
    HOTLINE = "hotline", _("12345热线")
    GRID = "grid", _("网格巡查")
    OTHER_SYSTEM = "other_system", _("其他系统")


class Category(models.TextChoices):
    MARRIAGE_FAMILY = "marriage_family", _("婚姻家庭")
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    LAND = "land", _("土地山林")
    DEMOLITION = "demolition", _("征地拆迁")
    LABOUR = "labour", _("劳动争议")
    CONTRACT_DEBT = "contract_debt", _("合同债务")
    PROPERTY = "property", _("物业纠纷")
    MEDICAL = "medical", _("医疗纠纷")
    TRAFFIC = "traffic", _("交通事故")
    DAMAGE = "damage", _("损害赔偿")
    CONSUMER = "consumer", _("消费纠纷")
    PUBLIC_ORDER = "public_order", _("治安案件")
    CRIMINAL = "criminal", _("涉嫌刑事")
    OTHER = "other", _("其他")


# Matters only the police may handle: a mediation body that receives one passes it to the station.
POLICE_CATEGORIES = frozenset({Category.PUBLIC_ORDER, Category.CRIMINAL})


class RiskLevel(models.IntegerChoices):
    LOW = 1, _("低")
    MEDIUM = 2, _("中")
    HIGH = 3, _("高")


class Status(models.TextChoices):
    RECEIVED = "received", _("已受理登记")
    ROUTED = "routed", _("已分派")
    TRANSFERRED = "transferred", _("已移交")
    ESCALATED = "escalated", _("已上报")
    RETURNED = "returned", _("已退回")
    ACCEPTED = "accepted", _("已接收")
    MEDIATING = "mediating", _("调解中")
    AGREEMENT = "agreement", _("达成协议")
    FAILED = "failed", _("调解不成")
    CLOSED = "closed", _("已办结")


# A case in one of these waits for its current body to accept it.
AWAITING_ACCEPTANCE = (Status.ROUTED, Status.TRANSFERRED, Status.ESCALATED, Status.RETURNED)
OPEN_STATUSES = (*AWAITING_ACCEPTANCE, Status.ACCEPTED, Status.MEDIATING, Status.FAILED)
RESOLVED_STATUSES = (Status.AGREEMENT, Status.CLOSED)


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
    specialities = ArrayField(
        models.CharField(max_length=32, choices=Category.choices),
        verbose_name=_("擅长纠纷类型"),
        default=list,
        blank=True,
    )
    at_centre = models.BooleanField(_("入驻综治中心（一地办公）"), default=False)
    on_duty_24h = models.BooleanField(_("24小时值守"), default=False)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
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


@audited()
class RoutingRule(models.Model):
    """分流规则 — which body (or kind of body) receives a dispute, and in how many working days it is due.
    Blank criteria match anything; the most specific matching rule wins."""

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


@audited()
class Holiday(models.Model):
    """节假日 — the district's calendar: a holiday, or a weekend day worked instead (调休上班)."""

    date = models.DateField(_("日期"), unique=True)
    name = models.CharField(_("名称"), max_length=50)
    is_workday = models.BooleanField(_("调休上班"), default=False, help_text=_("勾选表示该日（通常是周末）照常上班。"))

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


@audited(
    model_name="DisputeAuditEvent",  # "DisputeEvent" (and "events") is the case timeline below
    obj_field=pghistory.ObjForeignKey(related_name="audit_events"),
)
class Dispute(models.Model):
    """矛盾纠纷 — one case, one number (一案一码), whatever channel it came through. Its status moves only
    through the services, each move a ``DisputeEvent``. Never deleted."""

    number = models.CharField(_("案件编号"), max_length=32, unique=True, editable=False)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices)
    external_id = models.CharField(_("外部系统编号"), max_length=64, null=True, blank=True)
    category = models.CharField(_("纠纷类型"), max_length=32, choices=Category.choices)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("发生地"), on_delete=models.PROTECT, related_name="disputes"
    )
    description = models.TextField(_("纠纷简况"))
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


class PartyRole(models.TextChoices):
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    THIRD_PARTY = "third_party", _("第三人")


@audited()
class DisputeParty(models.Model):
    """纠纷当事人 — a person taking part in a dispute, with their role."""

    scope_lookup = "dispute__division"

    dispute = models.ForeignKey(Dispute, verbose_name=_("纠纷"), on_delete=models.PROTECT, related_name="parties")
    person = models.ForeignKey(
        "governance.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="dispute_parties"
    )
    role = models.CharField(_("身份"), max_length=16, choices=PartyRole.choices)

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


class EventAction(models.TextChoices):
    RECEIVED = "received", _("受理登记")
    ROUTED = "routed", _("分派")
    TRANSFERRED = "transferred", _("移交")
    ACCEPTED = "accepted", _("接收")
    RETURNED = "returned", _("退回")
    MEDIATING = "mediating", _("开始调解")
    AGREEMENT = "agreement", _("达成协议")
    FAILED = "failed", _("调解不成")
    ESCALATED = "escalated", _("上报上级")
    CLOSED = "closed", _("办结")
    RISK = "risk", _("风险研判")
    VISIT = "visit", _("回访")


class DisputeEvent(models.Model):
    """纠纷流转记录 — one step on a case's timeline: who, when, from which body to which, why, and under
    which routing rule. Append-only (a database trigger refuses updates and deletes), so it is itself
    the audit trail and is not tracked again by pghistory."""

    scope_lookup = "dispute__division"

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

    objects = DisputeEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("纠纷流转记录")
        verbose_name_plural = _("纠纷流转记录")
        ordering = ["dispute", "created_at", "id"]
        indexes = [
            models.Index(fields=["dispute", "created_at"], name="dispute_event_timeline"),
            models.Index(fields=["actor", "dispute"], name="dispute_event_actor"),
        ]
        triggers = [
            pgtrigger.Protect(name="dispute_event_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.dispute_id} · {self.get_action_display()}"


class JudicialConfirmation(models.TextChoices):
    NONE = "none", _("未申请")
    REQUESTED = "requested", _("已申请")
    CONFIRMED = "confirmed", _("已确认")


@audited()
class MediationAgreement(models.Model):
    """调解协议 — the terms reached, an amount (yuan), when signed, and 司法确认."""

    scope_lookup = "dispute__division"

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


class Satisfaction(models.IntegerChoices):
    UNSATISFIED = 1, _("不满意")
    FAIR = 2, _("基本满意")
    SATISFIED = 3, _("满意")


@audited()
class FollowUpVisit(models.Model):
    """回访 — a visit to the parties after the case, with their satisfaction."""

    scope_lookup = "dispute__division"

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


@audited()
class PoliceRoom(models.Model):
    """警务室 — a community/village police room, under a station, covering villages and communities."""

    name = models.CharField(_("名称"), max_length=120)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="police_rooms"
    )
    station = models.ForeignKey(
        MediationBody,
        verbose_name=_("所属派出所"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="police_rooms",
        limit_choices_to={"kind": BodyKind.POLICE_STATION},
    )
    covers = models.ManyToManyField(
        "governance.Division", verbose_name=_("覆盖村（社区）"), blank=True, related_name="covering_police_rooms"
    )
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("警务室")
        verbose_name_plural = _("警务室")
        ordering = ["division__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "name"],
                name="police_room_unique_name",
                violation_error_message=_("该区划下已有同名警务室。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class RoomStaffKind(models.TextChoices):
    POLICE = "police", _("民警")
    AUXILIARY = "auxiliary", _("辅警")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇（街道）干部")


@audited()
class PoliceRoomStaff(models.Model):
    """警务室人员 — a police officer, auxiliary or township officer working in a police room."""

    scope_lookup = "room__division"

    room = models.ForeignKey(PoliceRoom, verbose_name=_("警务室"), on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("身份"), max_length=20, choices=RoomStaffKind.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("警务室人员")
        verbose_name_plural = _("警务室人员")
        ordering = ["room", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


class PatrolKind(models.TextChoices):
    SECURITY_GUARD = "security_guard", _("保安")
    COURIER = "courier", _("快递员")
    VOLUNTEER = "volunteer", _("志愿者")
    POLICE = "police", _("警力")


@audited()
class PatrolTeam(models.Model):
    """巡防队 — a team of security guards, couriers, volunteers or police that patrols an area."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=20, choices=PatrolKind.choices)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="patrol_teams"
    )
    leader = models.CharField(_("负责人"), max_length=50, blank=True)
    member_count = models.PositiveIntegerField(_("队员人数"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡防队")
        verbose_name_plural = _("巡防队")
        ordering = ["division__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "name"],
                name="patrol_team_unique_name",
                violation_error_message=_("该区划下已有同名巡防队。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class PatrolLog(models.Model):
    """巡防记录 — one patrol: team, date, area, duration and findings; a finding may open a dispute."""

    team = models.ForeignKey(PatrolTeam, verbose_name=_("巡防队"), on_delete=models.PROTECT, related_name="logs")
    date = models.DateField(_("日期"))
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("巡防区域"), on_delete=models.PROTECT, related_name="patrol_logs"
    )
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"), validators=[MinValueValidator(1)])
    findings = models.TextField(_("发现情况"), blank=True)
    dispute = models.ForeignKey(
        Dispute,
        verbose_name=_("生成的纠纷"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrol_logs",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("巡防记录")
        verbose_name_plural = _("巡防记录")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=1),
                name="patrol_log_duration_positive",
                violation_error_message=_("巡防时长至少 1 分钟。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.date}"


@audited()
class SecurityStat(models.Model):
    """治安统计 — a division's monthly figures: police incidents (接处警), criminal and administrative cases filed."""

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("区划"), on_delete=models.PROTECT, related_name="security_stats"
    )
    month = models.DateField(_("月份"), help_text=_("该月 1 日。"))
    police_incidents = models.PositiveIntegerField(_("接处警数"), default=0)
    criminal_cases = models.PositiveIntegerField(_("刑事立案数"), default=0)
    administrative_cases = models.PositiveIntegerField(_("行政案件数"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("治安统计")
        verbose_name_plural = _("治安统计")
        ordering = ["-month", "division__path"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "month"],
                name="security_stat_unique_month",
                violation_error_message=_("该区划该月的统计已存在。"),
            ),
            models.CheckConstraint(
                condition=Q(month__day=1),
                name="security_stat_first_of_month",
                violation_error_message=_("月份请填写该月 1 日。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.division} · {self.month:%Y-%m}"
