"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2/) as a city hotline's client speaks it:
form-encoded POSTs, ``api_key`` as a parameter, ``.json`` paths, errors as ``[{code, description}]``."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from governance.models import Role
from governance.services import api_key_create
from security.choices import BodyKind, Channel, Status
from security.models import Dispute, DisputeParty, RoutingRule

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@pytest.fixture
def hotline_key(divisions, bodies, rule):
    RoutingRule.objects.create(name="12345转办", channel=Channel.HOTLINE, target_kind=BodyKind.CENTRE, deadline_days=10)
    return api_key_create(name="12345热线", role=Role.API_CLIENT, division=divisions["district"])[1]


@pytest.fixture
def other_key(divisions, bodies, rule):
    return api_key_create(name="110警情", role=Role.API_CLIENT, division=divisions["district"])[1]


def call(key: str, **fields):
    data = {
        "api_key": key,
        "service_code": "hotline.neighbour",
        "address_string": "湖南省娄底市娄星区乡镇1村11三组",
        "description": "邻居装修噪音，多次协商未果",
        "first_name": "三",
        "last_name": "张",
        "phone": "138-1234-5678",
        "lat": "27.729",
        "long": "111.996",
        "attribute[external_id]": "12345-20261130-0001",
        "attribute[people_involved]": "2",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def post(data):
    return Client().post(f"{BASE}/requests.json", data)


def errors_of(response, status: int) -> list[dict]:
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body, list) and body, body
    assert all(set(item) == {"code", "description"} and item["code"] == status for item in body), body
    return body


def test_services_list_every_channel_and_category_in_chinese(hotline_key):
    response = Client().get(f"{BASE}/services.json", {"api_key": hotline_key})
    assert response.status_code == 200
    services = {row["service_code"]: row for row in response.json()}
    row = services["hotline.neighbour"]
    assert row == {
        "service_code": "hotline.neighbour",
        "service_name": "邻里纠纷",
        "description": "12345热线转来的邻里纠纷",
        "metadata": True,
        "type": "realtime",
        "keywords": "",
        "group": "12345热线",
    }
    assert "walk_in.neighbour" not in services  # a walk-in is registered in the portal, not by a system
    definition = Client().get(f"{BASE}/services/hotline.neighbour.json", {"api_key": hotline_key}).json()
    assert definition["service_code"] == "hotline.neighbour"
    codes = {attribute["code"]: attribute for attribute in definition["attributes"]}
    assert codes["people_involved"]["datatype"] == "number"
    assert codes["people_involved"]["description"] == "涉及人数"
    assert [v["key"] for v in codes["threats_noted"]["values"]] == ["true", "false"]
    errors_of(Client().get(f"{BASE}/services/hotline.alien.json", {"api_key": hotline_key}), 404)


def test_a_call_becomes_a_case_once_and_is_read_back(divisions, hotline_key):
    response = post(call(hotline_key))
    assert response.status_code == 201, response.content
    [created] = response.json()
    number = created["service_request_id"]
    assert created["account_id"] is None and number in created["service_notice"]

    dispute = Dispute.objects.get(number=number)
    assert (dispute.channel, dispute.category, dispute.division) == ("hotline", "neighbour", divisions["v11"])
    assert dispute.external_id == "12345-20261130-0001" and dispute.people_involved == 2
    assert (str(dispute.latitude), str(dispute.longitude)) == ("27.729000", "111.996000")
    assert dispute.address == "湖南省娄底市娄星区乡镇1村11三组"
    party = dispute.parties.get()
    assert (party.person.name, party.phone, party.role) == ("张三", "13812345678", "applicant")

    again = post(call(hotline_key))
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == number
    assert Dispute.objects.count() == 1

    [row] = Client().get(f"{BASE}/requests/{number}.json", {"api_key": hotline_key}).json()
    assert row["service_request_id"] == number and row["status"] == "open"
    assert row["service_code"] == "hotline.neighbour" and row["service_name"] == "邻里纠纷"
    assert row["address_id"] == divisions["v11"].code and row["lat"] == 27.729 and row["long"] == 111.996
    assert row["agency_responsible"] and row["status_notes"].startswith(str(Status(dispute.status).label))
    assert row["requested_datetime"].endswith("+08:00")
    assert row["expected_datetime"] is None or row["expected_datetime"].endswith("23:59:59+08:00")

    Dispute.objects.filter(pk=dispute.pk).update(status=Status.CLOSED, closed_at=timezone.now())
    listed = Client().get(f"{BASE}/requests.json", {"api_key": hotline_key, "status": "closed"}).json()
    assert [r["service_request_id"] for r in listed] == [number] and listed[0]["status"] == "closed"
    assert Client().get(f"{BASE}/requests.json", {"api_key": hotline_key, "status": "open"}).json() == []


def test_an_anonymous_hotline_call_is_registered_other_channels_need_a_name(divisions, hotline_key):
    anonymous = call(hotline_key, first_name=None, last_name=None, phone=None, **{"attribute[external_id]": None})
    response = post(anonymous)
    assert response.status_code == 201, response.content
    dispute = Dispute.objects.get(number=response.json()[0]["service_request_id"])
    assert dispute.channel == "hotline" and not dispute.parties.exists()

    before = (Dispute.objects.count(), DisputeParty.objects.count())
    refused = post({**anonymous, "service_code": "police.neighbour"})
    assert "first_name" in errors_of(refused, 400)[0]["description"]
    assert (Dispute.objects.count(), DisputeParty.objects.count()) == before


def test_the_place_is_a_code_or_the_deepest_division_named_in_the_address(divisions, hotline_key):
    by_code = post(call(hotline_key, address_string=None, **{"address_id": divisions["v22"].code}))
    assert Dispute.objects.get(number=by_code.json()[0]["service_request_id"]).division == divisions["v22"]
    by_township = post(call(hotline_key, address_string="乡镇2镇政府门口", **{"attribute[external_id]": "x2"}))
    assert Dispute.objects.get(number=by_township.json()[0]["service_request_id"]).division == divisions["t2"]


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"service_code": None}, "service_code"),
        ({"service_code": "hotline.alien"}, "service_code"),
        ({"description": "  "}, "description"),
        ({"address_string": "北京市朝阳区"}, "address_string"),
        ({"address_string": None}, "address_id"),
        ({"address_string": None, "address_id": "999999999"}, "address_id"),
        ({"lat": "91"}, "lat"),
        ({"long": "东经112度"}, "long"),
        ({"phone": "138-12"}, "phone"),
        ({"attribute[people_involved]": "-3"}, "people_involved"),
        ({"attribute[threats_noted]": "maybe"}, "threats_noted"),
        ({"attribute[colour]": "red"}, "colour"),
        ({"media_url": "not a url"}, "media_url"),
    ],
)
def test_bad_input_is_400_in_the_specs_form_naming_the_parameter_and_writes_nothing(hotline_key, fields, named):
    before = (Dispute.objects.count(), DisputeParty.objects.count())
    [error, *_rest] = errors_of(post(call(hotline_key, **fields)), 400)
    assert named in error["description"]
    assert (Dispute.objects.count(), DisputeParty.objects.count()) == before


def test_keys_formats_and_paths(hotline_key):
    errors_of(Client().get(f"{BASE}/services.json"), 403)
    errors_of(Client().get(f"{BASE}/services.json", {"api_key": "lx_nope_nope"}), 403)
    errors_of(post(call("lx_nope_nope")), 403)
    assert not Dispute.objects.exists()
    header = Client(HTTP_AUTHORIZATION=f"Api-Key {hotline_key}")
    assert header.get(f"{BASE}/services.json").status_code == 200
    errors_of(Client().get(f"{BASE}/services.xml", {"api_key": hotline_key}), 400)
    errors_of(Client().get(f"{BASE}/nothing/here", {"api_key": hotline_key}), 404)
    errors_of(Client().get(f"{BASE}/requests/431302202600009999.json", {"api_key": hotline_key}), 404)
    errors_of(Client().get(f"{BASE}/services.json", {"api_key": hotline_key, "jurisdiction_id": "110101"}), 404)
    for bad in (
        {"status": "pending"},
        {"start_date": "yesterday"},
        {"start_date": "2026-06-02", "end_date": "2026-06-01"},
    ):
        errors_of(Client().get(f"{BASE}/requests.json", {"api_key": hotline_key, **bad}), 400)


def test_a_key_reads_only_its_own_requests(hotline_key, other_key):
    number = post(call(hotline_key)).json()[0]["service_request_id"]
    errors_of(Client().get(f"{BASE}/requests/{number}.json", {"api_key": other_key}), 404)
    assert Client().get(f"{BASE}/requests.json", {"api_key": other_key}).json() == []
    assert Client().get(f"{BASE}/requests.json", {"api_key": other_key, "service_request_id": number}).json() == []
    # The same ticket number from another system is not that system's to read.
    errors_of(post(call(other_key)), 409)


def test_request_filters(hotline_key):
    first = post(call(hotline_key)).json()[0]["service_request_id"]
    second = post(call(hotline_key, service_code="hotline.labour", **{"attribute[external_id]": "b"})).json()[0]
    second = second["service_request_id"]
    read = lambda **params: [  # noqa: E731
        row["service_request_id"]
        for row in Client().get(f"{BASE}/requests.json", {"api_key": hotline_key, **params}).json()
    ]
    assert read() == [second, first]
    assert read(service_code="hotline.labour") == [second]
    assert read(service_request_id=f"{first}, {second}") == [second, first]
    assert read(start_date=(timezone.now() + datetime.timedelta(days=1)).isoformat()) == []
    assert read(start_date="2026-01-01T00:00:00+08:00", end_date="2099-01-01T00:00:00Z") == [second, first]


def test_request_list_queries_do_not_grow_with_rows(hotline_key):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert Client().get(f"{BASE}/requests.json", {"api_key": hotline_key}).status_code == 200
        return len(queries)

    for index in range(3):
        post(call(hotline_key, **{"attribute[external_id]": f"a{index}"}))
    three = count()
    for index in range(27):
        post(call(hotline_key, **{"attribute[external_id]": f"b{index}"}))
    assert count() == three


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"attribute[external_id]": "E" * 65}, "external_id"),
        ({"attribute[people_involved]": "²"}, "people_involved"),
        ({"long": None}, "long"),
        ({"email": "not-an-email"}, "email"),
        ({"first_name": "名" * 30}, "first_name"),
        ({"jurisdiction_id": "110101"}, "jurisdiction_id"),
    ],
)
def test_more_bad_input_is_refused_not_cut(hotline_key, fields, named):
    before = Dispute.objects.count()
    status = 404 if named == "jurisdiction_id" else 400
    [error, *_rest] = errors_of(post(call(hotline_key, **fields)), status)
    assert named in error["description"] or "lat" in error["description"]
    assert Dispute.objects.count() == before


@pytest.mark.parametrize("body", ['"s"', "123", "null", "[]", "true", '["x"]', '{"description": ["a", "b"]}'])
def test_a_json_body_that_is_not_an_object_of_text_is_400(hotline_key, body):
    response = Client(HTTP_AUTHORIZATION=f"Api-Key {hotline_key}").post(
        f"{BASE}/requests.json", body, content_type="application/json"
    )
    errors_of(response, 400)
    assert not Dispute.objects.exists()


def test_a_parameter_given_twice_is_400(hotline_key):
    data = call(hotline_key)
    encoded = "&".join(f"{k}={v}" for k, v in data.items()) + "&description=另一段"
    response = Client().post(f"{BASE}/requests.json", encoded, content_type="application/x-www-form-urlencoded")
    assert "description" in errors_of(response, 400)[0]["description"]
    assert not Dispute.objects.exists()


def test_repeat_suggestions_are_not_in_the_spec_answer_but_in_the_native_api_with_the_same_key(hotline_key):
    """GeoReport v2 fixes the POST answer's keys; the earlier call by the same phone is suggested
    through ``/api/v1/security/disputes/<id>/suggestions/`` with the hotline's own key (README)."""
    first = post(call(hotline_key)).json()[0]["service_request_id"]
    response = post(call(hotline_key, **{"attribute[external_id]": "12345-20261130-0002"}))
    assert response.status_code == 201
    [created] = response.json()
    assert set(created) == {"service_request_id", "service_notice", "account_id"}
    native = Client(headers={"Authorization": f"Api-Key {hotline_key}"})
    [row] = native.get("/api/v1/security/disputes/", {"q": created["service_request_id"]}).json()["results"]
    suggestions = native.get(f"/api/v1/security/disputes/{row['id']}/suggestions/").json()
    assert [s["number"] for s in suggestions] == [first] and "party_phone" in suggestions[0]["matches"]
    assert "13812345678" not in str(suggestions)
