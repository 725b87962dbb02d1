"""The integrity admin. Closed to all but discipline inspectors: for anyone else the app's models are
absent from the admin index and every one of its URLs answers 404. Rows and choices come from the
user's discipline subtree; nothing here is ever deleted; opening a clue or a case writes an
access-log row; the reporter is shown only to holders of ``integrity.view_cluereporter``."""

from __future__ import annotations

from functools import wraps

from django.contrib import admin
from django.http import Http404
from django.urls import URLPattern
from django.utils.translation import gettext_lazy as _

from governance.admin import ScopedAdminMixin
from governance.querysets import ScopedQuerySet
from integrity import services
from integrity.access import can_view_reporter, is_discipline_staff
from integrity.models import (
    AccessLog,
    AccessVia,
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
from integrity.querysets import DISCIPLINE_ROLES


class DisciplineChoicesMixin:
    """Rows, and every scoped foreign-key and many-to-many choice, from the discipline subtree only."""

    def scope_queryset(self, request, queryset):
        return queryset.for_user(request.user, roles=DISCIPLINE_ROLES)

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    def _scoped_choices(self, db_field, request, kwargs):
        if "queryset" not in kwargs:
            queryset = db_field.related_model._default_manager.all()
            if isinstance(queryset, ScopedQuerySet):
                kwargs["queryset"] = queryset.for_user(request.user, roles=DISCIPLINE_ROLES)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **self._scoped_choices(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._scoped_choices(db_field, request, kwargs))

    def has_view_permission(self, request, obj=None):
        return is_discipline_staff(request.user) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return is_discipline_staff(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_discipline_staff(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # clues, cases and their ledgers are never deleted


class DisciplineAdmin(DisciplineChoicesMixin, ScopedAdminMixin, admin.ModelAdmin):
    def has_module_permission(self, request):
        return is_discipline_staff(request.user) and super().has_module_permission(request)

    def get_urls(self):
        def guard(view):
            @wraps(view)
            def inner(request, *args, **kwargs):
                # Signed-in users without the role: the app does not exist (404). Anonymous users
                # fall through to the admin's own redirect to the sign-in page.
                if request.user.is_authenticated and not is_discipline_staff(request.user):
                    raise Http404(_("未找到。"))
                return view(request, *args, **kwargs)

            return inner

        return [
            URLPattern(p.pattern, guard(p.callback), p.default_args, p.name) if isinstance(p, URLPattern) else p
            for p in super().get_urls()
        ]


class DisciplineInline(DisciplineChoicesMixin, admin.TabularInline):
    extra = 0


class AccessLoggedAdmin(DisciplineAdmin):
    """Opening the change page of a clue or case is a view: it is logged."""

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_scoped_object(request, object_id)
        services.access_log_record(user=request.user, obj=obj, via=AccessVia.ADMIN, path=request.get_full_path())
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Campaign)
class CampaignAdmin(DisciplineAdmin):
    list_display = ("name", "division", "start_date", "end_date")
    list_select_related = ("division",)
    search_fields = ("name",)
    autocomplete_fields = ("division",)


@admin.register(Subject)
class SubjectAdmin(DisciplineAdmin):
    list_display = ("name", "unit", "post", "level", "is_party_member", "is_public_official", "division")
    list_filter = ("level", "is_party_member", "is_public_official")
    list_select_related = ("division",)
    search_fields = ("name", "unit")
    autocomplete_fields = ("division", "person")


class ClueReporterInline(DisciplineInline):
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


class MeasureInline(DisciplineInline):
    model = Measure
    autocomplete_fields = ("subject",)


class SanctionInline(DisciplineInline):
    model = Sanction
    fk_name = "case"
    fields = ("subject", "kind", "decided_on")
    autocomplete_fields = ("subject",)


class RecoveryInline(DisciplineInline):
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


@admin.register(Sanction)
class SanctionAdmin(DisciplineAdmin):
    list_display = ("subject", "kind", "decided_on", "case", "clue")
    list_filter = ("kind",)
    list_select_related = ("subject", "case", "clue")
    search_fields = ("subject__name",)
    autocomplete_fields = ("subject", "case", "clue")


@admin.register(Recovery)
class RecoveryAdmin(DisciplineAdmin):
    list_display = ("case", "kind", "amount", "recovered_on")
    list_filter = ("kind",)
    list_select_related = ("case",)
    autocomplete_fields = ("case",)


@admin.register(CampaignMatter)
class CampaignMatterAdmin(DisciplineAdmin):
    list_display = ("title", "campaign", "division", "opened_on", "resolved_on")
    list_select_related = ("campaign", "division")
    search_fields = ("title",)
    autocomplete_fields = ("campaign", "division")


class MilestoneInline(DisciplineInline):
    model = Milestone


class SupervisionVisitInline(DisciplineInline):
    model = SupervisionVisit


@admin.register(LivelihoodProject)
class LivelihoodProjectAdmin(DisciplineAdmin):
    list_display = ("title", "year", "level", "owner_unit", "division", "budget")
    list_filter = ("year", "level")
    list_select_related = ("owner_unit", "division")
    search_fields = ("title",)
    autocomplete_fields = ("owner_unit", "division")
    inlines = [MilestoneInline, SupervisionVisitInline]


@admin.register(CleanUnit)
class CleanUnitAdmin(DisciplineAdmin):
    list_display = ("organization", "kind", "status", "started_on")
    list_filter = ("kind", "status")
    list_select_related = ("organization",)
    search_fields = ("organization__name",)
    autocomplete_fields = ("organization",)


class EvaluationItemInline(DisciplineInline):
    model = EvaluationItem


@admin.register(Evaluation)
class EvaluationAdmin(DisciplineAdmin):
    list_display = ("unit", "round", "evaluated_on", "result")
    list_select_related = ("unit__organization",)
    autocomplete_fields = ("unit",)
    inlines = [EvaluationItemInline]


@admin.register(UnitRule)
class UnitRuleAdmin(DisciplineAdmin):
    list_display = ("title", "unit", "adopted_on")
    list_select_related = ("unit__organization",)
    search_fields = ("title", "closes")
    autocomplete_fields = ("unit",)


@admin.register(AccessLog)
class AccessLogAdmin(DisciplineAdmin):
    """Read by discipline staff; written only by views; changed or deleted by nobody (a trigger refuses it)."""

    list_display = ("at", "user", "via", "clue", "case", "path")
    list_filter = ("via",)
    list_select_related = ("user", "clue", "case")
    readonly_fields = ("at", "user", "via", "clue", "case", "path", "division")

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
