"""屋场会决议 follow-up list (issue 13): the resolutions of the user's area with their 办结时限, open first,
overdue marked, each open one with a small form recording its follow-up through
``hamlet_resolution_follow_up``. Linked from the residential follow-up list (整改与决议跟进) and from
我的待办. Rows come from ``for_user``: out of scope is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from governance.selectors import division_in_scope
from governance.todo import due_soon_horizon
from villages.choices import FollowUpStatus
from villages.follow_ups import hamlet_resolution_follow_up, hamlet_resolutions_follow_up_list
from villages.forms import ResolutionFollowUpFilterForm, ResolutionFollowUpForm
from villages.models import MeetingResolution

PAGE = 50


class ResolutionFollowUpListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """GET ``?state=`` (open — the default —, overdue, due_soon, done, all), ``?within=<code>`` (a
    division in scope, else 404), ``?page=``. A bad state is a Chinese 400 with no rows."""

    permission_required = "villages.view_meetingresolution"
    template_name = "villages/follow_ups.html"

    def get(self, request):
        form = ResolutionFollowUpFilterForm(request.GET)
        if not form.is_valid():
            return render(request, self.template_name, {"filter_form": form, "rows": [], "page": None}, status=400)
        state = form.cleaned_data["state"] or "open"
        scoped = MeetingResolution.objects.for_user(request.user)
        division = None
        if request.GET.get("within"):
            division = division_in_scope(request.user, request.GET["within"])
            scoped = scoped.in_subtree(division)
        rows = hamlet_resolutions_follow_up_list(state=state, queryset=scoped, horizon=due_soon_horizon())
        page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
        today = timezone.localdate()
        for row in page.object_list:
            row.is_done = row.follow_up == FollowUpStatus.DONE
            row.is_overdue = not row.is_done and row.due_on is not None and row.due_on < today
        context = {
            "filter_form": form,
            "state": state,
            "division": division,
            "page": page,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.paginator.num_pages > 1,
            "rows": page.object_list,
            "can_change": request.user.has_perm("villages.change_meetingresolution"),
            "follow_up_form": ResolutionFollowUpForm(),
        }
        return render(request, self.template_name, context)


class ResolutionFollowUpRecordView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST one resolution's follow-up (``status``, ``done_on``, ``note``) through
    ``hamlet_resolution_follow_up``; out of scope 404; bad input back to the list with the Chinese
    error, nothing written."""

    permission_required = "villages.change_meetingresolution"

    def post(self, request, pk: int):
        resolution = get_object_or_404(MeetingResolution.objects.for_user(request.user), pk=pk)
        form = ResolutionFollowUpForm(request.POST)
        back = f"{reverse('villages:follow-ups')}#resolution-{resolution.pk}"
        if not form.is_valid():
            messages.error(request, "；".join(str(m) for errors in form.errors.values() for m in errors))
            return redirect(back)
        try:
            hamlet_resolution_follow_up(resolution=resolution, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("跟进情况已记录。"))
        return redirect(back)
