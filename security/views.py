"""Officers' pages (mobile-friendly): intake, case lists, the case page with its timeline and the moves
allowed now, the high-risk list for leaders and the police-room coverage report. Rows come from
``for_user`` (out of scope answers 404); every move calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, FormView, ListView

from governance.forms import form_errors_add
from governance.masking import can_view_personal_data, mask_id_number, mask_phone
from governance.reports import ReportTable, ReportView, township_of, townships_around, xlsx_response
from governance.selectors import division_in_scope
from governance.spreadsheets import heading
from governance.views import PAGE_SIZE, FilteredListView
from security import forms, services
from security.choices import OPEN_STATUSES, RESOLVED_STATUSES, RoomStaffKind
from security.filtersets import DisputeFilterSet
from security.models import Dispute, DisputeEvent, DisputeParty, MediationBody
from security.selectors import (
    coverage_by_child,
    coverage_gaps,
    high_risk_open,
    night_transfer_contact,
    police_room_staffing,
)
from security.services.duplicates import dispute_suggestions as suggestions_for
from security.views_repeats import repeats_context


class DisputeListView(FilteredListView):
    """All cases in scope, or with ``?mine=1`` those the user's bodies hold now."""

    model = Dispute
    filterset_class = DisputeFilterSet
    permission_required = "security.view_dispute"
    template_name = "security/dispute_list.html"
    paginate_by = PAGE_SIZE

    def base_queryset(self):
        queryset = Dispute.objects.for_user(self.request.user).select_related("division", "current_body")
        if self.request.GET.get("mine"):
            queryset = queryset.filter(current_body__in=MediationBody.objects.acting_for(self.request.user))
        return queryset

    def list_order(self, queryset):
        return queryset.open_first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(mine=bool(self.request.GET.get("mine")), **kwargs)


# An export is for a clerk's spreadsheet, not a copy of the register: past this many rows, narrow the filters.
EXPORT_LIMIT = 10_000


def _export_rows(queryset) -> list[list]:
    """The export's rows, set-based: one query of plain values (no model instances), labels from the
    fields' choices and the timezone applied in Python (issue 14: 9 s for a district's list)."""
    fields = Dispute._meta
    labels = {
        name: dict(fields.get_field(name).flatchoices) for name in ("category", "channel", "status", "risk_level")
    }
    today = timezone.localdate()
    values = queryset.values_list(
        "number", "category", "channel", "division__name", "status", "current_body__name",
        "received_at", "deadline", "risk_level", "risk_score",
    )  # fmt: skip
    rows = []
    for number, category, channel, place, status, body, received_at, deadline, risk_level, score in values:
        overdue = status in OPEN_STATUSES and deadline is not None and deadline < today  # Dispute.is_overdue
        rows.append(
            [
                number,
                labels["category"].get(category, category),
                labels["channel"].get(channel, channel),
                place,
                labels["status"].get(status, status),
                body or "",
                timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M"),
                deadline.isoformat() if deadline else "",
                _("是") if overdue else "",
                labels["risk_level"].get(risk_level, risk_level),
                score,
            ]
        )
    return rows


class DisputeExportView(DisputeListView):
    """The dispute list as an Excel file: the same scope, filters and order as the page (``?mine=1``
    too), through the one escaping path. Bad filters show the list with their errors (400)."""

    def get(self, request, *args, **kwargs):
        queryset = self.get_queryset()
        if self.filterset.is_bound and not self.filterset.is_valid():
            self.object_list = queryset
            return self.render_to_response(self.get_context_data(), status=400)
        rows = _export_rows(queryset[: EXPORT_LIMIT + 1])
        if len(rows) > EXPORT_LIMIT:
            rows = rows[:EXPORT_LIMIT]
            rows.append([_("仅导出前 %(n)d 件，请缩小筛选范围后再导出。") % {"n": EXPORT_LIMIT}])
        headings = [
            _("案件编号"), _("类型"), _("渠道"), _("发生地"), _("状态"), _("承办主体"),
            _("受理时间"), _("期限"), _("超期"), _("风险等级"), _("风险分值"),
        ]  # fmt: skip
        name = f"disputes-{timezone.localdate():%Y%m%d}.xlsx"
        return xlsx_response([ReportTable(_("矛盾纠纷"), headings, rows)], name)


class AgreementPrintView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """调解协议书 for printing on A4: the body, the parties (masked unless the user may see personal
    data), the matter, the terms, the signatures block and the dates. 404 outside the user's scope
    and for a case without an agreement."""

    permission_required = "security.view_dispute"

    def get(self, request, pk: int):
        dispute = get_object_or_404(
            Dispute.objects.for_user(request.user).select_related("division", "current_body", "agreement"), pk=pk
        )
        agreement = getattr(dispute, "agreement", None)
        if agreement is None:
            raise Http404(_("该纠纷没有调解协议。"))
        parties = list(dispute.parties.select_related("person").order_by("id"))
        full = can_view_personal_data(request.user)
        for party in parties:
            party.id_number_shown = (party.person.id_number or "") if full else mask_id_number(party.person.id_number)
            phone = party.phone or party.person.phone
            party.phone_shown = phone if full else mask_phone(phone)
        context = {"dispute": dispute, "agreement": agreement, "parties": parties, "body": dispute.current_body}
        return TemplateResponse(request, "security/agreement_print.html", context)


class HighRiskListView(LoginRequiredMixin, PermissionRequiredMixin, ListView):
    """民转刑 high-risk open cases, highest score first, with the reasons."""

    permission_required = "security.view_dispute"
    template_name = "security/high_risk.html"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return high_risk_open(queryset=Dispute.objects.for_user(self.request.user))


class DisputeIntakeView(LoginRequiredMixin, PermissionRequiredMixin, FormView):
    permission_required = "security.add_dispute"
    template_name = "security/dispute_intake.html"
    form_class = forms.IntakeForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            dispute, _created = services.dispute_intake(
                channel=data["channel"],
                category=data["category"],
                division=data["division"],
                description=data["description"],
                threats_noted=data["threats_noted"],
                parties=[services.PartyInput(**party) for party in form.parties()],
                place=services.Place(address=data["address"], people_involved=data["people_involved"]),
                received_by=self.request.user,
            )
        except ValidationError as error:
            form.add_service_error(error)
            return self.form_invalid(form)
        messages.success(self.request, _("已受理，案件编号 %(number)s。") % {"number": dispute.number})
        similar = len(suggestions_for(dispute=dispute, user=self.request.user))
        if similar:
            note = _("发现 %(n)d 件疑似重复件或重复信访，请在下方核实并关联。") % {"n": similar}
            messages.warning(self.request, note)
        return redirect("security:dispute-detail", pk=dispute.pk)


def _dispute_queryset(user):
    events = DisputeEvent.objects.select_related("from_body", "to_body", "actor", "rule").order_by("created_at", "id")
    parties = DisputeParty.objects.select_related("person").order_by("id")
    return (
        Dispute.objects.for_user(user)
        .select_related("division", "current_body", "received_by")
        .prefetch_related(Prefetch("events", queryset=events), Prefetch("parties", queryset=parties))
    )


def _detail_context(request, dispute: Dispute, bound: tuple[str, object] | None = None) -> dict:
    full = can_view_personal_data(request.user)
    parties = list(dispute.parties.all())
    for party in parties:
        party.id_number_shown = (party.person.id_number or "") if full else mask_id_number(party.person.id_number)
        phone = party.phone or party.person.phone
        party.phone_shown = phone if full else mask_phone(phone)
    moves = []
    for move in services.moves_for(dispute, request.user):
        form_class = forms.MOVE_FORMS[move.input]
        # Each move's form gets ids of its own, so every label points at its own field.
        auto_id = f"id_{move.name}_%s"
        form = bound[1] if bound and bound[0] == move.name else (form_class(auto_id=auto_id) if form_class else None)
        if form is not None and hasattr(form, "for_dispute"):
            form.for_dispute(dispute)
        moves.append({"name": move.name, "label": move.label, "form": form})
    agreement = getattr(dispute, "agreement", None) if dispute.status in RESOLVED_STATUSES else None
    events = list(dispute.events.all())
    return {
        "dispute": dispute,
        "object": dispute,
        "parties": parties,
        "events": events,
        "night_duty": night_transfer_contact(dispute=dispute, events=events),
        "moves": moves,
        "agreement": agreement,
        **repeats_context(request, dispute),
    }


class DisputeDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "security.view_dispute"
    template_name = "security/dispute_detail.html"

    def get_queryset(self):
        return _dispute_queryset(self.request.user)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_detail_context(self.request, self.object)}


class DisputeMoveView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """POST one move; a bad form or a refused move shows the case again with the error (400/409)."""

    permission_required = services.MOVE_PERMISSION
    http_method_names = ["post"]

    def post(self, request, pk: int, move: str):
        dispute = get_object_or_404(_dispute_queryset(request.user), pk=pk)
        if move not in services.MOVES:
            return redirect("security:dispute-detail", pk=pk)
        form_class = forms.MOVE_FORMS[services.MOVES[move].input]
        form = form_class(request.POST, auto_id=f"id_{move}_%s") if form_class else None
        if form is not None and hasattr(form, "for_dispute"):
            form.for_dispute(dispute)
        status = 400
        if form is None or form.is_valid():
            data = dict(form.cleaned_data) if form else {}
            try:
                services.dispute_move(dispute=dispute, action=move, by=request.user, **data)
            except services.DisputeConflict as error:
                status = 409
                messages.error(request, "；".join(error.messages))
            except ValidationError as error:
                if form is None:
                    messages.error(request, "；".join(error.messages))
                else:
                    form_errors_add(form, error)
            else:
                messages.success(request, _("已办理：%(move)s。") % {"move": services.MOVES[move].label})
                return redirect("security:dispute-detail", pk=pk)
        dispute = get_object_or_404(_dispute_queryset(request.user), pk=pk)
        context = _detail_context(request, dispute, bound=(move, form) if form else None)
        return TemplateResponse(request, "security/dispute_detail.html", context, status=status)


class CoverageView(ReportView):
    """Villages and communities without a police room in the user's area (or ``?within=<code>``),
    each with its township, and per child division (per township under a district) how many are
    covered. The state of today: coverage links keep no history."""

    permission_required = "security.view_policeroom"
    template_name = "security/coverage.html"
    export_filename = "coverage"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        gaps = list(coverage_gaps(division=division))
        townships = townships_around(division)
        for gap in gaps:
            gap.township = township_of(gap.path, townships)
        return super().get_context_data(
            division=division,
            gaps=gaps,
            children=coverage_by_child(division=division),
            staffing=police_room_staffing(division=division),
            staff_kinds=RoomStaffKind.choices,
            **kwargs,
        )

    def export_tables(self, context):
        unit = _("个")
        by_child = ReportTable(
            _("按区划"),
            [_("区划"), heading(_("村（社区）"), unit), heading(_("已覆盖"), unit), heading(_("未覆盖"), unit)],
            [[row["division"].name, row["total"], row["covered"], row["gaps"]] for row in context["children"]],
        )
        gaps = ReportTable(
            _("未覆盖的村（社区）"),
            [_("区划代码"), _("名称"), _("乡镇（街道）")],
            [[gap.code, gap.name, gap.township.name if gap.township else ""] for gap in context["gaps"]],
        )
        staff_headings = [heading(label, _("人")) for _value, label in RoomStaffKind.choices]
        staffing = ReportTable(
            _("警务室配备"),
            [_("类型"), heading(_("警务室"), unit), *staff_headings, heading(_("无民警的警务室"), unit)],
            [
                [row["label"], row["rooms"], *row["staff"].values(), row["without_police"]]
                for row in context["staffing"]
            ],
        )
        return [by_child, gaps, staffing]
