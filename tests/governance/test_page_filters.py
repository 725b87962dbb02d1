"""List pages never ask for an internal id (issue 14, item 4): the place is picked level by level,
related rows from a list of what the user may see, yes/no filters default to 全部 — and the query
strings other pages and the API use keep working."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from governance.models import Person
from tests.auth import verified_login
from tests.factories import user_with_role

pytestmark = [pytest.mark.django_db]


def _inputs(page: str) -> dict[str, str]:
    """name → type of every <input> on the page."""
    found = {}
    for tag in re.findall(r"<input[^>]*>", page):
        name = re.search(r'name="([^"]+)"', tag)
        kind = re.search(r'type="([^"]+)"', tag)
        if name:
            found[name.group(1)] = kind.group(1) if kind else "text"
    return found


def test_people_page_offers_the_division_cascade_and_no_id_boxes(client, divisions):
    officer = user_with_role("township_officer", divisions["t1"], username="t1_filters")
    verified_login(client, officer)
    page = client.get(reverse("governance:person-list")).content.decode()
    inputs = _inputs(page)
    assert inputs.get("division_id") == "hidden" and inputs.get("division") == "hidden"
    assert "within" not in inputs or inputs["within"] != "text"
    assert 'name="within_0"' in page  # the first level of the cascade
    assert divisions["t2"].name not in re.search(r'<select name="within_0".*?</select>', page, re.S).group(0)
    party = re.search(r'<select name="party_member".*?</select>', page, re.S).group(0)
    assert "全部" in party and "未知" not in party and "Unknown" not in party


def test_dispute_page_picks_the_body_from_a_list_and_the_query_string_still_filters(client, divisions):
    from security.models import Dispute
    from tests.security.factories import intake, make_bodies, police_rule, staff

    bodies = make_bodies(divisions)
    police_rule()
    mediator = staff("mediator", divisions["t1"], bodies["t1_station_centre"], username="t1_picker")
    intake(divisions["v11"], by=mediator)
    verified_login(client, mediator)
    page = client.get(reverse("security:dispute-list")).content.decode()
    assert _inputs(page).get("body_id") is None  # not a box to type an id into
    picker = re.search(r'<select name="body_id".*?</select>', page, re.S).group(0)
    assert bodies["t1_station_centre"].name in picker
    listed = client.get(reverse("security:dispute-list"), {"body_id": bodies["t1_station_centre"].pk})
    assert list(listed.context["object_list"]) == list(Dispute.objects.all())
    assert not client.get(reverse("security:dispute-list"), {"body_id": bodies["v21"].pk}).context["object_list"]


def test_within_by_code_in_a_link_still_narrows_the_list(client, divisions):
    officer = user_with_role("township_officer", divisions["t1"], username="t1_within")
    Person.objects.create(name="村十一人", division=divisions["v11"])
    Person.objects.create(name="村十二人", division=divisions["v12"])
    verified_login(client, officer)
    response = client.get(reverse("governance:person-list"), {"within": divisions["v11"].code})
    assert [p.name for p in response.context["object_list"]] == ["村十一人"]
