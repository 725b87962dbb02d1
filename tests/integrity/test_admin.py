"""The integrity admin for discipline staff: scoped changelists with a constant query count, scoped choices."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.integrity.factories import ClueFactory, IntegrityCaseFactory, RecoveryFactory, SanctionFactory

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
    client.force_login(inspector)
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
    client.force_login(inspector)
    assert list(client.get(reverse("admin:integrity_clue_changelist")).context["cl"].result_list) == [mine]


def test_clue_form_offers_only_divisions_and_subjects_in_the_discipline_subtree(client, inspector, divisions):
    ClueFactory(division=divisions["v21"])
    client.force_login(inspector)
    form = client.get(reverse("admin:integrity_clue_add")).context["adminform"].form
    assert {d.code for d in form.fields["division"].queryset} == {divisions[k].code for k in ("t1", "v11", "v12")}
    assert not form.fields["subjects"].queryset.filter(division=divisions["v21"]).exists()
