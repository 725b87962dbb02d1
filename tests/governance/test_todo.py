"""我的待办 (issue 13 item 6): each role sees what waits for them or their body, with the total on the
home page; nothing of another area; the same number of queries for 3 rows and 30."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from governance.todo import due_soon_horizon, todo_groups, todo_total
from security.models import Dispute
from security.services.moves import dispute_accept
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.security.factories import intake, make_bodies, police_rule, staff

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def bodies(divisions):
    return make_bodies(divisions)


@pytest.fixture
def mediator(divisions, bodies):
    return staff(Role.MEDIATOR, divisions["t1"], bodies["t1_station_centre"], username="todo_mediator")


def _counts(user) -> dict[str, int]:
    return {group.source.key: group.count for group in todo_groups(user)}


def test_mediator_sees_cases_to_accept_then_due_soon_then_overdue(divisions, bodies, mediator):
    police_rule()
    dispute = intake(divisions["v11"])
    assert _counts(mediator)["security.awaiting"] == 1
    dispute_accept(dispute=dispute, by=mediator)
    counts = _counts(mediator)
    assert counts["security.awaiting"] == 0
    today = timezone.localdate()
    Dispute.objects.filter(pk=dispute.pk).update(deadline=due_soon_horizon(today))
    assert _counts(mediator)["security.due_soon"] == 1
    Dispute.objects.filter(pk=dispute.pk).update(deadline=today - datetime.timedelta(days=1))
    counts = _counts(mediator)
    assert counts["security.due_soon"] == 0 and counts["security.overdue"] == 1
    assert todo_total(mediator) == 1


def test_a_case_of_another_township_waits_for_nobody_here(divisions, bodies, mediator):
    police_rule()
    intake(divisions["v21"])  # routed to t2's station centre
    assert _counts(mediator)["security.awaiting"] == 0


def test_page_and_home_tile_show_the_counts(client, divisions, bodies, mediator):
    police_rule()
    dispute = intake(divisions["v11"])
    verified_login(client, mediator)
    page = client.get(reverse("governance:todo"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "待接收的纠纷" in body and dispute.number in body
    home = client.get(reverse("home"))
    tile = next(link for link in home.context["links"] if link["url"] == reverse("governance:todo"))
    assert tile["count"] == 1


def test_roles_get_only_their_kinds_of_work(divisions):
    officer = user_with_role(Role.COMMUNITY_OFFICER, divisions["v11"], username="todo_officer")
    inspector = user_with_role(Role.DISCIPLINE_INSPECTOR, divisions["district"], username="todo_inspector")
    officer_keys = set(_counts(officer))
    assert "civility.pending" in officer_keys and "residential.rectification.overdue" in officer_keys
    assert "integrity.clues" not in officer_keys
    assert set(_counts(inspector)) == {"integrity.clues"}


def test_todo_needs_sign_in(client):
    response = client.get(reverse("governance:todo"))
    assert response.status_code == 302


def test_todo_query_count_does_not_grow_with_rows(client, divisions, bodies, mediator):
    police_rule()
    for _i in range(3):
        intake(divisions["v11"])
    verified_login(client, mediator)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("governance:todo")).status_code == 200
    for _i in range(27):
        intake(divisions["v11"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("governance:todo"))
    group = next(g for g in response.context["groups"] if g.source.key == "security.awaiting")
    assert group.count == 30 and len(group.items) == 10
    assert len(many) == len(few)


def test_each_case_list_link_shows_exactly_the_cases_counted(rf, divisions, bodies, mediator):
    """ "查看全部" opens the dispute list with the source's query: the list must hold the same cases the
    count says (before: every case in scope with that status, not only those with the user's body)."""
    from django.http import QueryDict

    from governance.registry import registry
    from security.filtersets import DisputeFilterSet

    police_rule()
    today = timezone.localdate()
    mine = [intake(divisions["v11"]) for _ in range(3)]
    theirs = [intake(divisions["v12"]) for _ in range(2)]  # v12's own committee, not the mediator's centre
    dispute_accept(dispute=mine[0], by=mediator)
    Dispute.objects.filter(pk=mine[0].pk).update(deadline=due_soon_horizon(today))
    Dispute.objects.filter(pk__in=[mine[1].pk, theirs[0].pk]).update(deadline=today - datetime.timedelta(days=1))
    officer = user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="todo_t1")
    for user in (mediator, officer):
        request = rf.get("/")
        request.user = user
        for key in ("security.awaiting", "security.due_soon", "security.overdue"):
            source = registry.todo_sources[key]
            listed = DisputeFilterSet(
                QueryDict(source.query), queryset=Dispute.objects.for_user(user), request=request
            ).qs
            assert listed.count() == source.count(user), (user.username, key)
    assert registry.todo_sources["security.due_soon"].count(mediator) == 1
