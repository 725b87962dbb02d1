"""Officers' pages of issue 16: the “8+N” 文明单元 per kind and division with counts per level, and the
15-minute service circle of the 文明实践 阵地 (a report with a plain coordinate scatter, drawn as SVG
so it needs no map tiles). Rows come from ``for_user``: an area outside the user's scope is 404."""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.shortcuts import render
from django.views import View

from civility.choices import SERVICE_CIRCLE_METRES, UnitStatus
from civility.filtersets import CivilityUnitFilterSet
from civility.models import CivilityUnit, UnitKind
from civility.selectors import ServiceCircle, service_circle, units_by_level
from governance.selectors import division_in_scope
from governance.views import FilteredListView

# The scatter's drawing box (SVG user units) and margin.
MAP_W, MAP_H, MAP_PAD = 640, 480, 20


class UnitListView(FilteredListView):
    """“8+N” 文明单元: the units per kind and division (filters: 类型、层级、状态、区划), the user's area's
    counts per level (单位/乡镇/村 → 社区/家庭) and the kinds with their creation criteria."""

    model = CivilityUnit
    filterset_class = CivilityUnitFilterSet
    permission_required = "civility.view_civilityunit"
    template_name = "civility/unit_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("kind", "division")

    def get_context_data(self, **kwargs):
        area = division_in_scope(self.request.user)
        return super().get_context_data(
            area=area,
            levels=units_by_level(division=area),
            statuses=UnitStatus.choices,
            kinds=UnitKind.objects.for_user(self.request.user).filter(is_active=True),
            **kwargs,
        )


def scatter(circle: ServiceCircle) -> dict:
    """Screen positions (SVG units) of the circle's stations and places: an equirectangular projection
    of their bounding box, north up; ``{"stations": [(x, y, name)], "places": [(x, y, name, covered)]}``."""
    points = [(lat, lon) for _n, _l, lat, lon in circle.stations] + [(p.latitude, p.longitude) for p in circle.places]
    if not points:
        return {"stations": [], "places": [], "width": MAP_W, "height": MAP_H}
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    span_lat = (max(lats) - min(lats)) or 0.01
    span_lon = (max(lons) - min(lons)) or 0.01

    def xy(lat: float, lon: float) -> tuple[float, float]:
        x = MAP_PAD + (lon - min(lons)) / span_lon * (MAP_W - 2 * MAP_PAD)
        y = MAP_PAD + (max(lats) - lat) / span_lat * (MAP_H - 2 * MAP_PAD)
        return round(x, 1), round(y, 1)

    return {
        "stations": [(*xy(lat, lon), name) for name, _level, lat, lon in circle.stations],
        "places": [(*xy(p.latitude, p.longitude), p.name, p.covered) for p in circle.places],
        "width": MAP_W,
        "height": MAP_H,
    }


class ServiceCircleView(LoginRequiredMixin, PermissionRequiredMixin, View):
    """15 分钟服务圈 of an area (``?within=<code>``, default the user's own): coverage rate, the 屋场/小区
    beyond 1.2 km straight-line of every 阵地, and a scatter of stations and places."""

    permission_required = "civility.view_practicestation"

    def get(self, request):
        area = division_in_scope(request.user, request.GET.get("within") or None)
        circle = service_circle(division=area)
        context = {
            "area": area,
            "circle": circle,
            "gaps": circle.gaps,
            "map": scatter(circle),
            "radius_km": SERVICE_CIRCLE_METRES / 1000,
        }
        return render(request, "civility/service_circle.html", context)
