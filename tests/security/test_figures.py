"""The article's security figures (issue 12 item 5, issue 16 items 4–6): 接处警/刑事立案/行政案件 from
complete monthly returns ("no data", never −100 %, for a month without them), 三调联治 and 三情联处 from
the case records — hand-computed figures, pages, downloads, API, scoping, bad input and query counts."""

from __future__ import annotations

import datetime
import io
import itertools
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from rest_framework.test import APIClient

from governance.models import Role
from governance.registry import registry
from security.choices import BodyKind, BodyLevel, Category, Channel, EventAction, Status
from security.models import Dispute, DisputeEvent, SecurityStat
from security.models.stats import ERR_STAT_LEVEL, ERR_STAT_MONTH_OPEN
from security.reports.selectors import three_mediations, three_situations
from security.selectors import security_stats_comparison, security_stats_yoy
from tests.api_mixin import assert_error_body
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.security.factories import MediationBodyFactory

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
YEAR_2024 = (datetime.date(2024, 1, 1), datetime.date(2024, 12, 31))
_numbers = itertools.count(1)


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- 接处警、刑事立案、行政案件: complete monthly returns ------------------------------------------


def _returns(division, year, figures, complete=True, months=range(1, 13)):
    for month in months:
        SecurityStat.objects.create(
            division=division, month=datetime.date(year, month, 1), is_complete=complete, **figures
        )


def test_the_yoy_of_complete_returns_is_hand_computed(divisions):
    # 2023: t1 100 + t2 150 a month → 3000 a year; 2024: t1 90 + t2 150 → 2880: −4.00 %.
    _returns(divisions["t1"], 2023, {"police_incidents": 100, "criminal_cases": 10, "administrative_cases": 30})
    _returns(divisions["t2"], 2023, {"police_incidents": 150, "criminal_cases": 11, "administrative_cases": 0})
    _returns(divisions["t1"], 2024, {"police_incidents": 90, "criminal_cases": 7, "administrative_cases": 20})
    _returns(divisions["t2"], 2024, {"police_incidents": 150, "criminal_cases": 7, "administrative_cases": 0})
    result = security_stats_comparison(division=divisions["district"], start=YEAR_2024[0], end=YEAR_2024[1])
    figures = result["figures"]
    assert figures["police_incidents"] == {"current": 2880, "previous": 3000, "change_pct": Decimal("-4.00")}
    # (14 − 21) / 21 = −33.333…
    assert figures["criminal_cases"]["change_pct"] == Decimal("-33.33")
    assert figures["administrative_cases"] == {"current": 240, "previous": 360, "change_pct": Decimal("-33.33")}
    assert result["missing"] == [] and len(result["months"]) == 12
    # A township's own figures; a village has no returns: no data.
    assert security_stats_yoy(division=divisions["t1"], start=YEAR_2024[0], end=YEAR_2024[1])["police_incidents"][
        "change_pct"
    ] == Decimal("-10.00")
    assert security_stats_yoy(division=divisions["v11"], start=YEAR_2024[0], end=YEAR_2024[1])["police_incidents"] == {
        "current": None,
        "previous": None,
        "change_pct": None,
    }


def test_a_missing_or_unconfirmed_month_is_no_data_not_a_drop(divisions):
    _returns(divisions["t1"], 2023, {"police_incidents": 100})
    _returns(divisions["t2"], 2023, {"police_incidents": 100})
    _returns(divisions["t1"], 2024, {"police_incidents": 100})
    # t2 has no return for May 2024 and an unconfirmed one for June: the old sum said −8.33 %.
    _returns(divisions["t2"], 2024, {"police_incidents": 100}, months=[1, 2, 3, 4, 7, 8, 9, 10, 11, 12])
    _returns(divisions["t2"], 2024, {"police_incidents": 100}, complete=False, months=[6])
    result = security_stats_comparison(division=divisions["district"], start=YEAR_2024[0], end=YEAR_2024[1])
    assert result["figures"]["police_incidents"] == {"current": None, "previous": None, "change_pct": None}
    assert result["missing"] == ["2024-05", "2024-06"] and result["months"] == []
    # The months that are complete on both sides still compare.
    march = security_stats_comparison(
        division=divisions["district"], start=datetime.date(2024, 3, 1), end=datetime.date(2024, 3, 31)
    )
    assert march["figures"]["police_incidents"] == {"current": 200, "previous": 200, "change_pct": Decimal("0.00")}
    # t1 alone has all its months.
    t1 = security_stats_yoy(division=divisions["t1"], start=YEAR_2024[0], end=YEAR_2024[1])
    assert t1["police_incidents"]["change_pct"] == Decimal("0.00")


def test_the_running_month_is_left_out_of_both_years(divisions):
    _returns(divisions["t1"], 2023, {"police_incidents": 10}, months=[1, 2])
    _returns(divisions["t2"], 2023, {"police_incidents": 10}, months=[1, 2])
    _returns(divisions["t1"], 2024, {"police_incidents": 20}, months=[1])
    _returns(divisions["t2"], 2024, {"police_incidents": 20}, months=[1])
    result = security_stats_comparison(
        division=divisions["district"],
        start=datetime.date(2024, 1, 1),
        end=datetime.date(2024, 2, 10),
        today=datetime.date(2024, 2, 10),
    )
    assert result["months"] == ["2024-01"]
    assert result["figures"]["police_incidents"] == {"current": 40, "previous": 20, "change_pct": Decimal("100.00")}


def test_the_dashboard_yoy_indicator_shows_no_data_for_a_missing_month(divisions):
    _returns(divisions["t1"], 2023, {"police_incidents": 100})
    _returns(divisions["t2"], 2023, {"police_incidents": 100})
    _returns(divisions["t1"], 2024, {"police_incidents": 100})
    compute = registry.indicators["security.police_incidents_yoy"].compute
    assert compute(division=divisions["district"], start=YEAR_2024[0], end=YEAR_2024[1]) is None
    _returns(divisions["t2"], 2024, {"police_incidents": 50})
    assert compute(division=divisions["district"], start=YEAR_2024[0], end=YEAR_2024[1]) == Decimal("-25.00")


def test_a_return_belongs_to_a_township_and_is_confirmed_after_its_month(divisions):
    stat = SecurityStat(division=divisions["v11"], month=datetime.date(2024, 1, 1))
    with pytest.raises(ValidationError) as error:
        stat.full_clean()
    assert error.value.error_dict["division"][0].code == ERR_STAT_LEVEL
    this_month = timezone.localdate().replace(day=1)
    stat = SecurityStat(division=divisions["t1"], month=this_month, is_complete=True)
    with pytest.raises(ValidationError) as error:
        stat.full_clean()
    assert error.value.error_dict["is_complete"][0].code == ERR_STAT_MONTH_OPEN
    assert "尚未结束" in error.value.error_dict["is_complete"][0].messages[0]


def test_the_api_yoy_names_the_missing_months(divisions, district_admin):
    _returns(divisions["t1"], 2023, {"police_incidents": 100})
    _returns(divisions["t2"], 2023, {"police_incidents": 100})
    _returns(divisions["t1"], 2024, {"police_incidents": 96})
    body = (
        client_for(district_admin)
        .get(reverse("api:security-api:stat-yoy"), {"start": "2024-01-01", "end": "2024-12-31"})
        .json()
    )
    assert body["figures"]["police_incidents"] == {"current": None, "previous": None, "change_pct": None}
    assert body["missing"] == [f"2024-{m:02d}" for m in range(1, 13)]


# --- 三调联治 and 三情联处: from the case records ----------------------------------------------------


def _at(year, month, day=10):
    return datetime.datetime(year, month, day, 10, 0, tzinfo=SH)


def _case(division, body, *, received, channel=Channel.WALK_IN, resolved_days=None, status=Status.MEDIATING):
    resolved = received + datetime.timedelta(days=resolved_days) if resolved_days is not None else None
    return Dispute.objects.create(
        number=f"T{next(_numbers):08d}",
        channel=channel,
        category=Category.NEIGHBOUR,
        division=division,
        description="测试",
        received_at=received,
        current_body=body,
        status=Status.CLOSED if resolved else status,
        resolved_at=resolved,
    )


def _move(dispute, action, from_body, to_body, when):
    DisputeEvent.objects.create(dispute=dispute, action=action, from_body=from_body, to_body=to_body, created_at=when)


@pytest.fixture
def mediation_bodies(divisions):
    d, t1, v11 = divisions["district"], divisions["t1"], divisions["v11"]
    make = MediationBodyFactory
    return {
        ("peoples_mediation", "village"): make(kind=BodyKind.PEOPLES_MEDIATION, level=BodyLevel.VILLAGE, division=v11),
        ("peoples_mediation", "district"): make(kind=BodyKind.PEOPLES_MEDIATION, level=BodyLevel.DISTRICT, division=d),
        ("judicial", "township"): make(kind=BodyKind.JUDICIAL, level=BodyLevel.TOWNSHIP, division=t1),
        ("administrative", "village"): make(kind=BodyKind.ADMINISTRATIVE, level=BodyLevel.VILLAGE, division=v11),
        ("centre", "township"): make(kind=BodyKind.CENTRE, level=BodyLevel.TOWNSHIP, division=t1),
    }


def test_three_mediations_are_hand_computed(divisions, mediation_bodies):
    b = mediation_bodies
    v11, v21 = divisions["v11"], divisions["v21"]
    # 人民调解·村: 3 received, 2 resolved in 2 and 5 days → 66.7 %, 3.5 days.
    _case(v11, b[("peoples_mediation", "village")], received=_at(2024, 3), resolved_days=2)
    _case(v11, b[("peoples_mediation", "village")], received=_at(2024, 4), resolved_days=5)
    _case(v11, b[("peoples_mediation", "village")], received=_at(2024, 5))
    # 司法调解·乡镇: 1 received, resolved in 10 days.
    _case(v11, b[("judicial", "township")], received=_at(2024, 6), resolved_days=10)
    # 人民调解·区 (a case of t2's village): 1 received, open.
    _case(v21, b[("peoples_mediation", "district")], received=_at(2024, 7))
    # Not counted: held by a 综治中心; received in 2023.
    _case(v11, b[("centre", "township")], received=_at(2024, 3), resolved_days=1)
    _case(v11, b[("administrative", "village")], received=_at(2023, 12), resolved_days=1)

    report = three_mediations(
        disputes=Dispute.objects.all(), division=divisions["district"], start=YEAR_2024[0], end=YEAR_2024[1]
    )
    village = report["cells"]["peoples_mediation"]["village"]
    assert village == {"received": 3, "resolved": 2, "resolution_rate": Decimal("66.7"), "mean_days": Decimal("3.5")}
    assert report["cells"]["judicial"]["township"] == {
        "received": 1,
        "resolved": 1,
        "resolution_rate": Decimal("100.0"),
        "mean_days": Decimal("10.0"),
    }
    assert report["cells"]["administrative"]["village"] == {
        "received": 0,
        "resolved": 0,
        "resolution_rate": None,
        "mean_days": None,
    }
    assert report["by_kind"]["peoples_mediation"]["received"] == 4
    assert report["by_level"]["village"]["received"] == 3
    # All: 5 received, 3 resolved (2 + 5 + 10 days) → 60.0 %, 5.7 days.
    assert report["total"] == {
        "received": 5,
        "resolved": 3,
        "resolution_rate": Decimal("60.0"),
        "mean_days": Decimal("5.7"),
    }
    # t1's subtree leaves t2's case out.
    t1 = three_mediations(
        disputes=Dispute.objects.all(), division=divisions["t1"], start=YEAR_2024[0], end=YEAR_2024[1]
    )
    assert t1["total"]["received"] == 4
    # The dashboard figures agree.
    rate = registry.indicators["security.three_mediations_rate"].compute
    assert rate(division=divisions["district"], start=YEAR_2024[0], end=YEAR_2024[1]) == Decimal("60.0")
    received = registry.indicators["security.three_mediations_received"].compute
    assert received(division=divisions["district"], start=YEAR_2024[0], end=YEAR_2024[1]) == 5


@pytest.fixture
def police_pair(divisions):
    t1 = divisions["t1"]
    station = MediationBodyFactory(kind=BodyKind.POLICE_STATION, level=BodyLevel.TOWNSHIP, division=t1)
    centre = MediationBodyFactory(kind=BodyKind.STATION_CENTRE, level=BodyLevel.TOWNSHIP, division=t1, parent=station)
    village = MediationBodyFactory(kind=BodyKind.PEOPLES_MEDIATION, level=BodyLevel.VILLAGE, division=divisions["v11"])
    return station, centre, village


def test_three_situations_are_hand_computed(divisions, police_pair):
    station, centre, village = police_pair
    v11, v21 = divisions["v11"], divisions["v21"]
    # t1, March 2024: three 警情 — one handed station → 矛调中心 and resolved, one handed 矛调中心 →
    # station, one escalated; plus a walk-in case (not one of the three).
    a = _case(v11, centre, received=_at(2024, 3), channel=Channel.POLICE, resolved_days=3)
    _move(a, EventAction.TRANSFERRED, station, centre, _at(2024, 3, 11))
    b = _case(v11, station, received=_at(2024, 3), channel=Channel.POLICE)
    _move(b, EventAction.TRANSFERRED, centre, station, _at(2024, 3, 11))
    c = _case(v11, centre, received=_at(2024, 3), channel=Channel.POLICE)
    _move(c, EventAction.ESCALATED, centre, village, _at(2024, 3, 12))
    _move(c, EventAction.TRANSFERRED, centre, village, _at(2024, 3, 12))  # not between police and 矛调中心
    _case(v11, village, received=_at(2024, 3), channel=Channel.WALK_IN)
    # t2, April 2024: a 诉情 (resolved) and a 访情; March 2023 in t1: one 警情 a year earlier.
    _case(v21, village, received=_at(2024, 4), channel=Channel.LITIGATION, resolved_days=1)
    _case(v21, village, received=_at(2024, 4), channel=Channel.PETITION)
    _case(v11, centre, received=_at(2023, 3), channel=Channel.POLICE)

    report = three_situations(
        disputes=Dispute.objects.all(),
        division=divisions["district"],
        start=datetime.date(2024, 3, 1),
        end=datetime.date(2024, 4, 30),
    )
    rows = {(row["division"].code, f"{row['month']:%Y-%m}"): row["figures"] for row in report["rows"]}
    assert len(rows) == 4  # two townships × two months, zeros included
    t1_march = rows[(divisions["t1"].code, "2024-03")]
    assert t1_march["police"] == {"received": 3, "resolved": 1, "transferred": 2, "escalated": 1}
    assert t1_march["litigation"] == {"received": 0, "resolved": 0, "transferred": 0, "escalated": 0}
    t2_april = rows[(divisions["t2"].code, "2024-04")]
    assert t2_april["litigation"] == {"received": 1, "resolved": 1, "transferred": 0, "escalated": 0}
    assert t2_april["petition"]["received"] == 1
    totals = report["totals"]
    assert totals["police"]["received"] == {"current": 3, "previous": 1, "change_pct": Decimal("200.00")}
    assert totals["litigation"]["received"] == {"current": 1, "previous": 0, "change_pct": None}
    march = report["by_month"][0]
    assert march["figures"]["police"]["received"] == 3 and march["previous"]["police"]["received"] == 1
    # The dashboard figures agree.
    compute = registry.indicators["security.three_situations_received"].compute
    assert compute(division=divisions["district"], start=datetime.date(2024, 3, 1), end=datetime.date(2024, 4, 30)) == 5
    compute = registry.indicators["security.three_situations_transferred"].compute
    assert compute(division=divisions["t1"], start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31)) == 2
    # A village (no children) is one row per month.
    village_report = three_situations(
        disputes=Dispute.objects.all(), division=v11, start=datetime.date(2024, 3, 1), end=datetime.date(2024, 3, 31)
    )
    assert [row["division"] for row in village_report["rows"]] == [v11]
    assert village_report["rows"][0]["figures"]["police"]["received"] == 3


# --- pages, downloads and API ---------------------------------------------------------------------

PAGES = ["security:three-mediations", "security:three-situations"]
API = ["api:security-api:report-three-mediations", "api:security-api:report-three-situations"]


@pytest.mark.parametrize("name", PAGES)
def test_the_pages_show_and_download_the_figures(client, divisions, district_admin, mediation_bodies, name):
    _case(
        divisions["v11"],
        mediation_bodies[("judicial", "township")],
        received=_at(2024, 3),
        channel=Channel.POLICE,
        resolved_days=4,
    )
    verified_login(client, district_admin)
    response = client.get(reverse(name), {"year": "2024"})
    assert response.status_code == 200
    html = response.content.decode()
    if name.endswith("mediations"):
        assert "司法调解" in html and "100.0%" in html and "4.0" in html
        assert 'data-label="乡镇（街道）级·受理"' in html  # on a phone each figure names its level
    else:
        assert "乡镇1" in html and "警情" in html and "2023-03" not in html
        assert 'data-label="警情受理"' in html
    assert "<td>" not in html  # every cell labelled: a phone shows the table as cards
    download = client.get(reverse(name), {"year": "2024", "format": "xlsx"})
    assert download.status_code == 200 and "spreadsheet" in download["Content-Type"]
    book = load_workbook(io.BytesIO(download.content))
    values = [cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row]
    assert 1 in values  # the one case, counted


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"month": "13"}, "月份应为 1 至 12"),
        ({"month": "三月"}, "月份请填写 1 至 12 的数字"),
        ({"year": "1800"}, "年份不能早于 2000 年"),
        ({"year": "2100"}, "所选期间尚未开始"),
        ({"within": "43'1302"}, "区划代码格式不正确"),
    ],
)
def test_bad_input_is_a_chinese_400(client, divisions, district_admin, name, query, message):
    verified_login(client, district_admin)
    response = client.get(reverse(name), query)
    assert response.status_code == 400 and message in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
def test_another_area_is_404_and_its_cases_are_not_shown(client, divisions, mediation_bodies, name):
    _case(divisions["v11"], mediation_bodies[("judicial", "township")], received=_at(2024, 3), channel=Channel.POLICE)
    officer = user_with_role(Role.TOWNSHIP_OFFICER, divisions["t2"], username="t2_officer")
    verified_login(client, officer)
    assert client.get(reverse(name), {"within": divisions["t1"].code}).status_code == 404
    assert client.get(reverse(name), {"within": "999999"}).status_code == 404
    own = client.get(reverse(name), {"year": "2024", "format": "xlsx"})
    values = [
        c for s in load_workbook(io.BytesIO(own.content)).worksheets for r in s.iter_rows(values_only=True) for c in r
    ]
    assert 1 not in values


def _queries(client, url, query) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", [*PAGES, *API])
def test_the_same_queries_for_3_and_30_cases(client, divisions, district_admin, mediation_bodies, police_pair, name):
    api = name.startswith("api:")
    if api:
        client = client_for(district_admin)
    else:
        verified_login(client, district_admin)
    station, centre, _village = police_pair
    bodies = list(mediation_bodies.values())

    def add(n):
        for i in range(n):
            case = _case(
                divisions["v11" if i % 2 else "v21"],
                bodies[i % len(bodies)],
                received=_at(2024, 1 + i % 12),
                channel=[Channel.POLICE, Channel.LITIGATION, Channel.PETITION][i % 3],
                resolved_days=i % 4 or None,
            )
            _move(case, EventAction.TRANSFERRED, station, centre, _at(2024, 1 + i % 12, 11))

    add(3)
    _queries(client, reverse(name), {"year": "2024"})  # warm: the caller's roles and scope are cached
    few = _queries(client, reverse(name), {"year": "2024"})
    add(27)
    assert _queries(client, reverse(name), {"year": "2024"}) == few


@pytest.mark.parametrize("name", API)
def test_the_api_answers_scoped_and_names_bad_fields(divisions, district_admin, mediation_bodies, name):
    _case(
        divisions["v11"],
        mediation_bodies[("judicial", "township")],
        received=_at(2024, 3),
        channel=Channel.POLICE,
        resolved_days=4,
    )
    admin = client_for(district_admin)
    body = admin.get(reverse(name), {"year": "2024"}).json()
    assert body["division"] == divisions["district"].code and body["start"] == "2024-01-01"
    if "mediations" in name:
        cell = next(c for c in body["cells"] if (c["kind"], c["level"]) == ("judicial", "township"))
        assert cell == {
            "kind": "judicial",
            "kind_label": "司法调解",
            "level": "township",
            "level_label": "乡镇（街道）级",
            "received": 1,
            "resolved": 1,
            "resolution_rate": 100.0,
            "mean_days": 4.0,
        }
    else:
        police = next(t for t in body["totals"] if (t["channel"], t["metric"]) == ("police", "received"))
        assert police == {"channel": "police", "metric": "received", "current": 1, "previous": 0, "change_pct": None}
        assert len(body["rows"]) == 2 * 12 * 3  # townships × months × channels
    assert_error_body(admin.get(reverse(name), {"month": "13"}), 400, "month")
    assert_error_body(admin.get(reverse(name), {"year": "x"}), 400, "year")
    assert_error_body(admin.get(reverse(name), {"within": "a b"}), 400, "within")
    outsider = client_for(user_with_role(Role.TOWNSHIP_OFFICER, divisions["t2"], username="t2_api"))
    assert_error_body(outsider.get(reverse(name), {"within": divisions["t1"].code}), 404)
