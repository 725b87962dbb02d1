"""Issue 16, civility: “8+N” 文明单元 (kinds, units, review rounds, counts per level), 移风易俗 caps per
kind of event with 每桌标准, 宴席服务队 fees checked, 无事酒 as its own dissuasion, and the 15-minute
service circle of the 文明实践 阵地."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from civility.choices import DissuasionKind, DissuasionOutcome, UnitStatus
from civility.models import (
    BanquetDeclaration,
    BanquetKindCap,
    BanquetServiceFee,
    BanquetServiceTeam,
    CivilityUnit,
    PlaceLocation,
    UnitKind,
    UnitReview,
)
from civility.selectors import customs_counters, distance_m, service_circle, units_by_level
from civility.services import banquet_check, banquet_declare, dissuasion_record, unit_review_record
from governance.models import DivisionLevel, Role
from governance.registry import registry
from tests.auth import verified_login
from tests.civility.factories import PracticeStationFactory, VillageRuleFactory
from tests.factories import DivisionFactory, HouseholdFactory, user_with_role

pytestmark = [pytest.mark.django_db]
TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=10)


@pytest.fixture
def township_officer(divisions):
    return user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="officer_t1")


@pytest.fixture
def page(client, township_officer):
    verified_login(client, township_officer)
    return client


@pytest.fixture
def api(township_officer):
    client = APIClient()
    client.force_authenticate(township_officer)
    return client


def kind(divisions, code="village", level="village", standing=True):
    return UnitKind.objects.create(
        division=divisions["district"], code=code, name=f"文明{code}", level=level, is_standing=standing
    )


def unit(kind_, division, name, status=UnitStatus.APPLIED):
    return CivilityUnit.objects.create(kind=kind_, division=division, name=name, applied_on=DAY, status=status)


# --- “8+N” 文明单元 --------------------------------------------------------------------------------


def test_review_rounds_number_themselves_and_set_the_units_status(divisions):
    u = unit(kind(divisions), divisions["v11"], "文明村甲")
    first = unit_review_record(unit=u, reviewed_on=DAY, result=UnitStatus.BUILDING, score=70)
    second = unit_review_record(unit=u, reviewed_on=TODAY, result=UnitStatus.AWARDED, score=92)
    u.refresh_from_db()
    assert (first.round, second.round, u.status) == (1, 2, UnitStatus.AWARDED)


@pytest.mark.parametrize(
    ("reviewed_on", "score", "field"),
    [
        (TODAY + datetime.timedelta(days=1), 80, "reviewed_on"),  # in the future
        (DAY - datetime.timedelta(days=1), 80, "reviewed_on"),  # before the application
        (DAY, 101, "score"),
    ],
)
def test_a_bad_review_names_its_field_and_writes_nothing(divisions, reviewed_on, score, field):
    u = unit(kind(divisions), divisions["v11"], "文明村甲")
    with pytest.raises(ValidationError) as error:
        unit_review_record(unit=u, reviewed_on=reviewed_on, result=UnitStatus.AWARDED, score=score)
    assert field in error.value.message_dict
    u.refresh_from_db()
    assert u.status == UnitStatus.APPLIED and not UnitReview.objects.exists()


def test_units_are_counted_per_level_within_the_subtree_only(divisions):
    village, family = kind(divisions), kind(divisions, "family", "family", standing=False)
    unit(village, divisions["v11"], "村甲", UnitStatus.AWARDED)
    unit(family, divisions["v11"], "张家", UnitStatus.AWARDED)
    unit(family, divisions["v12"], "李家", UnitStatus.BUILDING)
    unit(family, divisions["v21"], "王家", UnitStatus.AWARDED)  # the other township
    rows = {r["level"]: r for r in units_by_level(division=divisions["t1"])}
    assert [r["level"] for r in units_by_level(division=divisions["t1"])][:3] == ["organization", "township", "village"]
    assert (rows["village"]["awarded"], rows["village"]["total"]) == (1, 1)
    assert (rows["family"]["awarded"], rows["family"]["building"], rows["family"]["total"]) == (1, 1, 2)
    assert rows["community"]["total"] == 0
    indicator = registry.indicators["civility.units_awarded"]
    assert indicator.compute(division=divisions["t1"]) == 2
    assert indicator.compute(division=divisions["district"]) == 3


def test_unit_page_lists_per_kind_and_division_with_the_level_counts(page, divisions):
    village, family = kind(divisions), kind(divisions, "family", "family")
    unit(village, divisions["v11"], "村甲")
    unit(family, divisions["v12"], "张家")
    unit(family, divisions["v21"], "王家外乡")
    response = page.get(reverse("civility:unit-list"), {"kind": "family"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "张家" in body and "村甲" not in body and "王家外乡" not in body
    assert 'data-level="family"' in body


def test_unit_page_query_count_does_not_grow_with_rows(page, divisions):
    k = kind(divisions)
    for i in range(3):
        unit(k, divisions["v11"], f"甲{i}")
    with CaptureQueriesContext(connection) as few:
        assert page.get(reverse("civility:unit-list")).status_code == 200
    for i in range(27):
        unit(k, divisions["v12"], f"乙{i}")
    with CaptureQueriesContext(connection) as many:
        assert page.get(reverse("civility:unit-list")).status_code == 200
    assert len(few) == len(many)


def test_unit_page_bad_filter_shows_the_error_and_no_rows(page, divisions):
    unit(kind(divisions), divisions["v11"], "村甲")
    response = page.get(reverse("civility:unit-list"), {"status": "bogus"})
    assert response.status_code == 200
    assert response.context["filter"].errors and not list(response.context["object_list"])


def test_unit_page_never_shows_another_townships_units(page, divisions):
    unit(kind(divisions), divisions["v21"], "外乡村")
    response = page.get(reverse("civility:unit-list"), {"within": divisions["v21"].code})
    assert "外乡村" not in response.content.decode()


def test_units_api_by_level_is_scoped(api, divisions):
    unit(kind(divisions), divisions["v11"], "村甲", UnitStatus.AWARDED)
    rows = api.get("/api/v1/civility/units/by-level/").json()
    assert {r["level"]: r["awarded"] for r in rows}["village"] == 1
    assert api.get("/api/v1/civility/units/by-level/", {"within": divisions["t2"].code}).status_code == 404
    listed = api.get("/api/v1/civility/units/").json()["results"]
    assert [r["name"] for r in listed] == ["村甲"]
    assert api.get("/api/v1/civility/unit-kinds/").json()["count"] == 1


# --- 移风易俗: caps per kind, 每桌标准, service-team fees, 无事酒 --------------------------------------


@pytest.fixture
def rule(divisions):
    rule = VillageRuleFactory(division=divisions["v11"], gift_money_cap=100, tables_cap=20, days_cap=1)
    BanquetKindCap.objects.create(rule=rule, kind="school", tables_cap=10, per_table_cap=Decimal("500"))
    return rule


@pytest.fixture
def team(divisions):
    team = BanquetServiceTeam.objects.create(division=divisions["v11"], name="一组宴席服务队", place="村部礼堂")
    BanquetServiceFee.objects.create(team=team, item="每桌（含厨师、餐具）", price=Decimal("450"), per_table=True)
    BanquetServiceFee.objects.create(team=team, item="场地布置", price=Decimal("200"))
    return team


def test_a_kinds_own_caps_replace_the_villages_general_ones(rule):
    kw = {"rule": rule, "days": 1, "gift_money": Decimal(100)}
    school_cap = BanquetKindCap.objects.get(kind="school")
    assert banquet_check(kind="school", tables=12, kind_cap=school_cap, **kw) == ["tables"]
    assert banquet_check(kind="wedding", tables=12, **kw) == []  # the general cap is 20
    assert banquet_check(kind="school", tables=8, per_table_cost=Decimal("520"), kind_cap=school_cap, **kw) == [
        "per_table"
    ]


def test_a_declaration_using_a_team_is_checked_against_its_fees(divisions, rule, team):
    household = HouseholdFactory(division=divisions["v11"])
    base = {"household": household, "kind": "wedding", "held_on": DAY, "tables": 10, "days": 1}
    within = banquet_declare(gift_money=Decimal(50), service_team=team, per_table_cost=Decimal("450"), **base)
    over = banquet_declare(gift_money=Decimal(50), service_team=team, per_table_cost=Decimal("480"), **base)
    assert (within.is_flagged, within.violations) == (False, [])
    assert (over.is_flagged, over.violations) == (True, ["team_fee"])


def test_a_team_of_another_village_is_refused_and_nothing_is_written(divisions, rule):
    elsewhere = BanquetServiceTeam.objects.create(division=divisions["v12"], name="别村服务队")
    household = HouseholdFactory(division=divisions["v11"])
    with pytest.raises(ValidationError) as error:
        banquet_declare(
            household=household,
            kind="wedding",
            held_on=DAY,
            tables=5,
            days=1,
            gift_money=Decimal(0),
            service_team=elsewhere,
        )
    assert "service_team" in error.value.message_dict
    assert not BanquetDeclaration.objects.exists()


def test_a_negative_per_table_cost_is_refused(divisions, rule):
    with pytest.raises(ValidationError) as error:
        banquet_declare(
            household=HouseholdFactory(division=divisions["v11"]),
            kind="wedding",
            held_on=DAY,
            tables=5,
            days=1,
            gift_money=Decimal(0),
            per_table_cost=Decimal("-1"),
        )
    assert "per_table_cost" in error.value.message_dict


def test_no_occasion_banquets_are_their_own_kind_of_dissuasion(divisions):
    # A village whose rules do not ban 无事酒: it is still dissuaded, as its own kind.
    VillageRuleFactory(division=divisions["v11"], banned_kinds=[])
    household = HouseholdFactory(division=divisions["v11"])
    no_occasion = banquet_declare(
        household=household, kind="no_occasion", held_on=DAY, tables=3, days=1, gift_money=Decimal(0)
    )
    wedding = banquet_declare(household=household, kind="wedding", held_on=DAY, tables=3, days=1, gift_money=Decimal(0))
    assert not no_occasion.is_flagged
    dissuasion = dissuasion_record(
        declaration=no_occasion, outcome=DissuasionOutcome.DISSUADED, occurred_on=DAY, officer=None
    )
    assert dissuasion.kind == DissuasionKind.NO_OCCASION
    with pytest.raises(ValidationError):  # a wedding within the caps has nothing to dissuade
        dissuasion_record(declaration=wedding, outcome=DissuasionOutcome.DISSUADED, occurred_on=DAY, officer=None)
    counters = customs_counters(division=divisions["t1"])
    assert (counters["dissuaded"], counters["no_occasion_dissuaded"]) == (1, 1)


def test_the_check_as_you_type_reads_the_teams_fee(page, divisions, rule, team):
    household = HouseholdFactory(division=divisions["v11"])
    url = reverse("civility:declaration-check")
    params = {"household": household.pk, "kind": "wedding", "tables": 5, "days": 1, "gift_money": 50}
    over = page.get(url, {**params, "per_table_cost": "500", "service_team": team.pk}).json()
    assert over["violations"] == ["team_fee"]
    assert page.get(url, {**params, "per_table_cost": "abc"}).status_code == 400
    other = BanquetServiceTeam.objects.create(division=divisions["v21"], name="外乡服务队")
    assert page.get(url, {**params, "service_team": other.pk}).status_code == 404


def test_banquet_teams_api_lists_fees_in_scope_with_a_fixed_number_of_queries(api, divisions, team):
    BanquetServiceTeam.objects.create(division=divisions["v21"], name="外乡服务队")
    api.get("/api/v1/civility/banquet-teams/")  # the caller's roles are read once, then cached on the user
    with CaptureQueriesContext(connection) as few:
        body = api.get("/api/v1/civility/banquet-teams/").json()
    assert [t["name"] for t in body["results"]] == ["一组宴席服务队"]
    assert {f["item"] for f in body["results"][0]["fees"]} == {"每桌（含厨师、餐具）", "场地布置"}
    for i in range(5):
        t = BanquetServiceTeam.objects.create(division=divisions["v12"], name=f"服务队{i}")
        BanquetServiceFee.objects.create(team=t, item="每桌", price=Decimal(400), per_table=True)
    with CaptureQueriesContext(connection) as many:
        assert api.get("/api/v1/civility/banquet-teams/").status_code == 200
    assert len(few) == len(many)


# --- 15 分钟服务圈 -----------------------------------------------------------------------------------


def test_distance_is_haversine_in_metres():
    assert round(distance_m(27.0, 112.0, 28.0, 112.0)) == 111195  # one degree of latitude


@pytest.fixture
def circle_world(divisions):
    """Stations at 27.70 N 112.00 E (v11) and 27.80 N (v21, the other township); hamlets of v11 at
    ~0.55 km (covered), ~4.4 km (a gap) and, in v12, next to the other township's station."""
    PracticeStationFactory(
        division=divisions["v11"], name="村一站", latitude=Decimal("27.70"), longitude=Decimal("112")
    )
    PracticeStationFactory(
        division=divisions["v21"], name="外乡站", latitude=Decimal("27.80"), longitude=Decimal("112")
    )
    places = {}
    for name, parent, lat in [("近屋场", "v11", "27.705"), ("远屋场", "v11", "27.74"), ("边屋场", "v12", "27.799")]:
        hamlet = DivisionFactory(
            code=f"{divisions[parent].code}{len(places) + 1:03d}",
            name=name,
            level=DivisionLevel.HAMLET,
            parent=divisions[parent],
        )
        PlaceLocation.objects.create(division=hamlet, latitude=Decimal(lat), longitude=Decimal("112"))
        places[name] = hamlet
    return places


def test_places_beyond_1200_metres_of_every_station_are_gaps(divisions, circle_world):
    circle = service_circle(division=divisions["t1"])
    by_name = {p.name: p for p in circle.places}
    assert by_name["近屋场"].covered and by_name["近屋场"].distance_m == 556
    assert not by_name["远屋场"].covered and [p.name for p in circle.gaps] == ["远屋场"]
    # Served by the other township's station, which is measured to but never named here.
    assert by_name["边屋场"].covered and by_name["边屋场"].nearest == "辖区外阵地"
    assert [s[0] for s in circle.stations] == ["村一站"]
    assert (circle.covered, circle.total, circle.rate) == (2, 3, Decimal("66.7"))
    assert registry.indicators["civility.service_circle_rate"].compute(division=divisions["t1"]) == Decimal("66.7")


def test_service_circle_page_shows_the_gaps_and_the_scatter(page, divisions, circle_world):
    response = page.get(reverse("civility:service-circle"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "远屋场" in body and "<svg" in body and "1.2" in body
    assert "外乡站" not in body
    assert page.get(reverse("civility:service-circle"), {"within": divisions["t2"].code}).status_code == 404
    assert page.get(reverse("civility:service-circle"), {"within": "not-a-code"}).status_code == 404


def test_service_circle_page_query_count_does_not_grow_with_places(page, divisions, circle_world):
    with CaptureQueriesContext(connection) as few:
        assert page.get(reverse("civility:service-circle")).status_code == 200
    for i in range(27):
        hamlet = DivisionFactory(
            code=f"{divisions['v12'].code}{100 + i}",
            name=f"屋场{i}",
            level=DivisionLevel.HAMLET,
            parent=divisions["v12"],
        )
        PlaceLocation.objects.create(division=hamlet, latitude=Decimal("27.70"), longitude=Decimal("112.01"))
    with CaptureQueriesContext(connection) as many:
        assert page.get(reverse("civility:service-circle")).status_code == 200
    assert len(few) == len(many)


def test_service_circle_api(api, divisions, circle_world):
    body = api.get("/api/v1/civility/stations/service-circle/").json()
    assert (body["total"], body["covered"], body["rate"], body["radius_m"]) == (3, 2, "66.7", 1200)
    assert [g["name"] for g in body["gaps"]] == ["远屋场"]
    assert api.get("/api/v1/civility/stations/service-circle/", {"within": divisions["t2"].code}).status_code == 404
    names = [s["name"] for s in api.get("/api/v1/civility/stations/").json()["results"]]
    assert names == ["村一站"]


def test_admin_review_goes_through_the_service_and_a_bad_one_shows_its_error(client, district_admin, divisions):
    verified_login(client, district_admin)
    u = unit(kind(divisions), divisions["v11"], "文明村甲")
    add = reverse("admin:civility_unitreview_add")
    data = {"unit": u.pk, "reviewed_on": (DAY - datetime.timedelta(days=1)).isoformat(), "result": "awarded"}
    refused = client.post(add, data)
    assert refused.status_code == 200 and "评审日期不能早于申报日期" in refused.content.decode()
    assert not UnitReview.objects.exists()
    assert client.post(add, {**data, "reviewed_on": DAY.isoformat(), "score": 90}).status_code == 302
    u.refresh_from_db()
    assert (UnitReview.objects.get().round, u.status) == (1, UnitStatus.AWARDED)
