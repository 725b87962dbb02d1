"""The civility admin: rules, shops and items, caps, stations and teams are edited here; the ledger
is read-only (no change, no delete: a correction is a reversal entry), rankings are computed and
published by actions that call the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civility import models
from civility.services import (
    BANQUET_VIOLATION_LABELS,
    activity_convert,
    banquet_declare,
    civilized_families_propose,
    civilized_family_advance,
    civilized_family_confirm,
    dissuasion_record,
    ranking_compute,
    ranking_publish,
    unit_review_record,
)
from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedChoicesMixin
from governance.admin_site import BigTableAdminMixin
from governance.dates import past_date_validate


class CivilityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyAdmin(ReadOnlyAdminMixin, CivilityAdmin):
    """Ledger rows: looked at, never changed or deleted here."""


@admin.register(models.PointRule)
class PointRuleAdmin(CivilityAdmin):
    list_display = ["code", "behaviour", "category", "points", "monthly_cap", "evidence_required", "is_active"]
    list_filter = ["category", "is_active", "evidence_required"]
    search_fields = ["code", "behaviour"]
    list_select_related = ["division"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.PointAccount)
class PointAccountAdmin(BigTableAdminMixin, ReadOnlyAdmin):
    list_display = ["household", "balance", "entry_count"]
    list_select_related = ["household__head"]
    search_fields = ["household__number", "household__head__name"]


@admin.register(models.PointEntry)
class PointEntryAdmin(BigTableAdminMixin, ReadOnlyAdmin):
    list_display = ["account", "seq", "rule", "points", "occurred_on", "source", "status"]
    list_filter = ["status", "source", "occurred_on"]
    list_select_related = ["account__household__head", "rule"]
    search_fields = ["account__household__number", "idempotency_key"]


class RewardItemInline(ScopedChoicesMixin, admin.TabularInline):
    model = models.RewardItem
    extra = 1

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Shop)
class ShopAdmin(CivilityAdmin):
    list_display = ["name", "division", "is_active"]
    list_select_related = ["division"]
    search_fields = ["name"]
    filter_horizontal = ["operators"]
    inlines = [RewardItemInline]


@admin.register(models.RewardItem)
class RewardItemAdmin(CivilityAdmin):
    list_display = ["name", "shop", "points_price", "stock", "is_active"]
    list_select_related = ["shop"]
    search_fields = ["name"]


@admin.register(models.Redemption)
class RedemptionAdmin(BigTableAdminMixin, ReadOnlyAdmin):
    search_fields = ("account__household__number", "account__household__head__name", "idempotency_key")
    list_display = ["account", "shop", "points", "operator", "created_at"]
    list_select_related = ["account__household__head", "shop", "operator"]


def each_selected(modeladmin, request, queryset, write: Callable[[Any], Any], done: str | None = None) -> None:
    """Run one service per selected row: a row it refuses shows its errors and the others go on;
    ``done`` (``%(row)s`` for the row) is said for each one written."""
    for row in queryset:
        try:
            write(row)
        except ValidationError as exc:
            modeladmin.message_user(request, f"{row}：{'；'.join(exc.messages)}", messages.ERROR)
        else:
            if done:
                modeladmin.message_user(request, done % {"row": row}, messages.SUCCESS)


@admin.action(description=_("重新计算所选月份的评比"), permissions=["change"])
def compute_rankings(modeladmin, request, queryset):
    each_selected(
        modeladmin,
        request,
        queryset,
        lambda run: ranking_compute(month=run.month, division=run.division),
        _("%(row)s 已重新计算。"),
    )


@admin.action(description=_("公布所选月份的评比（公布后冻结）"), permissions=["change"])
def publish_rankings(modeladmin, request, queryset):
    each_selected(modeladmin, request, queryset, lambda run: ranking_publish(run=run, by=request.user))


@admin.action(description=_("按所选月份的年度推荐文明家庭（依据已公布的评比）"), permissions=["change"])
def propose_civilized_families(modeladmin, request, queryset):
    for year, division in sorted({(run.month.year, run.division) for run in queryset}, key=lambda p: p[0]):
        proposed = civilized_families_propose(year=year, division=division, by=request.user)
        modeladmin.message_user(
            request, _("%(year)s 年度推荐文明家庭 %(n)s 户。") % {"year": year, "n": proposed}, messages.SUCCESS
        )


@admin.register(models.RankingMonth)
class RankingMonthAdmin(CivilityAdmin):
    search_fields = ("division__name", "division__code")
    list_display = ["month", "division", "status", "households", "computed_at", "published_at"]
    list_select_related = ["division"]
    readonly_fields = ["status", "computed_at", "published_at", "published_by", "households"]
    actions = [compute_rankings, publish_rankings, propose_civilized_families]

    def save_model(self, request, obj, form, change):
        ranking_compute(month=obj.month, division=obj.division)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.action(description=_("评定所选文明家庭"), permissions=["change"])
def confirm_civilized_families(modeladmin, request, queryset):
    each_selected(
        modeladmin, request, queryset, lambda family: civilized_family_confirm(family=family, by=request.user)
    )


@admin.register(models.CivilizedFamily)
class CivilizedFamilyAdmin(CivilityAdmin):
    search_fields = ("household__number", "household__head__name")
    list_display = ["household", "year", "points", "status", "proposed_by", "confirmed_by"]
    list_filter = ["year", "status"]
    list_select_related = ["household__head", "proposed_by", "confirmed_by"]
    # Proposed, confirmed and published through the services (who and when recorded), by the actions.
    readonly_fields = ["status", "proposed_by", "proposed_at", "confirmed_by", "confirmed_at", "published_by"]
    actions = [confirm_civilized_families, "publish_civilized_families"]

    @admin.action(description=_("公布所选文明家庭（公布后冻结）"), permissions=["change"])
    def publish_civilized_families(self, request, queryset):
        each_selected(
            self,
            request,
            queryset,
            lambda family: civilized_family_advance(family=family, action="publish", by=request.user),
        )

    def get_readonly_fields(self, request, obj=None):
        # A published rating is frozen (database trigger): nothing of it is editable here either.
        if obj is not None and obj.status == models.FamilyStatus.PUBLISHED:
            return [f.name for f in self.model._meta.fields]
        # Its points, status and who confirmed it come from the services (one write path).
        return super().get_readonly_fields(request, obj)

    def has_add_permission(self, request):
        return False  # proposed from the published rankings (``civilized_families_propose``, an action)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.MonthlyRanking)
class MonthlyRankingAdmin(BigTableAdminMixin, ReadOnlyAdmin):
    """月度排名, read-only: written only by ``ranking_compute``, frozen once published."""

    search_fields = ("household__number", "household__head__name")
    list_display = ["ranking_month", "level", "group", "rank", "household", "points", "deductions"]
    list_filter = ["level", "ranking_month__status"]
    list_select_related = ["ranking_month", "group", "household__head"]


@admin.register(models.RankingCorrection)
class RankingCorrectionAdmin(ReadOnlyAdmin):
    """评比补录, read-only: written when an entry of a published month is confirmed."""

    list_display = ["ranking_month", "household", "points", "entry", "created_at"]
    list_select_related = ["ranking_month", "household__head", "entry"]
    search_fields = ("household__number", "household__head__name")


class HonorListEntryInline(ScopedChoicesMixin, admin.TabularInline):
    model = models.HonorListEntry
    fields = ["rank", "household", "points", "deductions"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.HonorList)
class HonorListAdmin(ReadOnlyAdmin):
    """红黑榜, read-only here: proposed, confirmed and published on the officers' pages (services)."""

    search_fields = ("village__name", "village__code")
    list_display = ["ranking_month", "village", "kind", "status", "published_at"]
    list_filter = ["kind", "status"]
    list_select_related = ["ranking_month", "village"]
    inlines = [HonorListEntryInline]


class BanquetKindCapInline(ScopedChoicesMixin, admin.TabularInline):
    model = models.BanquetKindCap
    extra = 1


@admin.register(models.VillageRule)
class VillageRuleAdmin(CivilityAdmin):
    search_fields = ("division__name", "division__code")
    list_display = ["division", "gift_money_cap", "tables_cap", "days_cap"]
    list_select_related = ["division"]
    inlines = [BanquetKindCapInline]


@admin.register(models.BanquetKindCap)
class BanquetKindCapAdmin(CivilityAdmin):
    search_fields = ("rule__division__name",)
    list_display = ["rule", "kind", "per_table_cap", "gift_money_cap", "tables_cap", "days_cap"]
    list_filter = ["kind"]
    list_select_related = ["rule__division"]


class BanquetServiceFeeInline(ScopedChoicesMixin, admin.TabularInline):
    model = models.BanquetServiceFee
    extra = 1


@admin.register(models.BanquetServiceTeam)
class BanquetServiceTeamAdmin(CivilityAdmin):
    search_fields = ("name", "place", "division__name")
    list_display = ["name", "division", "place"]
    list_select_related = ["division"]
    inlines = [BanquetServiceFeeInline]


@admin.register(models.BanquetServiceFee)
class BanquetServiceFeeAdmin(CivilityAdmin):
    search_fields = ("item", "team__name")
    list_display = ["team", "item", "price", "per_table"]
    list_select_related = ["team"]


@admin.register(models.BanquetDeclaration)
class BanquetDeclarationAdmin(CivilityAdmin):
    search_fields = ("household__number", "household__head__name")
    list_display = ["household", "kind", "held_on", "tables", "is_simple", "is_flagged"]
    list_filter = ["kind", "is_flagged", "is_simple"]
    list_select_related = ["household__head"]
    # 报备人 is whoever records it here (the service is told so); nobody picks another account.
    readonly_fields = ["is_flagged", "violations_shown", "declared_by"]
    exclude = ["violations"]  # shown by its Chinese labels (violations_shown), set by the cap check
    # What the cap check read: changing it later would leave the flag (and any reward) stale.
    checked_fields = list(models.BanquetDeclaration.DECLARED_FIELDS)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields + (self.checked_fields if obj is not None else [])

    @admin.display(description=_("超标项"))
    def violations_shown(self, declaration):
        return "、".join(str(BANQUET_VIOLATION_LABELS.get(v, v)) for v in declaration.violations) or "—"

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        saved = banquet_declare(**{name: data.get(name) for name in self.checked_fields}, declared_by=request.user)
        obj.pk, obj.is_flagged, obj.violations = saved.pk, saved.is_flagged, saved.violations


@admin.register(models.Dissuasion)
class DissuasionAdmin(CivilityAdmin):
    search_fields = ("declaration__household__number", "declaration__household__head__name", "note")
    list_display = ["declaration", "kind", "outcome", "occurred_on"]
    list_filter = ["kind", "outcome"]
    list_select_related = ["declaration__household__head"]
    # 劝导人 is whoever records the dissuasion here; nobody picks another account.
    readonly_fields = ["kind", "entry", "officer"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "declaration":
            # Only a flagged banquet not yet dealt with can be dissuaded.
            # Only a flagged banquet (or any 无事酒) not yet dealt with can be dissuaded.
            declarations = models.BanquetDeclaration.objects.for_user(request.user)
            kwargs["queryset"] = declarations.filter(
                Q(is_flagged=True) | Q(kind=models.BanquetKind.NO_OCCASION), dissuasion__isnull=True
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        # The outcome decided the point entry: it is recorded once, through the service.
        return self.readonly_fields + (["declaration", "outcome"] if obj is not None else [])

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        saved = dissuasion_record(
            declaration=data["declaration"],
            outcome=data["outcome"],
            occurred_on=data["occurred_on"],
            officer=request.user,
            note=data.get("note", ""),
        )
        obj.pk, obj.entry = saved.pk, saved.entry


@admin.register(models.BanquetAbstention)
class BanquetAbstentionAdmin(CivilityAdmin):
    search_fields = ("person__name",)
    list_display = ["person", "kind", "occurred_on"]
    list_select_related = ["person"]


@admin.register(models.PracticeStation)
class PracticeStationAdmin(CivilityAdmin):
    list_display = ["name", "level", "parent", "division", "latitude", "longitude"]
    list_filter = ["level"]
    list_select_related = ["division", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]


@admin.register(models.PlaceLocation)
class PlaceLocationAdmin(CivilityAdmin):
    list_display = ["division", "latitude", "longitude"]
    list_select_related = ["division"]
    search_fields = ["division__name", "division__code"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "division" and field is not None:
            field.queryset = field.queryset.filter(level__in=["hamlet", "compound"])
        return field


@admin.register(models.VolunteerTeam)
class VolunteerTeamAdmin(CivilityAdmin):
    search_fields = ("name", "station__name")
    list_display = ["name", "brand", "station"]
    list_filter = ["brand"]
    list_select_related = ["station"]
    filter_horizontal = ["serves"]


@admin.register(models.UnitKind)
class UnitKindAdmin(CivilityAdmin):
    """“8+N” 文明单元类型: the eight standing kinds and the N the district adds; retired, never deleted."""

    search_fields = ("name", "code")
    list_display = ["name", "code", "level", "is_standing", "sort_order", "is_active"]
    list_filter = ["is_standing", "level", "is_active"]
    list_select_related = ["division"]

    def has_delete_permission(self, request, obj=None):
        return False


class UnitReviewInline(ScopedChoicesMixin, admin.TabularInline):
    model = models.UnitReview
    fields = ["round", "reviewed_on", "score", "result", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.CivilityUnit)
class CivilityUnitAdmin(CivilityAdmin):
    """文明单元: applied here; its status follows the latest 评审 (recorded through the service)."""

    search_fields = ("name", "division__name")
    list_display = ["name", "kind", "division", "applied_on", "status"]
    list_filter = ["kind", "status"]
    list_select_related = ["kind", "division"]
    readonly_fields = ["status"]
    inlines = [UnitReviewInline]

    def has_delete_permission(self, request, obj=None):
        return False


class UnitReviewForm(forms.ModelForm):
    """The service's own checks, run on the form so that a refused review shows its error in Chinese
    (never a 500): the date neither in the future nor before the application, the score 0–100."""

    class Meta:
        model = models.UnitReview
        fields = ["unit", "reviewed_on", "score", "result", "note"]

    def clean(self):
        data = super().clean()
        unit, reviewed_on, score = data.get("unit"), data.get("reviewed_on"), data.get("score")
        if reviewed_on is not None:
            try:
                past_date_validate(reviewed_on)
            except ValidationError as error:
                self.add_error("reviewed_on", error)
            else:
                if unit is not None and reviewed_on < unit.applied_on:
                    self.add_error("reviewed_on", _("评审日期不能早于申报日期。"))
        if score is not None and not 0 <= score <= 100:
            self.add_error("score", _("得分应在 0 至 100 之间。"))
        return data


@admin.register(models.UnitReview)
class UnitReviewAdmin(CivilityAdmin):
    """评审轮次: added through ``unit_review_record`` (next round, the unit's status follows); not edited after."""

    search_fields = ("unit__name",)
    list_display = ["unit", "round", "reviewed_on", "score", "result"]
    list_filter = ["result"]
    list_select_related = ["unit__kind"]
    readonly_fields = ["round"]
    autocomplete_fields = ["unit"]
    form = UnitReviewForm

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        saved = unit_review_record(
            unit=data["unit"],
            reviewed_on=data["reviewed_on"],
            result=data["result"],
            score=data.get("score"),
            note=data.get("note", ""),
        )
        obj.pk, obj.round = saved.pk, saved.round
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.Volunteer)
class VolunteerAdmin(CivilityAdmin):
    search_fields = ("person__name",)
    list_display = ["person", "joined_on"]
    list_select_related = ["person"]


@admin.register(models.ServiceActivity)
class ServiceActivityAdmin(BigTableAdminMixin, CivilityAdmin):
    search_fields = ("team__name", "kind")
    list_display = ["team", "held_on", "kind", "hours", "converted_at"]
    list_select_related = ["team"]
    readonly_fields = ["converted_at"]
    actions = ["convert_activities"]

    @admin.action(description=_("将所选活动的服务时长转化为积分（已转化的跳过）"), permissions=["change"])
    def convert_activities(self, request, queryset):
        # Idempotent: an activity already converted is skipped, never converted twice.
        due = list(queryset.filter(converted_at__isnull=True))
        skipped = queryset.count() - len(due)
        each_selected(
            self,
            request,
            due,
            lambda activity: activity_convert(activity=activity, by=request.user),
            _("%(row)s 已转化为积分。"),
        )
        if skipped:
            self.message_user(request, _("%(n)s 个活动此前已转化，已跳过。") % {"n": skipped}, messages.INFO)
