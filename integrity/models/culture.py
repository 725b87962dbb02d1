"""廉洁文化: the sites (廉洁文化阵地 — theme parks, 家风家训馆…) and the activities that take integrity
culture into enterprises, groups, families and public places (seed article: "推动廉洁文化进企业、
团体、家庭、公共场所"). Discipline staff only, like the rest of the app."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet
from integrity.choices import DISCIPLINE_ROLES, CultureSiteKind, CultureTarget


@audited()
class CultureSite(models.Model):
    """廉洁文化阵地 — a site: its kind, place (address, coordinates), the unit running it and opening date.
    Its visits are the visitors of its activities (``CultureActivity.participants``)."""

    scope_roles = DISCIPLINE_ROLES

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=CultureSiteKind.choices)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="culture_sites"
    )
    organization = models.ForeignKey(
        "governance.Organization",
        verbose_name=_("管理单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="culture_sites",
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    opened_on = models.DateField(_("建成开放日期"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("廉洁文化阵地")
        verbose_name_plural = _("廉洁文化阵地")
        ordering = ["division__path", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["division", "name"],
                name="integrity_culture_site_unique",
                violation_error_message=_("同名阵地已存在。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name


@audited()
class CultureActivity(models.Model):
    """廉洁文化活动 — one activity: where it took integrity culture (``target``), at which site if any,
    when, and how many people took part (a visit to a site counts its visitors)."""

    scope_roles = DISCIPLINE_ROLES

    title = models.CharField(_("活动名称"), max_length=200)
    target = models.CharField(_("活动类型"), max_length=16, choices=CultureTarget.choices)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所在区划"), on_delete=models.PROTECT, related_name="culture_activities"
    )
    site = models.ForeignKey(
        CultureSite, verbose_name=_("阵地"), null=True, blank=True, on_delete=models.PROTECT, related_name="activities"
    )
    held_on = models.DateField(_("日期"))
    participants = models.PositiveIntegerField(_("参与人次"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("廉洁文化活动")
        verbose_name_plural = _("廉洁文化活动")
        ordering = ["-held_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target="site") | Q(site__isnull=False),
                name="integrity_culture_visit_has_site",
                violation_error_message=_("阵地参观须选择阵地。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title
