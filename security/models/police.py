"""警务室 and the people in them, 巡防队 and their patrols (星群防)."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited, audited_links
from governance.phones import PhoneNumberField
from governance.querysets import ScopedQuerySet
from security.choices import BodyKind, PatrolKind, PoliceRoomKind, RoomStaffKind
from security.models.bodies import MediationBody
from security.models.disputes import Dispute


@audited()
class PoliceRoom(models.Model):
    """警务室 — a community/village police room, or a 中心警务室 in a high-incident, complex area, under
    a station, covering villages and communities; staffed by 民警、辅警 and 警务专干."""

    name = models.CharField(_("名称"), max_length=120)
    kind = models.CharField(_("类型"), max_length=16, choices=PoliceRoomKind.choices, default=PoliceRoomKind.COMMUNITY)
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


@audited_links()
class PoliceRoomCoverLink(PoliceRoom.covers.through):
    """警务室覆盖村（社区） — which villages and communities a police room covers (the coverage report
    reads it); every link added or removed is audited."""

    class Meta:
        proxy = True


@audited()
class PoliceRoomStaff(models.Model):
    """警务室人员 — a police officer, auxiliary or township officer working in a police room."""

    scope_lookup = "room__division"

    room = models.ForeignKey(PoliceRoom, verbose_name=_("警务室"), on_delete=models.CASCADE, related_name="staff")
    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("身份"), max_length=20, choices=RoomStaffKind.choices)
    phone = PhoneNumberField(_("联系电话"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("警务室人员")
        verbose_name_plural = _("警务室人员")
        ordering = ["room", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"


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
    """巡防记录 — one patrol: team, date, area, duration and findings; a finding may open a dispute. The
    people who walked it (``participants``) earn civility points for its hours once
    (``security.services.patrol_points``); ``converted_at`` records when."""

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
    participants = models.ManyToManyField(
        "governance.Person", verbose_name=_("巡防人员"), blank=True, related_name="patrol_logs"
    )
    converted_at = models.DateTimeField(_("积分转化时间"), null=True, blank=True, editable=False)
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


@audited_links()
class PatrolLogParticipantLink(PatrolLog.participants.through):
    """巡防人员 — who walked a patrol (their households earn its hours once); every change is audited."""

    class Meta:
        proxy = True
