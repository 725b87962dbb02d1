"""The column-wise import path (``governance.import_columns``): the background job's new rows are
checked column by column and written by COPY; it must refuse exactly what the row path refuses, with
the same messages on the same sheet rows, and leave the same rows and audit events behind."""

import pytest

from governance.models import Person
from governance.resources import PersonResource
from tests.factories import PersonFactory, make_id_number
from tests.governance.test_import import PERSON_HEADERS, bad_checksum, dataset, person_rows

pytestmark = pytest.mark.django_db


def messages_by_row(result) -> dict[int, dict[str, list[tuple[str, str]]]]:
    return {
        row.number: {
            header: sorted((e.code or "", str(e.message % e.params if e.params else e.message)) for e in errors)
            for header, errors in row.error.error_dict.items()
        }
        for row in result.invalid_rows
    }


def a_bad_file(divisions):
    rows = person_rows("431302001001", 9)
    rows[0][1] = bad_checksum(rows[0][1])  # 第2行: check digit
    rows[1][1] = 431302199001011234  # 第3行: Excel made a number of it
    rows[3][1] = rows[2][1]  # 第4、5行: the same 身份证号 twice
    rows[4][2] = "12"  # 第6行: not a phone
    rows[5][3] = "党员吧"  # 第7行: not a political status
    rows[6][4] = "431302002001"  # 第8行: another town's village (out of the officer's scope)
    rows[7][0] = "名" * 60  # 第9行: name too long
    rows[8][0] = ""  # 第10行: no name
    return rows


def test_the_column_path_refuses_what_the_row_path_refuses(officer, divisions):
    rows = a_bad_file(divisions)
    by_rows = PersonResource(user=officer).import_data(dataset(PERSON_HEADERS, rows), dry_run=True)
    by_columns = PersonResource(user=officer, skip_diff=True).import_data(dataset(PERSON_HEADERS, rows), dry_run=True)
    assert PersonResource.columnar  # the skip_diff import below goes through governance.import_columns
    expected = messages_by_row(by_rows)
    assert sorted(expected) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert messages_by_row(by_columns) == expected
    assert by_columns.totals == by_rows.totals


def test_a_refused_file_writes_nothing(officer, divisions):
    rows = a_bad_file(divisions)
    result = PersonResource(user=officer, skip_diff=True).import_data(dataset(PERSON_HEADERS, rows), dry_run=False)
    assert result.has_validation_errors()
    assert not Person.objects.exists()


def test_new_rows_are_written_with_an_insert_event_each_and_updates_by_the_row_path(officer, divisions):
    stored = PersonFactory(division=divisions["v11"], name="旧名")
    rows = [*person_rows("431302001001", 4), ["新名", stored.id_number, "", "群众", "431302001001", ""]]
    rows[0][1] = ""  # no 身份证号: always a new person
    result = PersonResource(user=officer, skip_diff=True).import_data(dataset(PERSON_HEADERS, rows), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert (result.totals["new"], result.totals["update"]) == (4, 1)
    stored.refresh_from_db()
    assert stored.name == "新名"
    created = Person.objects.exclude(pk=stored.pk).order_by("pk")
    assert [p.name for p in created] == ["人员0", "人员1", "人员2", "人员3"]
    assert created[0].id_number is None and created[1].phone == "13800000001"
    assert all(p.created_at and p.updated_at for p in created)
    for person in created:
        assert [e.pgh_label for e in person.events.all()] == ["insert"]
        event = person.events.get()
        assert (event.name, event.division_id) == (person.name, person.division_id)


def test_a_dry_run_writes_nothing_and_counts_the_new_rows(officer, divisions):
    rows = person_rows("431302001001", 3)
    result = PersonResource(user=officer, skip_diff=True).import_data(dataset(PERSON_HEADERS, rows), dry_run=True)
    assert result.totals["new"] == 3 and not result.has_validation_errors()
    assert not Person.objects.exists()


def test_an_existing_id_number_elsewhere_is_a_unique_error_on_its_row(officer, divisions):
    other = PersonFactory(division=divisions["v21"], id_number=make_id_number())
    rows = person_rows("431302001001", 2)
    rows[1][1] = other.id_number
    by_rows = PersonResource(user=officer).import_data(dataset(PERSON_HEADERS, rows), dry_run=True)
    by_columns = PersonResource(user=officer, skip_diff=True).import_data(dataset(PERSON_HEADERS, rows), dry_run=True)
    assert list(messages_by_row(by_columns)) == [3]
    assert messages_by_row(by_columns) == messages_by_row(by_rows)
