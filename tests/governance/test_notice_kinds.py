"""The other 站内通知 kinds, each to the people of its area and no one else: a self-report waiting for
confirmation, a published month's ranking, a published 红黑榜, a resolved case not yet visited."""

import datetime

import pytest
from django.utils import timezone

from civility.choices import NOTICE_ENTRY_PENDING, NOTICE_RANKING_PUBLISHED
from civility.models import EntrySource
from civility.services import points_record, ranking_compute, ranking_publish
from governance.models import Notice, Role
from residential.choices import NOTICE_LIST_PUBLISHED
from residential.services import (
    credit_evaluation_publish,
    evaluation_save,
    red_black_list_draft,
    red_black_list_publish,
)
from security.choices import NOTICE_FOLLOW_UP
from security.models import Channel, Dispute, Status
from security.services.notices import FOLLOW_UP_DAYS, dispute_notices_follow_up
from tests.civility.factories import PointRuleFactory, account_in
from tests.factories import user_with_role
from tests.residential.factories import CreditPeriodFactory, PropertyCompanyFactory, ScoringItemFactory
from tests.security.factories import intake, make_bodies, staff

pytestmark = pytest.mark.django_db


def told(kind: str) -> set[str]:
    return set(Notice.objects.filter(kind=kind).values_list("recipient__username", flat=True))


@pytest.fixture
def people(divisions):
    return {
        "v11": user_with_role(Role.COMMUNITY_OFFICER, divisions["v11"], username="v11_officer"),
        "v21": user_with_role(Role.COMMUNITY_OFFICER, divisions["v21"], username="v21_officer"),
        "t1": user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="t1_officer"),
        "t2": user_with_role(Role.TOWNSHIP_OFFICER, divisions["t2"], username="t2_officer"),
    }


def test_a_self_report_waits_with_the_village_officers_over_the_household(divisions, people):
    account = account_in(divisions["v11"])
    rule = PointRuleFactory(points=5, division=divisions["district"])
    points_record(
        account=account,
        rule=rule,
        occurred_on=datetime.date(2025, 6, 1),
        recorded_by=None,
        idempotency_key="self-1",
        source=EntrySource.SELF_REPORT,
    )
    assert told(NOTICE_ENTRY_PENDING) == {"v11_officer"}
    points_record(
        account=account, rule=rule, occurred_on=datetime.date(2025, 6, 1), recorded_by=None, idempotency_key="officer-1"
    )  # recorded by an officer: nothing to confirm
    assert Notice.objects.filter(kind=NOTICE_ENTRY_PENDING).count() == 1


def test_a_published_ranking_tells_the_officers_of_its_area(divisions, people):
    account = account_in(divisions["v11"])
    points_record(
        account=account,
        rule=PointRuleFactory(points=3, division=divisions["district"]),
        occurred_on=datetime.date(2025, 6, 2),
        recorded_by=None,
        idempotency_key="r",
    )
    ranking_publish(run=ranking_compute(month=datetime.date(2025, 6, 1), division=divisions["t1"]), by=None)
    assert told(NOTICE_RANKING_PUBLISHED) == {"v11_officer", "t1_officer"}


def test_a_published_red_black_list_tells_the_officers_of_its_area(divisions, people):
    period = CreditPeriodFactory(division=divisions["t2"])
    item = ScoringItemFactory(division=divisions["district"], max_score=100)
    evaluation = evaluation_save(
        company=PropertyCompanyFactory(division=divisions["t2"]),
        period=period,
        scores=[(item, 90)],
        evaluated_on=period.end_date,
    )
    credit_evaluation_publish(evaluation=evaluation, by=None)
    red_black_list_publish(red_black_list=red_black_list_draft(period=period, red_size=1, black_size=0), by=None)
    assert told(NOTICE_LIST_PUBLISHED) == {"v21_officer", "t2_officer"}


def test_a_resolved_case_not_visited_within_a_month_is_a_reminder_once(divisions):
    bodies = make_bodies(divisions)
    mediator = staff(Role.MEDIATOR, divisions["t1"], bodies["v11"], username="v11_mediator")
    dispute = intake(divisions["v11"], channel=Channel.WALK_IN, by=mediator)
    today = timezone.localdate()
    resolved = timezone.now() - datetime.timedelta(days=FOLLOW_UP_DAYS + 1)
    Dispute.objects.filter(pk=dispute.pk).update(status=Status.CLOSED, current_body=bodies["v11"], resolved_at=resolved)
    assert dispute_notices_follow_up(today=today) == 1
    assert dispute_notices_follow_up(today=today) == 0
    assert told(NOTICE_FOLLOW_UP) == {"v11_mediator"}
    recent = intake(divisions["v11"], channel=Channel.WALK_IN, by=mediator)
    Dispute.objects.filter(pk=recent.pk).update(
        status=Status.CLOSED, current_body=bodies["v11"], resolved_at=timezone.now()
    )
    assert dispute_notices_follow_up(today=today) == 0
