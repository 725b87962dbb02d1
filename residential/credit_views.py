"""Credit evaluation in the pages (issue 13 item 5): the periods, a period's evaluations and its
红黑榜 (draft → publish, through ``red_black_list_draft`` / ``red_black_list_publish``), and the
evaluation form with the district's scoring template (``evaluation_save``: per-item scores, petition
deductions, grade) saving a draft, which ``credit_evaluation_publish`` publishes (then it counts on the
红黑榜 and is frozen). Rows come from ``for_user``: out of scope is 404."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from governance.forms import form_errors_add
from governance.texts import sentences_join
from residential.choices import EvaluationStatus
from residential.credit_forms import CreditEvaluationForm
from residential.models import CreditEvaluation, CreditPeriod, RedBlackList
from residential.services import (
    credit_evaluation_publish,
    evaluation_save,
    period_items,
    red_black_list_draft,
    red_black_list_publish,
)


class CreditPeriodListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    permission_required = "residential.view_creditperiod"
    template_name = "residential/credit_periods.html"
    paginate_by = 50

    def get_queryset(self):
        return CreditPeriod.objects.for_user(self.request.user).select_related("division", "red_black_list")


def _period(request, pk: int) -> CreditPeriod:
    return get_object_or_404(CreditPeriod.objects.for_user(request.user).select_related("division"), pk=pk)


class CreditPeriodDetailView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """A period's evaluations (best first) and its 红黑榜 with the buttons the user may press."""

    permission_required = "residential.view_creditperiod"

    def get(self, request, pk: int):
        period = _period(request, pk)
        evaluations = (
            CreditEvaluation.objects.for_user(request.user)
            .filter(period=period)
            .select_related("company", "evaluator", "published_by")
            .order_by("-total", "company__name")
        )
        red_black_list = RedBlackList.objects.filter(period=period).prefetch_related("entries__company").first()
        context = {
            "period": period,
            "evaluations": evaluations,
            "red_black_list": red_black_list,
            "items": list(period_items(period)),
        }
        return render(request, "residential/credit_period.html", context)


class RedBlackListActionView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST ``action=draft`` (make or remake the draft) or ``action=publish`` (freeze it)."""

    permission_required = ("residential.add_redblacklist", "residential.change_redblacklist")

    def post(self, request, pk: int):
        period = _period(request, pk)
        action = request.POST.get("action")
        try:
            if action == "draft":
                red_black_list_draft(period=period)
                messages.success(request, _("红黑榜草稿已生成。"))
            elif action == "publish":
                draft = RedBlackList.objects.filter(period=period).first()
                if draft is None:
                    messages.error(request, _("请先生成红黑榜草稿。"))
                else:
                    red_black_list_publish(red_black_list=draft, by=request.user)
                    messages.success(request, _("红黑榜已发布。"))
            else:
                messages.error(request, _("无效的操作。"))
        except ValidationError as error:  # a Conflict (published list) too
            messages.error(request, sentences_join(error.messages))
        return redirect("residential:credit-period", pk=period.pk)


class CreditEvaluationView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """评分: the form of one period's template; a company already evaluated in the period is rescored
    (``?company=<id>`` fills the form with its scores)."""

    permission_required = ("residential.add_creditevaluation", "residential.change_creditevaluation")
    template_name = "residential/credit_evaluate.html"

    def form(self, request, period, data=None):
        items = list(period_items(period).order_by("sort_order", "id"))
        initial = {}
        company_id = request.GET.get("company")
        if data is None and company_id and company_id.isdigit():
            existing = (
                CreditEvaluation.objects.for_user(request.user)
                .filter(period=period, company_id=company_id)
                .prefetch_related("scores")
                .first()
            )
            if existing is not None and existing.status == EvaluationStatus.DRAFT:
                initial = {"company": existing.company_id, "evaluated_on": existing.evaluated_on, "note": existing.note}
                initial.update({f"item_{s.item_id}": s.score for s in existing.scores.all()})
        return CreditEvaluationForm(data, user=request.user, period=period, items=items, initial=initial)

    def get(self, request, pk: int):
        period = _period(request, pk)
        return render(request, self.template_name, {"period": period, "form": self.form(request, period)})

    def post(self, request, pk: int):
        period = _period(request, pk)
        form = self.form(request, period, request.POST)
        if form.is_valid():
            company = form.cleaned_data["company"]
            existing = CreditEvaluation.objects.filter(period=period, company=company).first()
            # a Conflict (a published evaluation is frozen) becomes the form's Chinese error, status 400
            try:
                evaluation = evaluation_save(
                    company=company,
                    period=period,
                    scores=form.scores(),
                    evaluated_on=form.cleaned_data["evaluated_on"],
                    evaluator=request.user,
                    note=form.cleaned_data["note"],
                    evaluation=existing,
                )
            except ValidationError as error:
                form_errors_add(form, error)
            else:
                messages.success(
                    request,
                    _("“%(company)s”评价草稿已保存：总分 %(total)s，等级 %(grade)s；发布后计入红黑榜。")
                    % {"company": company, "total": evaluation.total, "grade": evaluation.grade},
                )
                return redirect("residential:credit-period", pk=period.pk)
        return render(request, self.template_name, {"period": period, "form": form}, status=400)


class CreditEvaluationPublishView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST: publish one draft evaluation (``credit_evaluation_publish``), then back to its period. An
    evaluation out of scope is 404; one already published is refused with a Chinese message."""

    permission_required = "residential.change_creditevaluation"

    def post(self, request, pk: int):
        evaluation = get_object_or_404(CreditEvaluation.objects.for_user(request.user).select_related("company"), pk=pk)
        period = evaluation.period
        try:
            credit_evaluation_publish(evaluation=evaluation, by=request.user)
        except ValidationError as error:  # a Conflict: already published
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, _("“%(company)s”的评价已发布，不能再修改。") % {"company": evaluation.company})
        return redirect("residential:credit-period", pk=period.pk)
