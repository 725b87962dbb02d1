"""Officers' pages: record a 楼宇会 and a petition; the owners'-committee compliance report; petitions
year over year. Rows come from ``for_user``: anything outside the user's subtree is not found."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import BadRequest, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from governance.dates import report_date_validate
from governance.forms import form_errors_add
from governance.selectors import division_in_scope
from governance.services import record_save
from residential.forms import BuildingCouncilMeetingForm, ParticipantFormSet, PetitionForm, ResolutionFormSet
from residential.models import Petition
from residential.selectors import committee_compliance, petition_yoy, petition_yoy_by_child
from residential.services import meeting_record


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


class ComplianceReportView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Owners' committees under 50 % Party members (``?all=1``: every current committee)."""

    permission_required = "residential.view_ownerscommittee"
    template_name = "residential/compliance.html"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        show_all = self.request.GET.get("all") == "1"
        committees = committee_compliance(division=division, only_failing=not show_all)
        return super().get_context_data(division=division, committees=committees, show_all=show_all, **kwargs)


class PetitionYearOverYearView(LoginRequiredMixin, PermissionRequiredMixin, TemplateView):
    """Petitions of one year against the year before, for the area and each of its children."""

    permission_required = "residential.view_petition"
    template_name = "residential/petition_yoy.html"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        try:
            year = int(self.request.GET.get("year") or timezone.localdate().year)
            start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
            report_date_validate(start)
        except (ValueError, ValidationError):
            raise BadRequest(_("年份无效：请填写 1950 至 2099 之间的年份。")) from None
        scoped = Petition.objects.for_user(self.request.user)
        return super().get_context_data(
            division=division,
            year=year,
            total=petition_yoy(division=division, start=start, end=end, queryset=scoped),
            children=petition_yoy_by_child(division=division, start=start, end=end, queryset=scoped),
            **kwargs,
        )
