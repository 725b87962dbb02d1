"""Casework pages for discipline staff (desk and phone): register a clue, dispose of it, file a case
from one clue or several, record measures (留置 with dates), sanctions and recoveries, close the
case, and evaluate a clean unit. Each page validates a form and calls one service; a refused input
shows the form again with the Chinese error (400) and writes nothing. For anyone but discipline
staff, and for rows outside the user's discipline subtree, every URL answers 404. Showing a clue or
a case (also when a form on it is refused) writes the access log, as reading it does."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, ListView

from governance.forms import form_errors_add
from governance.pickers import SearchOptionsView
from governance.selectors import choices_in_scope, division_in_scope
from governance.views import ModelOpenRequiredMixin
from integrity import forms, services
from integrity.choices import DISCIPLINE_ROLES, AccessVia
from integrity.models import CleanUnit, Clue, IntegrityCase, Measure, Subject
from integrity.selectors import rule_effects, subjects_open_for_filing, subjects_search
from integrity.views import CaseDetailView, ClueDetailView


class ClueIntakeView(ModelOpenRequiredMixin, PermissionRequiredMixin, FormView):
    """问题线索登记 → ``clue_register``; then the clue's page."""

    model = Clue
    permission_required = "integrity.add_clue"
    template_name = "integrity/clue_intake.html"
    form_class = forms.ClueIntakeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"received_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        # The latest numbers in the user's subtree, so the next one follows the office's numbering.
        recent = (
            Clue.objects.for_user(self.request.user).order_by("-created_at", "-id").values_list("number", flat=True)
        )
        return super().get_context_data(recent=list(recent[:5]), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            clue = services.clue_register(
                number=data["number"].strip(),
                division=data["division"],
                source=data["source"],
                received_on=data["received_on"],
                category=data["category"],
                summary=data["summary"],
                campaign=data["campaign"],
                subjects=list(data["subjects"]),
                new_subjects=form.new_subjects(),
                reporter=form.reporter(),
            )
        except ValidationError as error:
            form_errors_add(form, error)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, _("问题线索 %(number)s 已登记。") % {"number": clue.number})
        return redirect("integrity:clue-detail", pk=clue.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SubjectOptionsView(ModelOpenRequiredMixin, PermissionRequiredMixin, SearchOptionsView):
    """Matches of the clue form's subject picker: subjects of the user's discipline scope whose name
    or unit contains the term (``subjects_search``). Closed (404) to all but discipline staff; no
    access-log row (the log covers lists of clues and cases, not of subjects)."""

    model = Subject
    permission_required = "integrity.add_clue"
    search = staticmethod(subjects_search)

    def candidates(self):
        return choices_in_scope(Subject.objects.all(), self.request.user, roles=DISCIPLINE_ROLES)


class CaseSubjectOptionsView(SubjectOptionsView):
    """Matches of the 立案 form's picker: only people named in a clue still open."""

    permission_required = "integrity.add_integritycase"

    def candidates(self):
        return subjects_open_for_filing(super().candidates())


class ObjectFormMixin:
    """POST one form about the object shown on the page. Valid → the service (``act``), then back to
    the page; invalid or refused → the page again with the form's errors, status 400."""

    form_class: type
    form_name: str
    permission: str
    page_name: str

    def form_kwargs(self) -> dict:
        return {}

    def act(self, data: dict) -> str:
        """Call the service; return the success message."""
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm(self.permission):
            return self.handle_no_permission()
        self.object = self.get_object()
        form = self.form_class(request.POST, prefix=self.form_name, **self.form_kwargs())
        if form.is_valid():
            try:
                message = self.act(form.cleaned_data)
            except ValidationError as error:
                form_errors_add(form, error)
                # A refused write shows the row as it is stored, not as the service left it in memory.
                self.object.refresh_from_db()
            else:
                messages.success(request, message)
                return redirect(self.page_name, pk=self.object.pk)
        # ``refused_form``: a closed case's page offers no forms, so it shows the refusal on its own.
        context = self.get_context_data(object=self.object, refused_form=form, **{f"{self.form_name}_form": form})
        return self.render_to_response(context, status=400)


class ClueDisposeView(ObjectFormMixin, ClueDetailView):
    form_class = forms.DisposeForm
    form_name = "dispose"
    page_name = "integrity:clue-detail"
    permission = "integrity.change_clue"
    http_method_names = ["post"]

    def act(self, data):
        services.clue_dispose(clue=self.object, **data)
        return _("已处置：%(disposition)s。") % {"disposition": self.object.get_disposition_display()}


class ClueReporterView(ClueDetailView):
    """举报人: opened by ``reporter_reveal`` for holders of its permission (one ``reveal`` row in the
    access log); for every other user 404, with nothing opened and nothing logged."""

    template_name = "integrity/clue_reporter.html"

    def get(self, request, *args, **kwargs):
        if not services.can_view_reporter(request.user):
            raise Http404(_("未找到。"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        identity = services.reporter_reveal(
            user=self.request.user, clue=self.object, via=AccessVia.PAGE, path=self.request.get_full_path()
        )
        return {"clue": self.object, "identity": identity, "view": self}


class CaseFileView(ModelOpenRequiredMixin, PermissionRequiredMixin, FormView):
    """立案 from one clue or several (``?clue=<id>`` ticks the clue and its people) → ``case_file``."""

    model = IntegrityCase
    permission_required = "integrity.add_integritycase"
    template_name = "integrity/case_file.html"
    form_class = forms.CaseFileForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        initial = {"filed_on": timezone.localdate()}
        clue_id = self.request.GET.get("clue", "")
        if clue_id.isdigit():
            clue = get_object_or_404(Clue.objects.for_user(self.request.user), pk=clue_id)
            initial.update(clues=[clue.pk], subjects=list(clue.subjects.values_list("pk", flat=True)))
            initial.update(division=clue.division, campaign=clue.campaign_id)
        return initial

    def get_context_data(self, **kwargs):
        recent = IntegrityCase.objects.for_user(self.request.user).order_by("-created_at", "-id")
        return super().get_context_data(recent=list(recent.values_list("number", flat=True)[:5]), **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            case = services.case_file(
                number=data["number"].strip(),
                division=data["division"],
                clues=data["clues"],
                subjects=data["subjects"],
                filed_on=data["filed_on"],
                campaign=data["campaign"],
                findings=data["findings"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("案件 %(number)s 已立案。") % {"number": case.number})
        return redirect("integrity:case-detail", pk=case.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CaseFormView(ObjectFormMixin, CaseDetailView):
    http_method_names = ["post"]
    page_name = "integrity:case-detail"

    def form_kwargs(self):
        return {"case": self.object}


class MeasureTakeView(CaseFormView):
    form_class = forms.MeasureForm
    form_name = "measure"
    permission = "integrity.add_measure"

    def act(self, data):
        measure = services.measure_take(case=self.object, **data)
        return _("已记录措施：%(kind)s。") % {"kind": measure.get_kind_display()}


class SanctionDecideView(CaseFormView):
    form_class = forms.SanctionForm
    form_name = "sanction"
    permission = "integrity.add_sanction"

    def act(self, data):
        sanction = services.sanction_decide(case=self.object, **data)
        return _("已记录处分：%(kind)s。") % {"kind": sanction.get_kind_display()}


class RecoveryRecordView(CaseFormView):
    form_class = forms.RecoveryForm
    form_name = "recovery"
    permission = "integrity.add_recovery"

    def act(self, data):
        recovery = services.recovery_record(case=self.object, **data)
        return _("已记录%(kind)s %(amount)s 元。") % {"kind": recovery.get_kind_display(), "amount": recovery.amount}


class CaseCloseView(CaseFormView):
    form_class = forms.CloseForm
    form_name = "close"
    permission = "integrity.change_integritycase"

    def act(self, data):
        services.case_close(case=self.object, closed_on=data["closed_on"])
        return _("已结案，来源线索均已办结。")


class MeasureEndView(CaseFormView):
    """解除 a measure of the case (``/cases/<pk>/measures/<measure_id>/end/``)."""

    form_class = forms.MeasureEndForm
    form_name = "end"
    permission = "integrity.change_measure"

    def form_kwargs(self):
        return {}

    def act(self, data):
        measure = get_object_or_404(Measure.objects.filter(case=self.object), pk=self.kwargs["measure_id"])
        services.measure_end(measure=measure, end_on=data["end_on"])
        return _("已解除：%(kind)s · %(name)s。") % {"kind": measure.get_kind_display(), "name": measure.subject.name}


class CleanUnitListView(ModelOpenRequiredMixin, PermissionRequiredMixin, ListView):
    """清廉单元 with their status and latest round (two queries a page, whatever the number of rows)."""

    model = CleanUnit
    permission_required = "integrity.view_cleanunit"
    template_name = "integrity/unit_list.html"
    paginate_by = 50

    def get_queryset(self):
        # Each unit's rules and their measured effects (issue 16 item 9), summed in the same query.
        return (
            CleanUnit.objects.for_user(self.request.user)
            .select_related("organization")
            .annotate(
                rule_count=Count("rules", distinct=True),
                loopholes=Coalesce(Sum("rules__loopholes_closed"), 0),
                savings_percent_max=Max("rules__savings_percent"),
            )
            .order_by("kind", "id")
        )

    def get_context_data(self, **kwargs):
        area = division_in_scope(self.request.user, roles=DISCIPLINE_ROLES)
        return super().get_context_data(area=area, effects=rule_effects(division=area), **kwargs)


class EvaluationEnterView(ModelOpenRequiredMixin, PermissionRequiredMixin, FormView):
    """清廉单元评估 by form → ``evaluation_enter`` (the unit's status follows the latest round)."""

    model = CleanUnit
    permission_required = "integrity.add_evaluation"
    template_name = "integrity/evaluation_form.html"
    form_class = forms.EvaluationForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            units = CleanUnit.objects.for_user(request.user).select_related("organization")
            self.unit = get_object_or_404(units, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        last = self.unit.evaluations.order_by("-round").values_list("round", flat=True).first() or 0
        return {"round": last + 1, "evaluated_on": timezone.localdate()}

    def get_context_data(self, **kwargs):
        evaluations = self.unit.evaluations.order_by("-round")
        return super().get_context_data(unit=self.unit, evaluations=evaluations, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.evaluation_enter(
                unit=self.unit,
                round=data["round"],
                evaluated_on=data["evaluated_on"],
                result=data["result"],
                items=data["items"],
            )
        except ValidationError as error:
            form_errors_add(form, error)
            return self.form_invalid(form)
        self.unit.refresh_from_db()
        messages.success(
            self.request, _("评估已录入，单元状态为：%(status)s。") % {"status": self.unit.get_status_display()}
        )
        return redirect("integrity:unit-evaluate", pk=self.unit.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
