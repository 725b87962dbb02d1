"""What 星物管 adds to the leaders' dashboard."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.registry import GOOD_DOWN, Indicator, registry
from residential.choices import ListSide
from residential.models import OwnersCommittee, RedBlackEntry
from residential.selectors import compounds_under_star, follow_ups_overdue, latest_red_black_list, petition_yoy


def _compounds(*, division, start=None, end=None) -> int:
    return compounds_under_star(division=division)


def _committees_failing(*, division, start=None, end=None) -> int:
    return OwnersCommittee.objects.in_subtree(division).out_of_compliance(end).count()


def _petitions_yoy(*, division, start=None, end=None) -> float | None:
    """This period's property petitions against the same period a year before, in per cent (the
    current year to date when no period is given)."""
    end = end or timezone.localdate()
    start = start or datetime.date(end.year, 1, 1)
    return petition_yoy(division=division, start=start, end=end).change_pct


def _list_side(side: str):
    def compute(*, division, start=None, end=None) -> int:
        latest = latest_red_black_list(division=division)
        return RedBlackEntry.objects.filter(list=latest, side=side).count() if latest else 0

    return compute


registry.indicator(
    Indicator("residential.star_compounds", _("星物管小区"), "organisation", _compounds, _("个"), 40, dated=False)
)
registry.indicator(
    Indicator(
        "residential.committees_failing",
        _("党员占比不足50%的业委会"),
        "organisation",
        _committees_failing,
        _("个"),
        41,
        good=GOOD_DOWN,
    )
)
registry.indicator(
    Indicator("residential.petitions_yoy", _("物业信访同比"), "safety", _petitions_yoy, "%", 42, good=GOOD_DOWN)
)
registry.indicator(
    Indicator(
        "residential.red_list",
        _("最新红黑榜·红榜企业"),
        "organisation",
        _list_side(ListSide.RED),
        _("家"),
        43,
        dated=False,
    )
)
registry.indicator(
    Indicator(
        "residential.black_list",
        _("最新红黑榜·黑榜企业"),
        "organisation",
        _list_side(ListSide.BLACK),
        _("家"),
        44,
        dated=False,
    )
)


def _follow_ups_overdue(*, division, start=None, end=None) -> int:
    """业委会整治, 执法进小区 rectifications, 楼宇会决议 and 屋场会决议 open past their due date today, in the area."""
    return follow_ups_overdue(division=division)


registry.indicator(
    Indicator(
        "residential.follow_ups_overdue",
        _("超期未办结的整改与决议"),
        "organisation",
        _follow_ups_overdue,
        _("项"),
        45,
        dated=False,
        good=GOOD_DOWN,
    )
)
