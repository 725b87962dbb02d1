"""Admin of the security registers: bodies, routing rules, police rooms, patrol
teams and logs, monthly figures (Excel). Disputes and their events are read here and moved only
through the services (the officers' pages and the API); nobody deletes them."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedChoicesMixin, ScopedImportExportAdmin
from governance.admin_site import BigTableAdminMixin
from governance.models import Division
from security.models import (
    Dispute,
    DisputeEvent,
    DisputeLink,
    DisputeParty,
    DutyShift,
    JurisdictionReferral,
    LeaderCase,
    LeaderCaseRule,
    MediationAgreement,
    MediationBody,
    PatrolLog,
    PatrolTeam,
    PoliceRoom,
    PoliceRoomStaff,
    ProtectiveResource,
    RoutingRule,
    SecurityStat,
)
from security.resources import SecurityStatResource
from security.services import agreement_update_confirmation


@admin.register(MediationBody)
class MediationBodyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "level", "division", "at_centre", "on_duty_24h", "is_active")
    list_filter = ("kind", "level", "at_centre", "on_duty_24h", "is_active")
    list_select_related = ("division",)
    search_fields = ("name",)
    autocomplete_fields = ("division", "parent")
    filter_horizontal = ("staff",)


@admin.register(RoutingRule)
class RoutingRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """One rule set for the district, kept by its staff (model permissions decide who edits; a rule
    issued above the user's subtree is shown read-only)."""

    list_display = (
        "name",
        "category",
        "channel",
        "division",
        "risk_level",
        "target_kind",
        "target_body",
        "deadline_days",
        "is_active",
    )
    list_filter = ("category", "channel", "target_kind", "is_active")
    list_select_related = ("division", "target_body")
    search_fields = ("name",)
    autocomplete_fields = ("division", "target_body")


class PoliceRoomStaffInline(ScopedChoicesMixin, admin.TabularInline):
    model = PoliceRoomStaff
    extra = 1


@admin.register(PoliceRoom)
class PoliceRoomAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "division", "station", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("division", "station")
    search_fields = ("name",)
    autocomplete_fields = ("division", "station")
    filter_horizontal = ("covers",)
    inlines = [PoliceRoomStaffInline]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "covers":
            kwargs["queryset"] = Division.objects.for_user(request.user).filter(level__in=["village", "community"])
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(PatrolTeam)
class PatrolTeamAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "division", "leader", "member_count", "is_active")
    list_filter = ("kind", "is_active")
    list_select_related = ("division",)
    search_fields = ("name", "leader")
    autocomplete_fields = ("division",)


@admin.register(PatrolLog)
class PatrolLogAdmin(BigTableAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    search_fields = ("team__name", "division__name", "findings")
    list_display = ("team", "date", "division", "duration_minutes", "dispute", "converted_at")
    list_select_related = ("team", "division", "dispute")
    date_hierarchy = "date"
    autocomplete_fields = ("team", "division", "participants")
    readonly_fields = ("dispute", "converted_at")
    actions = ["convert_points"]

    @admin.action(description=_("把所选巡防时长转化为文明积分"), permissions=["change"])
    def convert_points(self, request, queryset):
        """Patrol hours → civility points for the selected logs (``patrol_log_convert``): each once."""
        from django.core.exceptions import ValidationError

        from security.services.patrol_points import patrol_log_convert

        done = entries = 0
        for log in queryset.filter(converted_at__isnull=True).order_by("pk"):
            try:
                entries += patrol_log_convert(log=log, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{log}：{'；'.join(error.messages)}", messages.WARNING)
            else:
                done += 1
        self.message_user(
            request, _("已转化 %(logs)s 条巡防记录，记分 %(entries)s 笔。") % {"logs": done, "entries": entries}
        )

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ProtectiveResource)
class ProtectiveResourceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """三防联保 register: 物防 and 技防 resources of villages, communities and compounds."""

    list_display = ("name", "category", "division", "location", "owner", "status", "last_inspected_on")
    list_filter = ("category", "status")
    list_select_related = ("division",)
    search_fields = ("name", "location", "owner", "division__name")
    autocomplete_fields = ("division",)
    date_hierarchy = "last_inspected_on"


@admin.register(DutyShift)
class DutyShiftAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """24-hour duty roster of the police stations' 矛调中心 and the 综治中心."""

    list_display = ("body", "name", "post", "phone", "place", "starts_at", "ends_at")
    list_filter = ("body__kind",)
    list_select_related = ("body",)
    search_fields = ("name", "body__name", "place")
    autocomplete_fields = ("body",)
    date_hierarchy = "starts_at"


@admin.register(SecurityStat)
class SecurityStatAdmin(ScopedImportExportAdmin):
    search_fields = ("division__name", "division__code")
    resource_classes = [SecurityStatResource]
    list_display = ("division", "month", "police_incidents", "criminal_cases", "administrative_cases", "is_complete")
    list_filter = ("is_complete",)
    list_select_related = ("division",)
    date_hierarchy = "month"
    autocomplete_fields = ("division",)


class ReadOnlyInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0
    can_delete = False

    def scope_queryset(self, request, queryset):
        return queryset  # the parent case is already in scope

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DisputePartyInline(ReadOnlyInline):
    model = DisputeParty
    fields = ("person", "role")
    readonly_fields = fields


class DisputeEventInline(ReadOnlyInline):
    model = DisputeEvent
    fields = ("created_at", "action", "from_status", "to_status", "from_body", "to_body", "actor", "rule", "reason")
    readonly_fields = fields
    ordering = ("created_at", "id")


@admin.register(Dispute)
class DisputeAdmin(BigTableAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Cases are read here; they move through the officers' pages and the API, never deleted."""

    list_display = (
        "number",
        "channel",
        "category",
        "division",
        "status",
        "current_body",
        "deadline",
        "deadline_provisional",
        "risk_level",
    )
    list_filter = ("status", "channel", "category", "risk_level")
    list_select_related = ("division", "current_body")
    search_fields = ("=number", "description")
    date_hierarchy = "received_at"
    inlines = [DisputePartyInline, DisputeEventInline]


@admin.register(MediationAgreement)
class MediationAgreementAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("dispute", "amount", "signed_on", "judicial_confirmation")
    list_filter = ("judicial_confirmation",)
    list_select_related = ("dispute",)
    search_fields = ("=dispute__number",)
    readonly_fields = ("dispute", "terms", "amount", "signed_on")

    def save_model(self, request, obj, form, change):
        # Agreements are made by the "agreement" move; here only 司法确认 is recorded later on.
        agreement_update_confirmation(agreement=obj, judicial_confirmation=obj.judicial_confirmation)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Issue 20: 领导包案 rules (edited here), links, leader cases and referrals (read here) --------------


@admin.register(LeaderCaseRule)
class LeaderCaseRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The district's 领导包案 criteria; the daily task nominates the open cases that meet one. The
    rules are district-wide (no scope to apply); the mixin gives the audit-trail history page."""

    list_display = ("name", "kind", "threshold", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(LeaderCase)
class LeaderCaseAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("dispute", "status", "leader", "nominated_at", "plan_due")
    list_filter = ("status",)
    list_select_related = ("dispute", "leader")
    search_fields = ("dispute__number",)


@admin.register(DisputeLink)
class DisputeLinkAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("dispute", "original", "kind", "created_by", "created_at")
    list_filter = ("kind",)
    list_select_related = ("dispute", "original", "created_by")
    search_fields = ("dispute__number", "original__number")


@admin.register(JurisdictionReferral)
class JurisdictionReferralAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("dispute", "centre", "bounces", "referred_at", "due_on", "decided_at", "decided_body")
    list_select_related = ("dispute", "centre", "decided_body")
    search_fields = ("dispute__number",)


from security import tracking_admin  # noqa: E402, F401  一案一码 and 群众评价 (issue 20)
