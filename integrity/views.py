"""Pages for discipline staff: the clue register, the case page with its timeline, the campaign
funnel (with an Excel export) and livelihood-project supervision. For everyone else each of these
URLs answers 404; opening a clue or a case writes an access-log row."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import BadRequest
from django.db.models import Case, Count, Prefetch, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView, View
from openpyxl import Workbook

from governance.dates import report_date_validate
from governance.forms import DivisionCascadeField, ScopedFormMixin
from governance.models import Division
from governance.selectors import division_in_scope
from governance.spreadsheets import header_append, spreadsheet_response
from governance.views import FilteredListView, ModelOpenRequiredMixin
from integrity import services
from integrity.choices import DISCIPLINE_ROLES, AccessTarget, AccessVia, ClueStatus, CultureTarget
from integrity.filtersets import ClueFilterSet, CultureSiteFilterSet, IntegrityCaseFilterSet, LivelihoodProjectFilterSet
from integrity.forms import CloseForm, DisposeForm, MeasureForm, RecoveryForm, SanctionForm
from integrity.models import (
    Campaign,
    Clue,
    CultureSite,
    IntegrityCase,
    LivelihoodProject,
    Milestone,
    Recovery,
    Subject,
    SupervisionVisit,
)
from integrity.selectors import (
    FUNNEL_KEYS,
    FUNNEL_LABELS,
    Funnel,
    campaign_area,
    campaign_funnel,
    campaign_funnels,
    culture_counts,
    funnel_by_child,
    overdue_milestones,
)


class IntegrityListView(FilteredListView):
    """A register page: rows from ``for_user`` (the model's ``scope_roles`` keep it to discipline staff)."""

    def get_permission_required(self):
        return [f"integrity.view_{self.model._meta.model_name}"]


class AccessLoggedDetailView(ModelOpenRequiredMixin, DetailView):
    """A clue's or a case's page: 404 outside the user's discipline subtree, and every opening is logged."""

    def get_queryset(self):
        return self.model.objects.for_user(self.request.user).select_related("division", "campaign")

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        services.access_log_record(
            user=self.request.user, obj=obj, via=AccessVia.PAGE, path=self.request.get_full_path()
        )
        return obj

    def get_context_data(self, **kwargs):
        return super().get_context_data(subjects=self.object.subjects.order_by("id"), **kwargs)


# --- clues and cases -----------------------------------------------------------------------------


class ClueOrCaseListView(IntegrityListView):
    """The clue and case registers, with each row's division, campaign and people (three queries a
    page). Every page shown is one access-log row with the ids on it (two queries more, whatever the
    number of rows)."""

    access_target: str

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("division", "campaign")
            .prefetch_related(Prefetch("subjects", Subject.objects.order_by("id")))
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services.access_log_list(
            user=self.request.user,
            target=self.access_target,
            ids=[row.pk for row in context["object_list"]],
            via=AccessVia.PAGE,
            path=self.request.get_full_path(),
        )
        return context


class ClueListView(ClueOrCaseListView):
    """线索登记簿. No reporter column, ever. Clues waiting for a disposition first, then the newest."""

    model = Clue
    filterset_class = ClueFilterSet
    template_name = "integrity/clue_list.html"
    access_target = AccessTarget.CLUE

    def list_order(self, queryset):
        waiting = Case(When(status=ClueStatus.RECEIVED, then=Value(0)), default=Value(1))
        return queryset.alias(open_rank=waiting).order_by("open_rank", "-received_on", "-id")


class ClueDetailView(AccessLoggedDetailView):
    model = Clue
    template_name = "integrity/clue_detail.html"
    context_object_name = "clue"

    def get_context_data(self, **kwargs):
        clue = self.object
        user = self.request.user
        may_change = clue.status in OPEN_CLUE_STATUSES and user.has_perm("integrity.change_clue")
        if may_change:
            kwargs.setdefault(
                "dispose_form", DisposeForm(prefix="dispose", initial={"disposed_on": timezone.localdate()})
            )
        return super().get_context_data(
            cases=IntegrityCase.objects.for_user(user).filter(clues=clue),
            may_file=clue.status == ClueStatus.DISPOSED and user.has_perm("integrity.add_integritycase"),
            may_reveal=services.can_view_reporter(user),
            **kwargs,
        )


class CaseListView(ClueOrCaseListView):
    """立案登记簿: cases not yet closed first, then the newest filed."""

    model = IntegrityCase
    filterset_class = IntegrityCaseFilterSet
    template_name = "integrity/case_list.html"
    access_target = AccessTarget.CASE

    def list_order(self, queryset):
        still_open = Case(When(closed_on__isnull=True, then=Value(0)), default=Value(1))
        return queryset.alias(open_rank=still_open).order_by("open_rank", "-filed_on", "-id")


OPEN_CLUE_STATUSES = (ClueStatus.RECEIVED, ClueStatus.DISPOSED)
# The forms on an open case's page: (prefix, form, date field given today's date).
CASE_FORMS = [
    ("measure", MeasureForm, "start_on"),
    ("sanction", SanctionForm, "decided_on"),
    ("recovery", RecoveryForm, "recovered_on"),
    ("close", CloseForm, "closed_on"),
]


def case_timeline(case: IntegrityCase) -> list[dict]:
    """Every dated step of a case, oldest first: clues received and disposed, filing, measures,
    sanctions, recoveries, transfer, closing (five queries)."""
    events: list[tuple[datetime.date, int, str, str]] = []
    for clue in case.clues.order_by("received_on"):
        events.append((clue.received_on, 0, _("受理线索"), f"{clue.number} · {clue.get_source_display()}"))
        if clue.disposed_on:
            events.append((clue.disposed_on, 1, _("线索处置"), f"{clue.number} · {clue.get_disposition_display()}"))
    events.append((case.filed_on, 2, _("立案"), case.number))
    for measure in case.measures.select_related("subject"):
        events.append((measure.start_on, 3, _("采取措施"), f"{measure.get_kind_display()} · {measure.subject.name}"))
        if measure.end_on:
            events.append((measure.end_on, 3, _("解除措施"), f"{measure.get_kind_display()} · {measure.subject.name}"))
    for sanction in case.sanctions.select_related("subject"):
        events.append(
            (sanction.decided_on, 4, _("处分处理"), f"{sanction.subject.name} · {sanction.get_kind_display()}")
        )
    for recovery in case.recoveries.all():
        events.append((recovery.recovered_on, 5, recovery.get_kind_display(), f"{recovery.amount:,.2f} 元"))
    if case.transferred_on:
        events.append((case.transferred_on, 6, _("移送检察机关"), ""))
    if case.closed_on:
        events.append((case.closed_on, 7, _("结案"), ""))
    events.sort(key=lambda event: (event[0], event[1]))
    return [{"date": date, "label": label, "detail": detail} for date, _order, label, detail in events]


class CaseDetailView(AccessLoggedDetailView):
    """案件页 with its timeline."""

    model = IntegrityCase
    template_name = "integrity/case_detail.html"
    context_object_name = "case"

    def get_context_data(self, **kwargs):
        case = self.object
        if case.closed_on is None:
            for name, form_class, field in CASE_FORMS:
                kwargs.setdefault(
                    f"{name}_form",
                    form_class(prefix=name, case=case, initial={field: timezone.localdate()}),
                )
        return super().get_context_data(
            timeline=case_timeline(case),
            recovered=sum((r.amount for r in Recovery.objects.filter(case=case)), start=0),
            case_clues=case.clues.order_by("received_on", "id"),
            measures=case.measures.select_related("subject").order_by("start_on", "id"),
            **kwargs,
        )


# --- campaigns and their funnel ------------------------------------------------------------------


class FunnelForm(ScopedFormMixin, forms.Form):
    scope_roles = DISCIPLINE_ROLES  # the divisions where the user is discipline staff

    # Any division of the user's discipline scope, picked level by level (or given by code in a link).
    within = DivisionCascadeField(required=False, label=_("区划（含下级）"))
    on = forms.DateField(
        required=False,
        validators=[report_date_validate],
        label=_("截至日期"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def _funnel_query(request, campaign: Campaign) -> tuple[FunnelForm, Division, datetime.date]:
    """The form, the subtree (``campaign_area``: a code outside the user's scope is 404, never
    someone else's figures) and the date (today unless a valid one is given) of a funnel page."""
    form = FunnelForm(request.GET or None, user=request.user)
    if form.is_bound and not form.is_valid() and "on" in form.errors:
        # A date that is not one is the request's fault (400), never silently today's figures.
        raise BadRequest(_("截至日期无效：%(error)s") % {"error": "；".join(form.errors["on"])})
    on = form.cleaned_data.get("on") if form.is_bound and form.is_valid() else None
    division = campaign_area(user=request.user, campaign=campaign, code=request.GET.get("within"))
    return form, division, on or timezone.localdate()


class CampaignListView(ModelOpenRequiredMixin, TemplateView):
    """All campaigns with their funnels in the user's own subtree (six queries whatever their number)."""

    model = Campaign
    template_name = "integrity/campaign_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        campaigns = list(Campaign.objects.for_user(user).select_related("division"))
        rows = []
        if campaigns:
            root = division_in_scope(user, roles=DISCIPLINE_ROLES)
            funnels = campaign_funnels(campaign_ids=[c.pk for c in campaigns], division=root)
            rows = [{"campaign": c, "funnel": funnels[c.pk]} for c in campaigns]
        return super().get_context_data(rows=rows, labels=FUNNEL_LABELS, **kwargs)


class CampaignDetailView(ModelOpenRequiredMixin, DetailView):
    """One campaign's funnel for a chosen subtree and date."""

    model = Campaign
    template_name = "integrity/campaign_detail.html"
    context_object_name = "campaign"

    def get_queryset(self):
        return Campaign.objects.for_user(self.request.user).select_related("division")

    def get_context_data(self, **kwargs):
        form, division, on = _funnel_query(self.request, self.object)
        funnel = campaign_funnel(campaign=self.object, division=division, on=on)
        steps = [{"key": key, "label": FUNNEL_LABELS[key], "value": getattr(funnel, key)} for key in FUNNEL_KEYS]
        return super().get_context_data(form=form, division=division, on=on, steps=steps, **kwargs)


class CampaignFunnelExportView(ModelOpenRequiredMixin, View):
    """The funnel table as an Excel file: one row per child division of the chosen subtree, and a total."""

    model = Campaign

    def get(self, request, pk):
        campaign = get_object_or_404(Campaign.objects.for_user(request.user), pk=pk)
        _form, division, on = _funnel_query(request, campaign)
        children = list(Division.objects.filter(parent=division).order_by("sort_order", "code"))
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = str(_("集中整治成效"))
        sheet.append([str(_("集中整治")), campaign.name])
        sheet.append([str(_("截至日期")), on.isoformat()])
        header_append(sheet, [_("区划"), *[FUNNEL_LABELS[key] for key in FUNNEL_KEYS]])
        by_child = funnel_by_child(campaign=campaign, division=division, on=on)
        total = campaign_funnel(campaign=campaign, division=division, on=on)
        for child in children:
            funnel = by_child.get(child.code) or Funnel()
            sheet.append([child.name, *[getattr(funnel, key) for key in FUNNEL_KEYS]])
        if "" in by_child:  # records attached to the division itself rather than to a child
            sheet.append([f"{division.name}（{_('本级')}）", *[getattr(by_child[""], key) for key in FUNNEL_KEYS]])
        sheet.append([f"{division.name}（{_('合计')}）", *[getattr(total, key) for key in FUNNEL_KEYS]])
        for cell in sheet["G"][3:]:
            cell.number_format = "#,##0.00"
        return spreadsheet_response(workbook, f"campaign-{campaign.pk}-funnel-{on:%Y%m%d}.xlsx")


# --- livelihood projects -------------------------------------------------------------------------


class ProjectListView(IntegrityListView):
    """民生实事监督: projects with milestone progress, visits and "回头看", and the overdue milestones."""

    model = LivelihoodProject
    filterset_class = LivelihoodProjectFilterSet
    template_name = "integrity/project_list.html"

    def base_queryset(self):
        today = timezone.localdate()
        return (
            super()
            .base_queryset()
            .select_related("owner_unit", "division")
            .prefetch_related(Prefetch("milestones", Milestone.objects.order_by("planned_on", "id")))
            .annotate(
                visit_count=Count("visits", filter=Q(visits__is_review=False), distinct=True),
                review_count=Count("visits", filter=Q(visits__is_review=True), distinct=True),
                overdue_count=Count(
                    "milestones",
                    filter=Q(milestones__actual_on__isnull=True, milestones__planned_on__lt=today),
                    distinct=True,
                ),
            )
        )

    def get_context_data(self, **kwargs):
        user = self.request.user
        overdue = overdue_milestones(queryset=Milestone.objects.for_user(user))[:200]
        visits = SupervisionVisit.objects.for_user(user).select_related("project").order_by("-visited_on", "-id")[:20]
        return super().get_context_data(overdue=overdue, visits=visits, today=timezone.localdate(), **kwargs)


# --- 廉洁文化阵地 (issue 16 item 8) -----------------------------------------------------------------


class CultureSiteListView(IntegrityListView):
    """廉洁文化阵地: each site with its unit, opening date, activities and visits (participants of its
    activities, summed in the same query), and the area's “廉洁文化进企业、团体、家庭、公共场所”
    activities counted by target (``selectors.culture_counts``)."""

    model = CultureSite
    filterset_class = CultureSiteFilterSet
    template_name = "integrity/culture_sites.html"

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("division", "organization")
            .annotate(activity_count=Count("activities"), visits=Coalesce(Sum("activities__participants"), 0))
        )

    def get_context_data(self, **kwargs):
        area = division_in_scope(self.request.user, roles=DISCIPLINE_ROLES)
        counts = culture_counts(division=area)
        targets = [(label, counts["by_target"][value]) for value, label in CultureTarget.choices]
        return super().get_context_data(area=area, counts=counts, targets=targets, **kwargs)
