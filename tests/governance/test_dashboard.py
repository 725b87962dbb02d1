"""The leaders' dashboard: scope (404 outside or above), periods, figures against the database,
constant query count, freshness after any write, Excel export and the htmx division options."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from governance.dashboard.periods import PERIOD_ENDS_BEFORE_START
from governance.rollups import rollups_refresh
from security.models import Dispute
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.security.factories import intake, make_bodies, police_rule


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cases(divisions):
    make_bodies(divisions)
    police_rule()
    return divisions


def _figure(response, key):
    for section in response.context["dashboard"].sections:
        for figure in section.figures:
            if figure.key == key:
                return figure
    raise AssertionError(key)


def _dashboard(client, user, code=None, **params):
    verified_login(client, user)
    url = reverse("dashboard:division", args=[code]) if code else reverse("dashboard:home")
    return client.get(url, params)


def test_district_leader_sees_the_four_sections_with_figures_matching_the_database(client, cases):
    for village in ("v11", "v11", "v21"):
        intake(cases[village])
    leader = user_with_role("leader", cases["district"], username="leader_district")
    response = _dashboard(client, leader)
    assert response.status_code == 200
    assert [s.key for s in response.context["dashboard"].sections] == [
        "organisation",
        "safety",
        "integrity",
        "civility",
    ]
    assert _figure(response, "security.received").value == Dispute.objects.count() == 3
    by_child = next(s for s in response.context["dashboard"].sections if s.key == "safety").by_child
    received = next(series for series in by_child if series.key == "security.received")
    assert received.values == [2, 1]  # t1, t2
    assert "建强基层组织" in response.content.decode()


def test_township_leader_sees_only_their_township_and_cannot_go_up_or_sideways(client, cases):
    intake(cases["v11"])
    intake(cases["v21"])
    leader = user_with_role("leader", cases["t1"], username="leader_t1")
    response = _dashboard(client, leader)
    assert response.context["division"] == cases["t1"]
    assert _figure(response, "security.received").value == 1
    assert [crumb.code for crumb, _url in response.context["crumbs"]] == [cases["t1"].code]
    assert _dashboard(client, leader, cases["district"].code).status_code == 404
    assert _dashboard(client, leader, cases["t2"].code).status_code == 404
    assert _dashboard(client, leader, cases["v21"].code).status_code == 404
    village = _dashboard(client, leader, cases["v11"].code)
    assert village.status_code == 200
    assert [crumb.code for crumb, _url in village.context["crumbs"]] == [cases["t1"].code, cases["v11"].code]


def test_tampered_jump_parameter_outside_the_subtree_answers_404(client, cases):
    leader = user_with_role("leader", cases["t1"], username="leader_t1")
    assert _dashboard(client, leader, jump=cases["t2"].code).status_code == 404
    response = _dashboard(client, leader, jump=cases["v12"].code, period="year")
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:division", args=[cases["v12"].code]) + "?period=year"


def test_officers_without_a_leading_role_get_no_dashboard(client, officer):
    assert _dashboard(client, officer).status_code == 404


def test_period_ending_before_it_starts_shows_a_chinese_message_and_no_figures(client, cases):
    leader = user_with_role("leader", cases["district"], username="leader_district")
    response = _dashboard(client, leader, period="custom", start="2025-06-30", end="2025-06-01")
    assert response.status_code == 400
    assert "dashboard" not in response.context
    assert str(PERIOD_ENDS_BEFORE_START) in response.content.decode()


def test_figures_compare_with_the_same_period_last_year(client, cases):
    when = {"now": datetime.datetime(2025, 3, 10, 9, tzinfo=timezone.get_current_timezone())}
    when["before"] = when["now"].replace(year=2024)
    for village, moment in (("v11", "now"), ("v12", "now"), ("v21", "before"), ("v22", "now")):
        dispute = intake(cases[village])
        Dispute.objects.filter(pk=dispute.pk).update(received_at=when[moment])
    Dispute.objects.filter(division=cases["v22"]).update(received_at=when["now"].replace(month=4))  # outside
    leader = user_with_role("leader", cases["district"], username="leader_district")
    response = _dashboard(client, leader, period="month", year="2025", month="3")
    assert response.context["period"].label == "2025年3月"
    figure = _figure(response, "security.received")
    assert (figure.value, figure.previous, figure.change) == (2, 1, 100)


def test_figures_of_how_things_stand_show_no_change_against_last_year(client, cases):
    leader = user_with_role("leader", cases["district"], username="leader_district")
    response = _dashboard(client, leader, period="year", year="2025")
    people = _figure(response, "governance.people")  # registered with dated=False
    assert (people.compared, people.previous, people.change) == (False, None, None)
    assert _figure(response, "security.received").compared


def _queries(client, user, code):
    cache.clear()
    # The worker's refresh of what the writes made dirty, not the page's cost (tests refresh on read).
    rollups_refresh()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("dashboard:division", args=[code])).status_code == 200
    return len(captured)


def test_dashboard_query_count_does_not_grow_with_the_data(client, cases):
    leader = user_with_role("leader", cases["district"], username="leader_district")
    verified_login(client, leader)
    for village in ("v11", "v12", "v21"):
        intake(cases[village])
    few = _queries(client, leader, cases["district"].code)
    for index in range(27):
        intake(cases[("v11", "v12", "v21", "v22")[index % 4]])
    assert Dispute.objects.count() == 30
    assert _queries(client, leader, cases["district"].code) == few


def test_dashboard_follows_every_kind_of_write_without_a_page_cache(client, cases):
    """Figures come from roll-up cells that triggers mark dirty: an ORM save, a bulk update and raw SQL
    all show on the next page (tests refresh dirty cells on read; production within a minute)."""
    leader = user_with_role("leader", cases["district"], username="leader_district")
    verified_login(client, leader)
    url = reverse("dashboard:home")
    first = intake(cases["v11"])
    assert _figure(client.get(url), "security.received").value == 1
    second = intake(cases["v21"])  # saved through the ORM
    assert _figure(client.get(url), "security.received").value == 2
    Dispute.objects.filter(pk=first.pk).update(received_at=first.received_at.replace(year=2000))  # bulk
    assert _figure(client.get(url), "security.received").value == 1
    with connection.cursor() as cursor:  # raw SQL
        cursor.execute(
            "UPDATE security_dispute SET received_at = received_at - interval '30 years' WHERE id = %s", [second.pk]
        )
    assert _figure(client.get(url), "security.received").value == 0


def test_export_holds_the_dashboard_figures(client, cases):
    intake(cases["v11"])
    leader = user_with_role("leader", cases["district"], username="leader_district")
    verified_login(client, leader)
    response = client.get(reverse("dashboard:export", args=[cases["district"].code]), {"period": "year"})
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    rows = {row[1]: row for row in workbook["指标"].iter_rows(min_row=3, values_only=True)}
    assert rows["受理纠纷"][2] == 1
    breakdown = list(workbook["下级区划"].iter_rows(min_row=2, values_only=True))
    assert [row[0] for row in breakdown] == [cases["t1"].code, cases["t2"].code]


def test_export_outside_the_subtree_answers_404(client, cases):
    leader = user_with_role("leader", cases["t1"], username="leader_t1")
    verified_login(client, leader)
    assert client.get(reverse("dashboard:export", args=[cases["t2"].code])).status_code == 404


def test_division_options_list_children_in_scope_only(client, divisions, officer):
    township_officer = user_with_role("township_officer", divisions["t1"], username="officer_t1")
    verified_login(client, township_officer)
    url = reverse("governance:division-options")
    body = client.get(url, {"parent": divisions["t1"].code}).content.decode()
    assert divisions["v11"].name in body and divisions["v12"].name in body
    assert divisions["v21"].name not in body
    assert client.get(url, {"jump": divisions["t1"].code}).status_code == 200  # any select name works
    assert client.get(url, {"parent": divisions["t2"].code}).status_code == 404
    verified_login(client, officer)
    assert client.get(url, {"parent": divisions["t1"].code}).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"period": "year", "year": "2099"},
        {"period": "month", "year": "2099", "month": "1"},
        {"period": "quarter", "year": "2099", "quarter": "2"},
        {"period": "custom", "start": "2099-01-01", "end": "2099-02-01"},
    ],
)
def test_a_period_not_yet_begun_is_refused_in_chinese_not_shown_as_zeros(client, cases, query):
    """A trial found next year's dashboard answering 200 with every figure 0 and "↓ -100.0%"."""
    from governance.dashboard.periods import PERIOD_NOT_STARTED

    leader = user_with_role("leader", cases["district"], username="leader_future")
    response = _dashboard(client, leader, **query)
    assert response.status_code == 400
    assert "dashboard" not in response.context
    assert str(PERIOD_NOT_STARTED) in response.content.decode()


def test_the_place_its_crumbs_and_active_children_come_from_one_query(client, cases):
    from governance.dashboard.selectors import dashboard_place
    from governance.models import Division

    leader = user_with_role("leader", cases["district"], username="leader_place")
    Division.objects.filter(pk=cases["v12"].pk).update(is_active=False)
    leader = type(leader).objects.get(pk=leader.pk)
    leader.role_paths  # noqa: B018 — the user's roles are read once per request, before the place
    with CaptureQueriesContext(connection) as captured:
        place = dashboard_place(leader, cases["t1"].code)
    assert len(captured) == 1
    assert place.division == cases["t1"]
    assert [c.code for c in place.crumbs] == [cases["district"].code, cases["t1"].code]
    assert [c.code for c in place.children] == [cases["v11"].code]  # v12 is no longer active
    top = dashboard_place(leader, None)
    assert (top.division, [c.code for c in top.children]) == (
        cases["district"],
        [cases["t1"].code, cases["t2"].code],
    )
    # Unknown codes, codes naming a path or a pattern, and codes above the scope: 404, never a 500.
    township_leader = user_with_role("leader", cases["t1"], username="leader_place_t1")
    for code in ("999999", "%", "4313_2", cases["district"].code, cases["t2"].code):
        assert _dashboard(client, township_leader, code).status_code == 404, code
    for code in (f"{cases['district'].code}/{cases['t1'].code}", f"{cases['t1'].code}/", ""):
        with pytest.raises(Http404):
            dashboard_place(township_leader, code)


def test_connections_run_without_jit(db):
    """JIT compiling cost the district-scale dashboard 5 of its 6.4 s (bench_dashboard): every connection,
    replicas' too, is opened with ``-c jit=off`` (settings)."""
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    for alias in settings.DATABASES:
        assert "-c jit=off" in settings.DATABASES[alias]["OPTIONS"]["options"], alias
