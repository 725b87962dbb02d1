"""The move table is the one rule: what the case page shows and the API advertises (``moves_for``) is
exactly what the API then accepts, for every user and every state of a case."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance.models import Role
from security.choices import Category, Channel, Status
from security.services import (
    MOVES,
    Input,
    dispute_accept,
    dispute_close,
    dispute_fail,
    dispute_mediate,
    dispute_record_agreement,
    dispute_transfer,
    moves_for,
)
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.security.factories import intake

pytestmark = pytest.mark.django_db
# Done on the day the case is handled: not before it was received, not in the future.
SIGNED = TODAY = timezone.localdate().isoformat()


def _at_village(ctx, *steps: str):
    """A police incident in v11, routed to t1's station 矛调中心, transferred to v11's committee and
    taken on as far as ``steps`` say."""
    dispute = intake(ctx["divisions"]["v11"], by=ctx["centre_mediator"])
    dispute = dispute_transfer(dispute=dispute, to_body=ctx["bodies"]["v11"], by=ctx["centre_mediator"], reason="转村")
    village = ctx["village_mediator"]
    for step in steps:
        if step == "accept":
            dispute = dispute_accept(dispute=dispute, by=village)
        elif step == "mediate":
            dispute = dispute_mediate(dispute=dispute, by=village)
        elif step == "agreement":
            dispute = dispute_record_agreement(dispute=dispute, by=village, terms="赔偿", signed_on=SIGNED).dispute
        elif step == "close":
            dispute = dispute_close(dispute=dispute, by=village)
        elif step == "fail":
            dispute = dispute_fail(dispute=dispute, by=village, reason="分歧大")
    return dispute


def _at_the_top(ctx, *steps: str):
    """A labour dispute of the district itself, at the district 综治中心 (nothing above it)."""
    admin = ctx["district_admin"]
    dispute = intake(ctx["divisions"]["district"], channel=Channel.WALK_IN, category=Category.LABOUR)
    if "fail" in steps:
        dispute = dispute_accept(dispute=dispute, by=admin)
        dispute = dispute_mediate(dispute=dispute, by=admin)
        dispute = dispute_fail(dispute=dispute, by=admin, reason="分歧大")
    return dispute


CASES = {
    "received": (lambda ctx: intake(ctx["divisions"]["v11"], by=ctx["centre_mediator"], route=False), Status.RECEIVED),
    "routed": (lambda ctx: intake(ctx["divisions"]["v11"], by=ctx["centre_mediator"]), Status.ROUTED),
    "transferred": (lambda ctx: _at_village(ctx), Status.TRANSFERRED),
    "accepted": (lambda ctx: _at_village(ctx, "accept"), Status.ACCEPTED),
    "mediating": (lambda ctx: _at_village(ctx, "accept", "mediate"), Status.MEDIATING),
    "agreement": (lambda ctx: _at_village(ctx, "accept", "mediate", "agreement"), Status.AGREEMENT),
    "closed": (lambda ctx: _at_village(ctx, "accept", "mediate", "agreement", "close"), Status.CLOSED),
    "escalated": (lambda ctx: _at_village(ctx, "accept", "mediate", "fail"), Status.ESCALATED),
    "routed_at_the_top": (lambda ctx: _at_the_top(ctx), Status.ROUTED),
    "failed_at_the_top": (lambda ctx: _at_the_top(ctx, "fail"), Status.FAILED),
}


def _input(name: str, dispute, bodies) -> dict:
    """Good input for the move ``name`` on ``dispute``: only the case and the actor can refuse it."""
    kind = MOVES[name].input
    if kind is Input.TRANSFER:
        to_body = bodies["v12"] if dispute.current_body_id != bodies["v12"].pk else bodies["v11"]
        return {"to_body": to_body.pk, "reason": "移交"}
    if kind is Input.AGREEMENT:
        return {"terms": "赔偿", "amount": "100.00", "signed_on": SIGNED}
    if kind is Input.VISIT:
        return {"visited_on": TODAY, "satisfaction": 3, "note": "满意"}
    return {} if kind is Input.NONE else {"reason": "说明"}


@pytest.mark.parametrize("case", list(CASES))
def test_every_move_shown_succeeds_and_every_move_hidden_is_refused(
    client, case, divisions, bodies, rule, centre_mediator, village_mediator, station_police, officer, district_admin
):
    leader = user_with_role(Role.LEADER, divisions["district"], username="leader")
    ctx = {
        "divisions": divisions,
        "bodies": bodies,
        "centre_mediator": centre_mediator,
        "village_mediator": village_mediator,
        "district_admin": district_admin,
    }
    make, status = CASES[case]
    dispute = make(ctx)
    assert dispute.status == status
    users = [centre_mediator, village_mediator, station_police, officer, district_admin, leader]
    shown_to_someone = set()
    for user in users:
        api = APIClient()
        api.force_authenticate(user)
        detail = api.get(reverse("api:security-api:dispute-detail", args=[dispute.pk]))
        if detail.status_code == 404:
            continue  # out of scope: no page, no moves
        allowed = detail.json()["allowed_actions"]
        assert allowed == [move.name for move in moves_for(dispute, user)]
        verified_login(client, user)
        page = client.get(reverse("security:dispute-detail", args=[dispute.pk]))
        assert [move["name"] for move in page.context["moves"]] == allowed, user
        shown_to_someone.update(allowed)
        for name in MOVES:
            url = reverse(f"api:security-api:dispute-{name}", args=[dispute.pk])
            with transaction.atomic():
                response = api.post(url, _input(name, dispute, bodies), format="json")
                transaction.set_rollback(True)
            if name in allowed:
                assert response.status_code == 200, (user.username, name, response.content)
            else:
                assert response.status_code in (403, 409), (user.username, name, response.content)
    assert shown_to_someone, case  # every state offers someone a way on (a closed case: 回访)
