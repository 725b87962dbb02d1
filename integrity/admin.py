"""The integrity admin. Closed to all but discipline inspectors: for anyone else the app's models are
absent from the admin index and every one of its URLs answers 404 (the core ``ScopedAdminMixin``
reads the models' ``scope_roles``). Rows and choices come from the user's discipline subtree;
nothing here is ever deleted; opening a clue or a case writes an access-log row; the reporter is
shown only to holders of ``integrity.view_cluereporter``. Disposing of a clue, closing a case and
evaluating a clean unit go through their services, so the statuses follow."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedChoicesMixin
from governance.phones import PhoneFormField
from integrity import services
from integrity.choices import AccessTarget, AccessVia
from integrity.crypto import Identity, identity_seal
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

DISPOSITION_FIELDS = {"disposition", "disposed_on", "decided_by"}


class IntegrityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Scoping, the 404 for everyone but discipline staff and the scoped choices come from the core
    (every integrity model declares ``scope_roles``); here nothing is ever deleted."""

    def has_delete_permission(self, request, obj=None):
        return False  # clues, cases and their ledgers are kept for good


class IntegrityInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False


AUTOCOMPLETE_PAGE = 20  # django.contrib.admin's AutocompleteJsonView.paginate_by


class AccessLoggedAdmin(IntegrityAdmin):
    """Opening the change page of a clue or case is a view, and showing the changelist is a list: each
    is logged (the list as one row with the ids on the page, taken after rendering: no extra query)."""

    access_target: str

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_scoped_object(request, object_id)
        services.access_log_record(user=request.user, obj=obj, via=AccessVia.ADMIN, path=request.get_full_path())
        return super().change_view(request, object_id, form_url, extra_context)

    def get_search_results(self, request, queryset, search_term):
        """A dropdown's search (the admin's autocomplete of a clue or case field) lists rows too: it is
        logged like a changelist, with the ids of the page it answers."""
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.path.endswith("/autocomplete/"):
            services.access_log_list(
                user=request.user,
                target=self.access_target,
                ids=list(queryset.values_list("pk", flat=True)[:AUTOCOMPLETE_PAGE]),
                via=AccessVia.ADMIN,
                path=request.get_full_path(),
            )
        return queryset, may_have_duplicates

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if request.method == "GET" else None
        if changelist is not None:

            def log(rendered):
                services.access_log_list(
                    user=request.user,
                    target=self.access_target,
                    ids=[row.pk for row in changelist.result_list],
                    via=AccessVia.ADMIN,
                    path=request.get_full_path(),
                )

            response.add_post_render_callback(log)
        return response


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


class ClueReporterForm(forms.ModelForm):
    """The reporter's identity as fields of their own: shown opened (``revealed``, set by the inline
    after ``reporter_reveal`` logged it), saved sealed (``reporter_save``)."""

    name = forms.CharField(label=_("举报人姓名"), max_length=50, required=False)
    phone = PhoneFormField(label=_("联系电话"), service=True, required=False)
    address = forms.CharField(label=_("联系地址"), max_length=200, required=False)
    revealed: Identity | None = None

    class Meta:
        model = ClueReporter
        fields = ["is_anonymous"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.revealed:
            for name in ("name", "phone", "address"):
                self.fields[name].initial = self.revealed[name]

    def save(self, commit=True):
        reporter = super().save(commit=False)
        data = {name: self.cleaned_data.get(name, "") for name in ("name", "phone", "address")}
        if commit:
            return services.reporter_save(reporter=reporter, data={**data, "is_anonymous": reporter.is_anonymous})
        reporter.identity = identity_seal(data)  # type: ignore[arg-type]
        return reporter


class ClueReporterInline(IntegrityInline):
    """Only for holders of the reveal permission (``ClueAdmin.get_inlines``); building it opens the
    identity through ``reporter_reveal``, which writes the access-log row."""

    model = ClueReporter
    form = ClueReporterForm
    fields = ("is_anonymous", "name", "phone", "address")
    can_delete = False

    revealed: Identity | None = None  # per request: the admin makes inline instances per request

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            self.revealed = services.reporter_reveal(
                user=request.user, clue=obj, via=AccessVia.ADMIN, path=request.get_full_path()
            )
        formset.form = type("RevealedClueReporterForm", (formset.form,), {"revealed": self.revealed})
        return formset

    # Shown read-only (to holders of the view permission alone) from the identity opened above.
    @admin.display(description=_("举报人姓名"))
    def name(self, obj):
        return (self.revealed or {}).get("name", "")

    @admin.display(description=_("联系电话"))
    def phone(self, obj):
        return (self.revealed or {}).get("phone", "")

    @admin.display(description=_("联系地址"))
    def address(self, obj):
        return (self.revealed or {}).get("address", "")


@admin.register(Clue)
class ClueAdmin(AccessLoggedAdmin):
    access_target = AccessTarget.CLUE
    list_display = ("number", "received_on", "source", "category", "disposition", "status", "division", "campaign")
    list_filter = ("source", "category", "disposition", "status")
    list_select_related = ("division", "campaign")
    search_fields = ("number", "summary")
    autocomplete_fields = ("division", "campaign", "subjects")
    readonly_fields = ("created_at", "updated_at")

    def get_inlines(self, request, obj):
        # The reporter's identity: only with the special permission, never for anyone else.
        return [ClueReporterInline] if services.can_view_reporter(request.user) else []

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
    access_target = AccessTarget.CASE
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

    list_display = ("at", "user", "action", "via", "clue", "case", "target", "path")
    list_filter = ("action", "via", "target")
    list_select_related = ("user", "clue", "case")
    readonly_fields = ("at", "user", "action", "via", "clue", "case", "target", "row_ids", "path", "division")
