"""What the villages app adds to the leaders' dashboard."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.registry import GOOD_UP, Indicator, registry
from villages.models import Hamlet
from villages.selectors import hamlet_completeness, land_figures, meetings_count


def _hamlets(*, division, start=None, end=None) -> int:
    return Hamlet.objects.in_subtree(division).count()


def _completeness(*, division, start=None, end=None) -> float:
    return hamlet_completeness(division=division)["percent"]


def _transferred_area(*, division, start=None, end=None):
    return land_figures(division=division)["transferred_area"]


def _transferred_share(*, division, start=None, end=None):
    return land_figures(division=division)["transferred_percent"]


def _meetings(*, division, start: datetime.date | None = None, end: datetime.date | None = None) -> int:
    today = timezone.localdate()
    start = start or today.replace(day=1)
    end = end or today
    return meetings_count(division=division, start=start, end=end)


registry.indicator(Indicator("villages.hamlets", _("屋场"), "organisation", _hamlets, _("个"), 30, dated=False))
registry.indicator(
    Indicator(
        "villages.completeness",
        _("三屋同治完整率"),
        "organisation",
        _completeness,
        "%",
        31,
        dated=False,
        charts=("by_child",),
    )
)
registry.indicator(
    Indicator(
        "villages.transferred_area", _("土地流转面积"), "organisation", _transferred_area, _("亩"), 32, dated=False
    )
)
registry.indicator(
    Indicator(
        "villages.transferred_share", _("流转面积占承包地"), "organisation", _transferred_share, "%", 33, dated=False
    )
)
registry.indicator(
    Indicator("villages.meetings", _("屋场会（本月）"), "organisation", _meetings, _("次"), 34, good=GOOD_UP)
)
