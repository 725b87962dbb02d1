"""Credit evaluation in the pages (issue 13 item 5): the district's template as a form (per-item scores,
petition deductions, grade), then the 红黑榜 draft → publish; scope 404, bad input, query counts."""

import datetime

import pytest
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Role
from residential.choices import EvaluationStatus, PetitionTarget
from residential.models import CreditEvaluation, CreditPeriod, RedBlackList, ScoringItem
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.residential.factories import (
    CompoundFactory,
    CreditPeriodFactory,
    PetitionFactory,
    PropertyCompanyFactory,
    ScoringItemFactory,
)

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def admin_client(client, divisions):
    verified_login(client, user_with_role(Role.DISTRICT_ADMIN, divisions["t1"], username="credit_admin"))
    return client


def setup(division) -> tuple[CreditPeriod, list[ScoringItem]]:
    period = CreditPeriod.objects.filter(division=division).first() or CreditPeriodFactory(
        division=division, start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2024, 12, 31)
    )
    items = list(ScoringItem.objects.filter(division=division).order_by("-max_score")) or [
        ScoringItemFactory(division=division, name="服务质量", max_score=60),
        ScoringItemFactory(division=division, name="安全管理", max_score=40),
    ]
    return period, items


def form_data(company, items, first=55, second=38, day="2025-01-10"):
    return {"company": company.pk, "evaluated_on": day, f"item_{items[0].pk}": first, f"item_{items[1].pk}": second}


def test_form_shows_the_template_and_saves_scores_deduction_and_grade(admin_client, divisions):
    period, items = setup(divisions["t1"])
    company = PropertyCompanyFactory(division=divisions["t1"])
    compound = CompoundFactory(community=divisions["c11"])
    for _i in range(3):
        PetitionFactory(compound=compound, against=PetitionTarget.COMPANY, company=company)
    url = reverse("residential:credit-evaluate", args=[period.pk])
    page = admin_client.get(url).content.decode()
    assert "服务质量（满分 60）" in page and "安全管理（满分 40）" in page
    response = admin_client.post(url, form_data(company, items))
    assert response.status_code == 302
    evaluation = CreditEvaluation.objects.get(company=company, period=period)
    figures = (evaluation.item_total, evaluation.petition_deduction, evaluation.total, evaluation.grade)
    assert figures == (93, 6, 87, "B")
    shown = admin_client.get(reverse("residential:credit-period", args=[period.pk])).content.decode()
    assert company.name in shown and "B 级" in shown


def test_submitting_again_rescores_the_same_evaluation(admin_client, divisions):
    period, items = setup(divisions["t1"])
    company = PropertyCompanyFactory(division=divisions["t1"])
    url = reverse("residential:credit-evaluate", args=[period.pk])
    admin_client.post(url, form_data(company, items))
    prefilled = admin_client.get(url, {"company": company.pk}).context["form"].initial
    assert prefilled[f"item_{items[0].pk}"] == 55
    admin_client.post(url, form_data(company, items, first=60, second=40))
    evaluation = CreditEvaluation.objects.get(company=company, period=period)
    assert (evaluation.total, evaluation.grade) == (100, "A")
    assert evaluation.scores.count() == 2


@pytest.mark.parametrize(
    "change",
    [
        {"first": 61},
        {"first": -1},
        {"first": "x"},
        {"second": ""},
        {"day": "2023-12-31"},
        {"day": "2999-01-01"},
    ],
)
def test_bad_input_is_a_chinese_error_and_nothing_written(admin_client, divisions, change):
    period, items = setup(divisions["t1"])
    company = PropertyCompanyFactory(division=divisions["t1"])
    response = admin_client.post(
        reverse("residential:credit-evaluate", args=[period.pk]), form_data(company, items, **change)
    )
    assert response.status_code == 400
    errors = [str(m) for messages in response.context["form"].errors.values() for m in messages]
    assert errors and all(any("\u4e00" <= ch <= "\u9fff" for ch in message) for message in errors)
    assert not CreditEvaluation.objects.exists()


def publish_all(client, period):
    for evaluation in CreditEvaluation.objects.filter(period=period, status=EvaluationStatus.DRAFT):
        client.post(reverse("residential:credit-evaluation-publish", args=[evaluation.pk]))


def test_draft_then_publish_freezes_the_list(admin_client, divisions):
    period, items = setup(divisions["t1"])
    best, worst = PropertyCompanyFactory(division=divisions["t1"]), PropertyCompanyFactory(division=divisions["t1"])
    url = reverse("residential:credit-evaluate", args=[period.pk])
    admin_client.post(url, form_data(best, items, first=58, second=39))
    admin_client.post(url, form_data(worst, items, first=30, second=20))
    publish_all(admin_client, period)
    action = reverse("residential:credit-list-action", args=[period.pk])
    admin_client.post(action, {"action": "publish"})
    assert not RedBlackList.objects.exists()
    admin_client.post(action, {"action": "draft"})
    red_black_list = RedBlackList.objects.get(period=period)
    assert red_black_list.published_at is None
    sides = dict(red_black_list.entries.values_list("company_id", "side"))
    assert sides == {best.pk: "red", worst.pk: "black"}
    admin_client.post(action, {"action": "publish"})
    red_black_list.refresh_from_db()
    assert red_black_list.published_at is not None
    response = admin_client.post(action, {"action": "draft"}, follow=True)
    assert "红黑榜已发布，不能再修改" in response.content.decode()
    page = admin_client.get(reverse("residential:credit-period", args=[period.pk])).content.decode()
    assert "已发布" in page and 'value="publish"' not in page


def test_period_of_another_township_is_404_and_nothing_written(admin_client, divisions):
    period, items = setup(divisions["t2"])
    company = PropertyCompanyFactory(division=divisions["t2"])
    for name in ("credit-period", "credit-evaluate"):
        assert admin_client.get(reverse(f"residential:{name}", args=[period.pk])).status_code == 404
    url = reverse("residential:credit-evaluate", args=[period.pk])
    assert admin_client.post(url, form_data(company, items)).status_code == 404
    action = reverse("residential:credit-list-action", args=[period.pk])
    assert admin_client.post(action, {"action": "draft"}).status_code == 404
    assert not CreditEvaluation.objects.exists() and not RedBlackList.objects.exists()


def test_company_out_of_scope_is_not_a_valid_choice(admin_client, divisions):
    period, items = setup(divisions["t1"])
    stranger = PropertyCompanyFactory(division=divisions["t2"])
    response = admin_client.post(reverse("residential:credit-evaluate", args=[period.pk]), form_data(stranger, items))
    assert response.status_code == 400
    assert "所选企业不在您的管辖范围内" in response.content.decode()


def test_officer_without_write_permission_cannot_evaluate(client, divisions):
    period, _items = setup(divisions["t1"])
    verified_login(client, user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="credit_officer"))
    assert client.get(reverse("residential:credit-period", args=[period.pk])).status_code == 200
    assert client.get(reverse("residential:credit-evaluate", args=[period.pk])).status_code == 403


def test_period_page_query_count_does_not_grow_with_rows(admin_client, divisions):
    period, items = setup(divisions["t1"])
    url = reverse("residential:credit-evaluate", args=[period.pk])
    for _i in range(3):
        admin_client.post(url, form_data(PropertyCompanyFactory(division=divisions["t1"]), items))
    publish_all(admin_client, period)
    admin_client.post(url, form_data(PropertyCompanyFactory(division=divisions["t1"]), items))  # a draft too
    admin_client.post(reverse("residential:credit-list-action", args=[period.pk]), {"action": "draft"})
    page = reverse("residential:credit-period", args=[period.pk])
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(page).status_code == 200
    for _i in range(26):
        admin_client.post(url, form_data(PropertyCompanyFactory(division=divisions["t1"]), items, first=60, second=40))
    publish_all(admin_client, period)
    admin_client.post(url, form_data(PropertyCompanyFactory(division=divisions["t1"]), items))
    admin_client.post(reverse("residential:credit-list-action", args=[period.pk]), {"action": "draft"})
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(page)
    assert len(response.context["evaluations"]) == 31
    assert len(many) == len(few)
    periods = reverse("residential:credit-periods")
    with CaptureQueriesContext(connection) as one:
        admin_client.get(periods)
    for _i in range(5):
        CreditPeriodFactory(division=divisions["t1"])
    with CaptureQueriesContext(connection) as six:
        admin_client.get(periods)
    assert len(six) == len(one)


# --- the evaluation's own draft → publish (issue 13 leftover) ---------------------------------------


def test_form_saves_a_draft_the_list_ignores_until_it_is_published(admin_client, divisions):
    period, items = setup(divisions["t1"])
    company = PropertyCompanyFactory(division=divisions["t1"])
    admin_client.post(reverse("residential:credit-evaluate", args=[period.pk]), form_data(company, items, 60, 40))
    evaluation = CreditEvaluation.objects.get(company=company, period=period)
    assert (evaluation.status, evaluation.published_at) == (EvaluationStatus.DRAFT, None)
    action = reverse("residential:credit-list-action", args=[period.pk])
    admin_client.post(action, {"action": "draft"})
    assert not RedBlackList.objects.get(period=period).entries.exists()  # a draft counts on no list

    publish = reverse("residential:credit-evaluation-publish", args=[evaluation.pk])
    assert admin_client.post(publish).status_code == 302
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.PUBLISHED and evaluation.published_by.username == "credit_admin"
    admin_client.post(action, {"action": "draft"})
    assert list(RedBlackList.objects.get(period=period).entries.values_list("company_id", "side")) == [
        (company.pk, "red")
    ]
    page = admin_client.get(reverse("residential:credit-period", args=[period.pk])).content.decode()
    assert "已发布" in page and publish not in page


def test_a_published_evaluation_is_frozen_rescoring_is_a_chinese_error(admin_client, divisions):
    period, items = setup(divisions["t1"])
    company = PropertyCompanyFactory(division=divisions["t1"])
    url = reverse("residential:credit-evaluate", args=[period.pk])
    admin_client.post(url, form_data(company, items, 60, 40))
    publish_all(admin_client, period)
    assert admin_client.get(url, {"company": company.pk}).context["form"].initial == {}
    response = admin_client.post(url, form_data(company, items, 10, 10))
    assert response.status_code == 400
    assert "该评价已发布，不能再修改" in response.content.decode()
    evaluation = CreditEvaluation.objects.get(company=company, period=period)
    assert evaluation.total == 100 and sorted(evaluation.scores.values_list("score", flat=True)) == [40, 60]
    again = admin_client.post(reverse("residential:credit-evaluation-publish", args=[evaluation.pk]), follow=True)
    assert "该评价已发布，不能再修改" in again.content.decode()
    for attempt in (
        lambda: CreditEvaluation.objects.filter(pk=evaluation.pk).update(note="改"),
        lambda: evaluation.scores.update(score=1),
        lambda: evaluation.scores.all().delete(),
    ):
        with pytest.raises((IntegrityError, ProgrammingError)), transaction.atomic():
            attempt()


def test_publishing_another_townships_evaluation_is_404(admin_client, divisions):
    foreign_period, _foreign_items = setup(divisions["t2"])
    foreign = CreditEvaluation.objects.create(
        company=PropertyCompanyFactory(division=divisions["t2"]),
        period=foreign_period,
        evaluated_on=datetime.date(2025, 1, 10),
    )
    response = admin_client.post(reverse("residential:credit-evaluation-publish", args=[foreign.pk]))
    assert response.status_code == 404
    assert admin_client.post("/residential/credit/evaluations/x/publish/").status_code == 404
    assert not CreditEvaluation.objects.filter(status=EvaluationStatus.PUBLISHED).exists()


def test_officer_without_change_permission_cannot_publish(client, divisions):
    period, _items = setup(divisions["t1"])
    company = PropertyCompanyFactory(division=divisions["t1"])
    evaluation = CreditEvaluation.objects.create(
        company=company, period=period, evaluated_on=datetime.date(2025, 1, 10)
    )
    verified_login(client, user_with_role(Role.TOWNSHIP_OFFICER, divisions["t1"], username="credit_viewer"))
    response = client.post(reverse("residential:credit-evaluation-publish", args=[evaluation.pk]))
    assert response.status_code == 403
    evaluation.refresh_from_db()
    assert evaluation.status == EvaluationStatus.DRAFT
