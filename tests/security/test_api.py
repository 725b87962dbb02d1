import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance.api.errors import ERR_CONFLICT, ERR_INVALID
from governance.models import Person, Role
from security.api import serializers
from security.models import Dispute, DisputeEvent, EventAction, PoliceRoom, SecurityStat, Status
from security.services import ERR_NOT_RECEIVING_BODY, ERR_TRANSITION, duplicates
from tests.api_mixin import assert_error_body
from tests.factories import PersonFactory, make_id_number, user_with_role
from tests.security.factories import intake

# Done on the day the case is handled: not before it was received, not in the future.
TODAY = timezone.localdate().isoformat()

pytestmark = pytest.mark.django_db
LIST = "api:security-api:dispute-list"
BAD_ID_FIELD = "parties.0.id_number"


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def move(client, dispute_id, name, data=None):
    return client.post(reverse(f"api:security-api:dispute-{name}", args=[dispute_id]), data or {}, format="json")


def intake_data(divisions, **overrides):
    return {
        "channel": "police",
        "category": "neighbour",
        "division": divisions["v11"].code,
        "description": "两户因宅基地边界争吵",
        "parties": [
            {"name": "李一", "id_number": make_id_number(), "role": "applicant"},
            {"name": "王二", "role": "respondent"},
        ],
        **overrides,
    }


def test_full_flow_through_the_api(divisions, bodies, rule, centre_mediator, village_mediator):
    centre, village = client_for(centre_mediator), client_for(village_mediator)
    response = centre.post(reverse(LIST), intake_data(divisions), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == Status.ROUTED and body["current_body"] == bodies["t1_station_centre"].pk
    pk = body["id"]
    assert move(centre, pk, "transfer", {"to_body": bodies["v11"].pk, "reason": "转村调委会"}).status_code == 200
    assert move(village, pk, "accept").status_code == 200
    assert move(village, pk, "mediate").status_code == 200
    response = move(village, pk, "agreement", {"terms": "赔偿", "amount": "800.00", "signed_on": TODAY})
    assert response.status_code == 200, response.content
    response = move(village, pk, "close")
    assert response.status_code == 200, response.content
    detail = response.json()
    assert detail["status"] == Status.CLOSED
    actions = [e["action"] for e in detail["events"] if e["action"] != EventAction.RISK]
    assert actions == ["received", "routed", "transferred", "accepted", "mediating", "agreement", "closed"]
    assert detail["events"][0]["actor_name"] and detail["agreement"]["amount"] == "800.00"
    routed = next(e for e in detail["events"] if e["action"] == "routed")
    assert routed["rule"] == rule.pk


def test_disallowed_move_is_409_with_the_error_body_and_nothing_changes(divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    events = dispute.events.count()
    body = assert_error_body(move(client_for(centre_mediator), dispute.pk, "close", {"reason": "x"}), 409, "status")
    assert body["code"] == ERR_CONFLICT and body["errors"]["status"][0]["code"] == ERR_TRANSITION
    dispute.refresh_from_db()
    assert dispute.status == Status.ROUTED and dispute.events.count() == events


def test_accepting_a_transfer_for_another_body_is_409(divisions, bodies, rule, centre_mediator, village_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    move(client_for(centre_mediator), dispute.pk, "transfer", {"to_body": bodies["v11"].pk, "reason": "转村"})
    response = move(client_for(centre_mediator), dispute.pk, "accept")
    body = assert_error_body(response, 409, "current_body")
    assert body["errors"]["current_body"][0]["code"] == ERR_NOT_RECEIVING_BODY
    dispute.refresh_from_db()
    assert dispute.status == Status.TRANSFERRED


def test_intake_with_the_same_external_id_twice_creates_one_case(divisions, bodies, rule):
    api_user = user_with_role(Role.API_CLIENT, divisions["district"])
    client = client_for(api_user)
    data = intake_data(divisions, external_id="110-0001")
    first = client.post(reverse(LIST), data, format="json")
    second = client.post(reverse(LIST), data, format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Dispute.objects.filter(external_id="110-0001").count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"category": "alien_abduction"}, "category"),
        ({"division": "999999"}, "division"),
        (
            {"parties": [{"name": "李一", "id_number": "430102199001011235", "role": "applicant"}]},
            "parties.0.id_number",
        ),
        ({"parties": []}, "parties"),
    ],
)
def test_bad_intake_is_400_naming_the_field_and_writes_nothing(divisions, bodies, rule, officer, overrides, field):
    before = (Dispute.objects.count(), Person.objects.count(), DisputeEvent.objects.count())
    response = client_for(officer).post(reverse(LIST), intake_data(divisions, **overrides), format="json")
    body = assert_error_body(response, 400, field)
    assert body["code"] == ERR_INVALID
    assert (Dispute.objects.count(), Person.objects.count(), DisputeEvent.objects.count()) == before


def test_negative_agreement_amount_is_400_and_nothing_is_written(divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    client = client_for(centre_mediator)
    move(client, dispute.pk, "accept")
    move(client, dispute.pk, "mediate")
    response = move(client, dispute.pk, "agreement", {"terms": "x", "amount": "-5", "signed_on": TODAY})
    assert_error_body(response, 400, "amount")
    dispute.refresh_from_db()
    assert dispute.status == Status.MEDIATING


def test_out_of_scope_case_is_404_for_reading_and_moving(divisions, bodies, rule, officer):
    other = intake(divisions["v21"])
    client = client_for(officer)
    assert_error_body(client.get(reverse("api:security-api:dispute-detail", args=[other.pk])), 404)
    assert_error_body(move(client, other.pk, "accept"), 404)


def test_no_delete_route(divisions, bodies, rule, district_admin):
    dispute = intake(divisions["v11"])
    response = client_for(district_admin).delete(reverse("api:security-api:dispute-detail", args=[dispute.pk]))
    # Refused by the role's permissions (403) or, for those who hold delete, by the route (405).
    assert_error_body(response, 405 if response.status_code == 405 else 403)
    assert Dispute.objects.filter(pk=dispute.pk).exists()


def test_list_filters(divisions, bodies, rule, district_admin):
    police = intake(divisions["v11"])
    intake(divisions["v12"], channel="walk_in", category="labour")
    response = client_for(district_admin).get(reverse(LIST), {"channel": "police", "status": "routed", "q": "排水沟"})
    assert [row["id"] for row in response.json()["results"]] == [police.pk]
    response = client_for(district_admin).get(reverse(LIST), {"overdue": "true"})
    assert response.json() == {"next": None, "previous": None, "results": []}


def test_list_with_three_filters_takes_the_same_few_queries_for_3_and_30_rows(divisions, bodies, rule, district_admin):
    client = client_for(district_admin)
    params = {"channel": "police", "status": "routed", "overdue": "false", "page_size": 50}
    for _i in range(3):
        intake(divisions["v11"])
    client.get(reverse(LIST), params)  # the user's roles and scope are cached on the user object
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(reverse(LIST), params).json()["results"]) == 3
    for _i in range(27):
        intake(divisions["v11"])
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(reverse(LIST), params).json()["results"]) == 30
    assert len(few) == len(many) <= 4, [q["sql"] for q in many.captured_queries]
    # No page count: the list never counts the caller's whole scope.
    assert not any("COUNT(" in q["sql"] for q in many.captured_queries)


def _walk(client, params, *, back: bool = False) -> list[int]:
    """Every id, page by page, following ``next`` (then ``previous`` from the last page if ``back``)."""
    response = client.get(reverse(LIST), params).json()
    pages = [response]
    while response["next"]:
        response = client.get(response["next"]).json()
        pages.append(response)
    if back:
        pages = [response]
        while response["previous"]:
            response = client.get(response["previous"]).json()
            pages.insert(0, response)
    return [row["id"] for page in pages for row in page["results"]]


@pytest.mark.parametrize("ordering", [None, "risk_score", "-deadline", "deadline"])
def test_list_pages_by_cursor_visit_every_case_once_in_order(divisions, bodies, rule, district_admin, ordering):
    import datetime

    from django.utils import timezone

    same_time = timezone.now() - datetime.timedelta(days=1)
    cases = [intake(divisions["v11" if i % 2 else "v12"], received_at=same_time) for i in range(7)]
    cases += [intake(divisions["v11"]) for _i in range(4)]
    # Equal risk scores and deadlines everywhere, and a few cases with no deadline at all.
    Dispute.objects.filter(pk__in=[c.pk for c in cases]).update(risk_score=5)
    Dispute.objects.filter(pk__in=[c.pk for c in cases[::3]]).update(deadline=None)
    client = client_for(district_admin)
    params = {"page_size": 3, **({"ordering": ordering} if ordering else {})}
    expected = [row["id"] for row in client.get(reverse(LIST), {**params, "page_size": 100}).json()["results"]]
    assert sorted(expected) == sorted(c.pk for c in cases)
    assert _walk(client, params) == expected
    assert _walk(client, params, back=True) == expected


def test_list_page_size_is_capped_and_a_bad_cursor_is_404(divisions, bodies, rule, district_admin, settings):
    settings.API_MAX_PAGE_SIZE = 2
    for _i in range(3):
        intake(divisions["v11"])
    client = client_for(district_admin)
    body = client.get(reverse(LIST), {"page_size": 50}).json()
    assert len(body["results"]) == 2 and body["next"] and body["previous"] is None
    # Cursors for "p=xyz", "p=[1]" (one key of two) and "p=["x",1]" (not a time): 404, nothing read.
    for cursor in ("cD14eXo=", "cD1bMV0=", "cD1bIngiLDFd"):
        assert_error_body(client.get(reverse(LIST), {"cursor": cursor}), 404)


def test_list_rows_match_the_case_detail(divisions, bodies, rule, district_admin):
    dispute = intake(divisions["v11"], threats_noted=True)
    client = client_for(district_admin)
    row = client.get(reverse(LIST)).json()["results"][0]
    detail = client.get(reverse("api:security-api:dispute-detail", args=[dispute.pk])).json()
    assert row["id"] == dispute.pk and len(row["parties"]) == 2
    for party in detail["parties"]:
        del party["id_number"], party["phone"]
    assert row == {key: detail[key] for key in row}
    assert set(row) == set(serializers.DisputeListSerializer.Meta.fields)


def test_list_stays_scoped(divisions, bodies, rule, officer):
    mine, _other = intake(divisions["v11"]), intake(divisions["v21"])
    assert [row["id"] for row in client_for(officer).get(reverse(LIST)).json()["results"]] == [mine.pk]


def test_coverage_gaps_lists_uncovered_villages(divisions, bodies, district_admin):
    room = PoliceRoom.objects.create(name="警务室", division=divisions["t1"], station=bodies["t1_station"])
    room.covers.set([divisions["v11"], divisions["v12"], divisions["v21"], divisions["v22"]])
    url = reverse("api:security-api:police-room-coverage-gaps")
    assert client_for(district_admin).get(url).json() == []
    room.covers.remove(divisions["v12"])
    assert [row["code"] for row in client_for(district_admin).get(url).json()] == [divisions["v12"].code]


def test_stats_yoy(divisions, district_admin):
    import datetime

    # Complete returns of both townships in May of both years: 200 → 192, −4 %.
    for division, figures in (("t1", (100, 96)), ("t2", (100, 96))):
        for year, count in zip((2023, 2024), figures, strict=True):
            SecurityStat.objects.create(
                division=divisions[division], month=datetime.date(year, 5, 1), police_incidents=count, is_complete=True
            )
    url = reverse("api:security-api:stat-yoy")
    response = client_for(district_admin).get(url, {"within": "431302", "start": "2024-05-01", "end": "2024-05-31"})
    body = response.json()
    assert body["figures"]["police_incidents"] == {"current": 192, "previous": 200, "change_pct": -4.0}
    assert body["months"] == ["2024-05"] and body["missing"] == []
    # t1 in 2023 against t2 alone in 2024 is no comparison at all (the old sum said −4 %, then −100 %).
    SecurityStat.objects.filter(division=divisions["t1"], month__year=2024).delete()
    body = client_for(district_admin).get(url, {"within": "431302", "start": "2024-05-01", "end": "2024-05-31"}).json()
    assert body["figures"]["police_incidents"] == {"current": None, "previous": None, "change_pct": None}
    assert body["missing"] == ["2024-05"]


def test_reports_of_an_area_outside_the_scope_are_404(divisions, officer):
    client = client_for(officer)
    outside = {"within": divisions["v21"].code}
    assert_error_body(client.get(reverse("api:security-api:police-room-coverage-gaps"), outside), 404)
    assert_error_body(client.get(reverse("api:security-api:stat-yoy"), outside), 404)
    inside = {"within": divisions["v11"].code, "start": "2024-06-01", "end": "2024-01-01"}
    assert_error_body(client.get(reverse("api:security-api:stat-yoy"), inside), 400, "end")


@pytest.mark.parametrize(
    ("typed", "on_case", "on_person"),
    [
        ("+8613812345678", "13812345678", "13812345678"),
        ("(0738)8123456", "0738-8123456", "0738-8123456"),
        ("12345", "12345", ""),
    ],
)
def test_intake_reads_a_callers_number_in_any_form(divisions, bodies, rule, typed, on_case, on_person):
    client = client_for(user_with_role(Role.API_CLIENT, divisions["district"]))
    parties = [{"name": "来电人", "phone": typed, "role": "applicant"}]

    response = client.post(reverse(LIST), intake_data(divisions, parties=parties), format="json")

    assert response.status_code == 201, response.json()
    party = Dispute.objects.get().parties.get()
    # A service number is the case's contact number, never a person's own.
    assert (party.phone, party.person.phone) == (on_case, on_person)


def test_intake_with_a_bad_number_is_400_naming_the_party_phone(divisions, bodies, rule):
    client = client_for(user_with_role(Role.API_CLIENT, divisions["district"]))
    parties = [{"name": "来电人", "phone": "138-12", "role": "applicant"}]

    response = client.post(reverse(LIST), intake_data(divisions, parties=parties), format="json")

    assert_error_body(response, 400, "parties.0.phone")
    assert not Dispute.objects.exists()


def test_a_hotline_reads_back_only_the_cases_it_filed_by_its_own_ticket_number(divisions, bodies, rule, officer):
    """Issue 15 item 4: ``?external_id=`` finds the hotline's own ticket; a key sees the cases it filed
    and no other case of its area (another system's, an officer's)."""
    hotline = client_for(user_with_role(Role.API_CLIENT, divisions["district"]))
    police = client_for(user_with_role(Role.API_CLIENT, divisions["district"]))
    mine = hotline.post(reverse(LIST), intake_data(divisions, external_id="12345-0001"), format="json").json()
    hotline.post(reverse(LIST), intake_data(divisions, external_id="12345-0002"), format="json")
    theirs = police.post(reverse(LIST), intake_data(divisions, external_id="110-0009"), format="json").json()
    by_officer = client_for(officer).post(reverse(LIST), intake_data(divisions), format="json").json()

    found = hotline.get(reverse(LIST), {"external_id": " 12345-0001 "}).json()["results"]
    assert [row["id"] for row in found] == [mine["id"]]
    assert found[0]["status"]
    listed = {row["id"] for row in hotline.get(reverse(LIST)).json()["results"]}
    assert mine["id"] in listed and len(listed) == 2
    assert theirs["id"] not in listed and by_officer["id"] not in listed
    assert hotline.get(reverse(LIST), {"external_id": "110-0009"}).json()["results"] == []
    assert hotline.get(reverse("api:security-api:dispute-detail", args=[theirs["id"]])).status_code == 404
    assert hotline.get(reverse("api:security-api:dispute-detail", args=[mine["id"]])).status_code == 200
    # An officer of the area sees every case, and finds one by its ticket number too.
    found = client_for(officer).get(reverse(LIST), {"external_id": "110-0009"}).json()["results"]
    assert [row["id"] for row in found] == [theirs["id"]]
    mine_only = client_for(officer).get(reverse(LIST), {"mine": "true"}).json()["results"]
    assert [row["id"] for row in mine_only] == [by_officer["id"]]


def test_intake_keeps_the_address_and_people_involved(divisions, bodies, rule, officer):
    data = intake_data(divisions, address="村11三组王家塘", people_involved=12)
    response = client_for(officer).post(reverse(LIST), data, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["address"], body["people_involved"]) == ("村11三组王家塘", 12)
    bad = client_for(officer).post(reverse(LIST), intake_data(divisions, people_involved=-1), format="json")
    assert_error_body(bad, 400, "people_involved")
    assert Dispute.objects.count() == 1


def test_intake_answers_the_earlier_cases_it_may_repeat_in_the_callers_scope_only(divisions, bodies, rule):
    """Issue 20 at the API intake: ``suggestions`` lists the open case with the same party (by 身份证号)
    inside the caller's scope, never a case outside it, and carries no personal identifier."""
    person = PersonFactory(division=divisions["v11"])
    earlier = intake(divisions["v11"], people=[person])
    elsewhere = intake(divisions["v21"], people=[person])  # t2: outside a t1 officer's scope
    officer_t1 = user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="officer_t1_api")
    party = {"name": "另报姓名", "id_number": person.id_number, "role": "applicant"}
    response = client_for(officer_t1).post(reverse(LIST), intake_data(divisions, parties=[party]), format="json")
    assert response.status_code == 201
    suggestions = response.json()["suggestions"]
    assert [s["id"] for s in suggestions] == [earlier.pk]
    assert set(suggestions[0]) == {"id", "number", "matches"} and suggestions[0]["number"] == earlier.number
    assert "party_id" in suggestions[0]["matches"]
    assert elsewhere.number not in str(suggestions)
    assert person.id_number not in str(suggestions) and (not person.phone or person.phone not in str(suggestions))
    # A district-wide caller is told of both: the scope, not the data, kept the other case out.
    leader = user_with_role(Role.LEADER, divisions["district"], username="leader_api")
    again = client_for(officer_t1).post(reverse(LIST), intake_data(divisions, parties=[party]), format="json")
    found = duplicates.dispute_suggestions(dispute=Dispute.objects.get(pk=again.json()["id"]), user=leader)
    assert {earlier.pk, elsewhere.pk} <= {s.dispute.pk for s in found}


def test_intake_without_earlier_cases_answers_an_empty_list(divisions, bodies, rule, officer):
    response = client_for(officer).post(reverse(LIST), intake_data(divisions), format="json")
    assert response.status_code == 201 and response.json()["suggestions"] == []
