"""一案一码 pages: the public progress page a citizen reaches by the case's code (no login; rate
limited; wrong and revoked codes are the same plain 404), the intake receipt that carries the code,
and the 三率 report (issue 20)."""

from __future__ import annotations

import datetime

from axes.helpers import get_client_ip_address
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.cache import caches
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from governance.errors import Conflict
from governance.forms import form_errors_add
from governance.models import Division
from governance.reports import ReportTable, ReportView
from governance.selectors import division_in_scope
from security.choices import RESOLVED_STATUSES, EventAction, Status
from security.models import Dispute, MediationBody
from security.rates import RATES, rates_by_body, rates_by_child, rates_for_division
from security.services.tracking import dispute_rate, tracking_code_find
from security.tracking_forms import PeriodForm, RatingForm

# Requests to the public page per client address per minute (reads and ratings together).
PUBLIC_RATE_LIMIT = 30
PUBLIC_RATE_WINDOW = 60

# What the public sees of a case's timeline: the stage and the body, never who or why.
PUBLIC_ACTIONS = {
    EventAction.RECEIVED: _("已受理登记"),
    EventAction.ROUTED: _("已分派至承办单位"),
    EventAction.TRANSFERRED: _("已移交"),
    EventAction.ACCEPTED: _("承办单位已接收"),
    EventAction.RETURNED: _("已退回"),
    EventAction.MEDIATING: _("调解中"),
    EventAction.AGREEMENT: _("已达成调解协议"),
    EventAction.FAILED: _("调解未成功"),
    EventAction.ESCALATED: _("已上报上级"),
    EventAction.CLOSED: _("已办结"),
    EventAction.RATED: _("当事人已评价"),
    EventAction.REOPENED: _("因评价未解决，已交上级重新办理"),
}
PUBLIC_STAGES = {
    Status.RECEIVED: _("已受理"),
    Status.ROUTED: _("等待承办单位接收"),
    Status.TRANSFERRED: _("等待承办单位接收"),
    Status.ESCALATED: _("等待承办单位接收"),
    Status.RETURNED: _("等待承办单位接收"),
    Status.ACCEPTED: _("办理中"),
    Status.MEDIATING: _("调解中"),
    Status.FAILED: _("办理中"),
    Status.AGREEMENT: _("已化解"),
    Status.CLOSED: _("已办结"),
}


def public_rate_limited(request) -> bool:
    """Count this request against its client address (behind a proxy: as django-axes reads it) in the
    shared "throttle" cache; True once ``PUBLIC_RATE_LIMIT`` requests were made in the window."""
    cache = caches["throttle"]
    key = f"tracking:public:{get_client_ip_address(request) or 'unknown'}"
    cache.add(key, 0, PUBLIC_RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, PUBLIC_RATE_WINDOW)
        count = 1
    return bool(count and count > PUBLIC_RATE_LIMIT)


def _private(response):
    # The token is in the address: no caching by proxies, no referrer to other sites, no indexing.
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "same-origin"  # "no-referrer" makes Chromium post Origin: null (CSRF 403)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


class PublicTrackingView(View):
    """The case's public progress: its type, the day it was received, its stage and the bodies that
    handled it, step by step — and, once resolved, the parties' rating form. No names, numbers,
    addresses, descriptions or reasons. 429 past the rate limit; 404 for any code not valid now."""

    template_name = "security/tracking/public.html"

    def dispatch(self, request, *args, **kwargs):
        if public_rate_limited(request):
            response = TemplateResponse(request, "security/tracking/limited.html", status=429)
            response["Retry-After"] = str(PUBLIC_RATE_WINDOW)
            return _private(response)
        code = tracking_code_find(kwargs["token"])
        if code is None:
            raise Http404(_("查询码无效。"))
        self.code = code
        return _private(super().dispatch(request, *args, **kwargs))

    def get(self, request, token: str, form: RatingForm | None = None, status: int = 200):
        dispute = self.code.dispute
        events = [
            {"at": event.created_at, "label": PUBLIC_ACTIONS[event.action], "body": event.to_body}
            for event in dispute.events.filter(action__in=list(PUBLIC_ACTIONS))
            .select_related("to_body")
            .order_by("created_at", "id")
        ]
        rateable = dispute.status in RESOLVED_STATUSES
        context = {
            "category": dispute.get_category_display(),
            "received_on": timezone.localdate(dispute.received_at),
            "stage": PUBLIC_STAGES.get(dispute.status, ""),
            "body": dispute.current_body,
            "deadline": dispute.deadline if dispute.status not in RESOLVED_STATUSES else None,
            "events": events,
            "rateable": rateable,
            "form": form or (RatingForm() if rateable else None),
            "thanks": request.GET.get("rated") == "1",
        }
        return TemplateResponse(request, self.template_name, context, status=status)

    def post(self, request, token: str):
        form = RatingForm(request.POST)
        if not form.is_valid():
            return self.get(request, token, form=form, status=400)
        data = form.cleaned_data
        try:
            dispute_rate(
                code=self.code,
                phone_last4=data["phone_last4"],
                satisfaction=data["satisfaction"],
                solved=data["solved"] == "yes",
                comment=data["comment"],
            )
        except Conflict as error:
            form_errors_add(form, error)
            return self.get(request, token, form=form, status=409)
        except ValidationError as error:
            form_errors_add(form, error)
            return self.get(request, token, form=form, status=400)
        return redirect(f"{request.path}?rated=1")


class ReceiptView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """受理回执 for printing: the case number, type, place and day received, the receiving body, and the
    case's tracking code with its QR for the parties. 404 outside the user's scope."""

    permission_required = "security.view_dispute"

    def get(self, request, pk: int):
        dispute = get_object_or_404(
            Dispute.objects.for_user(request.user).select_related("division", "current_body"), pk=pk
        )
        return TemplateResponse(request, "security/tracking/receipt.html", {"dispute": dispute})


class RatesReportView(ReportView):
    """三率 — response, resolution and satisfaction rates of the cases in the user's area (or
    ``?within=<code>`` inside it; outside: 404), per child division and per body, for a period
    (``?start=&end=``; default this year to today). Formulas: ``security.rates``."""

    permission_required = "security.view_dispute"
    template_name = "security/tracking/rates.html"
    export_filename = "three-rates"

    def get_context_data(self, **kwargs):
        division = division_in_scope(self.request.user, self.request.GET.get("within"))
        form = PeriodForm(self.request.GET or None)
        if form.is_bound and not form.is_valid():
            return super().get_context_data(division=division, form=form, status=400, **kwargs)
        today = timezone.localdate()
        start = (form.cleaned_data.get("start") if form.is_bound else None) or datetime.date(today.year, 1, 1)
        end = (form.cleaned_data.get("end") if form.is_bound else None) or today
        disputes = Dispute.objects.for_user(self.request.user)
        total = rates_for_division(division=division, disputes=disputes, start=start, end=end)
        by_child = rates_by_child(division=division, disputes=disputes, start=start, end=end)
        children = Division.objects.filter(parent=division).order_by("code")
        child_rows = [{"division": child, **by_child.get(child.code, {})} for child in children]
        by_body = rates_by_body(division=division, disputes=disputes, start=start, end=end)
        bodies = MediationBody.objects.filter(pk__in=list(by_body)).select_related("division").order_by("name")
        body_rows = [{"body": body, **by_body[body.pk]} for body in bodies]
        return super().get_context_data(
            division=division, form=form, start=start, end=end, total=total,
            children=child_rows, bodies=body_rows, **kwargs,
        )  # fmt: skip

    def export_tables(self, context):
        headings = [_("响应率（%）"), _("化解率（%）"), _("满意率（%）"), _("应响应"), _("按时接收"),
                    _("受理"), _("化解"), _("评价"), _("满意及基本满意")]  # fmt: skip

        def figures(row):
            keys = ("assigned", "responded", "received", "resolved", "rated", "satisfied")
            return [*(float(row[k]) if row.get(k) is not None else None for k in RATES), *(row.get(k, 0) for k in keys)]

        by_child = [[r["division"].name, *figures(r)] for r in context["children"]]
        by_body = [[r["body"].name, *figures(r)] for r in context["bodies"]]
        return [
            ReportTable(_("按区划"), [_("区划"), *headings], by_child),
            ReportTable(_("按调处主体"), [_("调处主体"), *headings], by_body),
        ]
