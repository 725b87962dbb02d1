"""Issue 11 (clerk trial, part B), item 2: an import file over ``IMPORT_MAX_BYTES`` is refused by its
size with a Chinese message, before any reader sees it, and no more of it than the limit is kept."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from governance import imports
from governance.models import ImportJob, Person
from governance.uploads import ImportSizeLimitHandler, megabytes
from tests.auth import verified_login
from tests.governance.test_import import PERSON_HEADERS, XLSX_CONTENT_TYPE, person_rows, xlsx

pytestmark = pytest.mark.django_db

IMPORT_URL = "admin:governance_person_import"


def post(client, content: bytes, name="people.xlsx"):
    file = SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)
    return client.post(reverse(IMPORT_URL), {"import_file": file, "format": "0", "resource": "0"})


def test_a_file_over_the_limit_is_refused_before_it_is_read(client, officer, divisions, settings, monkeypatch):
    settings.IMPORT_MAX_BYTES = 1_048_576
    read = []
    monkeypatch.setattr(imports, "sheet_read", lambda data: read.append(len(data)))
    verified_login(client, officer)

    response = post(client, b"PK\x03\x04" + b"x" * 1_500_000)

    assert response.status_code == 200
    errors = response.context["form"].errors["import_file"]
    assert errors == [
        "文件太大（1.4 MB），导入文件不能超过 1 MB。请删去无关的工作表和图片后另存为 .xlsx，或把文件拆成几份逐份导入。"
    ]
    assert read == [] and not ImportJob.objects.exists() and not Person.objects.exists()


def test_a_file_under_the_limit_is_read_as_before(client, officer, divisions, settings):
    content = xlsx(PERSON_HEADERS, person_rows("431302001001", 2))
    settings.IMPORT_MAX_BYTES = len(content)
    verified_login(client, officer)
    response = post(client, content)
    assert response.status_code == 200 and "confirm_form" in response.context


def test_the_handler_keeps_no_byte_past_the_limit(settings):
    settings.IMPORT_MAX_BYTES = 10
    handler = ImportSizeLimitHandler(RequestFactory().post("/"))
    handler.new_file("import_file", "big.csv", "text/csv", None)
    kept = [handler.receive_data_chunk(chunk, 0) for chunk in (b"a" * 8, b"b" * 8, b"c" * 8)]
    assert kept == [b"a" * 8, None, None]
    upload = handler.file_complete(24)
    assert upload.size == 24 and upload.read() == b""


def test_other_fields_and_small_files_pass_through(settings):
    settings.IMPORT_MAX_BYTES = 10
    handler = ImportSizeLimitHandler(RequestFactory().post("/"))
    handler.new_file("photo", "a.jpg", "image/jpeg", None)
    assert handler.receive_data_chunk(b"x" * 20, 0) == b"x" * 20 and handler.file_complete(20) is None
    handler.new_file("import_file", "small.csv", "text/csv", None)
    assert handler.receive_data_chunk(b"x" * 10, 0) == b"x" * 10 and handler.file_complete(10) is None


def test_sizes_are_shown_in_megabytes():
    assert (megabytes(20 * 1048576), megabytes(120 * 1048576), megabytes(1_500_000)) == ("20", "120", "1.4")
