"""Admin of the villages registers, scoped like every admin (governance.admin.ScopedAdminMixin)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.checks import InlineModelAdminChecks
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms.models import BaseInlineFormSet
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _

from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedChoicesMixin, ScopedImportExportAdmin
from governance.models import Division, DivisionLevel, Organization
from governance.registry import registry
from governance.selectors import division_in_scope
from governance.texts import sentences_join
from villages import selectors, services
from villages.choices import BODY_KINDS
from villages.models import (
    ContractPlot,
    Hamlet,
    HamletMeeting,
    LandTransfer,
    MeetingResolution,
    Operator,
    ShareHolding,
    ShareRule,
)
from villages.querysets import completeness_conditions
from villages.resources import ContractPlotResource, HamletResource

COMPLETENESS_CHOICES = (
    ("complete", _("三屋齐全")),
    ("incomplete", _("不完整（任一项）")),
    ("lacks_body", _("缺组织")),
    ("lacks_head", _("缺负责人")),
    ("lacks_party_member", _("党小组无党员")),
)


class CompletenessFilter(admin.SimpleListFilter):
    title = _("三屋同治")
    parameter_name = "completeness"

    def lookups(self, request, model_admin):
        return COMPLETENESS_CHOICES

    def queryset(self, request, queryset):
        value = self.value()
        if value == "complete":
            return queryset.complete()
        if value == "incomplete":
            return queryset.incomplete()
        if value in ("lacks_body", "lacks_head", "lacks_party_member"):
            return queryset.filter(completeness_conditions()[value])
        return queryset


class HamletForm(forms.ModelForm):
    """A new 屋场 is made from a village, a code and a name (its division node comes with it)."""

    village = forms.ModelChoiceField(queryset=Division.objects.none(), label=_("所属村"))
    code = forms.CharField(label=_("屋场代码"), max_length=32)
    name = forms.CharField(label=_("屋场名称"), max_length=100)

    class Meta:
        model = Hamlet
        fields = ["note"]


class BodyFormSet(BaseInlineFormSet):
    """Edits the Organization rows on the 屋场's division node."""

    def __init__(self, *args, instance=None, **kwargs):
        super().__init__(*args, instance=instance.division if instance is not None else None, **kwargs)


class BodyInlineChecks(InlineModelAdminChecks):
    def _check_relation(self, obj, parent_model):
        return []  # the bodies hang on the 屋场's division node, not on the 屋场 row


class HamletBodyInline(ScopedChoicesMixin, admin.TabularInline):
    """党小组、理事会、合作社 of a 屋场; members are edited on each body (link "更改")."""

    model = Organization
    formset = BodyFormSet
    fk_name = "division"
    checks_class = BodyInlineChecks
    fields = ("kind", "name", "is_active")
    extra = 0
    show_change_link = True
    verbose_name = _("屋场组织")
    verbose_name_plural = _("屋场组织（三屋同治）")

    def __init__(self, parent_model, admin_site):
        super().__init__(Division, admin_site)

    def get_queryset(self, request):
        return super().get_queryset(request).filter(kind__in=BODY_KINDS)

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "kind":
            kwargs["choices"] = [(k.value, k.label) for k in BODY_KINDS]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(Hamlet)
class HamletAdmin(ScopedImportExportAdmin):
    resource_classes = [HamletResource]
    form = HamletForm
    list_display = ("hamlet_name", "code_shown", "village", "household_count", "population", "complete_flag")
    list_filter = (CompletenessFilter,)
    search_fields = ("division__name", "division__code")
    ordering = ("division__path",)
    inlines = [HamletBodyInline]

    def get_queryset(self, request):
        return selectors.hamlet_list(queryset=super().get_queryset(request))

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def get_fields(self, request, obj=None):
        return ("village", "code", "name", "note") if obj is None else ("village_name", "code_shown", "name", "note")

    def get_readonly_fields(self, request, obj=None):
        return ("village_name", "code_shown") if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["fields"] = ["note"]
        form = super().get_form(request, obj, change, **kwargs)
        villages = Division.objects.for_user(request.user).filter(level=DivisionLevel.VILLAGE)

        class ScopedHamletForm(form):
            def __init__(self, *args, **inner):
                super().__init__(*args, **inner)
                if obj is None:
                    self.fields["village"].queryset = villages
                else:
                    del self.fields["village"], self.fields["code"]
                    self.fields["name"].initial = obj.division.name

        return ScopedHamletForm

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.hamlet_update(hamlet=obj, name=data["name"], note=data.get("note", ""))
        else:
            created = services.hamlet_create(
                village=data["village"], code=data["code"], name=data["name"], note=data.get("note", "")
            )
            obj.pk, obj.division = created.pk, created.division

    @admin.display(description=_("屋场名称"), ordering="division__name")
    def hamlet_name(self, hamlet):
        return hamlet.division.name

    @admin.display(description=_("所属村"), ordering="division__parent__name")
    def village(self, hamlet):
        return hamlet.division.parent.name

    @admin.display(description=_("所属村"))
    def village_name(self, hamlet):
        return hamlet.division.parent.name

    @admin.display(description=_("屋场代码"))
    def code_shown(self, hamlet):
        return hamlet.division.code

    @admin.display(description=_("户数"))
    def household_count(self, hamlet):
        return hamlet.household_count

    @admin.display(description=_("人口"))
    def population(self, hamlet):
        return hamlet.population

    @admin.display(description=_("三屋齐全"), boolean=True)
    def complete_flag(self, hamlet):
        return hamlet.is_complete

    def get_urls(self):
        report = path(
            "completeness/",
            self.admin_site.admin_view(self.completeness_view),
            name="villages_hamlet_completeness",
        )
        return [report, *super().get_urls()]

    def completeness_view(self, request):
        """The "三屋同治" report for the user's scope (or ``?within=<code>``; out of scope or unknown: 404)."""
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        division = division_in_scope(request.user, request.GET.get("within"))
        summary = selectors.hamlet_completeness(division=division, queryset=self.get_queryset(request))
        context = {
            **self.admin_site.each_context(request),
            "title": _("三屋同治完整性"),
            "opts": self.model._meta,
            "division": division,
            "summary": summary,
        }
        return TemplateResponse(request, "villages/admin_completeness.html", context)


@admin.register(ContractPlot)
class ContractPlotAdmin(ScopedImportExportAdmin):
    resource_classes = [ContractPlotResource]
    list_display = ("contract_number", "household", "area", "location", "is_active")
    list_filter = ("is_active",)
    list_select_related = ("household__head",)
    search_fields = ("contract_number", "household__number", "location")
    autocomplete_fields = ("household",)

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data}
            services.contract_plot_update(plot=ContractPlot.objects.get(pk=obj.pk), **fields)
        else:
            saved = services.contract_plot_create(
                household=obj.household, contract_number=obj.contract_number, area=obj.area, location=obj.location
            )
            obj.pk = saved.pk


@admin.register(ShareHolding)
class ShareHoldingAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The share register, read-only: versions are made by the service when plots or rules change."""

    list_display = ("household", "cooperative", "contracted_area", "shares", "valid_from", "valid_to", "reason")
    list_select_related = ("household__head", "cooperative")
    list_filter = ("valid_to",)
    search_fields = ("household__number", "cooperative__name")


@admin.register(ShareRule)
class ShareRuleAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("cooperative", "shares_per_mu", "base_shares", "updated_at")
    list_select_related = ("cooperative",)
    search_fields = ("cooperative__name",)
    autocomplete_fields = ("cooperative",)


@admin.register(Operator)
class OperatorAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "uscc", "legal_representative", "division")
    list_filter = ("kind",)
    list_select_related = ("division",)
    search_fields = ("name", "uscc")
    autocomplete_fields = ("division",)

    def save_model(self, request, obj, form, change):
        services.operator_save(operator=obj)


@admin.register(LandTransfer)
class LandTransferAdmin(ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("hamlet", "operator", "transferor", "area", "annual_rent", "start_date", "end_date", "status")
    list_filter = ("status", "transferor")
    list_select_related = ("hamlet__division", "operator")
    search_fields = ("hamlet__division__name", "operator__name")
    autocomplete_fields = ("hamlet", "household", "operator", "plots")

    def save_model(self, request, obj, form, change):
        fields = {
            name: form.cleaned_data[name]
            for name in (
                "hamlet",
                "operator",
                "transferor",
                "household",
                "area",
                "start_date",
                "end_date",
                "annual_rent",
                "status",
            )
        }
        plots = list(form.cleaned_data.get("plots") or [])
        if change:
            services.land_transfer_update(transfer=obj, plots=plots, **fields)
        else:
            saved = services.land_transfer_create(plots=plots, **fields)
            obj.pk = saved.pk


class MeetingResolutionInline(ScopedChoicesMixin, admin.TabularInline):
    """A meeting's resolutions, saved by ``HamletMeetingAdmin.save_related`` through the service;
    followed up, never deleted."""

    model = MeetingResolution
    fields = ("text", "follow_up", "due_on", "done_on")
    extra = 1
    can_delete = False

    def has_delete_permission(self, request, obj=None):
        return False


class HamletMeetingAdminForm(forms.ModelForm):
    """The 屋场会's attendees are checked on the form (people of the 屋场's village), as the service does."""

    class Meta:
        model = HamletMeeting
        fields = ["hamlet", "held_on", "topics", "attendees"]

    def clean(self):
        data = super().clean()
        hamlet = data.get("hamlet") or (self.instance.hamlet if self.instance.hamlet_id else None)
        if hamlet is not None and data.get("attendees") is not None:
            try:
                services.meeting_attendees_check(hamlet=hamlet, attendees=data["attendees"])
            except ValidationError as error:
                self.add_error("attendees", error.message_dict["attendees"])
        return data


@admin.register(HamletMeeting)
class HamletMeetingAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """屋场会: recorded through ``hamlet_meeting_record`` (the recorder is whoever records it here) and
    changed through ``hamlet_meeting_update``, resolutions included."""

    form = HamletMeetingAdminForm
    list_display = ("hamlet", "held_on", "topics")
    list_select_related = ("hamlet__division",)
    search_fields = ("hamlet__division__name", "topics")
    date_hierarchy = "held_on"
    autocomplete_fields = ("hamlet", "attendees")
    inlines = [MeetingResolutionInline]
    exclude = ("recorded_by",)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {name: data[name] for name in ("hamlet", "held_on", "topics")}
        attendees = list(data.get("attendees") or [])
        if change:
            services.hamlet_meeting_update(meeting=obj, attendees=attendees, **fields)
        else:
            saved = services.hamlet_meeting_record(attendees=attendees, recorded_by=request.user, **fields)
            obj.pk, obj._state.adding, obj.recorded_by = saved.pk, False, saved.recorded_by

    def save_related(self, request, form, formsets, change):
        # Attendees went with the meeting (save_model); resolutions go through the same service.
        resolutions = [
            # 落实情况 is read-only here (``hamlet_resolution_follow_up`` sets it): kept as it is
            {
                "id": f.instance.pk,
                **{name: f.cleaned_data[name] for name in ("text", "due_on") if name in f.cleaned_data},
            }
            for formset in formsets
            for f in formset.forms
            if f.has_changed() and f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]
        if resolutions:
            meeting = HamletMeeting.objects.get(pk=form.instance.pk)  # as saved (the form's copy lacks created_at)
            services.hamlet_meeting_update(meeting=meeting, resolutions=resolutions)
        for formset in formsets:  # what the admin's change message reads (``formset.save`` would set it)
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


# --- 家庭户: 划入屋场 / 移出屋场 (the core's 家庭户 admin offers them through registry.admin_action) ------


class HamletChoiceForm(forms.Form):
    hamlet = forms.ModelChoiceField(
        label=_("划入屋场"),
        queryset=Hamlet.objects.none(),
        error_messages={"required": _("请选择屋场。"), "invalid_choice": _("所选屋场不在这些家庭户所在的村。")},
    )


def _villages_of(households) -> set[int]:
    return {h.division.parent_id if h.division.level == DivisionLevel.HAMLET else h.division_id for h in households}


@admin.action(description=_("划入屋场（成员随户划入，重新折股）"), permissions=["change"])
def households_assign_to_hamlet(modeladmin, request, queryset):
    """Move the chosen households into a 屋场 of their village through ``hamlet_households_assign``:
    an intermediate page asks which 屋场 (those of the village the user may see)."""
    if not request.user.has_perm("villages.change_hamlet"):
        raise PermissionDenied
    households = list(queryset.select_related("division").order_by("number"))
    village_ids = _villages_of(households)
    if len(village_ids) != 1:
        modeladmin.message_user(request, _("所选家庭户须在同一个村，才能一并划入屋场。"), level=messages.ERROR)
        return None
    hamlets = Hamlet.objects.for_user(request.user).filter(division__parent_id=village_ids.pop())
    form = HamletChoiceForm(request.POST if "apply" in request.POST else None)
    form.fields["hamlet"].queryset = hamlets.select_related("division").order_by("division__code")
    if form.is_bound and form.is_valid():
        hamlet = form.cleaned_data["hamlet"]
        try:
            moved = services.hamlet_households_assign(hamlet=hamlet, households=households)
        except ValidationError as error:
            modeladmin.message_user(request, sentences_join(error.messages), level=messages.ERROR)
        else:
            if moved:
                modeladmin.message_user(
                    request, _("已将 %(n)s 户划入屋场“%(name)s”。") % {"n": moved, "name": hamlet.division.name}
                )
            else:
                modeladmin.message_user(
                    request,
                    _("所选家庭户已在屋场“%(name)s”，没有需要划入的。") % {"name": hamlet.division.name},
                    level=messages.INFO,
                )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("划入屋场"),
        "opts": modeladmin.model._meta,
        "households": households,
        "form": form,
        "action_name": "households_assign_to_hamlet",
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "villages/admin_households_assign.html", context)


@admin.action(description=_("移出屋场（回到所在村，股权今日截止）"), permissions=["change"])
def households_release_from_hamlet(modeladmin, request, queryset):
    """Take the chosen households out of their 屋场 (``hamlet_household_release``), all or nothing."""
    if not request.user.has_perm("villages.change_hamlet"):
        raise PermissionDenied
    households = list(queryset.select_related("division"))
    hamlets = {
        h.division_id: h
        for h in Hamlet.objects.filter(division_id__in=[x.division_id for x in households]).select_related("division")
    }
    released = 0
    with transaction.atomic():
        for household in households:
            hamlet = hamlets.get(household.division_id)
            if hamlet is not None:
                services.hamlet_household_release(hamlet=hamlet, household=household)
                released += 1
    if released:
        modeladmin.message_user(request, _("已将 %(n)s 户移出屋场。") % {"n": released})
    else:
        modeladmin.message_user(request, _("所选家庭户都不在屋场中，没有需要移出的。"), level=messages.INFO)


registry.admin_action("governance.household", households_assign_to_hamlet)
registry.admin_action("governance.household", households_release_from_hamlet)
