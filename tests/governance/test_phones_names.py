"""Phone numbers and names as clerks type them (issue 11, items 15–17)."""

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from governance.models import Person
from governance.names import name_normalize, stored_names_normalize
from governance.phones import ERR_PHONE, phone_normalize, phone_search_form, stored_phones_normalize
from governance.resources import PersonResource
from tests.auth import verified_login
from tests.factories import PersonFactory, make_id_number
from tests.governance.test_import import PERSON_HEADERS, dataset, errors_by_row

pytestmark = pytest.mark.django_db

PEOPLE_URL = "api:governance-api:person-list"
MOBILE_FORMS = [
    "+8613812345678",
    "86-13812345678",
    "138-1234-5678",
    "138 1234 5678",
    "0086 138 1234 5678",
    "１３８１２３４５６７８",
]
LANDLINE_FORMS = ["(0738)8123456", "0738 8123456", "0738-8123456", "07388123456", "+86 738 8123456", "（0738）8123456"]
NAME = "阿依古丽·买买提"
DOT_FORMS = [
    "阿依古丽·买买提",
    "阿依古丽•买买提",
    "阿依古丽・买买提",
    "阿依古丽．买买提",
    "阿依古丽.买买提",
    "阿依古丽 . 买买提",
]


@pytest.mark.parametrize("value", MOBILE_FORMS)
def test_mobile_numbers_in_any_form_are_stored_as_eleven_digits(value):
    assert phone_normalize(value) == "13812345678"


@pytest.mark.parametrize("value", LANDLINE_FORMS)
def test_landlines_keep_their_area_code(value):
    assert phone_normalize(value) == "0738-8123456"


def test_two_digit_area_codes_and_other_lines():
    assert phone_normalize("010 1234 5678") == "010-12345678"
    assert phone_normalize("400-123-4567") == "4001234567"
    assert phone_normalize("+852 9123 4567") == "+85291234567"


@pytest.mark.parametrize("value", ["12345", "110", "95588", "12348"])
def test_service_numbers_only_where_the_field_is_a_callers_number(value):
    assert phone_normalize(value, service=True) == value
    with pytest.raises(ValidationError) as excinfo:
        phone_normalize(value)
    assert excinfo.value.code == ERR_PHONE


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "138123456789", "8123456", "abc", "1234"])
def test_what_is_no_number_is_refused_in_chinese(value):
    with pytest.raises(ValidationError) as excinfo:
        phone_normalize(value, service=True)
    assert excinfo.value.code == ERR_PHONE
    assert "电话号码" in str(excinfo.value.messages[0])


def test_a_search_term_is_a_phone_only_when_it_is_a_whole_number():
    assert phone_search_form("+86 138 1234 5678") == "13812345678"
    assert phone_search_form("1381234") is None
    assert phone_search_form("张三") is None


@pytest.mark.parametrize("value", DOT_FORMS)
def test_every_middle_dot_form_is_stored_as_the_standard_one(value):
    assert name_normalize(value) == NAME


def test_other_dots_and_extension_b_characters_are_kept():
    assert name_normalize("1.5") == "1.5"
    assert name_normalize("a.b") == "a.b"
    assert name_normalize("𠮷.田") == "𠮷·田"
    assert name_normalize("𠮷田") == "𠮷田"


# --- every way in ---------------------------------------------------------------------------------


def admin_api(district_admin) -> APIClient:
    api = APIClient()
    verified_login(api, district_admin)
    return api


def test_api_stores_the_normalised_number_and_name(district_admin, divisions):
    data = {"name": "阿依古丽.买买提", "phone": "+86 138 1234 5678", "division": divisions["v11"].code}

    response = admin_api(district_admin).post(reverse(PEOPLE_URL), data, format="json")

    assert response.status_code == 201, response.json()
    person = Person.objects.get()
    assert (person.name, person.phone) == (NAME, "13812345678")


def test_api_refuses_a_bad_number_naming_the_field(district_admin, divisions):
    data = {"name": "李四", "phone": "138-1234", "division": divisions["v11"].code}

    response = admin_api(district_admin).post(reverse(PEOPLE_URL), data, format="json")

    assert response.status_code == 400
    assert [e["code"] for e in response.json()["errors"]["phone"]] == [ERR_PHONE]
    assert not Person.objects.exists()


def test_import_stores_the_normalised_number_and_names_a_bad_one(district_admin, divisions):
    code = divisions["v11"].code
    rows = [
        ["阿依古丽•买买提", make_id_number(), "(0738)8123456", "群众", code, ""],
        ["李四", make_id_number(), 13812345678.0, "群众", code, ""],
    ]
    result = PersonResource(user=district_admin).import_data(dataset(PERSON_HEADERS, rows), dry_run=False)
    assert not result.has_validation_errors()
    assert set(Person.objects.values_list("name", "phone")) == {(NAME, "0738-8123456"), ("李四", "13812345678")}

    bad = [["王五", make_id_number(), "0738-81", "群众", code, ""]]
    result = PersonResource(user=district_admin).import_data(dataset(PERSON_HEADERS, bad), dry_run=False)
    assert errors_by_row(result) == {2: {"联系电话": [ERR_PHONE]}}
    assert Person.objects.count() == 2


def test_admin_form_stores_the_normalised_number(client, district_admin, divisions):
    verified_login(client, district_admin)
    data = {"name": "李四", "phone": "0738 8123456", "political_status": "masses", "division": divisions["v11"].pk}

    response = client.post(reverse("admin:governance_person_add"), data)

    assert response.status_code == 302
    assert Person.objects.get().phone == "0738-8123456"


def test_data_migration_normalises_stored_numbers_and_names(divisions):
    person = PersonFactory(division=divisions["v11"])
    unreadable = PersonFactory(division=divisions["v11"])
    Person.objects.filter(pk=person.pk).update(phone="+86 138 1234 5678", name="阿依古丽•买买提")
    Person.objects.filter(pk=unreadable.pk).update(phone="待补")

    stored_phones_normalize("governance", {"person": True})(apps, None)
    stored_names_normalize("governance", "person")(apps, None)

    person.refresh_from_db()
    assert (person.name, person.phone) == (NAME, "13812345678")
    assert Person.objects.get(pk=unreadable.pk).phone == "待补"


# --- search ---------------------------------------------------------------------------------------


@pytest.fixture
def aygul(divisions):
    PersonFactory(division=divisions["v11"], name="张三", phone="13900000000")
    return PersonFactory(division=divisions["v11"], name=NAME, phone="13812345678")


@pytest.mark.parametrize("term", [*DOT_FORMS, *MOBILE_FORMS])
def test_api_q_finds_the_person_by_any_dot_or_phone_form(district_admin, aygul, term):
    response = admin_api(district_admin).get(reverse(PEOPLE_URL), {"q": term})

    assert [row["id"] for row in response.json()["results"]] == [aygul.pk]


@pytest.mark.parametrize("term", [*DOT_FORMS, *MOBILE_FORMS])
def test_admin_search_finds_the_person_by_any_dot_or_phone_form(client, district_admin, aygul, term):
    verified_login(client, district_admin)

    response = client.get(reverse("admin:governance_person_changelist"), {"q": term})

    assert [person.pk for person in response.context["cl"].result_list] == [aygul.pk]


def test_phone_search_keeps_numbers_masked_and_matches_whole_numbers_only(client, officer, aygul):
    verified_login(client, officer)

    found = client.get(reverse("admin:governance_person_changelist"), {"q": "138 1234 5678"})
    fragment = client.get(reverse("admin:governance_person_changelist"), {"q": "1234"})

    assert [p.pk for p in found.context["cl"].result_list] == [aygul.pk]
    assert "13812345678" not in found.content.decode()
    assert "138****5678" in found.content.decode()
    assert list(fragment.context["cl"].result_list) == []


def test_extension_b_names_are_stored_and_found(district_admin, divisions):
    api = admin_api(district_admin)
    created = api.post(reverse(PEOPLE_URL), {"name": "𠮷田春", "division": divisions["v11"].code}, format="json")
    assert created.status_code == 201, created.json()

    response = api.get(reverse(PEOPLE_URL), {"q": "𠮷"})

    assert [row["name"] for row in response.json()["results"]] == ["𠮷田春"]


# --- unknown API paths ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/v1/nothing/", "/api/v1/governance/nothing/", "/api/v1/governance/people/x/y/z/"]
)
def test_unknown_api_path_is_a_json_404(district_admin, path):
    api = admin_api(district_admin)
    for response in (api.get(path), api.post(path, {}, format="json"), APIClient().get(path)):
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["code"] == "not_found"
        assert response.json()["errors"] == {}


def test_api_path_without_its_slash_still_redirects(district_admin, divisions):
    response = admin_api(district_admin).get("/api/v1/governance/people")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/governance/people/"


def test_plain_mobile_numbers_read_without_the_parser_as_the_parser_reads_them(monkeypatch):
    # phones._parse builds plain 11-digit numbers directly (the import's speed): the same answers as
    # phonenumbers.parse gives, valid or not, for every prefix the shortcut takes.
    import random

    from governance import phones

    def reading(value, service, parse):
        monkeypatch.setattr(phones, "_parse", parse)
        try:
            return phones._phone_normalize(value, service)
        except ValidationError as e:
            return e.code

    fast, full = phones._parse, phones._parse_full
    rng = random.Random(11)
    checked = 0
    for prefix in range(100, 200):
        for _ in range(8):
            value = f"{prefix}{rng.randrange(10**8):08d}"
            if not phones._PLAIN_MOBILE.fullmatch(value):
                continue
            checked += 1
            for service in (True, False):
                assert reading(value, service, fast) == reading(value, service, full), value
    assert checked > 400
