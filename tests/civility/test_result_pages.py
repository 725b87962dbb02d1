"""The ranking, 红黑榜 and 文明家庭 pages, the conversion API and the read-only ranking admin: scoped (404
outside), bad input answered in Chinese with nothing written, the same query count for 3 and 30 rows."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from civility.choices import BoardKind, BoardStatus, EntrySource, FamilyStatus
from civility.models import CivilizedFamily, HonorList, PointEntry, RankingMonth, ServiceActivity
from civility.services import RULE_VOLUNTEER_HOUR, entry_confirm, points_record, ranking_compute, ranking_publish
from governance.models import HouseholdMember, Relation
from tests.auth import verified_login
from tests.civility.factories import (
    PointRuleFactory,
    PracticeStationFactory,
    ServiceActivityFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    account_in,
)
from tests.factories import HouseholdFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db

JUNE = datetime.date(2025, 6, 1)
JULY = datetime.date(2025, 7, 1)


@pytest.fixture
def officer_client(client, officer):
    verified_login(client, officer)
    return client


@pytest.fixture
def rule(divisions):
    return PointRuleFactory(code="XL-9", points=5, monthly_cap=None, division=divisions["district"])


def fill(divisions, rule, n: int, village="v11"):
    accounts = [account_in(divisions[village]) for _ in range(n)]
    for i, account in enumerate(accounts):
        points_record(
            account=account,
            rule=rule,
            occurred_on=datetime.date(2025, 6, 3),
            recorded_by=None,
            idempotency_key=f"j{i}",
            points=i + 1,
        )
        points_record(
            account=account,
            rule=rule,
            occurred_on=datetime.date(2025, 7, 3),
            recorded_by=None,
            idempotency_key=f"k{i}",
            points=2 * (i + 1),
        )
    ranking_publish(run=ranking_compute(month=JUNE), by=None)
    ranking_compute(month=JULY)
    return accounts


def ranking_url(division, **extra):
    query = "&".join(f"{k}={v}" for k, v in {"within": division.code, **extra}.items())
    return f"{reverse('civility:ranking')}?{query}"


# --- the ranking page -------------------------------------------------------------------------------


def test_village_officer_sees_ranking_with_change_from_last_month(officer_client, divisions, rule):
    accounts = fill(divisions, rule, 3)
    response = officer_client.get(ranking_url(divisions["v11"], month="2025-07"))
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r.household_id for r in rows] == [a.household_id for a in reversed(accounts)]
    assert [(r.rank, r.points, r.change) for r in rows] == [(1, 6, 3), (2, 4, 2), (3, 2, 1)]
    assert "尚未公布" in response.content.decode()
    assert response.context["months"] == [JULY, JUNE]


def test_ranking_page_shows_late_confirmation_as_correction(officer_client, officer, divisions, rule):
    account = fill(divisions, rule, 1)[0]
    report, _ = points_record(
        account=account,
        rule=rule,
        occurred_on=datetime.date(2025, 6, 30),
        recorded_by=None,
        idempotency_key="self",
        source=EntrySource.SELF_REPORT,
    )
    entry_confirm(entry=report, by=officer)
    page = officer_client.get(ranking_url(divisions["v11"], month="2025-06")).content.decode()
    assert "补录 +5" in page and "已公布" in page


def test_ranking_page_of_another_village_is_404(officer_client, divisions, rule):
    fill(divisions, rule, 1, village="v21")
    assert officer_client.get(ranking_url(divisions["v21"], month="2025-06")).status_code == 404
    assert officer_client.get(ranking_url(divisions["t1"])).status_code == 404  # above the officer's village


def test_ranking_page_bad_month_is_400_in_chinese(officer_client, divisions, rule):
    fill(divisions, rule, 1)
    response = officer_client.get(ranking_url(divisions["v11"], month="2025-13"))
    assert response.status_code == 400
    assert "月份格式应为" in response.content.decode()
    assert officer_client.get(ranking_url(divisions["v11"], month="2025-13", format="xlsx")).status_code == 400


def test_ranking_download_has_the_rows_of_the_page(officer_client, divisions, rule):
    fill(divisions, rule, 3)
    response = officer_client.get(ranking_url(divisions["v11"], month="2025-07", format="xlsx"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][:5] == ("名次", "户号", "户主", "所在区划", "当月积分")
    assert [v[0] for v in values[1:]] == [1, 2, 3] and [v[6] for v in values[1:]] == [3, 2, 1]


@pytest.mark.parametrize("url_name", ["ranking", "board-list", "family-list"])
def test_pages_query_count_is_the_same_for_3_and_30_rows(client, district_admin, divisions, rule, url_name):
    verified_login(client, district_admin)
    accounts = fill(divisions, rule, 3)

    def extra(accounts):
        for account in accounts:
            CivilizedFamily.objects.get_or_create(household=account.household, year=2025, defaults={"points": 1})

    def url():
        if url_name == "ranking":
            return ranking_url(divisions["v11"], month="2025-07")
        return reverse(f"civility:{url_name}") + ("?year=2025" if url_name == "family-list" else "")

    extra(accounts)
    HonorList.objects.create(
        village=divisions["v11"],
        ranking_month=RankingMonth.objects.get(month=JUNE),
        kind=BoardKind.RED,
        proposed_by=district_admin,
    )
    client.get(url())
    with CaptureQueriesContext(connection) as few:
        assert client.get(url()).status_code == 200
    more = [account_in(divisions["v11"]) for _ in range(27)]
    for i, account in enumerate(more):
        points_record(
            account=account,
            rule=rule,
            occurred_on=datetime.date(2025, 7, 4),
            recorded_by=None,
            idempotency_key=f"m{i}",
            points=1,
        )
    ranking_compute(month=JULY)
    extra(more)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url())
    assert response.status_code == 200
    assert len(many) == len(few)


# --- 红黑榜 pages ------------------------------------------------------------------------------------


def test_officer_proposes_confirms_and_publishes_a_red_list(officer_client, divisions, rule):
    fill(divisions, rule, 3)
    response = officer_client.post(
        reverse("civility:board-list"), {"village": divisions["v11"].code, "month": "2025-06", "kind": "red"}
    )
    board = HonorList.objects.get()
    assert response.status_code == 302 and board.entries.count() == 3
    detail = reverse("civility:board-detail", args=[board.pk])
    response = officer_client.post(detail, {"action": "confirm"}, follow=True)  # the proposer alone: refused
    assert "提名人不能审核自己提名的榜单" in response.content.decode()
    response = officer_client.post(detail, {"action": "publish"}, follow=True)  # not confirmed: refused
    assert "不能执行此操作" in response.content.decode()
    board.refresh_from_db()
    assert board.status == BoardStatus.PROPOSED and board.confirmed_by is None and board.published_by is None
    second = Client()
    second.force_login(user_with_role("community_officer", divisions["v11"], username="officer_v11_b"))
    second.post(detail, {"action": "confirm"})
    second.post(detail, {"action": "publish"})
    board.refresh_from_db()
    assert board.status == BoardStatus.PUBLISHED and board.confirmed_by.username == "officer_v11_b"
    response = officer_client.post(detail, {"action": "confirm"}, follow=True)
    assert "不能执行此操作" in response.content.decode()
    board.refresh_from_db()
    assert board.status == BoardStatus.PUBLISHED


def test_board_propose_bad_input_is_400_in_chinese_and_writes_nothing(officer_client, divisions, rule):
    fill(divisions, rule, 1)
    response = officer_client.post(
        reverse("civility:board-list"), {"village": divisions["v11"].code, "month": "六月", "kind": "red"}
    )
    assert response.status_code == 400 and "月份格式应为" in response.content.decode()
    response = officer_client.post(
        reverse("civility:board-list"), {"village": divisions["v11"].code, "month": "2025-07", "kind": "red"}
    )
    assert response.status_code == 400 and "尚未公布" in response.content.decode()
    response = officer_client.post(
        reverse("civility:board-list"), {"village": divisions["v21"].code, "month": "2025-06", "kind": "red"}
    )
    assert response.status_code == 400  # another village is not a choice
    assert not HonorList.objects.exists()


def test_board_of_another_village_is_404(officer_client, divisions, rule, district_admin):
    fill(divisions, rule, 1, village="v21")
    from civility.services import honor_list_propose

    board = honor_list_propose(village=divisions["v21"], month=JUNE, kind=BoardKind.RED, by=district_admin)
    detail = reverse("civility:board-detail", args=[board.pk])
    assert officer_client.get(detail).status_code == 404
    assert officer_client.post(detail, {"action": "confirm"}).status_code == 404
    board.refresh_from_db()
    assert board.status == BoardStatus.PROPOSED


# --- 文明家庭 page -----------------------------------------------------------------------------------


def test_family_confirm_and_publish_on_the_page_and_bad_year(officer_client, divisions):
    family = CivilizedFamily.objects.create(household=HouseholdFactory(division=divisions["v11"]), year=2025, points=9)
    url = reverse("civility:family-list")
    refused = officer_client.post(url, {"family": family.pk, "action": "confirm"}, follow=True)
    assert "须由乡镇（街道）或区级干部评定" in refused.content.decode()  # a village officer only proposes
    family.refresh_from_db()
    assert family.status == FamilyStatus.PROPOSED
    verified_login(officer_client, user_with_role("township_officer", divisions["t1"], username="family_t1"))
    officer_client.post(url, {"family": family.pk, "action": "confirm"})
    officer_client.post(url, {"family": family.pk, "action": "publish"})
    family.refresh_from_db()
    assert family.status == FamilyStatus.PUBLISHED
    response = officer_client.post(url, {"year": "三千"})
    assert response.status_code == 400 and "整数" in response.content.decode()
    assert officer_client.get(f"{url}?year=99999").status_code == 400
    other = CivilizedFamily.objects.create(household=HouseholdFactory(division=divisions["v21"]), year=2025, points=9)
    assert officer_client.post(url, {"family": other.pk, "action": "confirm"}).status_code == 404
    other.refresh_from_db()
    assert other.status == FamilyStatus.PROPOSED


def test_family_proposed_by_an_officer_confirmed_and_published_by_the_township_then_shown_frozen(
    officer_client, officer, divisions
):
    """Issue 13: propose (who and when kept) → confirm by another, township-level officer → publish; the
    published list is frozen and shown on 文明家庭公示 with who proposed, confirmed and published."""
    account = account_in(divisions["v11"])
    rule = PointRuleFactory(code="FAM", points=8, division=divisions["district"])
    june = datetime.date(2025, 6, 3)
    points_record(account=account, rule=rule, occurred_on=june, recorded_by=None, idempotency_key="fam", points=8)
    ranking_publish(run=ranking_compute(month=datetime.date(2025, 6, 1)), by=None)
    url = reverse("civility:family-list")
    officer_client.post(url, {"year": 2025})
    family = CivilizedFamily.objects.get(year=2025, household=account.household)
    assert family.proposed_by == officer and family.status == FamilyStatus.PROPOSED
    page = officer_client.get(url, {"year": 2025}).content.decode()
    assert 'value="confirm"' not in page  # the village officer sees no 评定 button
    township = user_with_role("township_officer", divisions["t1"], username="family_t1")
    verified_login(officer_client, township)
    assert 'value="confirm"' in officer_client.get(url, {"year": 2025}).content.decode()
    officer_client.post(url, {"family": family.pk, "action": "confirm"})
    officer_client.post(url, {"family": family.pk, "action": "publish"})
    family.refresh_from_db()
    assert (family.status, family.confirmed_by, family.published_by) == (FamilyStatus.PUBLISHED, township, township)
    again = officer_client.post(url, {"family": family.pk, "action": "publish"}, follow=True)
    assert "不能执行此操作" in again.content.decode()
    published = officer_client.get(reverse("civility:family-published"), {"year": 2025})
    assert published.status_code == 200
    table = published.content.decode()
    assert family.household.number in table and str(officer) in table and str(township) in table


def test_the_proposer_cannot_confirm_their_own_proposal(client, divisions):
    township = user_with_role("township_officer", divisions["t1"], username="family_t1")
    family = CivilizedFamily.objects.create(
        household=HouseholdFactory(division=divisions["v11"]), year=2025, points=9, proposed_by=township
    )
    verified_login(client, township)
    response = client.post(reverse("civility:family-list"), {"family": family.pk, "action": "confirm"}, follow=True)
    assert "推荐人不能评定自己推荐的文明家庭" in response.content.decode()
    family.refresh_from_db()
    assert family.status == FamilyStatus.PROPOSED and family.confirmed_by is None


def test_published_families_page_scope_bad_year_and_query_count(officer_client, divisions):
    def published(division, n):
        for _i in range(n):
            CivilizedFamily.objects.create(
                household=HouseholdFactory(division=division, with_head=True),
                year=2025,
                points=9,
                status=FamilyStatus.PUBLISHED,
                published_at=datetime.datetime(2026, 1, 5, tzinfo=datetime.UTC),
            )

    url = reverse("civility:family-published")
    published(divisions["v11"], 3)
    published(divisions["v21"], 2)  # another township: never listed
    CivilizedFamily.objects.create(household=HouseholdFactory(division=divisions["v11"]), year=2025, points=50)
    with CaptureQueriesContext(connection) as few:
        response = officer_client.get(url, {"year": 2025})
    assert len(response.context["families"]) == 3  # the proposed one is not published: not shown
    published(divisions["v11"], 27)
    with CaptureQueriesContext(connection) as many:
        response = officer_client.get(url, {"year": 2025})
    assert len(response.context["families"]) == 30
    assert len(many) == len(few)
    bad = officer_client.get(url, {"year": "三千"})
    assert bad.status_code == 400 and "整数" in bad.content.decode()


# --- conversion API and admin -----------------------------------------------------------------------


@pytest.fixture
def activity(divisions):
    PointRuleFactory(code=RULE_VOLUNTEER_HOUR, points=2, monthly_cap=None, division=divisions["district"])
    household = HouseholdFactory(division=divisions["v11"])
    person = PersonFactory(division=divisions["v11"])
    HouseholdMember.objects.create(household=household, person=person, relation=Relation.HEAD)
    team = VolunteerTeamFactory(station=PracticeStationFactory(division=divisions["v11"]))
    activity = ServiceActivityFactory(team=team, kind="elderly", hours=Decimal(3), held_on=datetime.date(2025, 6, 3))
    activity.participants.add(VolunteerFactory(person=person))
    return activity


def test_conversion_api_is_idempotent(api_client, officer, activity):
    api_client.force_authenticate(officer)
    url = reverse("api:civility-api:serviceactivity-convert", args=[activity.pk])
    first = api_client.post(url)
    assert first.status_code == 200 and first.json()["entries"] == 1
    again = api_client.post(url)
    assert again.status_code == 200 and again.json()["entries"] == 0
    due = api_client.post(
        reverse("api:civility-api:serviceactivity-convert-due"), {"until": "2025-06-30"}, format="json"
    )
    assert due.status_code == 200 and due.json()["entries"] == 0
    assert PointEntry.objects.count() == 1


def test_conversion_api_out_of_scope_is_404_and_bad_date_400(api_client, divisions, activity):
    from tests.factories import user_with_role

    stranger = user_with_role("community_officer", divisions["v21"])
    api_client.force_authenticate(stranger)
    assert api_client.post(reverse("api:civility-api:serviceactivity-convert", args=[activity.pk])).status_code == 404
    response = api_client.post(
        reverse("api:civility-api:serviceactivity-convert-due"), {"until": "明天"}, format="json"
    )
    assert response.status_code == 400 and "until" in response.json()["errors"]
    due = api_client.post(reverse("api:civility-api:serviceactivity-convert-due"), {}, format="json")
    assert due.status_code == 200 and due.json()["activities"] == 0  # the v11 activity is not theirs
    assert not PointEntry.objects.exists()


def test_admin_converts_selected_activities_once(client, district_admin, activity):
    verified_login(client, district_admin)
    url = reverse("admin:civility_serviceactivity_changelist")
    for _ in range(2):
        response = client.post(url, {"action": "convert_activities", "_selected_action": [activity.pk]})
        assert response.status_code == 302
    assert PointEntry.objects.count() == 1
    assert ServiceActivity.objects.get().converted_at is not None


def test_ranking_admin_is_read_only(client, district_admin, divisions, rule):
    verified_login(client, district_admin)
    fill(divisions, rule, 2)
    response = client.get(reverse("admin:civility_monthlyranking_changelist"))
    assert response.status_code == 200
    assert client.get(reverse("admin:civility_monthlyranking_add")).status_code == 403
