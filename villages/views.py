"""Officers' pages: 屋场 list, a 屋场's page (bodies, households, meetings, land figures), the
"三屋同治" report, and the form to record a 屋场会. Rows come from ``for_user``: out of scope is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView

from governance.forms import form_errors_add
from governance.models import Household, Organization, Person, Post
from governance.pickers import SearchOptionsView
from governance.reports import ReportTable, ReportView, township_of, townships_around
from governance.selectors import division_in_scope, households_search
from governance.spreadsheets import heading
from governance.views import FilteredListView
from villages import selectors, services
from villages.choices import BODY_KINDS
from villages.filtersets import HamletFilterSet
from villages.forms import HamletMeetingForm, HouseholdsAssignForm
from villages.models import Hamlet, HamletMeeting, MeetingResolution


class HamletListView(FilteredListView):
    model = Hamlet
    filterset_class = HamletFilterSet
    permission_required = "villages.view_hamlet"
    template_name = "villages/hamlet_list.html"

    def base_queryset(self):
        return selectors.hamlet_list(queryset=super().base_queryset()).order_by("division__path")


class HamletDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "villages.view_hamlet"
    template_name = "villages/hamlet_detail.html"

    def get_queryset(self):
        return selectors.hamlet_list(queryset=Hamlet.objects.for_user(self.request.user))

    def get_context_data(self, **kwargs):
        hamlet = self.object
        posts = Post.objects.current().select_related("person").order_by("-is_head", "id")
        bodies = (
            Organization.objects.filter(division_id=hamlet.division_id, kind__in=BODY_KINDS)
            .prefetch_related(Prefetch("posts", queryset=posts))
            .order_by("kind")
        )
        households = (
            Household.objects.filter(division_id=hamlet.division_id)
            .select_related("head")
            .annotate(member_count=Count("members", distinct=True))
            .order_by("number")
        )
        meetings = HamletMeeting.objects.filter(hamlet=hamlet).prefetch_related(
            Prefetch("resolutions", queryset=MeetingResolution.objects.order_by("id")),
            Prefetch("attendees", queryset=Person.objects.order_by("name", "id")),
        )[:20]
        return super().get_context_data(
            bodies=bodies,
            households=households,
            meetings=meetings,
            land=selectors.land_figures(division=hamlet.division),
            **kwargs,
        )


class CompletenessView(ReportView):
    """ "三屋同治" completeness of an area: the totals, a row per child division (per township under a
    district, per village under a township) to drill down by, and the incomplete 屋场 with their
    township. The figures are those of today (bodies and posts keep no history to look back on)."""

    permission_required = "villages.view_hamlet"
    template_name = "villages/completeness.html"
    export_filename = "completeness"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        report = selectors.hamlet_completeness_report(
            division=division, queryset=Hamlet.objects.for_user(self.request.user)
        )
        townships = townships_around(division)
        incomplete = report["summary"]["incomplete"]
        for hamlet in incomplete:
            hamlet.township = township_of(hamlet.division.path, townships)
        return super().get_context_data(
            division=division, summary=report["summary"], incomplete=incomplete, children=report["children"], **kwargs
        )

    def export_tables(self, context):
        summary = context["summary"]
        figures = ("total", "complete", "lacks_body", "lacks_head", "lacks_party_member")
        by_child = [[row["division"].name, *(row[key] for key in figures)] for row in context["children"]]
        by_child.append([_("合计"), *(summary[key] for key in figures)])
        yes = str(_("缺"))
        hamlets = [
            [
                h.division.name,
                h.township.name if h.township else "",
                h.division.parent.name if h.division.parent else "",
                yes if h.lacks_body else "",
                yes if h.lacks_head else "",
                yes if h.lacks_party_member else "",
            ]
            for h in context["incomplete"]
        ]
        count = _("个")
        return [
            ReportTable(
                _("按区划"),
                [
                    _("区划"),
                    heading(_("屋场"), count),
                    heading(_("三屋齐全"), count),
                    heading(_("缺组织"), count),
                    heading(_("缺负责人"), count),
                    heading(_("党小组无党员"), count),
                ],
                by_child,
            ),
            ReportTable(
                _("不齐全的屋场"),
                [_("屋场"), _("乡镇（街道）"), _("村"), _("缺组织"), _("缺负责人"), _("党小组无党员")],
                hamlets,
            ),
        ]


class HamletMeetingCreateView(LoginRequiredMixin, PermissionRequiredMixin, View):
    permission_required = "villages.add_hamletmeeting"
    template_name = "villages/meeting_form.html"

    def get_hamlet(self) -> Hamlet:
        queryset = Hamlet.objects.for_user(self.request.user).select_related("division__parent")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def get(self, request, pk):
        hamlet = self.get_hamlet()
        form = HamletMeetingForm(user=request.user, hamlet=hamlet)
        return render(request, self.template_name, {"hamlet": hamlet, "form": form})

    def post(self, request, pk):
        hamlet = self.get_hamlet()
        form = HamletMeetingForm(request.POST, user=request.user, hamlet=hamlet)
        if form.is_valid():
            try:
                services.hamlet_meeting_record(
                    hamlet=hamlet,
                    held_on=form.cleaned_data["held_on"],
                    topics=form.cleaned_data["topics"],
                    attendees=list(form.cleaned_data["attendees"]),
                    resolutions=form.cleaned_data["resolutions"],
                    recorded_by=request.user,
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(request, _("屋场会已记录。"))
                return redirect("villages:hamlet-detail", pk=hamlet.pk)
        return render(request, self.template_name, {"hamlet": hamlet, "form": form}, status=400)


class HamletAttendeeOptionsView(PermissionRequiredMixin, SearchOptionsView):
    """The matches of the 屋场会 form's attendee picker (``SearchOptionsView``): people of the 屋场's
    village within the user's scope, searched by name; a 屋场 out of scope is 404."""

    permission_required = "villages.add_hamletmeeting"

    def candidates(self):
        queryset = Hamlet.objects.for_user(self.request.user).select_related("division__parent")
        hamlet = get_object_or_404(queryset, pk=self.kwargs["pk"])
        return selectors.attendee_candidates(queryset=Person.objects.for_user(self.request.user), hamlet=hamlet)

    def label(self, row):
        return selectors.attendee_label(row)


ASSIGN_PAGE = 50


class HouseholdsAssignView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """划入屋场 (issue 13 item 4): an officer searches the 屋场's village for households (by number or a
    member's name), ticks several and moves them in through ``hamlet_households_assign`` (members
    follow, shares are recomputed). Without a search term the page offers the village's households not
    yet in any 屋场. A 屋场 out of scope is 404; a household out of scope is "not a valid choice"."""

    permission_required = ("villages.change_hamlet", "governance.change_household")
    template_name = "villages/households_assign.html"

    def get_hamlet(self) -> Hamlet:
        queryset = Hamlet.objects.for_user(self.request.user).select_related("division__parent")
        return get_object_or_404(queryset, pk=self.kwargs["pk"])

    def candidates(self, hamlet: Hamlet, q: str) -> list[Household]:
        village = hamlet.division.parent
        scoped = Household.objects.for_user(self.request.user).in_subtree(village)
        if q:
            rows = households_search(queryset=scoped.select_related("division"), q=q, limit=ASSIGN_PAGE)
        else:
            rows = list(
                scoped.filter(division_id=village.pk)
                .select_related("head", "division")
                .order_by("number")[:ASSIGN_PAGE]
            )
        for row in rows:
            row.in_this_hamlet = row.division_id == hamlet.division_id
            row.in_other_hamlet = not row.in_this_hamlet and row.division_id != village.pk
        return rows

    def render_page(self, request, hamlet: Hamlet, form: HouseholdsAssignForm, status: int = 200):
        q = request.GET.get("q", "").strip()[:50]
        context = {"hamlet": hamlet, "form": form, "q": q, "candidates": self.candidates(hamlet, q)}
        return render(request, self.template_name, context, status=status)

    def get(self, request, pk):
        hamlet = self.get_hamlet()
        return self.render_page(request, hamlet, HouseholdsAssignForm(user=request.user, hamlet=hamlet))

    def post(self, request, pk):
        hamlet = self.get_hamlet()
        form = HouseholdsAssignForm(request.POST, user=request.user, hamlet=hamlet)
        if form.is_valid():
            try:
                moved = services.hamlet_households_assign(
                    hamlet=hamlet, households=list(form.cleaned_data["households"])
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                if moved:
                    messages.success(request, _("已将 %(n)s 户划入本屋场。") % {"n": moved})
                else:
                    messages.info(request, _("所选家庭户已在本屋场，没有需要划入的。"))
                return redirect("villages:hamlet-detail", pk=hamlet.pk)
        return self.render_page(request, hamlet, form, status=400)
