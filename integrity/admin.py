"""The integrity admin. Closed to all but discipline inspectors: for anyone else the app's models are
absent from the admin index and every one of its URLs answers 404 (the core ``ScopedAdminMixin``
reads the models' ``scope_roles``). Rows and choices come from the user's discipline subtree;
nothing here is ever deleted; opening a clue or a case writes an access-log row; the reporter is
shown only to holders of ``integrity.view_cluereporter``.

One write path (issue 13): the fields a service owns (``services.SERVICE_OWNED_FIELDS``: a clue's
disposition and status, a case's clues and closing, a clean unit's status) are read-only here; the
admin sets them only through the service — a clue's 处置 and a case's 结案 as form fields of their own
(and an action), new cases through ``case_file``, new measures, sanctions and recoveries through
``measure_take``/``sanction_decide``/``recovery_record``, evaluations through ``evaluation_record``.
Plain fields are saved through ``record_edit`` (the model's checks, refusing owned fields)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedChoicesMixin
from governance.admin_site import BigTableAdminMixin
from governance.phones import PhoneFormField
from integrity import services
from integrity.choices import AccessTarget, AccessVia, Disposition
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


def _adopt(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the row a service just created (so the admin's later steps —
    inlines, the log entry, the redirect — work on it)."""
    obj.pk = saved.pk
    obj._state.adding, obj._state.db = False, saved._state.db


class IntegrityAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Scoping, the 404 for everyone but discipline staff and the scoped choices come from the core
    (every integrity model declares ``scope_roles``); here nothing is ever deleted. Service-owned
    fields are read-only; a change is saved by ``record_edit`` and a new row by ``create_row``."""

    def has_delete_permission(self, request, obj=None):
        return False  # clues, cases and their ledgers are kept for good

    def owned_fields(self, request, obj=None) -> list[str]:
        return list(services.service_owned(self.model))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [name for name in self.owned_fields(request, obj) if name not in readonly]

    def create_row(self, request, obj, form):
        """A new row (override to call the model's creating service)."""
        return services.record_edit(instance=obj, data={})

    def save_model(self, request, obj, form, change):
        if not change:
            _adopt(obj, self.create_row(request, obj, form))
            return
        fields = {f.name for f in obj._meta.concrete_fields} - set(self.owned_fields(request, obj))
        data = {name: getattr(obj, name) for name in form.changed_data if name in fields}
        services.record_edit(instance=obj, data=data)


class IntegrityInline(ScopedChoicesMixin, admin.TabularInline):
    extra = 0

    def has_delete_permission(self, request, obj=None):
        return False


class LedgerInline(IntegrityInline):
    """A case's measures, sanctions, recoveries: added through their service (``IntegrityCaseAdmin.
    save_formset``), shown read-only once recorded (a correction is a new row or done on the page)."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        # A closed case takes no more rows (``services.case_open_check``).
        return (obj is None or obj.closed_on is None) and super().has_add_permission(request, obj)


class OpenCaseForm(forms.ModelForm):
    """A sanction's or recovery's form: refused, on the form, for a closed case (as the services refuse)."""

    def clean(self):
        data = super().clean()
        try:
            services.case_open_check(data.get("case"))
        except ValidationError as error:
            self.add_error("case" if "case" in self.fields else None, error.message_dict["case"])
        return data


class MeasureInlineForm(forms.ModelForm):
    """A new measure on the case's admin page: the 留置 rules (``services.detention_check``) on the form."""

    def clean(self):
        data = super().clean()
        if data.get("subject") and data.get("kind") and data.get("start_on") and self.instance.case_id:
            measure = Measure(
                case_id=self.instance.case_id,
                subject=data["subject"],
                kind=data["kind"],
                start_on=data["start_on"],
                end_on=data.get("end_on"),
            )
            try:
                services.detention_check(measure=measure)
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    self.add_error(field if field in self.fields else None, messages_)
        return data


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


class ClueAdminForm(forms.ModelForm):
    """The clue's plain fields, and its 处置 as fields of their own (the model's disposition fields are
    read-only): given, they go to ``clue_dispose``."""

    dispose_as = forms.ChoiceField(
        label=_("处置方式（办理）"), choices=[("", "—"), *Disposition.choices], required=False
    )
    dispose_on = forms.DateField(label=_("处置日期（办理）"), required=False)
    dispose_by = forms.CharField(label=_("决定人（办理）"), max_length=50, required=False)

    class Meta:
        model = Clue
        fields = ["number", "division", "campaign", "source", "received_on", "category", "summary", "subjects"]

    def clean(self):
        data = super().clean()
        if data.get("dispose_as"):
            if not data.get("dispose_on"):
                self.add_error("dispose_on", _("请填写处置日期。"))
            if not data.get("dispose_by"):
                self.add_error("dispose_by", _("请填写决定人。"))
            received = data.get("received_on") or self.instance.received_on
            if data.get("dispose_on") and received and data["dispose_on"] < received:
                self.add_error("dispose_on", _("处置日期不能早于受理日期。"))
        return data


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

    form = ClueAdminForm

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data = form.cleaned_data
        if data.get("dispose_as"):
            # 处置 through its service, which moves the clue's status as it does everywhere else.
            services.clue_dispose(
                clue=obj, disposition=data["dispose_as"], disposed_on=data["dispose_on"], decided_by=data["dispose_by"]
            )


class MeasureInline(LedgerInline):
    model = Measure
    form = MeasureInlineForm
    autocomplete_fields = ("subject",)


class SanctionInline(LedgerInline):
    model = Sanction
    fk_name = "case"
    fields = ("subject", "kind", "decided_on")
    autocomplete_fields = ("subject",)


class RecoveryInline(LedgerInline):
    model = Recovery


class CaseAdminForm(forms.ModelForm):
    """The case's plain fields, and 结案 as a field of its own (``closed_on`` is read-only): given, it
    goes to ``case_close``."""

    close_on = forms.DateField(label=_("结案日期（办理结案）"), required=False)

    class Meta:
        model = IntegrityCase
        fields = [
            "number",
            "division",
            "campaign",
            "clues",
            "subjects",
            "filed_on",
            "findings",
            "transferred_to_procuratorate",
            "transferred_on",
        ]

    def clean_close_on(self):
        value = self.cleaned_data.get("close_on")
        filed = self.cleaned_data.get("filed_on") or self.instance.filed_on
        if value and filed and value < filed:
            raise ValidationError(_("结案日期不能早于立案日期。"))
        if value and self.instance.pk:
            try:  # open measures, a case already closed
                services.case_close_check(case=self.instance, closed_on=value)
            except ValidationError as error:
                raise ValidationError(error.message_dict["closed_on"]) from None
        return value


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
    form = CaseAdminForm
    actions = ["close_today"]

    def owned_fields(self, request, obj=None):
        # A new case names its clues (``case_file`` marks them filed); afterwards they are fixed.
        owned = super().owned_fields(request, obj)
        return owned if obj is not None else [name for name in owned if name != "clues"]

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None or obj.closed_on is not None:
            fields.remove("close_on")
        return fields

    def create_row(self, request, obj, form):
        data = form.cleaned_data
        case = services.case_file(
            number=obj.number,
            division=obj.division,
            clues=data["clues"],
            subjects=data["subjects"],
            filed_on=obj.filed_on,
            campaign=obj.campaign,
            findings=obj.findings,
        )
        extra = {name: data[name] for name in ("transferred_to_procuratorate", "transferred_on") if data.get(name)}
        return services.record_edit(instance=case, data=extra) if extra else case

    def save_formset(self, request, form, formset, change):
        """New measures, sanctions and recoveries through their services (rows are never changed here)."""
        case = form.instance
        for row in formset.save(commit=False):
            if isinstance(row, Measure):
                services.measure_take(
                    case=case, subject=row.subject, kind=row.kind, start_on=row.start_on, end_on=row.end_on
                )
            elif isinstance(row, Sanction):
                services.sanction_decide(case=case, subject=row.subject, kind=row.kind, decided_on=row.decided_on)
            elif isinstance(row, Recovery):
                services.recovery_record(case=case, amount=row.amount, kind=row.kind, recovered_on=row.recovered_on)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if form.cleaned_data.get("close_on"):
            # 结案 through ``case_close``, which concludes the clues the case was filed from.
            services.case_close(case=form.instance, closed_on=form.cleaned_data["close_on"])

    @admin.action(description=_("结案（以今日为结案日期）"), permissions=["change"])
    def close_today(self, request, queryset):
        done = 0
        for case in queryset.filter(closed_on__isnull=True):
            try:
                services.case_close(case=case, closed_on=timezone.localdate())
            except ValidationError as error:
                self.message_user(request, f"{case.number}：{'；'.join(error.messages)}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, _("已结案 %(count)d 件，来源线索均已办结。") % {"count": done}, messages.SUCCESS)


@admin.register(Sanction)
class SanctionAdmin(IntegrityAdmin):
    form = OpenCaseForm
    list_display = ("subject", "kind", "decided_on", "case", "clue")
    list_filter = ("kind",)
    list_select_related = ("subject", "case", "clue")
    search_fields = ("subject__name",)
    autocomplete_fields = ("subject", "case", "clue")

    def create_row(self, request, obj, form):
        return services.sanction_decide(
            subject=obj.subject, kind=obj.kind, decided_on=obj.decided_on, case=obj.case, clue=obj.clue
        )


@admin.register(Recovery)
class RecoveryAdmin(IntegrityAdmin):
    form = OpenCaseForm
    search_fields = ("case__number",)
    list_display = ("case", "kind", "amount", "recovered_on")
    list_filter = ("kind",)
    list_select_related = ("case",)
    autocomplete_fields = ("case",)

    def create_row(self, request, obj, form):
        return services.recovery_record(case=obj.case, amount=obj.amount, kind=obj.kind, recovered_on=obj.recovered_on)


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
class AccessLogAdmin(BigTableAdminMixin, ReadOnlyAdminMixin, IntegrityAdmin):
    """Read by discipline staff; written only by views; changed or deleted by nobody (a trigger refuses it)."""

    search_fields = ("user__username", "user__full_name", "path")

    list_display = ("at", "user", "action", "via", "clue", "case", "target", "path")
    list_filter = ("action", "via", "target")
    list_select_related = ("user", "clue", "case")
    readonly_fields = ("at", "user", "action", "via", "clue", "case", "target", "row_ids", "path", "division")
