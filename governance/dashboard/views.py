"""Dashboard pages: the figures of a division the user leads, its drill-down and its Excel export.
A division outside (or above) the user's subtree answers 404, whatever the URL or parameter says."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View

from governance.dashboard.export import dashboard_workbook
from governance.dashboard.periods import period_from
from governance.dashboard.selectors import dashboard_division, dashboard_get, dashboard_place
from governance.spreadsheets import spreadsheet_response

PERIOD_PARAMS = ("period", "year", "month", "quarter", "start", "end")


def _period_query(request) -> str:
    """The period part of the query string, carried along drill-down links and the export."""
    params = {name: request.GET[name] for name in PERIOD_PARAMS if request.GET.get(name)}
    return urlencode(params)


def _dashboard_url(code: str, query: str) -> str:
    url = reverse("dashboard:division", args=[code])
    return f"{url}?{query}" if query else url


class DashboardView(LoginRequiredMixin, View):
    def get(self, request, code: str | None = None):
        user = request.user
        jump = request.GET.get("jump_below") or request.GET.get("jump")
        if jump:  # the "go to" form: checked like any other code, then a plain drill-down URL
            target = dashboard_division(user, jump)
            return redirect(_dashboard_url(target.code, _period_query(request)))
        place = dashboard_place(user, code)  # the division, its breadcrumbs and children: one query
        division = place.division
        form, period = period_from(request.GET)
        query = _period_query(request)
        context = {
            "division": division,
            "crumbs": [(crumb, _dashboard_url(crumb.code, query)) for crumb in place.crumbs],
            "form": form,
            "period_query": query,
        }
        if period is None:
            return render(request, "dashboard/dashboard.html", context, status=400)
        dashboard = dashboard_get(division=division, period=period, children=place.children)
        child_urls = [_dashboard_url(child["code"], query) for child in dashboard.children]
        context.update(
            dashboard=dashboard,
            period=period,
            children=list(zip(dashboard.children, child_urls, strict=True)),
            export_url=reverse("dashboard:export", args=[division.code]) + (f"?{query}" if query else ""),
            charts={
                "children": [child["name"] for child in dashboard.children],
                "childUrls": child_urls,
                "months": dashboard.months,
                "sections": {
                    section.key: {
                        "byChild": [vars(series) for series in section.by_child],
                        "byMonth": [vars(series) for series in section.by_month],
                    }
                    for section in dashboard.sections
                },
            },
        )
        return render(request, "dashboard/dashboard.html", context)


class DashboardExportView(LoginRequiredMixin, View):
    def get(self, request, code: str):
        division = dashboard_division(request.user, code)
        form, period = period_from(request.GET)
        if period is None:
            return render(
                request, "dashboard/dashboard.html", {"division": division, "form": form, "crumbs": []}, status=400
            )
        dashboard = dashboard_get(division=division, period=period)
        filename = f"dashboard-{division.code}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.xlsx"
        return spreadsheet_response(dashboard_workbook(division=division, dashboard=dashboard), filename)
