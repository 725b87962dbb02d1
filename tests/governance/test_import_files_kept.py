"""Issue 11 (clerk trial, part B), item 3: the uploaded file of a background import (full 身份证号 and
phones) is deleted when the job ends, refused or failed as well as imported, and a nightly task deletes
the files and reports of old jobs, never-confirmed ones too; the job rows and their outcomes stay."""

import datetime

import pytest
from django.utils import timezone

from governance import import_jobs
from governance.models import ImportJob, ImportJobStatus
from governance.registry import registry
from governance.tasks import import_job_files_purge, import_job_run
from tests.auth import verified_login
from tests.governance.test_import import bad_checksum, person_rows
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

    assert import_job_files_purge.apply().get() == 2

    waiting.refresh_from_db()
    assert bytes(waiting.data) == b"" and waiting.status == ImportJobStatus.FAILED
    assert "重新上传" in waiting.message and waiting.finished_at is not None
    refused.refresh_from_db()
    assert bytes(refused.data) == b"" and refused.report is None and refused.status == ImportJobStatus.REFUSED
    recent.refresh_from_db()
    assert bytes(recent.data) != b"" and recent.status == ImportJobStatus.CHECKED
    assert ImportJob.objects.count() == 3
    assert import_job_files_purge.apply().get() == 0  # nothing left to delete


def test_the_purge_is_in_the_beat_schedule():
    tasks = {schedule.task: schedule for schedule in registry.schedules.values()}
    assert tasks["governance.import_job_files_purge"].crontab["hour"] == "2"
