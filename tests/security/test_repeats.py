"""Issue 20, repeat and duplicate detection: suggestions by 身份证号, phone, place and category, only in
the user's scope and without leaking identifiers; linking as a duplicate (closed, following the
original) or a repeat (counted, raising the risk); the API's suggestions and link endpoints and the
case page's link form: scoping (404), bad input (400, nothing written) and query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Role
from security.choices import Category, Channel, EventAction, PartyRole, Status
from security.models import DisputeLink, LinkKind
from security.services import DisputeConflict, PartyInput, Place, dispute_intake
from security.services.duplicates import (
    ERR_ALREADY_LINKED,
    ERR_LINK_LOOP,
    ERR_LINK_SELF,
    MATCH_ID,
    MATCH_PHONE,
    MATCH_PLACE,
    dispute_link,
    dispute_suggestions,
)
from security.services.risk import repeats_linked
from tests.auth import verified_login
from tests.factories import PersonFactory, user_with_role
from tests.security.factories import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_t1(divisions, bodies):
    """A township officer of t1 (sees v11 and v12, not t2's villages); may move cases."""
    return user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="officer_t1")


def _case(division, people=None, **kwargs):
    kwargs.setdefault("channel", Channel.WALK_IN)
    return intake(division, people=people, **kwargs)


def _ids(suggestions):
    return {s.dispute.pk: s.matches for s in suggestions}


def test_same_party_by_id_number_is_suggested(divisions, bodies, officer_t1):
    person = PersonFactory(division=divisions["v11"])
    first = _case(divisions["v11"], people=[person, PersonFactory(division=divisions["v11"])])
    # The second case names the person by ID number only: intake finds the same person.
    parties = [PartyInput(role=PartyRole.APPLICANT, name="另报姓名", id_number=person.id_number)]
    second, _created = dispute_intake(
        channel=Channel.HOTLINE,
        category=Category.LAND,
        division=divisions["v12"],
        description="再次反映",
        parties=parties,
        received_by=None,
    )
    found = _ids(dispute_suggestions(dispute=second, user=officer_t1))
    assert MATCH_ID in found[first.pk]


def test_same_phone_is_suggested_without_id_number(divisions, bodies, officer_t1):
    caller = PersonFactory(division=divisions["v11"], id_number=None, phone="13900000001")
    first = _case(divisions["v11"], people=[caller])
    other = PersonFactory(division=divisions["v12"], id_number=None, phone="13900000001", name="李四")
    second = _case(divisions["v12"], people=[other], category=Category.LABOUR)
    found = _ids(dispute_suggestions(dispute=second, user=officer_t1))
    assert found[first.pk] == (MATCH_PHONE,)


def test_same_place_and_category_is_suggested_and_other_category_is_not(divisions, bodies, officer_t1):
    first = _case(divisions["v11"], place=Place(address="乐坪街道3栋 2单元"))
    other_category = _case(divisions["v11"], place=Place(address="乐坪街道3栋2单元"), category=Category.LABOUR)
    second = _case(divisions["v11"], place=Place(address="乐坪街道 3栋，2单元"))
    found = _ids(dispute_suggestions(dispute=second, user=officer_t1))
    assert found[first.pk] == (MATCH_PLACE,)
    assert other_category.pk not in found
    assert second.pk not in found


def test_case_out_of_scope_is_not_suggested(divisions, bodies, officer_t1):
    person = PersonFactory(division=divisions["v21"])
    elsewhere = _case(divisions["v21"], people=[person])
    here = _case(divisions["v11"], people=[person])
    found = _ids(dispute_suggestions(dispute=here, user=officer_t1))
    assert elsewhere.pk not in found
    district = user_with_role(Role.LEADER, divisions["district"], username="leader_all")
    assert elsewhere.pk in _ids(dispute_suggestions(dispute=here, user=district))


def test_old_closed_case_outside_window_is_not_suggested(divisions, bodies, officer_t1, settings):
    person = PersonFactory(division=divisions["v11"])
    old = _case(divisions["v11"], people=[person])
    old.status = Status.CLOSED
    old.received_at = old.received_at.replace(year=old.received_at.year - 1)
    old.save(update_fields=["status", "received_at"])
    new = _case(divisions["v11"], people=[person])
    assert old.pk not in _ids(dispute_suggestions(dispute=new, user=officer_t1))
    settings.SECURITY_REPEAT_WINDOW_DAYS = 400
    assert old.pk in _ids(dispute_suggestions(dispute=new, user=officer_t1))


def test_suggestions_do_not_leak_identifiers(client, api_client, divisions, bodies, officer_t1):
    shared = PersonFactory(division=divisions["v11"])
    secret = PersonFactory(division=divisions["v11"], name="王秘密", phone="13711112222")
    first = _case(divisions["v11"], people=[shared, secret])
    second = _case(divisions["v11"], people=[shared])
    verified_login(client, officer_t1)
    page = client.get(reverse("security:dispute-detail", args=[second.pk])).content.decode()
    assert first.number in page
    for value in (secret.name, secret.id_number, secret.phone, shared.id_number, shared.phone):
        assert value not in page
    api_client.force_authenticate(officer_t1)
    body = api_client.get(f"/api/v1/security/disputes/{second.pk}/suggestions/").content.decode()
    assert first.number in body
    for value in (secret.name, shared.name, secret.id_number, shared.id_number, secret.phone, shared.phone):
        assert value not in body


def test_duplicate_is_closed_and_follows_the_chain_root(divisions, bodies, officer_t1):
    person = PersonFactory(division=divisions["v11"])
    first = _case(divisions["v11"], people=[person])
    second = _case(divisions["v11"], people=[person])
    third = _case(divisions["v11"], people=[person])
    dispute_link(dispute=second, original=first, kind=LinkKind.DUPLICATE, by=officer_t1)
    link = dispute_link(dispute=third, original=second, kind=LinkKind.DUPLICATE, by=officer_t1, reason="同一事项")
    assert link.original_id == first.pk
    third.refresh_from_db()
    assert third.status == Status.CLOSED and third.closed_at is not None
    assert third.events.filter(action=EventAction.LINKED).count() == 1
    assert first.status != Status.CLOSED


def test_repeat_is_counted_and_raises_risk(divisions, bodies, officer_t1):
    first = _case(divisions["v11"], category=Category.LABOUR, people=[PersonFactory(division=divisions["v11"])])
    repeats = [
        _case(divisions["v11"], category=Category.LABOUR, people=[PersonFactory(division=divisions["v11"])])
        for _ in range(2)
    ]
    before = first.risk_score
    for case in repeats:
        dispute_link(dispute=case, original=first, kind=LinkKind.REPEAT, by=officer_t1)
    first.refresh_from_db()
    repeats[1].refresh_from_db()
    assert repeats_linked(first) == 2 and repeats_linked(repeats[1]) == 2
    assert first.risk_score >= before + 30
    assert any("重复信访 2 次" in reason for reason in first.risk_reasons)
    assert repeats[1].status != Status.CLOSED


def test_case_linked_twice_is_refused(divisions, bodies, officer_t1):
    person = PersonFactory(division=divisions["v11"])
    first, second = _case(divisions["v11"], people=[person]), _case(divisions["v11"], people=[person])
    dispute_link(dispute=second, original=first, kind=LinkKind.REPEAT, by=officer_t1)
    with pytest.raises(DisputeConflict) as error:
        dispute_link(dispute=second, original=first, kind=LinkKind.DUPLICATE, by=officer_t1)
    assert error.value.error_dict["dispute"][0].code == ERR_ALREADY_LINKED


def test_linking_back_is_a_loop_and_linking_to_itself_is_refused(divisions, bodies, officer_t1):
    from django.core.exceptions import ValidationError

    person = PersonFactory(division=divisions["v11"])
    first, second = _case(divisions["v11"], people=[person]), _case(divisions["v11"], people=[person])
    dispute_link(dispute=second, original=first, kind=LinkKind.REPEAT, by=officer_t1)
    with pytest.raises(ValidationError) as error:
        dispute_link(dispute=first, original=second, kind=LinkKind.REPEAT, by=officer_t1)
    (err,) = error.value.error_dict["original"]
    assert err.code == ERR_LINK_LOOP and "相互关联" in err.messages[0] and "本身" not in err.messages[0]
    with pytest.raises(ValidationError) as error:
        dispute_link(dispute=first, original=first, kind=LinkKind.REPEAT, by=officer_t1)
    assert error.value.error_dict["original"][0].code == ERR_LINK_SELF
    assert DisputeLink.objects.count() == 1  # nothing written


# --- API -------------------------------------------------------------------------------------------


def test_api_link_repeat_and_scoping(api_client, divisions, bodies, officer_t1):
    person = PersonFactory(division=divisions["v11"])
    first, second = _case(divisions["v11"], people=[person]), _case(divisions["v11"], people=[person])
    elsewhere = _case(divisions["v21"], people=[person])
    api_client.force_authenticate(officer_t1)
    url = f"/api/v1/security/disputes/{second.pk}/link/"
    assert api_client.post(f"/api/v1/security/disputes/{elsewhere.pk}/link/", {}).status_code == 404
    assert api_client.get(f"/api/v1/security/disputes/{elsewhere.pk}/suggestions/").status_code == 404
    response = api_client.post(url, {"original": elsewhere.pk, "kind": "repeat"}, format="json")
    assert response.status_code == 400 and "original" in response.json()["errors"]
    response = api_client.post(url, {"original": first.pk, "kind": "copy"}, format="json")
    assert response.status_code == 400 and "kind" in response.json()["errors"]
    assert not DisputeLink.objects.exists()
    response = api_client.post(url, {"original": first.pk, "kind": "repeat"}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["original_number"] == first.number
    assert api_client.post(url, {"original": first.pk, "kind": "repeat"}, format="json").status_code == 409
    assert DisputeLink.objects.count() == 1


def test_api_link_needs_move_permission(api_client, divisions, bodies):
    leader = user_with_role(Role.LEADER, divisions["t1"], username="leader_t1")
    person = PersonFactory(division=divisions["v11"])
    first, second = _case(divisions["v11"], people=[person]), _case(divisions["v11"], people=[person])
    api_client.force_authenticate(leader)
    assert api_client.get(f"/api/v1/security/disputes/{second.pk}/suggestions/").status_code == 200
    response = api_client.post(f"/api/v1/security/disputes/{second.pk}/link/", {"original": first.pk, "kind": "repeat"})
    assert response.status_code == 403
    assert not DisputeLink.objects.exists()


def _queries(client, url) -> int:
    client.get(url)  # warm: the session's user and roles are read on a first request only
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_suggestions_query_count_is_the_same_for_3_and_30_cases(api_client, client, divisions, bodies, officer_t1):
    person = PersonFactory(division=divisions["v11"])
    target = _case(divisions["v11"], people=[person], route=False)
    for _ in range(3):
        _case(divisions["v11"], people=[person], route=False)
    api_client.force_authenticate(officer_t1)
    verified_login(client, officer_t1)
    api_url = f"/api/v1/security/disputes/{target.pk}/suggestions/"
    page_url = reverse("security:dispute-detail", args=[target.pk])
    few_api, few_page = _queries(api_client, api_url), _queries(client, page_url)
    for _ in range(27):
        _case(divisions["v11"], people=[person], route=False)
    assert _queries(api_client, api_url) == few_api
    assert _queries(client, page_url) == few_page
    assert len(api_client.get(api_url).json()) == 10


# --- The case page ---------------------------------------------------------------------------------


def test_page_links_a_duplicate(client, divisions, bodies, officer_t1):
    person = PersonFactory(division=divisions["v11"])
    first, second = _case(divisions["v11"], people=[person]), _case(divisions["v11"], people=[person])
    verified_login(client, officer_t1)
    url = reverse("security:dispute-link", args=[second.pk])
    response = client.post(url, {"original": first.pk, "kind": "duplicate", "reason": "同一事项"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.CLOSED
    page = client.get(reverse("security:dispute-detail", args=[second.pk])).content.decode()
    assert first.number in page and "重复件" in page


def test_page_link_bad_input_and_scope(client, divisions, bodies, officer_t1):
    person = PersonFactory(division=divisions["v11"])
    first, second = _case(divisions["v11"], people=[person]), _case(divisions["v11"], people=[person])
    elsewhere = _case(divisions["v21"], people=[person])
    verified_login(client, officer_t1)
    url = reverse("security:dispute-link", args=[second.pk])
    response = client.post(url, {"original": first.pk, "kind": "copy"})
    assert response.status_code == 400 and "选择一个有效的选项" in response.content.decode()
    response = client.post(url, {"original": elsewhere.pk, "kind": "repeat"})
    assert response.status_code == 400 and "不在您的管辖范围内" in response.content.decode()
    outside = reverse("security:dispute-link", args=[elsewhere.pk])
    assert client.post(outside, {"original": first.pk, "kind": "repeat"}).status_code == 404
    assert not DisputeLink.objects.exists()


def test_intake_form_tells_the_officer_of_similar_cases(client, divisions, bodies, officer_t1):
    person = PersonFactory(division=divisions["v11"])
    _case(divisions["v11"], people=[person])
    verified_login(client, officer_t1)
    data = {
        "channel": Channel.WALK_IN,
        "category": Category.NEIGHBOUR,
        "division": divisions["v11"].code,
        "description": "再次来访",
        "party0_name": person.name,
        "party0_id_number": person.id_number,
        "party0_role": PartyRole.APPLICANT,
        "party1_role": PartyRole.RESPONDENT,
    }
    response = client.post(reverse("security:dispute-intake"), data, follow=True)
    assert "疑似重复件或重复信访" in response.content.decode(), response.content.decode()[:3000]
