import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Role
from residential.models import CreditPeriod, ScoringItem
from residential.services import (
    credit_evaluation_publish,
    evaluation_save,
    red_black_list_draft,
    red_black_list_publish,
)
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.residential.factories import (
    CompoundFactory,
    CreditPeriodFactory,
    PetitionFactory,
    PropertyCompanyFactory,
    ScoringItemFactory,
    committee_with_members,
)

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"admin:residential_{name}", args=args)


@pytest.fixture
def admin_client(client, divisions):
    verified_login(client, user_with_role(Role.DISTRICT_ADMIN, divisions["district"]))
    return client


def _evaluation(division, score: int = 88):
    period = CreditPeriod.objects.filter(division=division).first() or CreditPeriodFactory(division=division)
    item = ScoringItem.objects.filter(division=division).first() or ScoringItemFactory(division=division, max_score=100)
    evaluation = evaluation_save(
        company=PropertyCompanyFactory(division=division),
        period=period,
        scores=[(item, score)],
        evaluated_on=period.end_date,
    )
    return credit_evaluation_publish(evaluation=evaluation, by=None)


MAKERS = {
    "compound": lambda d: CompoundFactory(community=d["c11"]),
    "petition": lambda d: PetitionFactory(compound=CompoundFactory(community=d["c11"])),
    "creditevaluation": lambda d: _evaluation(d["t1"]),
    "ownerscommittee": lambda d: committee_with_members(CompoundFactory(community=d["c11"]), party=1, masses=1),
}


@pytest.mark.parametrize("model", list(MAKERS))
def test_changelist_query_count_does_not_grow_with_rows(admin_client, divisions, model):
    for _i in range(3):
        MAKERS[model](divisions)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(url(f"{model}_changelist")).status_code == 200
    for _i in range(27):
        MAKERS[model](divisions)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(url(f"{model}_changelist"))
    assert response.context["cl"].result_count == 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("model", list(MAKERS))
def test_officer_of_another_township_gets_404(client, divisions, model):
    obj = MAKERS[model](divisions)
    verified_login(client, user_with_role(Role.DISTRICT_ADMIN, divisions["t2"]))
    assert client.get(url(f"{model}_change", obj.pk)).status_code == 404
    assert obj not in client.get(url(f"{model}_changelist")).context["cl"].result_list


def test_published_red_black_list_is_read_only_in_the_admin(admin_client, divisions):
    evaluation = _evaluation(divisions["district"])
    published = red_black_list_publish(red_black_list=red_black_list_draft(period=evaluation.period), by=None)
    change = url("redblacklist_change", published.pk)

    page = admin_client.get(change)
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    response = admin_client.post(change, {"title": "改过的标题", "red_size": 5, "black_size": 5, "note": ""})
    assert response.status_code == 403
    published.refresh_from_db()
    assert published.title != "改过的标题"
    assert admin_client.post(url("redblacklist_delete", published.pk), {"post": "yes"}).status_code == 403


def test_draft_red_black_list_is_remade_when_saved_in_the_admin(admin_client, divisions):
    evaluation = _evaluation(divisions["district"], score=95)
    draft = red_black_list_draft(period=evaluation.period, red_size=0)
    assert draft.entries.count() == 0
    response = admin_client.post(
        url("redblacklist_change", draft.pk),
        {
            "title": "2024年度红黑榜",
            "red_size": 1,
            "black_size": 0,
            "note": "",
            "entries-TOTAL_FORMS": "0",
            "entries-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context and response.context.get("errors")
    assert draft.entries.get().company_id == evaluation.company_id


def _contracts(company, divisions, count: int) -> None:
    from residential.models import PropertyContract

    for _i in range(count):
        PropertyContract.objects.create(
            compound=CompoundFactory(community=divisions["c11"]), company=company, start_date=datetime.date(2024, 1, 1)
        )


def test_property_company_page_takes_as_many_queries_for_3_as_for_30_contracts(admin_client, divisions):
    # Issue 14: each contract row's boxes and title read their compound and company one by one (1.5 s).
    company = PropertyCompanyFactory(division=divisions["district"])
    _contracts(company, divisions, 3)
    change = url("propertycompany_change", company.pk)
    admin_client.get(change)  # first request of the session: per-process caches filled
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(change).status_code == 200
    _contracts(company, divisions, 27)
    with CaptureQueriesContext(connection) as many:
        response = admin_client.get(change)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    page = response.content.decode()
    # Every row's compound box still shows its compound, all read in one query.
    for contract in company.contracts.select_related("compound__division"):
        option = f'<option value="{contract.compound_id}" selected>{contract.compound}</option>'
        assert option in page


def test_property_company_page_of_another_township_is_404(client, divisions):
    company = PropertyCompanyFactory(division=divisions["t1"])
    verified_login(client, user_with_role(Role.DISTRICT_ADMIN, divisions["t2"]))
    assert client.get(url("propertycompany_change", company.pk)).status_code == 404


def test_property_company_page_with_a_bad_contract_date_is_a_chinese_error_and_saves_nothing(admin_client, divisions):
    from residential.models import PropertyContract

    company = PropertyCompanyFactory(division=divisions["district"])
    compound = CompoundFactory(community=divisions["c11"])
    data = {
        "name": company.name,
        "uscc": company.uscc,
        "contact_person": company.contact_person,
        "phone": company.phone,
        "division": company.division_id,
        "contracts-TOTAL_FORMS": "1",
        "contracts-INITIAL_FORMS": "0",
        "contracts-MIN_NUM_FORMS": "0",
        "contracts-MAX_NUM_FORMS": "1000",
        "contracts-0-compound": compound.pk,
        "contracts-0-company": company.pk,
        "contracts-0-start_date": "2024-13-45",
    }
    response = admin_client.post(url("propertycompany_change", company.pk), data)
    assert response.status_code == 200
    assert "日期" in response.content.decode()
    assert not PropertyContract.objects.filter(company=company).exists()


def test_admin_publishes_a_draft_evaluation_by_the_action_and_a_published_one_is_read_only(admin_client, divisions):
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME

    period = CreditPeriodFactory(division=divisions["district"])
    item = ScoringItemFactory(division=divisions["district"], max_score=100)
    draft = evaluation_save(
        company=PropertyCompanyFactory(division=divisions["district"]),
        period=period,
        scores=[(item, 91)],
        evaluated_on=period.end_date,
    )
    form = admin_client.get(url("creditevaluation_change", draft.pk)).context["adminform"].form
    assert "status" not in form.fields and "published_at" not in form.fields  # the service's
    admin_client.post(url("creditevaluation_changelist"), {"action": "publish", ACTION_CHECKBOX_NAME: [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == "published" and draft.published_by is not None
    page = admin_client.get(url("creditevaluation_change", draft.pk))
    assert page.context["has_change_permission"] is False
    assert admin_client.post(url("creditevaluation_change", draft.pk), {"note": "改"}).status_code == 403
    draft.refresh_from_db()
    assert draft.note == ""
