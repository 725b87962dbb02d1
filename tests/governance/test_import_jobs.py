"""Big spreadsheet imports (issue 11, item 8): set-based (queries do not grow with the rows), and,
over ``IMPORT_BACKGROUND_ROWS``, run as a Celery job with a progress page, a confirmation after the
dry run, and a report of the refused rows."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from governance import import_jobs
from governance.imports import ERR_IMPORT_DUPLICATE
from governance.models import ImportJob, ImportJobStatus, Person
from governance.resources import PersonResource, ScopedResource
from governance.tasks import import_job_run
from governance.validators import ERR_ID_CHECKSUM
from tests.auth import verified_login
from tests.factories import PersonFactory, user_with_role
from tests.governance.test_import import (
    PERSON_HEADERS,
    XLSX_CONTENT_TYPE,
    bad_checksum,
    dataset,
    errors_by_row,
    person_rows,
    xlsx,
)
from tests.governance.test_tasks import celery_worker_app, needs_redis  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:governance_person_import"


@pytest.fixture
def background(settings):
    settings.IMPORT_BACKGROUND_ROWS = 2  # files of 3 rows and more go to the worker


def upload(client, rows, name="people.xlsx"):
    file = SimpleUploadedFile(name, xlsx(PERSON_HEADERS, rows), content_type=XLSX_CONTENT_TYPE)
    return client.post(reverse(IMPORT_URL), {"import_file": file, "format": "0", "resource": "0"})


def job_url(name, job):
    return reverse(f"admin:governance_person_{name}", args=[job.pk])


# --- set-based: the queries do not grow with the rows ----------------------------------------------


def _import_queries(user, rows, dry_run):
    with CaptureQueriesContext(connection) as queries:
        result = PersonResource(user=user, skip_diff=True).import_data(dataset(PERSON_HEADERS, rows), dry_run=dry_run)
    assert not result.has_errors() and not result.has_validation_errors()
    return len(queries.captured_queries)


@pytest.mark.parametrize("dry_run", [True, False])
def test_people_import_queries_do_not_grow_with_the_rows(officer, divisions, dry_run):
    _import_queries(officer, person_rows("431302001001", 1), True)  # the user's scope, read once and kept
    few = _import_queries(officer, person_rows("431302001001", 3), dry_run)
    many = _import_queries(officer, person_rows("431302001001", 30), dry_run)
    assert few == many


def test_updating_people_queries_do_not_grow_with_the_rows(officer, divisions):
    def rows(n):
        people = PersonFactory.create_batch(n, division=divisions["v11"])
        return [[f"新{p.pk}", p.id_number, "", "群众", "431302001001", ""] for p in people]

    _import_queries(officer, person_rows("431302001001", 1), True)
    assert _import_queries(officer, rows(3), False) == _import_queries(officer, rows(30), False)


def test_admin_dry_run_page_queries_do_not_grow_with_the_rows(client, officer, divisions):
    verified_login(client, officer)
    counts = []
    for n in (3, 30):
        with CaptureQueriesContext(connection) as queries:
            response = upload(client, person_rows("431302001001", n))
        assert response.status_code == 200 and "confirm_form" in response.context
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1]


@pytest.mark.parametrize("dry_run", [True, False])
def test_the_same_id_number_twice_in_a_file_names_both_rows(district_admin, divisions, dry_run):
    # The reader's check (governance.imports): both rows refused, neither queued for bulk_create.
    rows = person_rows("431302001001", 3)
    rows[2][1] = rows[0][1]
    result = PersonResource(user=district_admin, skip_diff=True).import_data(
        dataset(PERSON_HEADERS, rows), dry_run=dry_run
    )
    assert not result.has_errors(), [e.error for e in result.base_errors]
    assert errors_by_row(result) == {2: {"身份证号": [ERR_IMPORT_DUPLICATE]}, 4: {"身份证号": [ERR_IMPORT_DUPLICATE]}}
    assert "第2行与第4行身份证号重复" in str(result.invalid_rows[0].error_dict)
    assert not Person.objects.exists()


def _import_resources():
    from django.contrib import admin

    for model_admin in admin.site._registry.values():
        for resource_class in getattr(model_admin, "resource_classes", None) or []:
            if issubclass(resource_class, ScopedResource):
                yield resource_class


def test_every_unique_column_an_import_fills_is_its_key():
    """The same value twice in one file is found by the reader for the import key only
    (``Column.in_key``): a unique column outside the key would need a check of its own."""
    checked = 0
    for resource_class in _import_resources():
        resource = resource_class(user=None)
        model = resource._meta.model
        filled = {f.attribute for f in resource.get_import_fields() if f.attribute}
        key = {resource.fields[name].attribute for name in resource.get_import_id_fields()}
        checks, _dates = model()._get_unique_checks(include_meta_constraints=True)
        for _model, names in checks:
            if names == (model._meta.pk.name,) or not set(names) <= filled:
                continue
            assert set(names) == key, (resource_class.__name__, names)
            checked += 1
    assert checked >= 5


def test_an_id_number_held_outside_the_scope_is_refused_not_overwritten(officer, divisions):
    other = PersonFactory(division=divisions["v21"], name="外村人")
    rows = [["改名", other.id_number, "", "群众", "431302001001", ""]]
    result = PersonResource(user=officer, skip_diff=True).import_data(dataset(PERSON_HEADERS, rows))
    assert list(errors_by_row(result)) == [2]
    other.refresh_from_db()
    assert (other.name, other.division) == ("外村人", divisions["v21"])


def test_a_bulk_import_is_in_the_audit_trail_with_the_uploader(officer, divisions, background, client):
    verified_login(client, officer)
    rows = person_rows("431302001001", 3)
    job = ImportJob.objects.get(pk=_job_id(upload(client, rows)))
    client.post(job_url("import_job_confirm", job))
    person = Person.objects.get(id_number=rows[0][1])
    event = person.events.get()
    assert event.pgh_label == "insert"
    assert event.pgh_context.metadata["user"] == officer.pk


# --- the background job ------------------------------------------------------------------------------


def _job_id(response) -> int:
    assert response.status_code == 302, getattr(response, "context", None) and response.context.get("form").errors
    return int(response["Location"].rstrip("/").split("/")[-1])


def test_a_big_file_is_checked_by_a_job_then_imported_on_confirmation(client, officer, divisions, background):
    verified_login(client, officer)
    rows = person_rows("431302001001", 3)

    job = ImportJob.objects.get(pk=_job_id(upload(client, rows)))  # eager in tests: the dry run has run

    assert job.status == ImportJobStatus.CHECKED
    assert (job.created_by, job.total_rows, job.new_rows) == (officer, 3, 3)
    assert not Person.objects.exists()
    page = client.get(job_url("import_job", job))
    assert page.status_code == 200
    assert "确认导入" in page.content.decode() and "新增" in page.content.decode()
    status = client.get(job_url("import_job_status", job)).json()
    assert status == {**status, "status": "checked", "running": False, "done": 3, "total": 3, "percent": 100}

    response = client.post(job_url("import_job_confirm", job))

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJobStatus.DONE and job.new_rows == 3 and bytes(job.data) == b""
    assert set(Person.objects.values_list("id_number", flat=True)) == {r[1] for r in rows}
    assert "导入完成" in client.get(job_url("import_job", job)).content.decode()


def test_a_small_file_stays_on_the_ordinary_page(client, officer, divisions, background):
    verified_login(client, officer)
    response = upload(client, person_rows("431302001001", 2))
    assert response.status_code == 200 and "confirm_form" in response.context
    assert not ImportJob.objects.exists()


def test_a_refused_file_gives_a_report_of_its_bad_rows_with_reasons(client, officer, divisions, background):
    verified_login(client, officer)
    rows = person_rows("431302001001", 4)
    rows[1][1] = bad_checksum(rows[1][1])
    rows[3][4] = "431302002001"  # another township's village: out of the officer's scope

    job = ImportJob.objects.get(pk=_job_id(upload(client, rows)))

    assert job.status == ImportJobStatus.REFUSED and job.refused_rows == 2
    page = client.get(job_url("import_job", job)).content.decode()
    assert "下载退回行报告" in page and "确认导入" not in page
    response = client.get(job_url("import_job_report", job))
    assert response.status_code == 200 and response["Content-Type"] == XLSX_CONTENT_TYPE
    sheet = load_workbook(io.BytesIO(response.content)).active
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0] == ["行号", *PERSON_HEADERS, "原因"]
    assert [r[0] for r in table[1:]] == [3, 5]  # the spreadsheet's own row numbers (header = row 1)
    assert table[1][1:7] == [(v if v != "" else None) for v in rows[1]]
    assert table[1][-1].startswith("身份证号：") and "校验" in table[1][-1]
    assert table[2][-1].startswith("区划代码：") and "不在您的管辖范围内" in table[2][-1]
    assert client.post(job_url("import_job_confirm", job)).status_code == 302
    assert ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.REFUSED  # no confirming a refused file
    assert not Person.objects.exists()


def test_the_report_numbers_rows_as_excel_shows_them(client, officer, divisions, background):
    # A title row and a blank row above the header, a blank row between the data rows.
    rows = person_rows("431302001001", 3)
    rows[2][1] = bad_checksum(rows[2][1])
    body = [["娄星区XX村人员花名册"], [], PERSON_HEADERS, rows[0], [], rows[1], rows[2]]
    verified_login(client, officer)
    file = SimpleUploadedFile("titled.xlsx", xlsx(body[0], body[1:]), content_type=XLSX_CONTENT_TYPE)

    response = client.post(reverse(IMPORT_URL), {"import_file": file, "format": "0", "resource": "0"})

    job = ImportJob.objects.get(pk=_job_id(response))
    assert (job.status, job.total_rows) == (ImportJobStatus.REFUSED, 3)
    report = load_workbook(io.BytesIO(client.get(job_url("import_job_report", job)).content)).active
    table = [list(r) for r in report.iter_rows(values_only=True)]
    assert table[0] == ["行号", *PERSON_HEADERS, "原因"]
    assert [r[0] for r in table[1:]] == [7]  # Excel's row 7: title, blank, header, row, blank, row, row


def test_a_file_without_a_header_fails_the_job_with_the_readers_message(officer, divisions):
    job = import_jobs.import_job_create(
        user=officer,
        model_label="governance.person",
        resource_index=0,
        format_index=0,
        file_name="无表头.csv",
        data="张三,李四\n王五,赵六\n".encode(),
        rows=3000,
    )
    assert import_job_run.apply(args=[job.pk]).get() == "failed"
    job.refresh_from_db()
    assert job.message.startswith("无法读取文件“无表头.csv”：未找到表头")


def test_the_corrected_report_imports(client, officer, divisions, background):
    verified_login(client, officer)
    rows = person_rows("431302001001", 3)
    rows[0][1] = bad_checksum(rows[0][1])
    refused = ImportJob.objects.get(pk=_job_id(upload(client, rows)))
    report = load_workbook(io.BytesIO(client.get(job_url("import_job_report", refused)).content)).active
    fixed = [list(r) for r in report.iter_rows(values_only=True)]
    fixed[1][2] = rows[1][1][:-1] + "X"  # any fix; the import checks it again
    from tests.factories import make_id_number

    fixed[1][2] = make_id_number()
    good = person_rows("431302001001", 2)
    body = [[None, *r, None] for r in good] + fixed[1:]
    file = SimpleUploadedFile("fixed.xlsx", xlsx(fixed[0], body), content_type=XLSX_CONTENT_TYPE)
    response = client.post(reverse(IMPORT_URL), {"import_file": file, "format": "0", "resource": "0"})
    job = ImportJob.objects.get(pk=_job_id(response))
    assert job.status == ImportJobStatus.CHECKED, job.message


def test_another_users_job_is_not_found(client, officer, divisions, background):
    verified_login(client, officer)
    rows = person_rows("431302001001", 3)
    rows[0][1] = bad_checksum(rows[0][1])
    job = ImportJob.objects.get(pk=_job_id(upload(client, rows)))
    for other in (
        user_with_role("community_officer", divisions["v21"], username="officer_v21"),  # another village
        user_with_role("community_officer", divisions["v11"], username="officer_v11_b"),  # same village
    ):
        verified_login(client, other)
        for name in ("import_job", "import_job_status", "import_job_report"):
            assert client.get(job_url(name, job)).status_code == 404, name
        assert client.post(job_url("import_job_confirm", job)).status_code == 404
    verified_login(client, officer)
    assert client.get(reverse("admin:governance_household_import_job", args=[job.pk])).status_code == 404


def test_running_a_job_twice_changes_nothing(client, officer, divisions, background):
    verified_login(client, officer)
    rows = person_rows("431302001001", 3)
    job = ImportJob.objects.get(pk=_job_id(upload(client, rows)))
    assert import_job_run.apply(args=[job.pk]).get() == "nothing"  # a second delivery of the dry run
    client.post(job_url("import_job_confirm", job))
    events = sum(p.events.count() for p in Person.objects.all())

    assert import_job_run.apply(args=[job.pk]).get() == "nothing"  # a second delivery of the import

    assert Person.objects.count() == 3
    assert sum(p.events.count() for p in Person.objects.all()) == events
    assert ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.DONE


def test_a_file_the_worker_cannot_read_fails_with_a_chinese_message(officer, divisions):
    job = import_jobs.import_job_create(
        user=officer,
        model_label="governance.person",
        resource_index=0,
        format_index=0,
        file_name="坏文件.xlsx",
        data=b"not a spreadsheet",
        rows=3000,
    )
    assert import_job_run.apply(args=[job.pk]).get() == "failed"
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED
    assert "无法读取文件“坏文件.xlsx”" in job.message


def test_with_the_broker_away_the_clerk_gets_a_chinese_message(client, officer, divisions, background, monkeypatch):
    monkeypatch.setattr("governance.import_pages.send_now", lambda task, *args, **kwargs: False)
    verified_login(client, officer)

    response = upload(client, person_rows("431302001001", 3))

    assert response.status_code == 302 and response["Location"] == reverse(IMPORT_URL)
    page = client.get(response["Location"]).content.decode()
    assert "后台导入服务暂时无法连接" in page
    assert not ImportJob.objects.exists() and not Person.objects.exists()


def test_confirming_with_the_broker_away_keeps_the_job_waiting(client, officer, divisions, background, monkeypatch):
    verified_login(client, officer)
    job = ImportJob.objects.get(pk=_job_id(upload(client, person_rows("431302001001", 3))))
    monkeypatch.setattr("governance.import_pages.send_now", lambda task, *args, **kwargs: False)

    response = client.post(job_url("import_job_confirm", job), follow=True)

    assert "后台导入服务暂时无法连接" in response.content.decode()
    assert ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.CHECKED
    assert not Person.objects.exists()


def test_progress_is_reported_while_a_job_runs(officer, divisions, monkeypatch):
    seen = []
    monkeypatch.setattr("governance.import_sets.PROGRESS_EVERY", 2)
    resource = PersonResource(user=officer, skip_diff=True, progress=seen.append)
    resource.import_data(dataset(PERSON_HEADERS, person_rows("431302001001", 5)), dry_run=True)
    assert seen == [2, 4]


@needs_redis
@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_and_imports_a_job(celery_worker_app):  # noqa: F811
    from tests.factories import tree

    nodes = tree()
    officer = user_with_role("community_officer", nodes["v11"], username="worker_officer")
    rows = person_rows("431302001001", 3)
    job = import_jobs.import_job_create(
        user=officer,
        model_label="governance.person",
        resource_index=0,
        format_index=0,
        file_name="people.xlsx",
        data=xlsx(PERSON_HEADERS, rows),
        rows=3,
    )
    assert import_job_run.delay(job.pk).get(timeout=60) == "checked"
    assert import_jobs.import_job_confirm(job)
    assert import_job_run.delay(job.pk).get(timeout=60) == "done"
    assert import_job_run.delay(job.pk).get(timeout=60) == "nothing"
    assert Person.objects.filter(id_number__in=[r[1] for r in rows]).count() == 3


def test_error_codes_stay_those_of_the_small_path(district_admin, divisions):
    rows = person_rows("431302001001", 3)
    rows[1][1] = bad_checksum(rows[1][1])
    result = PersonResource(user=district_admin, skip_diff=True).import_data(dataset(PERSON_HEADERS, rows))
    assert errors_by_row(result) == {3: {"身份证号": [ERR_ID_CHECKSUM]}}
