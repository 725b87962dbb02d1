"""Pages for discipline staff: the clue register, the case page with its timeline, the campaign
funnel (with an Excel export) and livelihood-project supervision. For everyone else each of these
URLs answers 404; opening a clue or a case writes an access-log row."""

from __future__ import annotations

import datetime
from io import BytesIO

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Prefetch, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, TemplateView, View
from openpyxl import Workbook

from governance.models import Division
from governance.views import FilteredListView
from integrity import services
from integrity.access import require_discipline_staff
from integrity.filtersets import ClueFilterSet, IntegrityCaseFilterSet, LivelihoodProjectFilterSet
from integrity.models import (
    AccessVia,
    Campaign,
    Clue,
    IntegrityCase,
    LivelihoodProject,
    Milestone,
    Recovery,
    Subject,
    SupervisionVisit,
)
from integrity.querysets import DISCIPLINE_ROLES
from integrity.selectors import (
    FUNNEL_KEYS,
    FUNNEL_LABELS,
    Funnel,
    campaign_funnel,
    campaign_funnels,
    funnel_by_child,
    overdue_milestones,
)


class DisciplineRequiredMixin(LoginRequiredMixin):
    """Signed-in users without the discipline role get 404: for them the app does not exist."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_discipline_staff(request.user)
        return super().dispatch(request, *args, **kwargs)


class DisciplineListView(DisciplineRequiredMixin, FilteredListView):
    permission_required = ()

    def base_queryset(self):
        return self.model.objects.for_user(self.request.user, roles=DISCIPLINE_ROLES)


# --- clues and cases -----------------------------------------------------------------------------


class ClueListView(DisciplineListView):
    """线索登记簿. No reporter column, ever."""

    model = Clue
    filterset_class = ClueFilterSet
    template_name = "integrity/clue_list.html"

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("division", "campaign")
            .prefetch_related(Prefetch("subjects", Subject.objects.order_by("id")))
        )


class ClueDetailView(DisciplineRequiredMixin, DetailView):
    template_name = "integrity/clue_detail.html"
    context_object_name = "clue"

    def get_queryset(self):
        return Clue.objects.for_user(self.request.user, roles=DISCIPLINE_ROLES).select_related("division", "campaign")

    def get_object(self, queryset=None):
        clue = super().get_object(queryset)
        services.access_log_record(
            user=self.request.user, obj=clue, via=AccessVia.PAGE, path=self.request.get_full_path()
        )
        return clue

    def get_context_data(self, **kwargs):
        clue = self.object
        return super().get_context_data(
            subjects=clue.subjects.order_by("id"),
            cases=IntegrityCase.objects.for_user(self.request.user, roles=DISCIPLINE_ROLES).filter(clues=clue),
            **kwargs,
        )


class CaseListView(DisciplineListView):
    model = IntegrityCase
    filterset_class = IntegrityCaseFilterSet
    template_name = "integrity/case_list.html"

    def base_queryset(self):
        return (
            super()
            .base_queryset()
            .select_related("division", "campaign")
            .prefetch_related(Prefetch("subjects", Subject.objects.order_by("id")))
        )


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


class CaseDetailView(DisciplineRequiredMixin, DetailView):
    """案件页 with its timeline."""

    template_name = "integrity/case_detail.html"
    context_object_name = "case"

    def get_queryset(self):
        return IntegrityCase.objects.for_user(self.request.user, roles=DISCIPLINE_ROLES).select_related(
            "division", "campaign"
        )

    def get_object(self, queryset=None):
        case = super().get_object(queryset)
        services.access_log_record(
            user=self.request.user, obj=case, via=AccessVia.PAGE, path=self.request.get_full_path()
        )
        return case

    def get_context_data(self, **kwargs):
        case = self.object
        return super().get_context_data(
            subjects=case.subjects.order_by("id"),
            timeline=case_timeline(case),
            recovered=sum((r.amount for r in Recovery.objects.filter(case=case)), start=0),
            **kwargs,
        )


# --- campaigns and their funnel ------------------------------------------------------------------


class FunnelForm(forms.Form):
    within = forms.ModelChoiceField(
        queryset=Division.objects.none(), required=False, to_field_name="code", label=_("区划（含下级）")
    )
    on = forms.DateField(required=False, label=_("截至日期"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Districts and townships are enough to pick a subtree; villages are reached by code.
        self.fields["within"].queryset = Division.objects.for_user(user, roles=DISCIPLINE_ROLES).filter(depth__lte=1)


def _funnel_scope(request, default: Division) -> tuple[FunnelForm, Division, datetime.date]:
    form = FunnelForm(request.GET or None, user=request.user)
    divisions = Division.objects.for_user(request.user, roles=DISCIPLINE_ROLES)
    division = None
    on = timezone.localdate()
    if form.is_bound and form.is_valid():
        division = form.cleaned_data["within"]
        on = form.cleaned_data["on"] or on
    elif request.GET.get("within"):
        # A code outside the user's scope (or a bad date): not found, rather than someone else's figures.
        division = get_object_or_404(divisions, code=request.GET["within"])
    if division is None:
        division = default if divisions.filter(pk=default.pk).exists() else divisions.order_by("depth").first()
    return form, division, on


class CampaignListView(DisciplineRequiredMixin, TemplateView):
    """All campaigns with their funnels (six queries whatever their number)."""

    template_name = "integrity/campaign_list.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        campaigns = list(Campaign.objects.for_user(user, roles=DISCIPLINE_ROLES).select_related("division"))
        roots = Division.objects.for_user(user, roles=DISCIPLINE_ROLES).order_by("depth")
        rows = []
        root = roots.first()
        if campaigns and root is not None:
            funnels = campaign_funnels(campaign_ids=[c.pk for c in campaigns], division=root)
            rows = [{"campaign": c, "funnel": funnels[c.pk]} for c in campaigns]
        return super().get_context_data(rows=rows, labels=FUNNEL_LABELS, **kwargs)


class CampaignDetailView(DisciplineRequiredMixin, DetailView):
    """One campaign's funnel for a chosen subtree and date."""

    template_name = "integrity/campaign_detail.html"
    context_object_name = "campaign"

    def get_queryset(self):
        return Campaign.objects.for_user(self.request.user, roles=DISCIPLINE_ROLES).select_related("division")

    def get_context_data(self, **kwargs):
        form, division, on = _funnel_scope(self.request, self.object.division)
        funnel = campaign_funnel(campaign=self.object, division=division, on=on)
        steps = [{"key": key, "label": FUNNEL_LABELS[key], "value": getattr(funnel, key)} for key in FUNNEL_KEYS]
        return super().get_context_data(form=form, division=division, on=on, steps=steps, **kwargs)


class CampaignFunnelExportView(DisciplineRequiredMixin, View):
    """The funnel table as an Excel file: one row per child division of the chosen subtree, and a total."""

    def get(self, request, pk):
        campaign = get_object_or_404(Campaign.objects.for_user(request.user, roles=DISCIPLINE_ROLES), pk=pk)
        _form, division, on = _funnel_scope(request, campaign.division)
        children = list(Division.objects.filter(parent=division).order_by("sort_order", "code"))
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "集中整治成效"
        sheet.append([str(_("集中整治")), campaign.name])
        sheet.append([str(_("截至日期")), on.isoformat()])
        sheet.append([str(_("区划")), *[str(FUNNEL_LABELS[key]) for key in FUNNEL_KEYS]])
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
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="campaign-{campaign.pk}-funnel-{on:%Y%m%d}.xlsx"'
        return response


# --- livelihood projects -------------------------------------------------------------------------


class ProjectListView(DisciplineListView):
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
        overdue = overdue_milestones(queryset=Milestone.objects.for_user(user, roles=DISCIPLINE_ROLES))[:200]
        visits = (
            SupervisionVisit.objects.for_user(user, roles=DISCIPLINE_ROLES)
            .select_related("project")
            .order_by("-visited_on", "-id")[:20]
        )
        return super().get_context_data(overdue=overdue, visits=visits, today=timezone.localdate(), **kwargs)
