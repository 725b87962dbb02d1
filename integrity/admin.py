"""The integrity admin. Closed to all but discipline inspectors: for anyone else the app's models are
absent from the admin index and every one of its URLs answers 404 (the core ``ScopedAdminMixin``
reads the models' ``scope_roles``). Rows and choices come from the user's discipline subtree;
nothing here is ever deleted; opening a clue or a case writes an access-log row; the reporter is
shown only to holders of ``integrity.view_cluereporter``. Disposing of a clue, closing a case and
evaluating a clean unit go through their services, so the statuses follow."""

from __future__ import annotations

from django.contrib import admin

from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedChoicesMixin
from governance.models import User
from governance.querysets import model_open_to
from integrity import services
from integrity.choices import AccessVia
from integrity.models import (
    AccessLog,
    Campaign,
    CampaignMatter,
    CleanUnit,
    Clue,
    ClueReporter,
    Evaluation,
    EvaluationItem,
    IntegrityCase,
    LivelihoodProject,
    Measure,
    Milestone,
    Recovery,
    Sanction,
    Subject,
    SupervisionVisit,
    UnitRule,
)

REPORTER_PERMISSION = "integrity.view_cluereporter"
DISPOSITION_FIELDS = {"disposition", "disposed_on", "decided_by"}


def can_view_reporter(user: User) -> bool:
    """The reporter's identity: discipline staff who also hold the special permission (given to no
    role by default)."""
    return model_open_to(user, ClueReporter) and user.has_perm(REPORTER_PERMISSION)


class IntegrityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Scoping, the 404 for everyone but discipline staff and the scoped choices come from the core
    (every integrity model declares ``scope_roles``); here nothing is ever deleted."""

    def has_delete_permission(self, request, obj=None):
        return False  # clues, cases and their ledgers are kept for good


class IntegrityInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False


class AccessLoggedAdmin(IntegrityAdmin):
    """Opening the change page of a clue or case is a view: it is logged."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_scoped_object(request, object_id)
        services.access_log_record(user=request.user, obj=obj, via=AccessVia.ADMIN, path=request.get_full_path())
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Campaign)
class CampaignAdmin(IntegrityAdmin):
    list_display = ("name", "division", "start_date", "end_date")
    list_select_related = ("division",)
    search_fields = ("name",)
    autocomplete_fields = ("division",)


@admin.register(Subject)
class SubjectAdmin(IntegrityAdmin):
    list_display = ("name", "unit", "post", "level", "is_party_member", "is_public_official", "division")
    list_filter = ("level", "is_party_member", "is_public_official")
    list_select_related = ("division",)
    search_fields = ("name", "unit")
    autocomplete_fields = ("division", "person")


class ClueReporterInline(IntegrityInline):
    model = ClueReporter
    fields = ("is_anonymous", "name", "phone", "address")
    can_delete = False


@admin.register(Clue)
class ClueAdmin(AccessLoggedAdmin):
    list_display = ("number", "received_on", "source", "category", "disposition", "status", "division", "campaign")
    list_filter = ("source", "category", "disposition", "status")
    list_select_related = ("division", "campaign")
    search_fields = ("number", "summary")
    autocomplete_fields = ("division", "campaign", "subjects")
    readonly_fields = ("created_at", "updated_at")

    def get_inlines(self, request, obj):
        # The reporter's identity: only with the special permission, never for anyone else.
        return [ClueReporterInline] if can_view_reporter(request.user) else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.disposition and DISPOSITION_FIELDS & set(form.changed_data):
            # A disposition given here moves the clue's status as it does everywhere else.
            services.clue_dispose(
                clue=obj, disposition=obj.disposition, disposed_on=obj.disposed_on, decided_by=obj.decided_by
            )


class MeasureInline(IntegrityInline):
    model = Measure
    autocomplete_fields = ("subject",)


class SanctionInline(IntegrityInline):
    model = Sanction
    fk_name = "case"
    fields = ("subject", "kind", "decided_on")
    autocomplete_fields = ("subject",)


class RecoveryInline(IntegrityInline):
    model = Recovery


@admin.register(IntegrityCase)
class IntegrityCaseAdmin(AccessLoggedAdmin):
    list_display = ("number", "filed_on", "division", "campaign", "transferred_to_procuratorate", "closed_on")
    list_filter = ("transferred_to_procuratorate",)
    list_select_related = ("division", "campaign")
    search_fields = ("number",)
    autocomplete_fields = ("division", "campaign", "clues", "subjects")
    readonly_fields = ("created_at", "updated_at")
    inlines = [MeasureInline, SanctionInline, RecoveryInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        case = form.instance
        if "closed_on" in form.changed_data and case.closed_on is not None:
            # 结案 concludes the clues the case was filed from (once they are linked).
            services.case_close(case=case, closed_on=case.closed_on)


@admin.register(Sanction)
class SanctionAdmin(IntegrityAdmin):
    list_display = ("subject", "kind", "decided_on", "case", "clue")
    list_filter = ("kind",)
    list_select_related = ("subject", "case", "clue")
    search_fields = ("subject__name",)
    autocomplete_fields = ("subject", "case", "clue")


@admin.register(Recovery)
class RecoveryAdmin(IntegrityAdmin):
    search_fields = ("case__number",)
    list_display = ("case", "kind", "amount", "recovered_on")
    list_filter = ("kind",)
    list_select_related = ("case",)
    autocomplete_fields = ("case",)


@admin.register(CampaignMatter)
class CampaignMatterAdmin(IntegrityAdmin):
    list_display = ("title", "campaign", "division", "opened_on", "resolved_on")
    list_select_related = ("campaign", "division")
    search_fields = ("title",)
    autocomplete_fields = ("campaign", "division")


class MilestoneInline(IntegrityInline):
    model = Milestone


class SupervisionVisitInline(IntegrityInline):
    model = SupervisionVisit


@admin.register(LivelihoodProject)
class LivelihoodProjectAdmin(IntegrityAdmin):
    list_display = ("title", "year", "level", "owner_unit", "division", "budget")
    list_filter = ("year", "level")
    list_select_related = ("owner_unit", "division")
    search_fields = ("title",)
    autocomplete_fields = ("owner_unit", "division")
    inlines = [MilestoneInline, SupervisionVisitInline]


@admin.register(CleanUnit)
class CleanUnitAdmin(IntegrityAdmin):
    list_display = ("organization", "kind", "status", "started_on")
    list_filter = ("kind", "status")
    list_select_related = ("organization",)
    search_fields = ("organization__name",)
    autocomplete_fields = ("organization",)


class EvaluationItemInline(IntegrityInline):
    model = EvaluationItem
    min_num = 1  # an evaluation round is its scored items (``evaluation_record`` refuses one without)

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, validate_min=True, **kwargs)


@admin.register(Evaluation)
class EvaluationAdmin(IntegrityAdmin):
    search_fields = ("unit__organization__name",)
    list_display = ("unit", "round", "evaluated_on", "result")
    list_select_related = ("unit__organization",)
    autocomplete_fields = ("unit",)
    inlines = [EvaluationItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The unit's status follows its latest round, once the round's items are saved.
        services.evaluation_record(evaluation=form.instance)


@admin.register(UnitRule)
class UnitRuleAdmin(IntegrityAdmin):
    list_display = ("title", "unit", "adopted_on")
    list_select_related = ("unit__organization",)
    search_fields = ("title", "closes")
    autocomplete_fields = ("unit",)


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdminMixin, IntegrityAdmin):
    """Read by discipline staff; written only by views; changed or deleted by nobody (a trigger refuses it)."""

    search_fields = ("user__username", "user__full_name", "path")

    list_display = ("at", "user", "via", "clue", "case", "path")
    list_filter = ("via",)
    list_select_related = ("user", "clue", "case")
    readonly_fields = ("at", "user", "via", "clue", "case", "path", "division")
