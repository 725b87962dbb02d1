"""Officers' pages of issue 20: repeat and duplicate suggestions on the case page and the link action,
the 领导包案 pages (我包的案, taking charge, plan, progress) and the 退单 report with its Excel export.
Rows come from ``for_user`` (out of scope answers 404); every write calls one service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from governance.models import Role
from governance.reports import ReportTable, ReportView
from governance.selectors import division_in_scope
from governance.texts import sentences_join
from governance.views import PAGE_SIZE
from security import services
from security.models import Dispute, DisputeLink, JurisdictionReferral, LeaderCase, LeaderCaseProgress, LinkKind
from security.services import bounces, duplicates, leader_cases


def repeats_context(request, dispute: Dispute) -> dict:
    """What the case page shows of issue 20: the case's link to its original, the earlier cases it may
    repeat (to officers who may move cases, only while it is not linked), its bounces and 领导包案."""
    link = DisputeLink.objects.filter(dispute_id=dispute.pk).select_related("original").first()
    suggestions = []
    if link is None and request.user.has_perm(services.MOVE_PERMISSION):
        suggestions = duplicates.dispute_suggestions(dispute=dispute, user=request.user)
    leader_case = LeaderCase.objects.filter(dispute_id=dispute.pk).select_related("leader").first()
    return {
        "case_link": link,
        "suggestions": suggestions,
        "link_kinds": LinkKind.choices,
        "bounces": bounces.bounce_count(dispute),
        "leader_case": leader_case,
    }


class LinkForm(forms.Form):
    original = forms.IntegerField(label=_("原案"), min_value=1)
    kind = forms.ChoiceField(label=_("关联类型"), choices=LinkKind.choices)
    reason = forms.CharField(label=_("关联说明"), max_length=500, required=False)


class DisputeLinkView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST: link the case to an earlier one (as a duplicate or a repeat). Both cases must be in the
    user's scope (404 for the case, a form error for the original); bad input answers 400 with the
    errors in Chinese, a refused link 409; nothing is written then."""

    model = Dispute
    permission_required = services.MOVE_PERMISSION
    http_method_names = ["post"]

    def post(self, request, pk: int):
        scoped = Dispute.objects.for_user(request.user)
        dispute = get_object_or_404(scoped, pk=pk)
        form = LinkForm(request.POST)
        status = 400
        if form.is_valid():
            original = scoped.filter(pk=form.cleaned_data["original"]).first()
            if original is None:
                form.add_error("original", _("找不到该原案，或不在您的管辖范围内。"))
            else:
                try:
                    link = duplicates.dispute_link(
                        dispute=dispute,
                        original=original,
                        kind=form.cleaned_data["kind"],
                        by=request.user,
                        reason=form.cleaned_data["reason"],
                    )
                except services.DisputeConflict as error:
                    status = 409
                    form.add_error(None, sentences_join(error.messages))
                except ValidationError as error:
                    form.add_error(None, sentences_join(error.messages))
                else:
                    label = link.get_kind_display()
                    messages.success(
                        request, _("已关联原案 %(n)s（%(k)s）。") % {"n": link.original.number, "k": label}
                    )
                    return redirect("security:dispute-detail", pk=pk)
        context = {"dispute": dispute, "form": form}
        return TemplateResponse(request, "security/link_error.html", context, status=status)


# --- 领导包案 -------------------------------------------------------------------------------------


def _leader_cases(user):
    return LeaderCase.objects.for_user(user).select_related("dispute", "dispute__division", "leader")


class LeaderCaseListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """我包的案: the cases the signed-in leader has taken charge of; below them (``?all=1`` shows every
    leader case in scope) the nominated cases in the user's scope that still wait for a leader."""

    permission_required = "security.view_dispute"
    template_name = "security/leader_cases.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        queryset = _leader_cases(self.request.user)
        if not self.request.GET.get("all"):
            queryset = queryset.filter(leader=self.request.user)
        return queryset.order_by("plan_due", "-nominated_at", "-id")

    def get_context_data(self, **kwargs):
        waiting = _leader_cases(self.request.user).filter(leader__isnull=True).order_by("-nominated_at", "-id")
        return super().get_context_data(
            waiting=waiting[:PAGE_SIZE],
            is_leader=self.request.user.has_role(Role.LEADER),
            show_all=bool(self.request.GET.get("all")),
            **kwargs,
        )


class PlanForm(forms.Form):
    plan = forms.CharField(label=_("化解方案"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    due_on = forms.DateField(label=_("计划化解日期"), widget=forms.DateInput(attrs={"type": "date"}))


class ProgressForm(forms.Form):
    note = forms.CharField(label=_("进展情况"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


LEADER_ACTIONS = {"take": None, "plan": PlanForm, "progress": ProgressForm}


def _leader_case_page(request, leader_case: LeaderCase, forms_bound: dict | None = None, status: int = 200):
    progress = LeaderCaseProgress.objects.filter(leader_case=leader_case)
    mine = leader_case.leader_id == request.user.pk
    initial = {"plan": leader_case.plan, "due_on": leader_case.plan_due}
    context = {
        "leader_case": leader_case,
        "progress": progress,
        "can_take": leader_case.leader_id is None and request.user.has_role(Role.LEADER),
        "mine": mine,
        "plan_form": (forms_bound or {}).get("plan") or PlanForm(initial=initial, auto_id="id_plan_%s"),
        "progress_form": (forms_bound or {}).get("progress") or ProgressForm(auto_id="id_progress_%s"),
    }
    return TemplateResponse(request, "security/leader_case_detail.html", context, status=status)


class LeaderCaseDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """One leader case: the reasons, the leader, the plan and the progress; the leader in charge records
    the plan and the progress here, a leader takes charge of a case that has none (POST
    ``take``/``plan``/``progress``; 400 for bad input, 409 for a refusal, nothing written then)."""

    model = LeaderCase
    permission_required = "security.view_dispute"
    http_method_names = ["get"]

    def get(self, request, pk: int):
        return _leader_case_page(request, get_object_or_404(_leader_cases(request.user), pk=pk))


class LeaderCaseActionView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST ``take``/``plan``/``progress`` on one leader case (see ``LeaderCaseDetailView``)."""

    model = LeaderCase
    permission_required = "security.view_dispute"
    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        leader_case = get_object_or_404(_leader_cases(request.user), pk=pk)
        if action not in LEADER_ACTIONS:
            return redirect("security:leader-case-detail", pk=pk)
        form_class = LEADER_ACTIONS[action]
        form = form_class(request.POST, auto_id=f"id_{action}_%s") if form_class else None
        status = 400
        if form is None or form.is_valid():
            data = form.cleaned_data if form else {}
            try:
                if action == "take":
                    leader_cases.leader_case_take(leader_case=leader_case, leader=request.user)
                elif action == "plan":
                    leader_cases.leader_case_plan(
                        leader_case=leader_case, by=request.user, plan=data["plan"], due_on=data["due_on"]
                    )
                else:
                    leader_cases.leader_case_progress_add(leader_case=leader_case, by=request.user, note=data["note"])
            except services.DisputeConflict as error:
                status = 409
                messages.error(request, sentences_join(error.messages))
            except ValidationError as error:
                if form is None:
                    messages.error(request, sentences_join(error.messages))
                else:
                    for field, errors in error.message_dict.items():
                        form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(request, _("已保存。"))
                return redirect("security:leader-case-detail", pk=pk)
        leader_case = get_object_or_404(_leader_cases(request.user), pk=pk)
        return _leader_case_page(request, leader_case, {action: form} if form else None, status=status)


# --- 退单 report ----------------------------------------------------------------------------------


class BounceReportView(ReportView):
    """退单 report: the body pairs that bounce cases most (退回, 移交回原主体), per body how often it sent
    cases away, and the referrals to a 综治中心 with their one-working-day decision — over the cases of
    the user's scope (``?within=<code>`` narrows it; out of scope: 404)."""

    permission_required = "security.view_dispute"
    template_name = "security/bounces.html"
    export_filename = "bounces"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        disputes = Dispute.objects.for_user(self.request.user).filter(division__path__startswith=division.path)
        referrals = (
            JurisdictionReferral.objects.filter(dispute__in=disputes)
            .select_related("dispute", "centre", "decided_body")
            .order_by("decided_at", "due_on", "-id")[:PAGE_SIZE]
        )
        today = timezone.localdate()
        return super().get_context_data(
            division=division,
            pairs=bounces.bounce_pairs(disputes=disputes),
            bodies=bounces.bounce_bodies(disputes=disputes),
            referrals=list(referrals),
            today=today,
            **kwargs,
        )

    def export_tables(self, context):
        pairs = ReportTable(
            _("退单主体对"),
            [_("退出主体"), _("接收主体"), _("退单次数"), _("涉及案件")],
            [[p["from_body__name"], p["to_body__name"], p["bounces"], p["cases"]] for p in context["pairs"]],
        )
        bodies = ReportTable(
            _("按主体"),
            [_("主体"), _("退单次数"), _("涉及案件")],
            [[b["from_body__name"], b["bounces"], b["cases"]] for b in context["bodies"]],
        )
        return [pairs, bodies]
