"""Big foreign keys in the admin are scoped search-as-you-type boxes, never a full ``<select>``
(issue 12 item 4, issue 14: the volunteer and abstention forms listed every person)."""

import contextlib
import json
import re

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from civility.models import BanquetDeclaration
from governance.models import Household, Person
from tests.auth import verified_login
from tests.factories import PersonFactory, make_id_number, user_with_role

pytestmark = pytest.mark.django_db

SELECT = re.compile(r"<select\b([^>]*)>(.*?)</select>", re.S)
OPTION = re.compile(r"<option\b")
MAX_OPTIONS = 200
OUR_APPS = {"governance", "civility", "security", "residential", "villages", "integrity"}
# Permission pickers list the code's permissions (a fixed set, not data that grows), with the
# admin's own filter box; they are not a table of people or households.
CODE_DEFINED = ('name="permissions"', 'name="user_permissions"')


def _people(division, count: int, prefix: str = "李") -> list[Person]:
    return Person.objects.bulk_create(
        Person(name=f"{prefix}{division.code}-{n}", id_number=make_id_number(seq=n), division=division)
        for n in range(count)
    )


def _households(division, count: int) -> None:
    Household.objects.bulk_create(
        Household(number=f"H{division.code}{n:05d}", address=f"{n}号", division=division) for n in range(count)
    )


def _autocomplete(client, app_label: str, model_name: str, field_name: str, term: str = ""):
    params = {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term}
    return client.get("/admin/autocomplete/", params)


def test_no_admin_form_renders_a_select_of_more_than_200_options(client, divisions, district_admin):
    # A modest district: more people and households than any dropdown may hold. A superuser opens
    # every admin (the integrity ones too, closed to a district admin).
    _people(divisions["v11"], MAX_OPTIONS + 10)
    _households(divisions["v11"], MAX_OPTIONS + 10)
    district_admin.is_superuser = True
    district_admin.save(update_fields=["is_superuser"])
    verified_login(client, district_admin)
    problems, walked = [], 0
    for model in admin.site._registry:
        if model._meta.app_label not in OUR_APPS:
            continue
        info = model._meta.app_label, model._meta.model_name
        urls = []
        with contextlib.suppress(NoReverseMatch):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        if pk is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[pk]))
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            walked += 1
            for attrs, options in SELECT.findall(response.content.decode()):
                if len(OPTION.findall(options)) > MAX_OPTIONS and not attrs.strip().startswith(CODE_DEFINED):
                    problems.append(f"{url}: {attrs.strip()[:80]}")
    assert walked > 50
    assert not problems, problems


@pytest.mark.parametrize(
    ("app_label", "model_name", "field_name"),
    [
        ("civility", "volunteer", "person"),
        ("civility", "banquetabstention", "person"),
        ("governance", "post", "person"),
    ],
)
def test_admin_person_fields_are_autocomplete(client, officer, app_label, model_name, field_name):
    verified_login(client, officer)
    page = client.get(reverse(f"admin:{app_label}_{model_name}_add")).content.decode()
    assert f'data-field-name="{field_name}"' in page  # Django's AutocompleteSelect
    assert "admin-autocomplete" in page


def test_autocomplete_never_offers_an_out_of_scope_person(client, divisions, officer):
    mine = _people(divisions["v11"], 3, prefix="王")
    _people(divisions["v21"], 3, prefix="王")  # another township's village
    verified_login(client, officer)

    response = _autocomplete(client, "civility", "volunteer", "person", term="王")

    assert response.status_code == 200
    offered = {int(row["id"]) for row in json.loads(response.content)["results"]}
    assert offered == {p.pk for p in mine}


def test_autocomplete_of_a_closed_model_is_not_found(client, officer):
    verified_login(client, officer)
    # Integrity models are open to discipline staff only: for anyone else they do not exist.
    assert _autocomplete(client, "integrity", "clue", "division").status_code == 404


def test_autocomplete_offers_only_what_the_form_accepts(client, divisions, officer):
    """The dissuasion form takes a flagged banquet not yet dissuaded: the search offers nothing else."""
    from tests.civility.factories import BanquetDeclarationFactory

    flagged = BanquetDeclarationFactory(household__division=divisions["v11"], is_flagged=True)
    BanquetDeclarationFactory(household__division=divisions["v11"], is_flagged=False)
    verified_login(client, officer)

    response = _autocomplete(client, "civility", "dissuasion", "declaration")

    assert response.status_code == 200
    assert [int(row["id"]) for row in json.loads(response.content)["results"]] == [flagged.pk]
    assert BanquetDeclaration.objects.count() == 2


def test_autocomplete_bad_field_is_refused_and_writes_nothing(client, officer):
    verified_login(client, officer)
    before = Person.objects.count()
    assert _autocomplete(client, "civility", "volunteer", "no_such_field").status_code == 403
    assert Person.objects.count() == before


def _queries(client, url: str, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


def test_autocomplete_and_form_query_counts_do_not_grow_with_people(client, divisions, officer):
    verified_login(client, officer)
    params = {"app_label": "civility", "model_name": "volunteer", "field_name": "person", "term": ""}
    add = reverse("admin:civility_volunteer_add")
    _people(divisions["v11"], 3)
    PersonFactory(division=divisions["v11"])
    few = (_queries(client, "/admin/autocomplete/", params), _queries(client, add))
    _people(divisions["v11"], 30, prefix="赵")
    many = (_queries(client, "/admin/autocomplete/", params), _queries(client, add))
    assert few == many


def test_a_village_officer_is_never_offered_another_villages_person_for_a_post(client, divisions):
    officer = user_with_role("community_officer", divisions["v12"])
    _people(divisions["v11"], 2, prefix="周")
    verified_login(client, officer)
    response = _autocomplete(client, "governance", "post", "person", term="周")
    assert json.loads(response.content)["results"] == []
