"""How big an import file may be (issue 11, clerk trial: a 120 MB file of junk took 68 s to be told
无法读取): ``settings.IMPORT_MAX_BYTES`` (default 20 MB, some 200 000 register rows as .xlsx).

Two places hold the limit:

- ``ImportSizeLimitHandler`` (first of ``FILE_UPLOAD_HANDLERS``) counts the bytes of an upload in the
  import form's field (``import_file``) as Django receives them; past the limit it stores no more of
  them (neither in memory nor in a temporary file) and hands the form an empty file that keeps the
  size it would have had. Nothing of a too-big file is ever read as a spreadsheet.
- ``SizeLimitedImportForm`` (the admin's import form) refuses a file over the limit with a Chinese
  message under the file field, before any reader sees it.

Django's own limits stay at their defaults: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB of form fields,
files not counted) and ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (files over 2.5 MB go to a temporary file)."""

from __future__ import annotations

import io
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm

IMPORT_FILE_FIELD = "import_file"
ERR_IMPORT_FILE_TOO_BIG = "import_file_too_big"


def megabytes(size: int) -> str:
    """``20971520`` → ``"20"``, ``125829120`` → ``"120"``, ``1500000`` → ``"1.4"`` (MB of 1 048 576 bytes)."""
    return f"{size / 1048576:.1f}".removesuffix(".0")


class ImportSizeLimitHandler(FileUploadHandler):
    """Stops keeping an ``import_file`` upload once it passes ``IMPORT_MAX_BYTES``: the chunks after
    the limit are counted and dropped, and the file handed on is empty with its full ``size`` (the
    form then refuses it). Other fields' files pass through untouched to the next handlers."""

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.watched = field_name == IMPORT_FILE_FIELD
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if not self.watched:
            return raw_data
        self.received += len(raw_data)
        return None if self.received > settings.IMPORT_MAX_BYTES else raw_data

    def file_complete(self, file_size: int) -> InMemoryUploadedFile | None:
        if not self.watched or self.received <= settings.IMPORT_MAX_BYTES:
            return None  # the next handler (memory or temporary file) has every byte
        return InMemoryUploadedFile(
            io.BytesIO(b""), self.field_name, self.file_name, self.content_type, self.received, self.charset
        )


class SizeLimitedImportForm(ImportForm):
    """django-import-export's import form, refusing a file over ``IMPORT_MAX_BYTES`` (by its size, before
    it is read) with ``ERR_IMPORT_FILE_TOO_BIG``."""

    def clean_import_file(self) -> Any:
        upload = self.cleaned_data["import_file"]
        limit = settings.IMPORT_MAX_BYTES
        if upload is not None and upload.size > limit:
            raise forms.ValidationError(
                _(
                    "文件太大（%(size)s MB），导入文件不能超过 %(limit)s MB。"
                    "请删去无关的工作表和图片后另存为 .xlsx，或把文件拆成几份逐份导入。"
                ),
                code=ERR_IMPORT_FILE_TOO_BIG,
                params={"size": megabytes(upload.size), "limit": megabytes(limit)},
            )
        return upload
