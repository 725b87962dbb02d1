"""Officers' pages: record a 楼宇会 and a petition; the owners'-committee compliance report; petitions
year over year. Rows come from ``for_user``: anything outside the user's subtree is not found."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from governance.dashboard.periods import period_from
from governance.forms import form_errors_add
from governance.models import Division
from governance.registry import registry
from governance.reports import AsOfForm, ReportTable, ReportView, township_of, townships_around
from governance.selectors import division_in_scope
from governance.services import record_save
from governance.spreadsheets import heading
from governance.texts import sentences_join
from governance.todo import due_soon_horizon
from residential.forms import (
    BuildingCouncilMeetingForm,
    FollowUpFilterForm,
    FollowUpForm,
    ParticipantFormSet,
    PetitionForm,
    ResolutionFormSet,
)
from residential.models import Petition
from residential.selectors import FOLLOW_UP_KINDS, committee_compliance, follow_ups, petition_yoy, petition_yoy_by_child
from residential.services import follow_up_record, meeting_record

BAD_YEAR = _("年份无效：请填写 2000 至 2100 之间的年份。")
BAD_PERIOD = _("统计周期有误，请修改后重试。")


class MeetingCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "residential.add_buildingcouncilmeeting"
    template_name = "residential/meeting_form.html"

    def get(self, request):
        return self._render(
            BuildingCouncilMeetingForm(user=request.user), ParticipantFormSet(prefix="p"), ResolutionFormSet(prefix="r")
        )

    def post(self, request):
        form = BuildingCouncilMeetingForm(request.POST, user=request.user)
        participants = ParticipantFormSet(request.POST, prefix="p")
        resolutions = ResolutionFormSet(request.POST, prefix="r")
        if form.is_valid() and participants.is_valid() and resolutions.is_valid():
            try:
                meeting = meeting_record(
                    **form.cleaned_data,
                    participants=[f.cleaned_data for f in participants if f.cleaned_data],
                    resolutions=[f.cleaned_data for f in resolutions if f.cleaned_data],
                    recorded_by=request.user,
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(
                    request,
                    _("已记录“%(compound)s”%(date)s的楼宇会。")
                    % {"compound": meeting.compound, "date": meeting.held_on},
                )
                return redirect("residential:meeting-create")
        return self._render(form, participants, resolutions, status=400)

    def _render(self, form, participants, resolutions, status=200):
        context = {"form": form, "participants": participants, "resolutions": resolutions}
        return render(self.request, self.template_name, context, status=status)


class PetitionCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "residential.add_petition"
    template_name = "residential/petition_form.html"

    def get(self, request):
        return render(request, self.template_name, {"form": PetitionForm(user=request.user)})

    def post(self, request):
        form = PetitionForm(request.POST, user=request.user)
        if form.is_valid():
            petition = record_save(instance=form.save(commit=False))
            messages.success(request, _("已登记信访件 %(number)s。") % {"number": petition.number})
            return redirect("residential:petition-create")
        return render(request, self.template_name, {"form": form}, status=400)


class ComplianceReportView(ReportView):
    """Owners' committees under 50 % Party members (``?all=1``: every current committee) on a day
    (``?on=``, default today), each with its township, and a row per child division (per township
    under a district) to drill down by."""

    permission_required = "residential.view_ownerscommittee"
    template_name = "residential/compliance.html"
    export_filename = "compliance"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        show_all = self.request.GET.get("all") == "1"
        form = AsOfForm(self.request.GET)
        if not form.is_valid():
            return super().get_context_data(division=division, form=form, committees=[], status=400, **kwargs)
        on = form.cleaned_data["on"] or timezone.localdate()
        committees = list(committee_compliance(division=division, on=on, only_failing=not show_all))
        townships = townships_around(division)
        children = list(Division.objects.filter(parent=division, is_active=True).order_by("sort_order", "code"))
        by_child = {child.code: {"division": child, "committees": 0, "failing": 0} for child in children}
        for committee in committees:
            committee.township = township_of(committee.compound.division.path, townships)
            code = committee.compound.division.path[len(division.path) :].split("/", 1)[0]
            if code in by_child:
                by_child[code]["committees"] += 1
                by_child[code]["failing"] += 0 if committee.party_rule_met else 1
        return super().get_context_data(
            division=division,
            form=form,
            on=on,
            committees=committees,
            children=[row for row in by_child.values() if row["committees"]],
            show_all=show_all,
            **kwargs,
        )

    def export_tables(self, context):
        rows = [
            [
                c.organization.name,
                c.township.name if c.township else "",
                c.compound.division.parent.name if c.compound.division.parent else "",
                c.member_count,
                c.party_count,
                round(c.party_share, 1),
                _("达标") if c.party_rule_met else _("不达标"),
                c.cross_in_branch,
                c.branch_in_committee,
                c.term_end.isoformat() if c.term_end else "",
            ]
            for c in context["committees"]
        ]
        headings = [
            _("业委会"),
            _("乡镇（街道）"),
            _("社区"),
            heading(_("委员"), _("人")),
            heading(_("党员"), _("人")),
            heading(_("党员占比"), "%"),
            _("50%规则"),
            heading(_("交叉任职（委员在支部）"), _("人")),
            heading(_("交叉任职（支部在业委会）"), _("人")),
            _("任期止"),
        ]
        return [ReportTable(_("业委会合规"), headings, rows)]


class PetitionYearOverYearView(ReportView):
    """Petitions of a period (year, quarter, month or custom dates; the dashboard's picker) against the
    same dates a year before, for the area and each of its children (each township under a district)."""

    permission_required = "residential.view_petition"
    template_name = "residential/petition_yoy.html"
    export_filename = "petitions-yoy"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        query = self.request.GET.copy()
        if query.get("year") and not query.get("period"):
            query["period"] = "year"  # the old links: ?year=2024
        form, period = period_from(query)
        if period is None:
            error = BAD_YEAR if "year" in form.errors else BAD_PERIOD
            return super().get_context_data(division=division, form=form, error=error, status=400, **kwargs)
        scoped = Petition.objects.for_user(self.request.user)
        start, end = period.start, period.end
        return super().get_context_data(
            division=division,
            form=form,
            period=period,
            earlier=period.year_earlier(),
            total=petition_yoy(division=division, start=start, end=end, queryset=scoped),
            children=petition_yoy_by_child(division=division, start=start, end=end, queryset=scoped),
            **kwargs,
        )

    def export_tables(self, context):
        def change(figures):
            return figures.change_pct if figures.change_pct is not None else ""

        total = context["total"]
        rows = [[context["division"].name, total.current, total.previous, change(total)]]
        for row in context["children"]:
            name = row.division.name if row.division else _("%(name)s（直属）") % {"name": context["division"].name}
            rows.append([name, row.figures.current, row.figures.previous, change(row.figures)])
        headings = [
            _("区划"),
            heading(context["period"].label, _("件")),
            heading(context["earlier"].label, _("件")),
            heading(_("同比"), "%"),
        ]
        return [ReportTable(_("物业信访同比"), headings, rows)]


FOLLOW_UP_PAGE = 50
FOLLOW_UP_PERMISSIONS = {
    "rectification": "committeerectification",
    "enforcement": "enforcementvisit",
    "resolution": "meetingresolution",
}


class FollowUpListView(LoginRequiredMixin, View):
    """跟进 (issue 13 item 5): 业委会整治, 执法进小区 rectifications and 楼宇会决议 of the user's area with their
    due dates, open first, overdue marked; ``?kind=`` (default 业委会整治), ``?state=`` (open, overdue,
    due_soon, done, all), ``?within=<code>`` (a division in scope, else 404). Each open row has a small
    form recording its follow-up through ``follow_up_record``. Bad ``kind``/``state`` is a Chinese 400."""

    template_name = "residential/follow_ups.html"

    def get(self, request):
        form = FollowUpFilterForm(request.GET)
        if not form.is_valid():
            return render(request, self.template_name, {"filter_form": form, "rows": [], "page": None}, status=400)
        kind = form.cleaned_data["kind"] or "rectification"
        state = form.cleaned_data["state"] or "open"
        if not request.user.has_perm(f"residential.view_{FOLLOW_UP_PERMISSIONS[kind]}"):
            raise PermissionDenied
        model = FOLLOW_UP_KINDS[kind][0]
        scoped = model.objects.for_user(request.user)
        division = None
        if request.GET.get("within"):
            division = division_in_scope(request.user, request.GET["within"])
            scoped = scoped.in_subtree(division)
        rows = follow_ups(kind=kind, state=state, queryset=scoped, horizon=due_soon_horizon())
        page = Paginator(rows, FOLLOW_UP_PAGE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for row in page.object_list:
            row.due = getattr(row, rows.due_field)
            row.is_done = row.rectified_on is not None if kind == "enforcement" else row.status == "done"
            row.is_overdue = not row.is_done and row.due is not None and row.due < today
        context = {
            "filter_form": form,
            "kind": kind,
            "state": state,
            "division": division,
            "page": page,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1,
            "rows": page.object_list,
            "can_change": request.user.has_perm(f"residential.change_{FOLLOW_UP_PERMISSIONS[kind]}"),
            "follow_up_form": FollowUpForm(),
            "record_base": reverse(f"residential:follow-up-{kind}", args=[0]).removesuffix("0/"),
            "other_lists": _other_follow_up_lists(),
        }
        return render(request, self.template_name, context)


def _other_follow_up_lists() -> list[tuple[str, str]]:
    """Follow-up lists other apps keep (``(title, url)``), linked beside this one: 屋场会决议跟进."""
    try:
        return [registry.provided("follow_ups.hamlet_resolutions.link")()]
    except LookupError:
        return []


class FollowUpRecordView(LoginRequiredMixin, View):
    """POST a follow-up of one row (``kind``, ``pk``) through ``follow_up_record``; out of scope 404; bad
    input goes back to the list with the Chinese error and writes nothing."""

    def post(self, request, kind: str, pk: int):
        if kind not in FOLLOW_UP_KINDS:
            raise Http404(_("未找到。"))
        if not request.user.has_perm(f"residential.change_{FOLLOW_UP_PERMISSIONS[kind]}"):
            raise PermissionDenied
        model = FOLLOW_UP_KINDS[kind][0]
        row = get_object_or_404(model.objects.for_user(request.user), pk=pk)
        form = FollowUpForm(request.POST)
        back = f"{reverse('residential:follow-ups')}?kind={kind}"
        if not form.is_valid():
            messages.error(request, sentences_join(m for errors in form.errors.values() for m in errors))
            return redirect(back)
        try:
            follow_up_record(row=row, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, sentences_join(error.messages))
        else:
            messages.success(request, _("跟进情况已记录。"))
        return redirect(back)
