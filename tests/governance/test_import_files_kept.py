"""Issue 11 (clerk trial, part B), item 3: the uploaded file of a background import (full 身份证号 and
phones) is deleted when the job ends, refused or failed as well as imported, and a nightly task deletes
the files and reports of old jobs, never-confirmed ones too; the job rows and their outcomes stay."""

import datetime
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from governance import import_jobs
from governance.models import ImportJob, ImportJobStatus
from governance.registry import registry
from governance.tasks import import_job_files_purge, import_job_run
from governance.uploads import import_tmp_dir
from tests.auth import verified_login
from tests.governance.test_import import PERSON_HEADERS, XLSX_CONTENT_TYPE, bad_checksum, person_rows, xlsx
from tests.governance.test_import_jobs import _job_id, background, upload  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def test_a_refused_job_keeps_its_report_but_not_the_file(client, officer, divisions, background):  # noqa: F811
    verified_login(client, officer)
    rows = person_rows("431302001001", 3)
    rows[1][1] = bad_checksum(rows[1][1])
    job = ImportJob.objects.get(pk=_job_id(upload(client, rows)))
    assert job.status == ImportJobStatus.REFUSED and job.refused_rows == 1
    assert bytes(job.data) == b"" and job.report


def test_a_job_whose_file_cannot_be_read_keeps_nothing_of_it(officer, divisions):
    job = import_jobs.import_job_create(
        user=officer,
        model_label="governance.person",
        resource_index=0,
        format_index=0,
        file_name="坏.xlsx",
        data=b"PK\x03\x04 not a workbook 431302199001011234",
        rows=3000,
    )
    assert import_job_run.apply(args=[job.pk]).get() == "failed"
    job.refresh_from_db()
    assert job.status == ImportJobStatus.FAILED and bytes(job.data) == b""


def test_a_checked_job_keeps_its_file_until_it_is_confirmed(client, officer, divisions, background):  # noqa: F811
    verified_login(client, officer)
    job = ImportJob.objects.get(pk=_job_id(upload(client, person_rows("431302001001", 3))))
    assert job.status == ImportJobStatus.CHECKED and bytes(job.data) != b""


def make_job(user, hours_ago: float, status: str, report: bytes | None = None) -> ImportJob:
    job = ImportJob.objects.create(
        created_by=user,
        model_label="governance.person",
        file_name="people.xlsx",
        data=b"431302199001011234,13800000000",
        status=status,
        report=report,
    )
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(hours=hours_ago))
    return job


def test_the_nightly_purge_deletes_old_files_and_reports_and_keeps_the_rows(officer, divisions, settings):
    settings.IMPORT_FILE_KEEP_HOURS = 24
    waiting = make_job(officer, 30, ImportJobStatus.CHECKED)
    refused = make_job(officer, 30, ImportJobStatus.REFUSED, report=b"report")
    recent = make_job(officer, 2, ImportJobStatus.CHECKED)

    assert import_job_files_purge.apply().get()["jobs"] == 2

    waiting.refresh_from_db()
    assert bytes(waiting.data) == b"" and waiting.status == ImportJobStatus.FAILED
    assert "重新上传" in waiting.message and waiting.finished_at is not None
    refused.refresh_from_db()
    assert bytes(refused.data) == b"" and refused.report is None and refused.status == ImportJobStatus.REFUSED
    recent.refresh_from_db()
    assert bytes(recent.data) != b"" and recent.status == ImportJobStatus.CHECKED
    assert ImportJob.objects.count() == 3
    assert import_job_files_purge.apply().get()["jobs"] == 0  # nothing left to delete


def test_the_purge_is_in_the_beat_schedule():
    tasks = {schedule.task: schedule for schedule in registry.schedules.values()}
    assert tasks["governance.import_job_files_purge"].crontab["hour"] == "2"


# --- the small (foreground) import: the file kept for the confirmation ----------------------------


@pytest.fixture
def tmp_dir(settings, tmp_path):
    settings.IMPORT_TMP_DIR = str(tmp_path / "imports")
    return import_tmp_dir()


def post(client, rows):
    file = SimpleUploadedFile("people.xlsx", xlsx(PERSON_HEADERS, rows), content_type=XLSX_CONTENT_TYPE)
    return client.post(reverse("admin:governance_person_import"), {"import_file": file, "format": "0", "resource": "0"})


def test_a_refused_small_file_is_not_kept(client, officer, divisions, tmp_dir):
    verified_login(client, officer)
    rows = person_rows("431302001001", 2)
    rows[1][1] = bad_checksum(rows[1][1])
    response = post(client, rows)
    assert response.context["result"].has_validation_errors()
    assert list(tmp_dir.iterdir()) == []


def test_an_unreadable_small_file_is_not_kept(client, officer, divisions, tmp_dir):
    verified_login(client, officer)
    file = SimpleUploadedFile("people.xlsx", b"PK\x03\x04 broken", content_type=XLSX_CONTENT_TYPE)
    response = client.post(reverse("admin:governance_person_import"), {"import_file": file, "format": "0"})
    assert response.context["form"].errors["import_file"]
    assert list(tmp_dir.iterdir()) == []


def test_a_good_small_file_waits_for_its_confirmation_then_goes(client, officer, divisions, tmp_dir):
    verified_login(client, officer)
    response = post(client, person_rows("431302001001", 2))
    confirm = response.context["confirm_form"]
    (kept,) = tmp_dir.iterdir()
    assert kept.name.startswith("import-") and kept.name == confirm.initial["import_file_name"]
    client.post(reverse("admin:governance_person_process_import"), {**confirm.initial, "confirm": "确认导入"})
    assert list(tmp_dir.iterdir()) == []


def test_never_confirmed_small_files_are_purged_at_night(officer, divisions, settings, tmp_dir):
    settings.IMPORT_FILE_KEEP_HOURS = 24
    old, recent = tmp_dir / "import-old", tmp_dir / "import-recent"
    old.write_bytes(b"431302199001011234")
    recent.write_bytes(b"431302199001011234")
    day_and_more = time.time() - 25 * 3600
    os.utime(old, (day_and_more, day_and_more))
    assert import_job_files_purge.apply().get() == {"jobs": 0, "files": 1}
    assert list(tmp_dir.iterdir()) == [recent]
