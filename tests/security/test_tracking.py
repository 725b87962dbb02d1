"""一案一码 and 群众评价 (issue 20 items 1–2): the public page's code cannot be enumerated (wrong and
revoked codes are the same 404), the page is rate limited and shows no personal data, and a party's
rating is verified, validated, counted and — when "not solved" — reopens the case once."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Notice, Role
from security import tracking_views
from security.choices import NOTICE_REOPENED, EventAction, Satisfaction, Status
from security.models import DisputeEvent, DisputeRating, TrackingCode
from security.services import Place, dispute_accept, dispute_close, dispute_mediate, dispute_record_agreement
from security.services.tracking import (
    ERR_PHONE_DIGITS,
    RATING_MAX_FAILURES,
    dispute_rate,
    tracking_code_find,
    tracking_code_revoke,
    tracking_token,
)
from tests.auth import verified_login
from tests.factories import PersonFactory, user_with_role
from tests.security.factories import intake, staff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def _fresh_limits():
    caches["throttle"].clear()
    yield
    caches["throttle"].clear()


@pytest.fixture
def case(divisions, bodies, rule, centre_mediator):
    """A police incident in v11 with two parties, routed to t1's station 矛调中心."""
    people = [
        PersonFactory(division=divisions["v11"], name="李秀英", phone="13812345671"),
        PersonFactory(division=divisions["v11"], name="王建国", phone="13998765432"),
    ]
    place = Place(address="乐坪街道幸福小区3栋", people_involved=7)
    return intake(divisions["v11"], people=people, place=place)


def _closed(case, centre_mediator):
    dispute = dispute_accept(dispute=case, by=centre_mediator)
    dispute = dispute_mediate(dispute=dispute, by=centre_mediator)
    dispute = dispute_record_agreement(dispute=dispute, by=centre_mediator, terms="赔偿两千元", signed_on=TODAY).dispute
    return dispute_close(dispute=dispute, by=centre_mediator)


def _url(token):
    return reverse("tracking:public", args=[token])


def _rate(client, token, **data):
    body = {"phone_last4": "5671", "satisfaction": Satisfaction.SATISFIED, "solved": "yes", "comment": "", **data}
    return client.post(_url(token), body)


# --- the code ---------------------------------------------------------------------------------------


def test_a_case_has_one_code_that_prints_the_same_each_time(case):
    token = tracking_token(dispute=case)
    assert tracking_token(dispute=case) == token
    assert len(token) == 22
    assert TrackingCode.objects.filter(dispute=case).count() == 1
    # Only a hash is stored: the token is nowhere in the row.
    code = TrackingCode.objects.get(dispute=case)
    assert token not in (code.token_hash, code.nonce)


def test_wrong_and_revoked_codes_are_the_same_plain_404_with_the_same_queries(client, case):
    token = tracking_token(dispute=case)
    assert client.get(_url(token)).status_code == 200
    new_code, new_token = tracking_code_revoke(code=TrackingCode.objects.get(dispute=case), by=None)
    assert client.get(_url(new_token)).status_code == 200
    wrong = "A" * 22
    with CaptureQueriesContext(connection) as revoked_queries:
        revoked = client.get(_url(token))
    with CaptureQueriesContext(connection) as wrong_queries:
        missing = client.get(_url(wrong))
    assert revoked.status_code == missing.status_code == 404
    assert revoked.content.replace(token.encode(), b"") == missing.content.replace(wrong.encode(), b"")
    assert len(revoked_queries) == len(wrong_queries)
    assert tracking_code_find(token) is None and tracking_code_find(new_token).pk == new_code.pk


def test_the_public_page_is_rate_limited(client, case, monkeypatch):
    monkeypatch.setattr(tracking_views, "PUBLIC_RATE_LIMIT", 3)
    token = tracking_token(dispute=case)
    assert [client.get(_url(token)).status_code for _ in range(3)] == [200, 200, 200]
    limited = client.get(_url(token))
    assert limited.status_code == 429 and "访问过于频繁" in limited.content.decode()
    # Guessing codes counts too: a wrong code does not escape the limit.
    assert client.get(_url("B" * 22)).status_code == 429


def test_the_public_page_shows_progress_and_no_personal_data(client, case, centre_mediator):
    dispute = _closed(case, centre_mediator)
    html = client.get(_url(tracking_token(dispute=dispute))).content.decode()
    assert "已办结" in html and "t1派出所矛调中心" in html
    for party in dispute.parties.select_related("person"):
        for value in filter(None, (party.person.name, party.person.id_number, party.person.phone, party.phone)):
            assert value not in html
    for value in (dispute.number, dispute.description, dispute.address, "赔偿两千元", centre_mediator.username):
        assert value not in html


# --- the rating ------------------------------------------------------------------------------------


def test_no_rating_before_the_case_is_resolved(client, case):
    token = tracking_token(dispute=case)
    page = client.get(_url(token)).content.decode()
    assert "提交评价" not in page
    response = _rate(client, token)
    assert response.status_code == 409 and "案件办结后才能评价" in response.content.decode()
    assert not DisputeRating.objects.exists()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"phone_last4": ""}, "phone_last4", "请输入登记手机号后四位"),
        ({"phone_last4": "12a4"}, "phone_last4", "请输入 4 位数字"),
        ({"satisfaction": "9"}, "satisfaction", "请选择满意度"),
        ({"solved": "maybe"}, "solved", "请选择问题是否解决"),
        ({"solved": "no", "comment": "  "}, "comment", "请说明问题未解决的原因"),
        ({"comment": "长" * 501}, "comment", "意见不能超过 500 字"),
    ],
)
def test_bad_rating_input_gets_a_chinese_error_and_writes_nothing(client, case, centre_mediator, data, field, message):
    dispute = _closed(case, centre_mediator)
    token = tracking_token(dispute=dispute)
    events = DisputeEvent.objects.count()
    response = _rate(client, token, **data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["form"].errors[field]
    assert not DisputeRating.objects.exists() and DisputeEvent.objects.count() == events
    assert TrackingCode.objects.get(dispute=dispute).failed_attempts == 0


def test_wrong_phone_digits_are_counted_and_lock_the_form(client, case, centre_mediator):
    dispute = _closed(case, centre_mediator)
    token = tracking_token(dispute=dispute)
    for attempt in range(1, RATING_MAX_FAILURES):
        response = _rate(client, token, phone_last4="0000")
        assert response.status_code == 400 and "手机号后四位与本案当事人登记的号码不符" in response.content.decode()
        assert TrackingCode.objects.get(dispute=dispute).failed_attempts == attempt
    _rate(client, token, phone_last4="0000")
    # Locked now: even the right digits are refused for a while, and nothing is written.
    response = _rate(client, token)
    assert response.status_code == 409 and "核验错误次数过多" in response.content.decode()
    assert not DisputeRating.objects.exists()


def test_each_party_rates_once_and_each_rating_is_an_event(client, case, centre_mediator):
    dispute = _closed(case, centre_mediator)
    token = tracking_token(dispute=dispute)
    assert _rate(client, token).status_code == 302
    again = _rate(client, token)
    assert again.status_code == 400 and "已评价过本案" in again.content.decode()
    assert _rate(client, token, phone_last4="5432", satisfaction=Satisfaction.FAIR).status_code == 302
    ratings = DisputeRating.objects.filter(dispute=dispute).order_by("id")
    assert [(r.party.person.name, r.satisfaction, r.body.name) for r in ratings] == [
        ("李秀英", Satisfaction.SATISFIED, "t1派出所矛调中心"),
        ("王建国", Satisfaction.FAIR, "t1派出所矛调中心"),
    ]
    assert dispute.events.filter(action=EventAction.RATED).count() == 2
    dispute.refresh_from_db()
    assert dispute.status == Status.CLOSED


def test_not_solved_reopens_the_case_to_the_supervisor_once(client, case, centre_mediator, divisions, bodies):
    station_chief = staff(Role.POLICE, divisions["t1"], bodies["t1_station"], username="station_chief")
    dispute = _closed(case, centre_mediator)
    token = tracking_token(dispute=dispute)
    assert (
        _rate(client, token, satisfaction=Satisfaction.UNSATISFIED, solved="no", comment="对方未付款").status_code
        == 302
    )
    dispute.refresh_from_db()
    # The station 矛调中心's supervisor is its station (the body's parent).
    assert (dispute.status, dispute.current_body, dispute.closed_at) == (Status.ESCALATED, bodies["t1_station"], None)
    reopened = dispute.events.get(action=EventAction.REOPENED)
    assert (reopened.reason, reopened.from_body, reopened.to_body) == (
        "对方未付款", bodies["t1_station_centre"], bodies["t1_station"]
    )  # fmt: skip
    assert Notice.objects.filter(kind=NOTICE_REOPENED, recipient=station_chief).count() == 1
    # The supervisor handles it and closes it again; a second "not solved" is recorded, not reopened.
    dispute = dispute_accept(dispute=dispute, by=station_chief)
    dispute = dispute_close(dispute=dispute, by=station_chief, reason="已督促履行")
    rating = dispute_rate(
        code=TrackingCode.objects.get(dispute=dispute),
        phone_last4="5671",
        satisfaction=Satisfaction.UNSATISFIED,
        solved=False,
        comment="仍未付款",
    )
    assert rating.round == 1
    dispute.refresh_from_db()
    assert dispute.status == Status.CLOSED
    assert dispute.events.filter(action=EventAction.REOPENED).count() == 1
    assert dispute.events.filter(action=EventAction.RATED).count() == 2


def test_a_village_committee_case_goes_back_to_the_township_centre(case, centre_mediator, village_mediator, bodies):
    from security.services import dispute_transfer

    dispute = dispute_transfer(dispute=case, to_body=bodies["v11"], by=centre_mediator, reason="转村")
    dispute = dispute_accept(dispute=dispute, by=village_mediator)
    dispute = dispute_close(dispute=dispute, by=village_mediator, reason="当场化解")
    code = TrackingCode.objects.get(pk=tracking_code_find(tracking_token(dispute=dispute)).pk)
    dispute_rate(code=code, phone_last4="5432", satisfaction=1, solved=False, comment="没解决")
    dispute.refresh_from_db()
    assert dispute.current_body == bodies["t1_centre"] and dispute.status == Status.ESCALATED


def test_digits_that_match_no_party_raise_the_coded_error(case, centre_mediator):
    from django.core.exceptions import ValidationError

    dispute = _closed(case, centre_mediator)
    tracking_token(dispute=dispute)
    with pytest.raises(ValidationError) as error:
        dispute_rate(code=TrackingCode.objects.get(dispute=dispute), phone_last4="9999", satisfaction=3, solved=True)
    assert error.value.error_dict["phone_last4"][0].code == ERR_PHONE_DIGITS


# --- the printed code and its revocation ------------------------------------------------------------


def test_the_receipt_and_the_agreement_carry_the_code(client, case, centre_mediator):
    dispute = _closed(case, centre_mediator)
    verified_login(client, centre_mediator)
    token = tracking_token(dispute=dispute)
    for name in ("security:dispute-receipt", "security:agreement-print"):
        response = client.get(reverse(name, args=[dispute.pk]))
        assert response.status_code == 200, (name, response.status_code, response.get("Location"))
        html = response.content.decode()
        assert _url(token) in html and "data:image/svg+xml" in html


def test_the_receipt_of_a_case_out_of_scope_is_404(client, case, divisions):
    outsider = user_with_role(Role.COMMUNITY_OFFICER, divisions["v21"], username="v21_officer")
    verified_login(client, outsider)
    assert client.get(reverse("security:dispute-receipt", args=[case.pk])).status_code == 404
    assert not TrackingCode.objects.exists()


def test_the_admin_action_revokes_and_issues_a_new_code(client, case, district_admin):
    old = tracking_token(dispute=case)
    verified_login(client, district_admin)
    code = TrackingCode.objects.get(dispute=case)
    response = client.post(
        reverse("admin:security_trackingcode_changelist"),
        {"action": "revoke", "_selected_action": [code.pk]},
    )
    assert response.status_code == 302
    code.refresh_from_db()
    assert code.revoked_at is not None and code.revoked_by == district_admin
    assert client.get(_url(old)).status_code == 404
    new = tracking_token(dispute=case)
    assert new != old and client.get(_url(new)).status_code == 200


def test_the_service_refuses_an_overlong_comment_and_writes_nothing(case, centre_mediator):
    from django.core.exceptions import ValidationError

    dispute = _closed(case, centre_mediator)
    tracking_token(dispute=dispute)
    with pytest.raises(ValidationError) as error:
        dispute_rate(
            code=TrackingCode.objects.get(dispute=dispute), phone_last4="5671", satisfaction=3, solved=True,
            comment="长" * 501,
        )  # fmt: skip
    assert "comment" in error.value.error_dict
    assert not DisputeRating.objects.exists()


def test_the_public_page_takes_the_same_queries_for_a_short_and_a_long_timeline(client, case, centre_mediator):
    token = tracking_token(dispute=case)
    with CaptureQueriesContext(connection) as short:
        assert client.get(_url(token)).status_code == 200
    _closed(case, centre_mediator)
    with CaptureQueriesContext(connection) as long:
        response = client.get(_url(token))
    assert len(response.context["events"]) > 4
    assert len(long) == len(short)
