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
    # 三级阵地: a station under its township's institute, an institute under the district's centre.
    parent = models.ForeignKey(
        "self", verbose_name=_("上级阵地"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)

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
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | Q(latitude__gte=-90, latitude__lte=90),
                name="practice_station_latitude",
                violation_error_message=_("纬度应在 -90 至 90 之间。"),
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True) | Q(longitude__gte=-180, longitude__lte=180),
                name="practice_station_longitude",
                violation_error_message=_("经度应在 -180 至 180 之间。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class PlaceLocation(models.Model):
    """屋场/小区坐标 — where a 屋场 or 小区 lies (WGS-84 degrees), for the 15-minute service circle."""

    division = models.OneToOneField(
        "governance.Division", verbose_name=_("屋场/小区"), on_delete=models.PROTECT, related_name="civility_location"
    )
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("屋场/小区坐标")
        verbose_name_plural = _("屋场/小区坐标")
        ordering = ["division__path"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="place_location_range",
                violation_error_message=_("经纬度超出范围。"),
            ),
        ]

    def __str__(self) -> str:
        return str(self.division)


@audited()
class VolunteerTeam(models.Model):
    """志愿服务队 — a volunteer team of a brand (星连心、乐坪乐、长青藤), based at a practice station."""

    scope_lookup = "station__division"

    name = models.CharField(_("名称"), max_length=100)
    brand = models.CharField(_("品牌"), max_length=16, choices=VolunteerBrand.choices)
    station = models.ForeignKey(
        PracticeStation, verbose_name=_("实践阵地"), on_delete=models.PROTECT, related_name="teams"
    )
    # "将志愿服务融进小区、网格、屋场管理": the 小区, 网格 and 屋场 the team serves.
    serves = models.ManyToManyField(
        "governance.Division",
        verbose_name=_("服务的小区、网格、屋场"),
        blank=True,
        related_name="volunteer_teams_serving",
        limit_choices_to={"level__in": ["hamlet", "compound", "grid"]},
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
class VolunteerTeamServesLink(VolunteerTeam.serves.through):
    """服务队联系的小区、网格、屋场 — every change is audited."""

    class Meta:
        proxy = True


@audited_links()
class ActivityParticipantLink(ServiceActivity.participants.through):
    """志愿服务活动参与者 — who took part in an activity (their households earn its hours once); every
    change is audited."""

    class Meta:
        proxy = True
