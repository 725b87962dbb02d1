"""The dashboard colours a change by what it means (each indicator's ``good`` direction), not by its
sign (issue 14, item 6)."""

from __future__ import annotations

import pytest

from governance.dashboard.selectors import Figure
from governance.registry import GOOD_DOWN, GOOD_UP, registry
from tests.auth import verified_login


@pytest.mark.parametrize(
    ("good", "value", "previous", "tone"),
    [
        (GOOD_UP, 46.4, 100, "worse"),  # 化解率 −53.6 % is not green
        (GOOD_UP, 120, 100, "better"),
        (GOOD_DOWN, 120, 100, "worse"),  # more overdue cases
        (GOOD_DOWN, 80, 100, "better"),
        ("", 197.8, 100, ""),  # 受理纠纷 +97.8 % is neither
        (GOOD_UP, 100, 100, ""),  # no change
        (GOOD_UP, 5, None, ""),  # nothing to compare with
    ],
)
def test_a_change_is_better_or_worse_by_the_indicators_direction(good, value, previous, tone):
    assert Figure("k", "t", "", value, previous, compared=True, good=good).tone == tone


def test_a_figure_that_is_itself_a_change_is_read_by_its_sign():
    assert Figure("k", "接处警同比", "%", -3.97, compared=False, good=GOOD_DOWN, is_change=True).tone == "better"
    assert Figure("k", "物业信访同比", "%", 12.0, compared=False, good=GOOD_DOWN, is_change=True).tone == "worse"


def test_the_registered_indicators_say_which_way_is_better():
    indicators = registry.indicators
    assert indicators["security.resolution_rate"].good == GOOD_UP
    assert indicators["security.overdue"].good == GOOD_DOWN
    assert indicators["security.received"].good == ""
    assert indicators["residential.petitions_yoy"].good == GOOD_DOWN
    assert all(indicator.good in ("", GOOD_UP, GOOD_DOWN) for indicator in indicators.values())


@pytest.mark.django_db
def test_the_page_marks_the_tone_and_not_the_sign(client, divisions):
    from tests.factories import user_with_role

    leader = user_with_role("leader", divisions["district"], username="tone_leader")
    verified_login(client, leader)
    page = client.get("/dashboard/").content.decode()
    assert 'class="change up"' not in page and 'class="change down"' not in page
    dashboard = client.get("/dashboard/").context["dashboard"]
    received = next(f for s in dashboard.sections for f in s.figures if f.key == "security.received")
    assert received.tone == ""
