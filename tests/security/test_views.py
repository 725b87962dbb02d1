import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.forms import ERR_DIVISION_CHOICE
from security.models import Dispute, EventAction, PoliceRoom, Status
from tests.auth import verified_login
from tests.security.factories import intake

# Done on the day the case is handled: not before it was received, not in the future.
TODAY = timezone.localdate().isoformat()

pytestmark = [pytest.mark.django_db]


def _move(client, pk, name, data=None):
    return client.post(reverse("security:dispute-move", args=[pk, name]), data or {})


def test_full_flow_through_the_pages(client, divisions, bodies, rule, centre_mediator, village_mediator):
    verified_login(client, centre_mediator)
    response = client.post(
        reverse("security:dispute-intake"),
        {
            "channel": "police", "category": "neighbour", "division": divisions["v11"].code, "description": "争吵",
            "party0_name": "李一", "party0_role": "applicant", "party1_name": "王二", "party1_role": "respondent",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    dispute = Dispute.objects.get()
    assert dispute.current_body == bodies["t1_station_centre"]
    assert _move(client, dispute.pk, "transfer", {"to_body": bodies["v11"].pk, "reason": "转村"}).status_code == 302
    verified_login(client, village_mediator)
    for name, data in [
        ("accept", {}),
        ("mediate", {}),
        ("agreement", {"terms": "赔偿", "amount": "100", "signed_on": TODAY, "judicial_confirmation": "none"}),
        ("close", {}),
    ]:
        assert _move(client, dispute.pk, name, data).status_code == 302, name
    page = client.get(reverse("security:dispute-detail", args=[dispute.pk])).content.decode()
    for label in ("受理登记", "分派", "移交", "接收", "开始调解", "达成协议", "办结", "可调解警情"):
        assert label in page
    dispute.refresh_from_db()
    assert dispute.status == Status.CLOSED
    assert dispute.events.exclude(action=EventAction.RISK).count() == 7


def test_disallowed_move_on_the_page_is_409_and_changes_nothing(client, divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    verified_login(client, centre_mediator)
    response = _move(client, dispute.pk, "close", {"reason": "x"})
    assert response.status_code == 409
    dispute.refresh_from_db()
    assert dispute.status == Status.ROUTED
    assert "不能变更为" in response.content.decode()


def test_bad_transfer_form_shows_the_field_error(client, divisions, bodies, rule, centre_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    verified_login(client, centre_mediator)
    response = _move(client, dispute.pk, "transfer", {"to_body": "", "reason": ""})
    assert response.status_code == 400
    assert response.context["moves"][1]["form"].errors.keys() >= {"to_body", "reason"}
    dispute.refresh_from_db()
    assert dispute.status == Status.ROUTED


def test_bad_id_number_on_the_intake_form_writes_nothing(client, divisions, bodies, rule, officer):
    verified_login(client, officer)
    response = client.post(
        reverse("security:dispute-intake"),
        {"channel": "walk_in", "category": "neighbour", "division": divisions["v11"].code, "description": "x",
         "party0_name": "李一", "party0_id_number": "430102199001011235", "party0_role": "applicant",
         "party1_role": "respondent"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "party0_id_number" in response.context["form"].errors
    assert not Dispute.objects.exists()


def test_out_of_scope_case_page_is_404(client, divisions, bodies, rule, officer):
    other = intake(divisions["v21"])
    verified_login(client, officer)
    assert client.get(reverse("security:dispute-detail", args=[other.pk])).status_code == 404
    assert _move(client, other.pk, "accept").status_code == 404


def test_case_list_query_count_does_not_grow(client, divisions, bodies, rule, officer):
    verified_login(client, officer)
    for _i in range(3):
        intake(divisions["v11"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("security:dispute-list"), {"status": "routed"}).status_code == 200
    for _i in range(27):
        intake(divisions["v11"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("security:dispute-list"), {"status": "routed"})
    assert response.context["paginator"].count == 30
    assert len(few) == len(many)


def test_coverage_page_lists_the_village_whose_room_lost_its_coverage(client, divisions, bodies, district_admin):
    room = PoliceRoom.objects.create(name="警务室", division=divisions["t1"])
    room.covers.set([divisions[v] for v in ("v11", "v12", "v21", "v22")])
    verified_login(client, district_admin)
    assert client.get(reverse("security:coverage")).context["gaps"] == []
    room.covers.remove(divisions["v22"])
    assert client.get(reverse("security:coverage")).context["gaps"] == [divisions["v22"]]


def test_admin_dispute_changelist_query_count_does_not_grow(client, divisions, bodies, rule, district_admin):
    verified_login(client, district_admin)
    url = reverse("admin:security_dispute_changelist")
    for _i in range(3):
        intake(divisions["v11"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _i in range(27):
        intake(divisions["v11"])
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many)


INTAKE = {
    "channel": "walk_in", "category": "neighbour", "description": "宅基地边界争执",
    "party0_name": "李一", "party0_role": "applicant", "party1_role": "respondent",
}  # fmt: skip


def test_intake_takes_the_place_chosen_level_by_level(client, divisions, bodies, rule, officer):
    verified_login(client, officer)
    page = client.get(reverse("security:dispute-intake")).content.decode()
    assert "<legend>发生地</legend>" in page and 'hx-get="/divisions/options/"' not in page  # v11 has no children
    assert f'value="{divisions["v11"].code}" selected' in page  # the officer's only village, chosen for them
    response = client.post(reverse("security:dispute-intake"), {**INTAKE, "division_0": divisions["v11"].code})
    assert response.status_code == 302, response.content.decode()
    assert Dispute.objects.get().division == divisions["v11"]


def test_intake_with_a_tampered_place_shows_the_chinese_error_and_writes_nothing(
    client, divisions, bodies, rule, officer
):
    verified_login(client, officer)
    response = client.post(reverse("security:dispute-intake"), {**INTAKE, "division_0": divisions["v21"].code})
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["division"]
    assert errors[0].code == ERR_DIVISION_CHOICE
    assert "管辖" in response.content.decode()
    assert divisions["v21"].name not in response.content.decode()
    assert not Dispute.objects.exists()


def test_coverage_page_of_an_area_outside_the_scope_is_404(client, divisions, officer):
    verified_login(client, officer)
    assert client.get(reverse("security:coverage"), {"within": divisions["v21"].code}).status_code == 404
    assert client.get(reverse("security:coverage"), {"within": divisions["v11"].code}).status_code == 200


def test_intake_form_reads_a_phone_number_in_any_form(client, divisions, bodies, rule, officer):
    verified_login(client, officer)
    data = {**INTAKE, "division": divisions["v11"].code, "party0_phone": "(0738)8123456"}
    response = client.post(reverse("security:dispute-intake"), {**data, "party1_name": "王二", "party1_phone": "12345"})
    assert response.status_code == 302, response.content.decode()
    parties = {p.person.name: (p.phone, p.person.phone) for p in Dispute.objects.get().parties.all()}
    assert parties == {"李一": ("0738-8123456", "0738-8123456"), "王二": ("12345", "")}


def test_intake_form_refuses_a_bad_phone_number_in_chinese(client, divisions, bodies, rule, officer):
    verified_login(client, officer)
    data = {**INTAKE, "division": divisions["v11"].code, "party0_phone": "138-1234"}
    response = client.post(reverse("security:dispute-intake"), data)
    assert response.status_code == 200
    assert "电话号码" in response.context["form"].errors["party0_phone"][0]
    assert not Dispute.objects.exists()
