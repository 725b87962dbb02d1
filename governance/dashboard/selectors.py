"""Dashboard figures. Every figure is an indicator that an app registers, for a subtree and a period.
Indicators that declare a roll-up (``Indicator.rollup``) are read from roll-up cells
(``governance.rollups``): all of them, for the period, a year before, every child division and every
month, in one query for the cells plus one for every source's partial months, so that part of the page
costs the same for any division, period, number of children and number of rows. The others (the
fallback) are computed from base tables: a fixed number of queries per indicator, and per child or
month only for those charted. Nothing is cached: figures are as fresh as the cells (≤ 1 minute)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from governance.dashboard.periods import Period
from governance.dates import month_end
from governance.models import Division, Role
from governance.querysets import path_codes, user_scope_paths
from governance.registry import GOOD_UP, Indicator, registry
from governance.rollup_reader import RollupReader
from governance.rollups import rollups_refresh_if_dirty
from governance.selectors import change_pct, division_in_scope
from governance.shared_figures import figures_shared
from governance.spreadsheets import heading

DASHBOARD_ROLES = (Role.LEADER, Role.DISTRICT_ADMIN)

SECTIONS = {
    "organisation": _("建强基层组织"),
    "safety": _("平安创建"),
    "integrity": _("清廉创建"),
    "civility": _("文明创建"),
}
# Names apps have used for the same sections.
SECTION_ALIASES = {
    "organization": "organisation",
    "security": "safety",
    "clean": "integrity",
    "civilization": "civility",
}


def section_of(indicator: Indicator) -> str:
    return SECTION_ALIASES.get(indicator.section, indicator.section)


def is_change_figure(indicator: Indicator) -> bool:
    """A figure that already is a year-over-year change (接处警同比…, keys ending in ``_yoy``)."""
    return indicator.dated and indicator.key.endswith("_yoy")


def compares_with_last_year(indicator: Indicator) -> bool:
    """Figures of how things stand (``dated=False``) and figures that already are a year-over-year
    change are shown as they are."""
    return indicator.dated and not is_change_figure(indicator)


def as_number(value) -> int | float | None:
    """A figure as a JSON-friendly number (Decimal → float, None stays None)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return float(value)


@dataclass
class Figure:
    key: str
    title: str
    unit: str
    value: int | float | None
    previous: int | float | None = None
    compared: bool = True
    good: str = ""  # GOOD_UP, GOOD_DOWN or "" (see Indicator.good)
    is_change: bool = False  # the value itself is a year-over-year change (接处警同比…)

    @property
    def change(self) -> Decimal | None:
        if not self.compared:
            return None
        change = change_pct(self.value, self.previous)
        return change.quantize(Decimal("0.1"), ROUND_HALF_UP) if change is not None else None

    @property
    def tone(self) -> str:
        """ "better", "worse" or "" — what the change means, by the indicator's ``good`` direction, so
        化解率 −53.6 % is worse and 受理纠纷 +97.8 % is neither. For a figure that is itself a change
        (…同比) its own sign is read the same way."""
        moved = self.value if self.is_change else self.change
        if not self.good or moved is None or moved == 0:
            return ""
        rose = moved > 0
        return "better" if rose == (self.good == GOOD_UP) else "worse"


@dataclass
class Series:
    key: str
    title: str
    unit: str
    values: list

    @property
    def heading(self) -> str:
        """The column title with its unit once (a title that already ends with it keeps one)."""
        return heading(self.title, self.unit)


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    by_child: list[Series] = field(default_factory=list)
    by_month: list[Series] = field(default_factory=list)


@dataclass
class Dashboard:
    division_id: int
    period: Period
    children: list[dict]  # {"id", "code", "name"}
    months: list[str]
    sections: list[Section]


# --- scope --------------------------------------------------------------------------------------


def dashboard_roots(user) -> list[Division]:
    """The divisions the user leads (the top of what they may see); the tree's roots for a superuser."""
    if user.is_superuser:
        return list(Division.objects.filter(parent__isnull=True).order_by("path"))
    # The tops of the user's leading assignments (nested ones dropped), as the one scope knows them.
    return list(Division.objects.filter(path__in=user_scope_paths(user, DASHBOARD_ROLES)).order_by("path"))


def dashboard_division(user, code: str | None) -> Division:
    """The division whose dashboard the user asks for; 404 unless it lies in a subtree they lead."""
    if not user.has_role(*DASHBOARD_ROLES):
        raise Http404
    if code is None:
        roots = dashboard_roots(user)
        if not roots:
            raise Http404
        return roots[0]
    return division_in_scope(user, code, roles=DASHBOARD_ROLES)


@dataclass
class Place:
    """Where a dashboard stands: the division, its ancestors the user may open (top down, ending with the
    division itself) and its active children (by code)."""

    division: Division
    crumbs: list[Division]
    children: list[Division]


def dashboard_place(user, code: str | None) -> Place:
    """The division whose dashboard the user asks for (``code``; None: the top of what they lead), with
    its breadcrumbs and children, in ONE query whatever the tree's size: the division's ancestors are the
    codes of its materialised path (``code = ANY(string_to_array(path, '/'))``, the unique code index),
    its children its ``parent_id`` — all within the user's scope. Raises ``Http404`` unless the division
    lies in a subtree the user leads (the same rule as ``dashboard_division``)."""
    if not user.has_role(*DASHBOARD_ROLES):
        raise Http404
    if code is None:
        if user.is_superuser:
            roots = dashboard_roots(user)
            code = roots[0].code if roots else None
        else:
            tops = user_scope_paths(user, DASHBOARD_ROLES)
            code = path_codes(tops[0])[-1] if tops else None
        if code is None:
            raise Http404
    target_path = "SELECT path FROM governance_division WHERE code = %s"
    rows = list(
        Division.objects.for_user(user, roles=DASHBOARD_ROLES).filter(
            Q(code__in=RawSQL(f"SELECT unnest(string_to_array(({target_path}), '/'))", [code]))
            | Q(parent_id=RawSQL("SELECT id FROM governance_division WHERE code = %s", [code]), is_active=True)
        )
    )
    division = next((row for row in rows if row.code == code), None)
    if division is None:
        raise Http404
    crumbs = sorted((row for row in rows if division.path.startswith(row.path)), key=lambda row: row.path)
    children = sorted((row for row in rows if row.parent_id == division.pk), key=lambda row: row.code)
    return Place(division, crumbs, children)


# --- figures ------------------------------------------------------------------------------------


def _compute(indicator: Indicator, division: Division, start: datetime.date, end: datetime.date):
    return as_number(indicator.compute(division=division, start=start, end=end))


def dashboard_compute(*, division: Division, period: Period, children: list[Division] | None = None) -> Dashboard:
    """All the figures of one division and period: each indicator for the period and a year before, the
    charted indicators for each child division and each month. Rolled-up indicators come from one
    ``RollupReader`` (at most 2 queries whatever the division, period and children); the others from their
    ``compute``. With ``ROLLUPS_REFRESH_ON_READ`` (tests) dirty cells are recomputed first."""
    if getattr(settings, "ROLLUPS_REFRESH_ON_READ", False):
        rollups_refresh_if_dirty()
    # Indicators reading one selector for different keys compute it once (``governance.shared_figures``).
    with figures_shared():
        return _dashboard_compute(division=division, period=period, children=children)


def _dashboard_compute(*, division: Division, period: Period, children: list[Division] | None) -> Dashboard:
    earlier = period.year_earlier()
    indicators = sorted(registry.indicators.values(), key=lambda i: (i.order, i.key))
    indicators = [i for i in indicators if section_of(i) in SECTIONS]
    if children is None:
        children = list(Division.objects.filter(parent=division, is_active=True).order_by("code"))
    months = period.months()
    current, before = (period.start, period.end), (earlier.start, earlier.end)
    slices = [(max(month, period.start), min(month_end(month), period.end)) for month in months]
    rolled = [i for i in indicators if i.rollup is not None]
    reader = RollupReader.load(division_path=division.path, indicators=rolled, ranges=[current, before, *slices])

    # Base-table figures that can compute several periods at once: the period, the year before and the
    # charted months in one call each (``Indicator.compute_spans``).
    spanned: dict[tuple[str, tuple[datetime.date, datetime.date]], int | float | None] = {}
    for indicator in indicators:
        if indicator.rollup is None and indicator.compute_spans is not None:
            spans = list(dict.fromkeys([current, before, *(slices if "by_month" in indicator.charts else [])]))
            values = indicator.compute_spans(division=division, spans=spans)
            spanned.update({(indicator.key, span): as_number(value) for span, value in zip(spans, values, strict=True)})

    def figure(indicator: Indicator, span: tuple[datetime.date, datetime.date], child: Division | None = None):
        if indicator.rollup is not None:
            return as_number(reader.value(indicator, span, child.path if child else None))
        if child is None and (indicator.key, span) in spanned:
            return spanned[(indicator.key, span)]
        return _compute(indicator, child or division, *span)

    sections = {key: Section(key=key, title=str(title)) for key, title in SECTIONS.items()}
    for indicator in indicators:
        section = sections[section_of(indicator)]
        compared = compares_with_last_year(indicator)
        section.figures.append(
            Figure(
                key=indicator.key,
                title=str(indicator.title),
                unit=str(indicator.unit),
                value=figure(indicator, current),
                previous=figure(indicator, before) if compared else None,
                compared=compared,
                good=indicator.good,
                is_change=is_change_figure(indicator),
            )
        )
    for indicator in indicators:
        section = sections[section_of(indicator)]
        if "by_child" in indicator.charts and children:
            values = [figure(indicator, current, child) for child in children]
            section.by_child.append(Series(indicator.key, str(indicator.title), str(indicator.unit), values))
        # Every month, even a period of one: the export's month sheet is never empty (the page charts two or more).
        if "by_month" in indicator.charts:
            values = [figure(indicator, span) for span in slices]
            section.by_month.append(Series(indicator.key, str(indicator.title), str(indicator.unit), values))
    return Dashboard(
        division_id=division.pk,
        period=period,
        children=[{"id": c.pk, "code": c.code, "name": c.name} for c in children],
        months=[f"{m:%Y-%m}" for m in months],
        sections=list(sections.values()),
    )


def dashboard_get(*, division: Division, period: Period, children: list[Division] | None = None) -> Dashboard:
    """The dashboard of one division and period (see ``dashboard_compute``). No page cache: the
    roll-ups make a cold page cheap, and a cache dropped on every save was cold for every leader."""
    return dashboard_compute(division=division, period=period, children=children)
