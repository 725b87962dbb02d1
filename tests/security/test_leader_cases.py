"""Issue 20, 领导包案: the editable rules nominate cases (repeats, people involved, open too long), the
daily task, one leader per case, the plan and progress, the leader's list page (我包的案) with its query
count, the home-page count, scoping (404) and bad input (400, nothing written)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from governance.models import Role
from security.choices import Channel, Status
from security.models import LeaderCase, LeaderCaseProgress, LeaderCaseRule, LeaderCaseStatus, LeaderRuleKind, LinkKind
from security.services import DisputeConflict, Place
from security.services.duplicates import dispute_link
from security.services.leader_cases import (
    ERR_DUE_IN_PAST,
    ERR_DUE_TOO_FAR,
    ERR_HAS_LEADER,
    ERR_NOT_LEADER,
    leader_case_plan,
    leader_case_progress_add,
    leader_case_take,
    leader_cases_nominate,
)
from security.tasks import nominate_leader_cases
from tests.auth import verified_login
from tests.factories import PersonFactory, user_with_role
from tests.security.factories import intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(db):
    return {
        kind: LeaderCaseRule.objects.create(name=name, kind=kind, threshold=threshold)
        for kind, name, threshold in [
            (LeaderRuleKind.REPEATS, "重复信访三次以上", 3),
            (LeaderRuleKind.PEOPLE, "涉及三十人以上", 30),
            (LeaderRuleKind.OPEN_DAYS, "一年以上未化解", 365),
        ]
    }


@pytest.fixture
def leader(divisions):
    return user_with_role(Role.LEADER, divisions["t1"], username="leader_t1")


def _case(divisions, **kwargs):
    kwargs.setdefault("channel", Channel.WALK_IN)
    return intake(divisions["v11"], people=[PersonFactory(division=divisions["v11"])], **kwargs)


def _nominated(dispute) -> bool:
    return LeaderCase.objects.filter(dispute=dispute).exists()


def test_three_repeats_nominate_and_two_do_not(divisions, bodies, rules):
    officer = user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"])
    three, two = _case(divisions), _case(divisions)
    for root, n in ((three, 3), (two, 2)):
        for _ in range(n):
            dispute_link(dispute=_case(divisions), original=root, kind=LinkKind.REPEAT, by=officer)
    leader_cases_nominate()
    assert _nominated(three) and not _nominated(two)
    assert "重复信访次数达到 3" in LeaderCase.objects.get(dispute=three).reasons[0]


def test_thirty_people_nominate_and_twenty_nine_do_not(divisions, bodies, rules):
    thirty = _case(divisions, place=Place(people_involved=30))
    fewer = _case(divisions, place=Place(people_involved=29))
    assert leader_cases_nominate() == 1
    assert _nominated(thirty) and not _nominated(fewer)


def test_case_open_over_a_year_nominated_closed_one_not(divisions, bodies, rules):
    long_ago = timezone.now() - datetime.timedelta(days=366)
    old_open = _case(divisions, received_at=long_ago)
    old_closed = _case(divisions, received_at=long_ago)
    old_closed.status = Status.CLOSED
    old_closed.save(update_fields=["status"])
    recent = _case(divisions)
    leader_cases_nominate()
    assert _nominated(old_open) and not _nominated(old_closed) and not _nominated(recent)


def test_inactive_rule_nominates_nothing_and_task_is_idempotent(divisions, bodies, rules):
    rules[LeaderRuleKind.PEOPLE].is_active = False
    rules[LeaderRuleKind.PEOPLE].save()
    case = _case(divisions, place=Place(people_involved=100))
    assert nominate_leader_cases.apply().get() == 0
    rules[LeaderRuleKind.PEOPLE].is_active = True
    rules[LeaderRuleKind.PEOPLE].save()
    assert nominate_leader_cases.apply().get() == 1
    assert nominate_leader_cases.apply().get() == 0
    assert LeaderCase.objects.filter(dispute=case).count() == 1


def _leader_case(divisions):
    return LeaderCase.objects.create(dispute=_case(divisions), reasons=["涉及人数达到 30"])


def test_one_case_one_leader(divisions, bodies, leader):
    lc = _leader_case(divisions)
    other = user_with_role(Role.LEADER, divisions["t1"], username="leader_other")
    leader_case_take(leader_case=lc, leader=leader)
    with pytest.raises(DisputeConflict) as error:
        leader_case_take(leader_case=lc, leader=other)
    assert error.value.error_dict["leader"][0].code == ERR_HAS_LEADER
    officer = user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"])
    with pytest.raises(DisputeConflict) as error:
        leader_case_take(leader_case=_leader_case(divisions), leader=officer)
    assert error.value.error_dict["leader"][0].code == ERR_NOT_LEADER
    lc.refresh_from_db()
    assert lc.leader == leader and lc.status == LeaderCaseStatus.IN_CHARGE


def test_plan_and_progress_by_the_leader_only(divisions, bodies, leader):
    lc = leader_case_take(leader_case=_leader_case(divisions), leader=leader)
    due = timezone.localdate() + datetime.timedelta(days=30)
    with pytest.raises(Exception) as error:
        leader_case_plan(
            leader_case=lc, by=leader, plan="约谈", due_on=timezone.localdate() - datetime.timedelta(days=1)
        )
    assert error.value.error_dict["due_on"][0].code == ERR_DUE_IN_PAST
    for far in (datetime.date(9999, 12, 31), timezone.localdate() + datetime.timedelta(days=366)):
        with pytest.raises(ValidationError) as error:
            leader_case_plan(leader_case=lc, by=leader, plan="约谈", due_on=far)
        assert error.value.error_dict["due_on"][0].code == ERR_DUE_TOO_FAR
        assert "一年内" in error.value.error_dict["due_on"][0].messages[0]
    lc.refresh_from_db()
    assert lc.plan == "" and lc.plan_due is None  # nothing written
    last_day = timezone.localdate() + datetime.timedelta(days=365)
    leader_case_plan(leader_case=lc, by=leader, plan="约谈", due_on=last_day)  # the year's last day is fine
    leader_case_plan(leader_case=lc, by=leader, plan="三方约谈，制定补偿方案", due_on=due)
    leader_case_progress_add(leader_case=lc, by=leader, note="已约谈双方")
    other = user_with_role(Role.LEADER, divisions["t1"], username="leader_two")
    with pytest.raises(DisputeConflict):
        leader_case_progress_add(leader_case=lc, by=other, note="代记")
    lc.refresh_from_db()
    assert lc.plan_due == due and LeaderCaseProgress.objects.filter(leader_case=lc).count() == 1


def test_leader_pages_take_plan_progress_and_home_count(client, divisions, bodies, leader):
    lc = _leader_case(divisions)
    verified_login(client, leader)
    detail = reverse("security:leader-case-detail", args=[lc.pk])
    assert lc.dispute.number in client.get(reverse("security:leader-cases")).content.decode()  # waiting
    assert client.post(reverse("security:leader-case-action", args=[lc.pk, "take"])).status_code == 302
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    plan_url = reverse("security:leader-case-action", args=[lc.pk, "plan"])
    assert client.post(plan_url, {"plan": "包案化解", "due_on": due}).status_code == 302
    progress_url = reverse("security:leader-case-action", args=[lc.pk, "progress"])
    assert client.post(progress_url, {"note": "已入户走访"}).status_code == 302
    page = client.get(detail).content.decode()
    assert "包案化解" in page and "已入户走访" in page
    home = client.get(reverse("home")).content.decode()
    assert "我包的案" in home and '<span class="badge">1</span>' in home


def test_leader_page_bad_input_writes_nothing(client, divisions, bodies, leader):
    lc = leader_case_take(leader_case=_leader_case(divisions), leader=leader)
    verified_login(client, leader)
    url = reverse("security:leader-case-action", args=[lc.pk, "plan"])
    response = client.post(url, {"plan": "", "due_on": "不是日期"})
    assert response.status_code == 400 and "该字段是必填项" in response.content.decode()
    past = (timezone.localdate() - datetime.timedelta(days=3)).isoformat()
    response = client.post(url, {"plan": "方案", "due_on": past})
    assert response.status_code == 400 and "不能早于今天" in response.content.decode()
    response = client.post(url, {"plan": "方案", "due_on": "9999-12-31"})
    assert response.status_code == 400 and "须在今天起一年内" in response.content.decode()
    response = client.post(url, {"plan": "方\x00案", "due_on": timezone.localdate().isoformat()})
    page = response.content.decode()
    assert response.status_code == 400 and "不能包含空字符（NUL）" in page and "空字符串" not in page
    lc.refresh_from_db()
    assert lc.plan == "" and lc.plan_due is None


def test_leader_case_out_of_scope_is_404(client, divisions, bodies):
    lc = LeaderCase.objects.create(dispute=intake(divisions["v21"], channel=Channel.WALK_IN))
    leader = user_with_role(Role.LEADER, divisions["t1"], username="leader_t1b")
    verified_login(client, leader)
    assert client.get(reverse("security:leader-case-detail", args=[lc.pk])).status_code == 404
    assert client.post(reverse("security:leader-case-action", args=[lc.pk, "take"])).status_code == 404
    assert lc.dispute.number not in client.get(reverse("security:leader-cases") + "?all=1").content.decode()
    lc.refresh_from_db()
    assert lc.leader is None


def _queries(client, url) -> int:
    client.get(url)  # warm: the session's user and roles are read on a first request only
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_leader_list_query_count_same_for_3_and_30(client, divisions, bodies, leader):
    def add(n):
        for _ in range(n):
            LeaderCase.objects.create(
                dispute=_case(divisions, route=False), leader=leader, taken_at=timezone.now(), status="in_charge"
            )
            LeaderCase.objects.create(dispute=_case(divisions, route=False))

    add(3)
    verified_login(client, leader)
    url = reverse("security:leader-cases")
    few = _queries(client, url)
    add(27)
    assert _queries(client, url) == few
