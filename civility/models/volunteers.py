"""新时代文明实践: practice stations, volunteer teams and volunteers, and their service activities."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility.choices import ActivityKind, StationLevel, VolunteerBrand
from governance.audit import audited, audited_links
from governance.querysets import ScopedQuerySet


@audited()
class PracticeStation(models.Model):
    """新时代文明实践中心/所/站 — the district centre, township institutes and village stations."""

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=StationLevel.choices)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="practice_stations"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("文明实践阵地")
        verbose_name_plural = _("文明实践阵地")
        ordering = ["division__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "name"],
                name="practice_station_unique",
                violation_error_message=_("同名阵地已存在。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class VolunteerTeam(models.Model):
    """志愿服务队 — a volunteer team of a brand (星连心、乐坪乐、长青藤), based at a practice station."""

    scope_lookup = "station__division"

    name = models.CharField(_("名称"), max_length=100)
    brand = models.CharField(_("品牌"), max_length=16, choices=VolunteerBrand.choices)
    station = models.ForeignKey(
        PracticeStation, verbose_name=_("实践阵地"), on_delete=models.PROTECT, related_name="teams"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["brand", "name"]

    def __str__(self) -> str:
        return self.name


@audited()
class Volunteer(models.Model):
    """志愿者 — a person serving in one or more volunteer teams."""

    scope_lookup = "person__division"

    person = models.OneToOneField(
        "governance.Person", verbose_name=_("人员"), on_delete=models.PROTECT, related_name="volunteer"
    )
    teams = models.ManyToManyField(VolunteerTeam, verbose_name=_("所属服务队"), related_name="volunteers")
    joined_on = models.DateField(_("加入日期"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["id"]

    def __str__(self) -> str:
        return str(self.person)


@audited_links()
class VolunteerTeamLink(Volunteer.teams.through):
    """志愿者所属服务队 — which teams a volunteer serves in; every change is audited."""

    class Meta:
        proxy = True


@audited()
class ServiceActivity(models.Model):
    """志愿服务活动 — a team's activity with its participants and hours; hours convert to points once."""

    scope_lookup = "team__station__division"

    team = models.ForeignKey(
        VolunteerTeam, verbose_name=_("服务队"), on_delete=models.PROTECT, related_name="activities"
    )
    held_on = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=ActivityKind.choices)
    participants = models.ManyToManyField(Volunteer, verbose_name=_("参与志愿者"), related_name="activities")
    hours = models.DecimalField(_("时长（小时/人）"), max_digits=5, decimal_places=1)
    converted_at = models.DateTimeField(_("积分转化时间"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0), name="service_activity_hours", violation_error_message=_("时长必须大于 0。")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.held_on}"


@audited_links()
class ActivityParticipantLink(ServiceActivity.participants.through):
    """志愿服务活动参与者 — who took part in an activity (their households earn its hours once); every
    change is audited."""

    class Meta:
        proxy = True
