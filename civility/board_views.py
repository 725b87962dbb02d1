"""Civility results people can see: the printable monthly ranking (一月一评比) of a 屋场, village,
township or the district; 红黑榜 and 文明家庭 with propose → confirm → publish. Rows come from
``for_user``: out of scope is 404; a published list is frozen (the services refuse, so do the triggers)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from civility.choices import FamilyStatus
from civility.forms import BoardProposeForm, FamilyProposeForm
from civility.models import CivilizedFamily, HonorList
from civility.selectors import LEVEL_OF_DIVISION, ranking_board, ranking_runs_for
from civility.services import (
    BOARD_ACTION_LABELS,
    board_actions,
    civilized_families_propose,
    civilized_family_advance,
    family_actions,
    family_can_decide,
    honor_list_advance,
    honor_list_propose,
    parse_month,
)
from governance.forms import form_errors_add
from governance.models import Division
from governance.reports import ReportTable, ReportView
from governance.selectors import division_in_scope

LIST_PAGE = 100
# A page shows the first rows (a district has ~200 000 households); the download has them all.
RANKING_PAGE_ROWS = 300


class RankingView(ReportView):
    """月度积分评比 of one division (``?within=<code>``, default the user's own area) and month
    (``?month=YYYY-MM``, default the latest ranked): its own households, rank, points, deductions,
    change from last month and 补录; ``?format=xlsx`` downloads the same rows, the print button lays
    the page out on A4. A bad month answers 400 with a Chinese message, a division out of scope 404."""

    permission_required = "civility.view_monthlyranking"
    template_name = "civility/ranking.html"
    export_filename = "ranking"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        runs = ranking_runs_for(division=division)
        months = sorted(set(runs.values_list("month", flat=True)), reverse=True)
        context = {"division": division, "months": months, "run": None, "rows": [], "error": ""}
        raw = self.request.GET.get("month", "").strip()
        month = None
        if raw:
            try:
                month = parse_month(raw)
            except ValidationError as exc:
                context.update(error=" ".join(exc.messages), status=400)
        elif months:
            month = months[0]
        context["month"] = month
        if month is not None and division.level in LEVEL_OF_DIVISION:
            run = runs.filter(month=month).select_related("division").first()
            context["run"] = run
            if run is not None:
                rows = ranking_board(run=run, division=division)
                download = self.request.GET.get("format") == "xlsx"
                context["rows"] = list(rows if download else rows[: RANKING_PAGE_ROWS + 1])
                context["truncated"] = not download and len(context["rows"]) > RANKING_PAGE_ROWS
                context["rows"] = context["rows"][:RANKING_PAGE_ROWS] if context["truncated"] else context["rows"]
        context["ranked_level"] = division.level in LEVEL_OF_DIVISION
        context["children"] = Division.objects.for_user(self.request.user).filter(parent=division).order_by("code")
        return super().get_context_data(**context, **kwargs)

    def export_tables(self, context):
        run, rows = context["run"], context["rows"]
        title = f"{context['division'].name} {run.month:%Y-%m}" if run else context["division"].name
        headings = [_("名次"), _("户号"), _("户主"), _("所在区划"), _("当月积分"), _("扣分"), _("较上月"), _("补录")]
        body = [
            [
                r.rank,
                r.household.number,
                r.household.head.name if r.household.head else "",
                r.household.division.name,
                r.points,
                r.deductions,
                r.change,
                r.late,
            ]
            for r in rows
        ]
        return [ReportTable(title, headings, body)]


def _can(request, codename: str) -> None:
    if not request.user.has_perm(f"civility.{codename}"):
        raise PermissionDenied


class BoardListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """红黑榜: the lists of the user's area, newest first, and the form to propose one."""

    permission_required = "civility.view_honorlist"
    template_name = "civility/board_list.html"

    def render(self, request, form, status=200):
        boards = (
            HonorList.objects.for_user(request.user)
            .select_related("village", "ranking_month")
            .order_by("-ranking_month__month", "village__path", "kind")[:LIST_PAGE]
        )
        return render(request, self.template_name, {"boards": boards, "form": form}, status=status)

    def get(self, request):
        return self.render(request, BoardProposeForm(user=request.user))

    def post(self, request):
        _can(request, "add_honorlist")
        form = BoardProposeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                board = honor_list_propose(by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_add(form, exc)
            else:
                messages.success(request, _("已提名，待审核。"))
                return redirect("civility:board-detail", board.pk)
        return self.render(request, form, status=400)


class BoardDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """One 红榜/黑榜 with its households and the buttons its status allows (审核通过, 公布)."""

    permission_required = "civility.view_honorlist"

    def get_board(self, request, pk: int) -> HonorList:
        return get_object_or_404(
            HonorList.objects.for_user(request.user).select_related("village", "ranking_month"), pk=pk
        )

    def get(self, request, pk: int):
        board = self.get_board(request, pk)
        entries = board.entries.select_related("household__head", "household__division").order_by("rank", "id")
        actions = [(a, BOARD_ACTION_LABELS[a]) for a in board_actions(board, request.user)]
        return render(request, "civility/board_detail.html", {"board": board, "entries": entries, "actions": actions})

    def post(self, request, pk: int):
        _can(request, "change_honorlist")
        board = self.get_board(request, pk)
        action = request.POST.get("action", "")
        try:
            honor_list_advance(board=board, action=action, by=request.user)
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect("civility:board-detail", board.pk)
        messages.success(request, _("已公布，榜单不可再修改。") if action == "publish" else _("已审核通过。"))
        return redirect("civility:board-detail", board.pk)


class FamilyListView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """文明家庭 of a year (``?year=``) in the user's area: propose from the year's published rankings,
    then 评定 and 公布 each (a published rating is frozen)."""

    permission_required = "civility.view_civilizedfamily"
    template_name = "civility/family_list.html"

    def year_of(self, request) -> int:
        """``?year=`` when it is a year, else this year (the page then says why, with status 400)."""
        form = FamilyProposeForm({"year": request.GET.get("year") or timezone.localdate().year})
        return form.cleaned_data["year"] if form.is_valid() else timezone.localdate().year

    def render(self, request, year: int, form, status=200):
        families = (
            CivilizedFamily.objects.for_user(request.user)
            .filter(year=year)
            .select_related("household__head", "household__division", "proposed_by", "confirmed_by", "published_by")
            .order_by("household__division__path", "-points", "household__number")[:LIST_PAGE]
        )
        rows = [(f, [(a, BOARD_ACTION_LABELS[a]) for a in family_actions(f, request.user)]) for f in families]
        context = {"year": year, "rows": rows, "form": form, "can_decide": family_can_decide(request.user)}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        year = self.year_of(request)
        picked = FamilyProposeForm({"year": request.GET.get("year") or year})
        if not picked.is_valid():
            return self.render(request, year, picked, status=400)
        return self.render(request, year, FamilyProposeForm(initial={"year": year}))

    def post(self, request):
        _can(request, "change_civilizedfamily")
        if request.POST.get("family"):
            family = get_object_or_404(
                CivilizedFamily.objects.for_user(request.user), pk=_pk(request.POST.get("family"))
            )
            try:
                civilized_family_advance(family=family, action=request.POST.get("action", ""), by=request.user)
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("已处理。"))
            return redirect(f"{request.path}?year={family.year}")
        form = FamilyProposeForm(request.POST)
        if not form.is_valid():
            return self.render(request, self.year_of(request), form, status=400)
        year = form.cleaned_data["year"]
        area = division_in_scope(request.user)
        n = civilized_families_propose(year=year, division=area, by=request.user)
        messages.success(request, _("%(year)s 年度推荐文明家庭 %(n)s 户。") % {"year": year, "n": n})
        return redirect(f"{request.path}?year={year}")


def _pk(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


class FamilyPublishedView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """文明家庭公示: the published ratings of a year (``?year=``, default this year) in the user's area —
    frozen, with who proposed, confirmed and published each; printable. A bad year is a Chinese 400."""

    permission_required = "civility.view_civilizedfamily"
    template_name = "civility/family_published.html"

    def get(self, request):
        form = FamilyProposeForm({"year": request.GET.get("year") or timezone.localdate().year})
        if not form.is_valid():
            context = {"year": None, "families": [], "form": form}
            return render(request, self.template_name, context, status=400)
        year = form.cleaned_data["year"]
        families = (
            CivilizedFamily.objects.for_user(request.user)
            .filter(year=year, status=FamilyStatus.PUBLISHED)
            .select_related("household__head", "household__division", "proposed_by", "confirmed_by", "published_by")
            .order_by("household__division__path", "-points", "household__number")
        )
        return render(request, self.template_name, {"year": year, "families": families, "form": form})
