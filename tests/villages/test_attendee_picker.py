"""The 屋场会 form picks attendees by search (issue 12 item 4): the page never lists the village's
people (~1,500 at district scale); typing fetches ≤ 20 matches of the 屋场's village within the
user's scope (htmx, ``villages:attendee-options``); without JavaScript the search button posts the
form back with the matches. Ticked people stay ticked; ids from elsewhere are a Chinese error."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Person
from governance.pickers import ERR_PICKER_SEARCHING, PICKER_MATCH_LIMIT
from tests.auth import verified_login
from tests.factories import make_id_number, user_with_role
from villages.models import HamletMeeting

pytestmark = [pytest.mark.django_db]

PERSON_BOX = re.compile(r'<input type="checkbox" name="attendees" value="(\d+)"( checked)?>')


@pytest.fixture
def officer_client(client, officer):
    verified_login(client, officer)
    return client


def _people(division, count: int, prefix: str) -> list[Person]:
    return Person.objects.bulk_create(
        Person(name=f"{prefix}{n}", id_number=make_id_number(seq=n % 1000), division=division) for n in range(count)
    )


def _queries(client, url: str, params=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content[:300]
    return len(ctx), response.content.decode()


def _options(client, hamlet, term: str, ticked=()) -> str:
    url = reverse("villages:attendee-options", args=[hamlet.pk])
    response = client.get(url, {"name": "attendees", "attendees_q": term, "attendees": list(ticked)})
    assert response.status_code == 200
    return response.content.decode()


def _offered(html: str) -> dict[int, bool]:
    return {int(pk): bool(checked) for pk, checked in PERSON_BOX.findall(html)}


def test_form_lists_no_person_and_costs_the_same_for_3_and_30(officer_client, hamlet):
    url = reverse("villages:meeting-create", args=[hamlet.pk])
    _people(hamlet.division, 3, "甲")
    few, page = _queries(officer_client, url)
    assert _offered(page) == {}
    assert 'name="attendees_q"' in page and reverse("villages:attendee-options", args=[hamlet.pk]) in page
    _people(hamlet.division, 30, "乙")
    many, page = _queries(officer_client, url)
    assert _offered(page) == {}
    assert few == many


def test_search_finds_by_name_at_most_20_and_costs_the_same_for_3_and_30(officer_client, hamlet):
    url = reverse("villages:attendee-options", args=[hamlet.pk])
    _people(hamlet.division, 3, "李")
    few, html = _queries(officer_client, url, {"name": "attendees", "attendees_q": "李"})
    assert len(_offered(html)) == 3
    _people(hamlet.division.parent, 30, "李")  # the village's own people attend too
    many, html = _queries(officer_client, url, {"name": "attendees", "attendees_q": "李"})
    assert len(_offered(html)) == PICKER_MATCH_LIMIT
    assert few == many


def test_search_normalises_the_name_like_every_search(officer_client, hamlet):
    person = Person.objects.create(name="阿依古丽·买买提", id_number=make_id_number(), division=hamlet.division)
    assert _offered(_options(officer_client, hamlet, "阿依古丽.买买提")) == {person.pk: False}


def test_search_keeps_ticked_people_and_drops_ids_from_elsewhere(officer_client, hamlet, divisions):
    kept = _people(hamlet.division, 1, "王")[0]
    found = _people(hamlet.division, 1, "赵")[0]
    stranger = _people(divisions["v21"], 1, "赵")[0]  # another township: not the officer's
    html = _options(officer_client, hamlet, "赵", ticked=[kept.pk, stranger.pk, "x"])
    assert _offered(html) == {kept.pk: True, found.pk: False}


def test_search_offers_only_the_hamlets_village_even_to_a_township_officer(client, hamlet, divisions):
    verified_login(client, user_with_role("township_officer", divisions["t1"], username="officer_t1"))
    mine = _people(hamlet.division, 1, "钱")[0]
    _people(divisions["v12"], 2, "钱")  # the township's other village: in scope, not this 屋场's
    assert _offered(_options(client, hamlet, "钱")) == {mine.pk: False}


def test_options_of_a_hamlet_out_of_scope_are_404(officer_client, other_hamlet):
    url = reverse("villages:attendee-options", args=[other_hamlet.pk])
    assert officer_client.get(url, {"name": "attendees", "attendees_q": "李"}).status_code == 404


@pytest.mark.parametrize("name", ["<script>", "a b", "x" * 80])
def test_options_with_a_bad_field_name_are_400(officer_client, hamlet, name):
    url = reverse("villages:attendee-options", args=[hamlet.pk])
    response = officer_client.get(url, {"name": name})
    assert response.status_code == 400
    assert "name" in response.content.decode()


def test_ticked_people_are_saved_and_shown_ticked_when_the_form_comes_back(officer_client, hamlet):
    first, second = _people(hamlet.division, 2, "孙")
    url = reverse("villages:meeting-create", args=[hamlet.pk])
    data = {"held_on": "2025-06-01", "topics": "修路", "attendees": [first.pk, second.pk]}
    refused = officer_client.post(url, {**data, "held_on": "x"})
    assert refused.status_code == 400
    assert _offered(refused.content.decode()) == {first.pk: True, second.pk: True}
    assert officer_client.post(url, data).status_code == 302
    assert set(HamletMeeting.objects.get().attendees.all()) == {first, second}


def test_without_javascript_the_search_button_brings_the_matches_and_saves_nothing(officer_client, hamlet):
    kept, found = _people(hamlet.division, 1, "周")[0], _people(hamlet.division, 1, "吴")[0]
    url = reverse("villages:meeting-create", args=[hamlet.pk])
    data = {"held_on": "2025-06-01", "topics": "t", "attendees": [kept.pk], "attendees_q": "吴"}
    data["attendees_search"] = "1"  # the no-JS search button
    response = officer_client.post(url, data)
    assert response.status_code == 400
    assert [e.code for e in response.context["form"].errors.as_data()["attendees"]] == [ERR_PICKER_SEARCHING]
    assert _offered(response.content.decode()) == {kept.pk: True, found.pk: False}
    assert not HamletMeeting.objects.exists()


@pytest.mark.parametrize(("value", "code"), [("abc", "invalid_pk_value"), ("999999999", "invalid_choice")])
def test_a_bad_attendee_id_is_a_chinese_error_and_nothing_is_written(officer_client, hamlet, value, code):
    url = reverse("villages:meeting-create", args=[hamlet.pk])
    response = officer_client.post(url, {"held_on": "2025-06-01", "topics": "t", "attendees": [value]})
    assert response.status_code == 400
    errors = response.context["form"].errors.as_data()["attendees"]
    assert [e.code for e in errors] == [code]
    assert re.search(r"[\u4e00-\u9fff]", response.context["form"].errors["attendees"][0])
    assert not HamletMeeting.objects.exists()
