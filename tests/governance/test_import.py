import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats.base_formats import XLSX
from openpyxl import Workbook

from governance.masking import mask_id_number, mask_phone
from governance.models import Division, Household, HouseholdMember, Person, PoliticalStatus, Relation
from governance.resources import (
    ERR_IMPORT_NOT_IN_SCOPE,
    ERR_IMPORT_ROOT_DIVISION,
    DivisionResource,
    HouseholdResource,
    PersonResource,
)
from governance.validators import ERR_ID_CHECKSUM
from tests.auth import verified_login
from tests.factories import HouseholdFactory, PersonFactory, make_id_number

pytestmark = pytest.mark.django_db

PERSON_HEADERS = ["姓名", "身份证号", "联系电话", "政治面貌", "区划代码", "备注"]
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx(headers, rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dataset(headers, rows):
    return XLSX().create_dataset(xlsx(headers, rows))


def bad_checksum(id_number: str) -> str:
    return id_number[:17] + ("0" if id_number[17] != "0" else "1")


def person_rows(division_code: str, n: int = 3):
    return [[f"人员{i}", make_id_number(), f"1380000{i:04d}", "中共党员", division_code, ""] for i in range(n)]


def errors_by_row(result) -> dict[int, dict[str, list[str]]]:
    return {
        row.number: {field: [e.code for e in errors] for field, errors in row.error.error_dict.items()}
        for row in result.invalid_rows
    }


# --- people --------------------------------------------------------------------------------------


def test_people_file_with_one_bad_id_number_writes_nothing_and_names_the_row(district_admin, divisions):
    rows = person_rows("431302001001", 3)
    rows[1][1] = bad_checksum(rows[1][1])

    result = PersonResource(user=district_admin).import_data(dataset(PERSON_HEADERS, rows), dry_run=False)

    assert errors_by_row(result) == {3: {"身份证号": [ERR_ID_CHECKSUM]}}
    assert not Person.objects.exists()


def test_good_people_file_imports(district_admin, divisions):
    rows = person_rows("431302001001", 3)
    rows[0][3] = "群众"

    result = PersonResource(user=district_admin).import_data(dataset(PERSON_HEADERS, rows), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert Person.objects.count() == 3
    first = Person.objects.get(id_number=rows[0][1])
    assert first.division == divisions["v11"]
    assert first.political_status == PoliticalStatus.MASSES
    assert Person.objects.get(id_number=rows[1][1]).political_status == PoliticalStatus.PARTY_MEMBER


def test_reimporting_a_person_updates_them_by_id_number(district_admin, divisions):
    person = PersonFactory(division=divisions["v11"], name="旧名")

    PersonResource(user=district_admin).import_data(
        dataset(PERSON_HEADERS, [["新名", person.id_number.lower(), person.phone, "群众", "431302001001", ""]]),
        dry_run=False,
    )

    person.refresh_from_db()
    assert person.name == "新名"
    assert Person.objects.count() == 1


def test_people_file_with_a_division_out_of_scope_is_rejected_naming_the_row(officer, divisions):
    rows = person_rows("431302001001", 2) + person_rows("431302002001", 1)

    result = PersonResource(user=officer).import_data(dataset(PERSON_HEADERS, rows), dry_run=False)

    assert errors_by_row(result) == {4: {"区划代码": [ERR_IMPORT_NOT_IN_SCOPE]}}
    assert not Person.objects.exists()


def test_officer_cannot_overwrite_a_person_of_another_village_by_import(officer, divisions):
    other = PersonFactory(division=divisions["v21"], name="外村人")

    result = PersonResource(user=officer).import_data(
        dataset(PERSON_HEADERS, [["改名", other.id_number, "", "群众", "431302001001", ""]]), dry_run=False
    )

    assert result.has_validation_errors()
    other.refresh_from_db()
    assert other.name == "外村人"
    assert other.division == divisions["v21"]


def test_admin_import_dry_run_shows_the_bad_row(client, officer, divisions):
    rows = person_rows("431302001001", 3)
    rows[2][1] = bad_checksum(rows[2][1])
    verified_login(client, officer)
    upload = SimpleUploadedFile("people.xlsx", xlsx(PERSON_HEADERS, rows), content_type=XLSX_CONTENT_TYPE)

    response = client.post(
        reverse("admin:governance_person_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert errors_by_row(result) == {4: {"身份证号": [ERR_ID_CHECKSUM]}}  # the header is row 1
    assert "confirm_form" not in response.context
    assert "身份证号校验位错误" in response.content.decode()
    assert not Person.objects.exists()


def test_admin_import_confirms_and_writes_a_good_file(client, officer, divisions):
    rows = person_rows("431302001001", 2)
    verified_login(client, officer)
    upload = SimpleUploadedFile("people.xlsx", xlsx(PERSON_HEADERS, rows), content_type=XLSX_CONTENT_TYPE)

    preview = client.post(
        reverse("admin:governance_person_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )
    confirm = preview.context["confirm_form"]
    response = client.post(reverse("admin:governance_person_process_import"), confirm.initial)

    assert response.status_code == 302
    assert set(Person.objects.values_list("id_number", flat=True)) == {rows[0][1], rows[1][1]}


# --- export --------------------------------------------------------------------------------------


def export_person_csv(client) -> list[dict[str, str]]:
    fields = ["name", "id_number", "phone", "political_status", "division", "note"]
    data = {"format": "1", "resource": "0", **{f"personresource_{f}": "on" for f in fields}}
    response = client.post(reverse("admin:governance_person_export"), data)
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_officer_export_has_masked_numbers_and_only_own_village(client, officer, divisions):
    mine = PersonFactory(division=divisions["v11"])
    PersonFactory(division=divisions["v21"])
    verified_login(client, officer)

    rows = export_person_csv(client)

    assert rows == [
        {
            "姓名": mine.name,
            "身份证号": mask_id_number(mine.id_number),
            "联系电话": mask_phone(mine.phone),
            "政治面貌": "群众",
            "区划代码": "431302001001",
            "备注": "",
        }
    ]


def test_district_admin_export_has_full_numbers(client, district_admin, divisions):
    person = PersonFactory(division=divisions["v21"])
    verified_login(client, district_admin)

    rows = export_person_csv(client)

    assert [(r["身份证号"], r["联系电话"]) for r in rows] == [(person.id_number, person.phone)]


# --- households and divisions --------------------------------------------------------------------

HOUSEHOLD_HEADERS = ["户号", "住址", "区划代码", "户主身份证号"]


def test_household_import_makes_the_head_a_member(officer, divisions):
    head = PersonFactory(division=divisions["v11"])

    result = HouseholdResource(user=officer).import_data(
        dataset(HOUSEHOLD_HEADERS, [["H100", "1号", "431302001001", head.id_number]]), dry_run=False
    )

    assert not result.has_errors() and not result.has_validation_errors()
    household = Household.objects.get(number="H100")
    assert household.head == head
    assert list(household.members.values_list("person_id", "relation")) == [(head.pk, Relation.HEAD)]


def test_household_import_keeps_members_when_the_head_changes(officer, divisions):
    household = HouseholdFactory(division=divisions["v11"], with_head=True, number="H200")
    old_head = household.head
    new_head = PersonFactory(division=divisions["v11"])

    result = HouseholdResource(user=officer).import_data(
        dataset(HOUSEHOLD_HEADERS, [["H200", "2号", "431302001001", new_head.id_number]]), dry_run=False
    )

    assert not result.has_validation_errors(), errors_by_row(result)
    assert set(household.members.values_list("person_id", "relation")) == {
        (old_head.pk, Relation.OTHER),
        (new_head.pk, Relation.HEAD),
    }


def test_household_import_with_head_out_of_scope_writes_nothing(officer, divisions):
    inside = PersonFactory(division=divisions["v11"])
    outside = PersonFactory(division=divisions["v21"])
    rows = [["H1", "1号", "431302001001", inside.id_number], ["H2", "2号", "431302001001", outside.id_number]]

    result = HouseholdResource(user=officer).import_data(dataset(HOUSEHOLD_HEADERS, rows), dry_run=False)

    assert errors_by_row(result) == {3: {"户主身份证号": [ERR_IMPORT_NOT_IN_SCOPE]}}
    assert not Household.objects.exists()
    assert not HouseholdMember.objects.exists()


def test_household_export_masks_the_head_id_number(officer, divisions):
    household = HouseholdFactory(division=divisions["v11"], with_head=True)

    exported = HouseholdResource(user=officer).export(Household.objects.for_user(officer))

    assert exported.dict == [
        {
            "户号": household.number,
            "住址": household.address,
            "区划代码": "431302001001",
            "户主身份证号": mask_id_number(household.head.id_number),
        }
    ]


DIVISION_HEADERS = ["区划代码", "名称", "层级", "上级区划代码", "排序", "启用"]


def test_division_import_builds_under_a_parent_in_scope(district_admin, divisions):
    rows = [["431302001001001", "大屋场", "屋场", "431302001001", 1, "是"]]

    result = DivisionResource(user=district_admin).import_data(dataset(DIVISION_HEADERS, rows), dry_run=False)

    assert not result.has_validation_errors(), errors_by_row(result)
    hamlet = Division.objects.get(code="431302001001001")
    assert hamlet.parent == divisions["v11"]
    assert hamlet.path == "431302/431302001/431302001001/431302001001001/"


def test_division_import_refuses_a_new_root(district_admin, divisions):
    rows = [["431399", "外区", "区县", "", 0, "是"]]

    result = DivisionResource(user=district_admin).import_data(dataset(DIVISION_HEADERS, rows), dry_run=False)

    assert errors_by_row(result) == {2: {"上级区划代码": [ERR_IMPORT_ROOT_DIVISION]}}
    assert not Division.objects.filter(code="431399").exists()
