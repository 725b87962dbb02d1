"""楼宇会 — building-council meetings of a compound, their participants and resolutions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.audit import audited
from governance.querysets import ScopedQuerySet
from residential.choices import ParticipantKind, WorkStatus
from residential.models.compounds import Compound
from residential.querysets import ResolutionQuerySet


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
