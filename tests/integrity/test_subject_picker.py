"""The clue intake and 立案 forms pick subjects by search (issue 12 item 4), never from a list of
every subject in scope: typing fetches ≤ 20 matches (name or unit) of the user's discipline scope
(``integrity:subject-options``; for 立案 only people named in a clue still open,
``integrity:case-subject-options``). Closed to all but discipline staff; a search writes no
access-log row (the log covers lists of clues and cases)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.pickers import ERR_PICKER_SEARCHING, PICKER_MATCH_LIMIT
from integrity.choices import ClueStatus
from integrity.models import AccessLog, Clue, IntegrityCase, Subject
from tests.auth import verified_login
from tests.integrity.factories import ClueFactory

pytestmark = [pytest.mark.django_db]

SUBJECT_BOX = re.compile(r'<input type="checkbox" name="subjects" value="(\d+)"( checked)?>')


@pytest.fixture
def page(client, inspector):
    verified_login(client, inspector)
    return client


def _offered(html: str) -> dict[int, bool]:
    return {int(pk): bool(checked) for pk, checked in SUBJECT_BOX.findall(html)}


def _queries(client, url: str, params=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(ctx), response.content.decode()


def _subjects(division, count: int, prefix: str, **kwargs) -> list[Subject]:
    return Subject.objects.bulk_create(
        Subject(name=f"{prefix}{n}", unit=kwargs.get("unit", "某村民委员会"), division=division) for n in range(count)
    )


def _options(client, term: str, url_name: str = "integrity:subject-options", ticked=()) -> str:
    response = client.get(reverse(url_name), {"name": "subjects", "subjects_q": term, "subjects": list(ticked)})
    assert response.status_code == 200
    return response.content.decode()


def _intake(divisions, **extra) -> dict:
    return {
        "number": "XS-2025-0009",
        "division": divisions["v11"].code,
        "source": "petition",
        "received_on": "2025-03-01",
        "category": "corruption",
        "summary": "反映村会计虚报冒领补贴",
        **extra,
    }


def test_intake_form_lists_no_subject_and_costs_the_same_for_3_and_30(page, divisions):
    url = reverse("integrity:clue-intake")
    _subjects(divisions["v11"], 3, "甲")
    few, html = _queries(page, url)
    assert _offered(html) == {}
    assert 'name="subjects_q"' in html and reverse("integrity:subject-options") in html
    _subjects(divisions["v12"], 30, "乙")
    many, html = _queries(page, url)
    assert _offered(html) == {}
    assert few == many


def test_search_finds_by_name_or_unit_at_most_20_in_the_discipline_scope(page, divisions):
    url = reverse("integrity:subject-options")
    mine = _subjects(divisions["v11"], 3, "李")
    _subjects(divisions["v21"], 3, "李")  # township t2: not the t1 inspector's
    few, html = _queries(page, url, {"name": "subjects", "subjects_q": "李"})
    assert _offered(html) == {s.pk: False for s in mine}
    _subjects(divisions["v12"], 30, "李")
    many, html = _queries(page, url, {"name": "subjects", "subjects_q": "李"})
    assert len(_offered(html)) == PICKER_MATCH_LIMIT
    assert few == many
    unit = _subjects(divisions["v11"], 1, "王", unit="城建办")[0]
    assert _offered(_options(page, "城建")) == {unit.pk: False}
    dotted = Subject.objects.create(name="阿依古丽·买买提", unit="某镇", division=divisions["v11"])
    assert _offered(_options(page, "阿依古丽.买买提")) == {dotted.pk: False}
    assert not AccessLog.objects.exists()


def test_search_keeps_ticked_subjects_and_drops_ids_from_elsewhere(page, divisions):
    kept = _subjects(divisions["v11"], 1, "王")[0]
    found = _subjects(divisions["v11"], 1, "赵")[0]
    stranger = _subjects(divisions["v21"], 1, "赵")[0]
    assert _offered(_options(page, "赵", ticked=[kept.pk, stranger.pk])) == {kept.pk: True, found.pk: False}


def test_options_are_404_to_anyone_but_discipline_staff(client, officer, divisions):
    _subjects(divisions["v11"], 1, "李")
    verified_login(client, officer)
    for url_name in ("integrity:subject-options", "integrity:case-subject-options"):
        assert client.get(reverse(url_name), {"name": "subjects", "subjects_q": "李"}).status_code == 404


def test_options_with_a_bad_field_name_are_400(page):
    assert page.get(reverse("integrity:subject-options"), {"name": "a b"}).status_code == 400


def test_filing_search_offers_only_people_of_clues_still_open(page, divisions):
    open_clue = ClueFactory(division=divisions["v11"], subjects=_subjects(divisions["v11"], 1, "刘"))
    ClueFactory(division=divisions["v11"], status=ClueStatus.CONCLUDED, subjects=_subjects(divisions["v11"], 1, "刘"))
    html = _options(page, "刘", url_name="integrity:case-subject-options")
    assert _offered(html) == {open_clue.subjects.get().pk: False}


def test_filing_form_from_a_clue_shows_only_its_people_ticked(page, divisions):
    clue = ClueFactory(division=divisions["v11"])
    for _n in range(3):
        ClueFactory(division=divisions["v11"])
    few, html = _queries(page, reverse("integrity:case-file"), {"clue": clue.pk})
    assert _offered(html) == {clue.subjects.get().pk: True}
    for _n in range(27):
        ClueFactory(division=divisions["v11"])
    many, html = _queries(page, reverse("integrity:case-file"), {"clue": clue.pk})
    assert _offered(html) == {clue.subjects.get().pk: True}
    assert few == many


def test_intake_with_chosen_subjects_links_them(page, divisions):
    chosen = _subjects(divisions["v11"], 2, "孙")
    response = page.post(reverse("integrity:clue-intake"), _intake(divisions, subjects=[s.pk for s in chosen]))
    assert response.status_code == 302
    assert set(Clue.objects.get().subjects.all()) == set(chosen)


@pytest.mark.parametrize("where", ["v21", "bad"])
def test_intake_with_a_subject_out_of_scope_or_bad_is_a_chinese_error_and_writes_nothing(page, divisions, where):
    value = "abc" if where == "bad" else _subjects(divisions[where], 1, "钱")[0].pk
    response = page.post(reverse("integrity:clue-intake"), _intake(divisions, subjects=[value]))
    assert response.status_code == 400
    codes = [e.code for e in response.context["form"].errors.as_data()["subjects"]]
    assert codes[0] == ("invalid_pk_value" if where == "bad" else "invalid_choice")
    assert re.search(r"[\u4e00-\u9fff]", response.context["form"].errors["subjects"][0])
    assert not Clue.objects.exists()


def test_filing_with_a_subject_of_a_concluded_clue_is_refused(page, divisions):
    clue = ClueFactory(division=divisions["v11"])
    closed = ClueFactory(division=divisions["v11"], status=ClueStatus.CONCLUDED).subjects.get()
    data = {
        "number": "LA-2025-09",
        "division": divisions["v11"].code,
        "clues": [clue.pk],
        "subjects": [closed.pk],
        "filed_on": "2025-06-01",
    }
    response = page.post(reverse("integrity:case-file"), data)
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["subjects"]] == ["invalid_choice"]
    assert not IntegrityCase.objects.exists()


def test_without_javascript_the_search_button_brings_the_matches_and_saves_nothing(page, divisions):
    found = _subjects(divisions["v11"], 1, "吴")[0]
    data = _intake(divisions, subjects_q="吴", subjects_search="1")
    response = page.post(reverse("integrity:clue-intake"), data)
    assert response.status_code == 400
    assert response.context["form"].errors.as_data()["subjects"][0].code == ERR_PICKER_SEARCHING
    assert _offered(response.content.decode()) == {found.pk: False}
    assert not Clue.objects.exists()
