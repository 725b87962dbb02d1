"""The integrity admin for discipline staff: scoped changelists with a constant query count, scoped choices,
and writes that go through the services (clue disposition, case closing, clean-unit evaluation)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrity.choices import CleanUnitStatus, ClueStatus, Disposition
from integrity.models import Evaluation
from tests.auth import verified_login
from tests.integrity.factories import (
    CleanUnitFactory,
    ClueFactory,
    IntegrityCaseFactory,
    RecoveryFactory,
    SanctionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("model_name", "make"),
    [
        ("clue", lambda d: ClueFactory(division=d)),
        ("integritycase", lambda d: IntegrityCaseFactory(division=d)),
        ("sanction", lambda d: SanctionFactory(case=IntegrityCaseFactory(division=d))),
        ("recovery", lambda d: RecoveryFactory(case=IntegrityCaseFactory(division=d))),
    ],
)
def test_changelist_query_count_does_not_grow_with_rows(client, inspector, divisions, model_name, make):
    verified_login(client, inspector)
    url = reverse(f"admin:integrity_{model_name}_changelist")
    for _i in range(3):
        make(divisions["v11"])
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for _i in range(27):
        make(divisions["v12"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.context["cl"].result_count == 30
    assert len(many) == len(few)


def test_changelist_shows_only_the_inspectors_subtree(client, inspector, divisions):
    mine = ClueFactory(division=divisions["v11"])
    ClueFactory(division=divisions["v21"])
    verified_login(client, inspector)
    assert list(client.get(reverse("admin:integrity_clue_changelist")).context["cl"].result_list) == [mine]


def test_clue_form_offers_only_divisions_and_subjects_in_the_discipline_subtree(client, inspector, divisions):
    ClueFactory(division=divisions["v21"])
    verified_login(client, inspector)
    form = client.get(reverse("admin:integrity_clue_add")).context["adminform"].form
    assert {d.code for d in form.fields["division"].queryset} == {divisions[k].code for k in ("t1", "v11", "v12")}
    assert not form.fields["subjects"].queryset.filter(division=divisions["v21"]).exists()


# --- the admin's writes go through the services --------------------------------------------------


def _no_inline_forms(*prefixes: str) -> dict[str, str]:
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_a_disposition_given_in_the_admin_moves_the_clue_status(client, inspector, divisions):
    clue = ClueFactory(division=divisions["v11"])
    verified_login(client, inspector)
    data = {
        "number": clue.number,
        "division": clue.division_id,
        "source": clue.source,
        "received_on": "2025-01-10",
        "category": clue.category,
        "summary": clue.summary,
        "subjects": [s.pk for s in clue.subjects.all()],
        "dispose_as": Disposition.TALK,
        "dispose_on": "2025-01-20",
        "dispose_by": "书记",
    }
    response = client.post(reverse("admin:integrity_clue_change", args=[clue.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    clue.refresh_from_db()
    assert (clue.disposition, clue.status) == (Disposition.TALK, ClueStatus.DISPOSED)


def test_closing_a_case_in_the_admin_concludes_its_clues(client, inspector, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    verified_login(client, inspector)
    data = {
        "number": case.number,
        "division": case.division_id,
        "clues": [c.pk for c in case.clues.all()],
        "subjects": [s.pk for s in case.subjects.all()],
        "filed_on": "2025-02-01",
        "close_on": "2025-04-01",
        **_no_inline_forms("measures", "sanctions", "recoveries"),
    }
    response = client.post(reverse("admin:integrity_integritycase_change", args=[case.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(case.clues.values_list("status", flat=True)) == {ClueStatus.CONCLUDED}


def test_an_evaluation_added_in_the_admin_sets_the_unit_status(client, inspector, divisions):
    unit = CleanUnitFactory(organization__division=divisions["v11"], status=CleanUnitStatus.BUILDING)
    verified_login(client, inspector)
    url = reverse("admin:integrity_evaluation_add")
    data = {
        "unit": unit.pk,
        "round": "1",
        "evaluated_on": "2025-06-20",
        "result": CleanUnitStatus.STANDARD,
        **_no_inline_forms("items"),
    }
    assert client.post(url, data).status_code == 200  # a round without a scored item is refused on the form
    assert not Evaluation.objects.exists()
    data.update({"items-TOTAL_FORMS": "1", "items-0-item": "制度建设", "items-0-max_score": "10", "items-0-score": "9"})
    assert client.post(url, data).status_code == 302
    unit.refresh_from_db()
    assert unit.status == CleanUnitStatus.STANDARD
