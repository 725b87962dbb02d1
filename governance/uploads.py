"""How big an import file may be (issue 11, clerk trial: a 120 MB file of junk took 68 s to be told
无法读取): ``settings.IMPORT_MAX_BYTES`` (default 20 MB, some 200 000 register rows as .xlsx).

Two places hold the limit:

- ``ImportSizeLimitHandler`` (first of ``FILE_UPLOAD_HANDLERS``) counts the bytes of an upload in the
  import form's field (``import_file``) as Django receives them; past the limit it stores no more of
  them (neither in memory nor in a temporary file) and hands the form an empty file that keeps the
  size it would have had. Nothing of a too-big file is ever read as a spreadsheet.
- ``SizeLimitedImportForm`` (the admin's import form) refuses a file over the limit with a Chinese
  message under the file field, before any reader sees it.

The file of a small import waits for the clerk's confirmation in ``ImportTempStorage`` (a folder of
its own, ``settings.IMPORT_TMP_DIR``, readable by the portal's user only): it is deleted at once when
the dry run refuses it or cannot read it (``import_temp_file_drop``), by django-import-export when the
import is confirmed, and by the nightly ``import_temp_files_purge`` when it was never confirmed
(older than ``IMPORT_FILE_KEEP_HOURS``) — it holds full 身份证号 and phones.

Django's own limits stay at their defaults: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB of form fields,
files not counted) and ``FILE_UPLOAD_MAX_MEMORY_SIZE`` (files over 2.5 MB go to a temporary file)."""

from __future__ import annotations

import io
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.core.files.uploadhandler import FileUploadHandler
from django.utils.translation import gettext_lazy as _
from import_export.forms import ImportForm
from import_export.tmp_storages import TempFolderStorage

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


def import_tmp_dir() -> Path:
    """``settings.IMPORT_TMP_DIR`` (default ``<temp dir>/portal-imports``), made (mode 700) if missing."""
    folder = Path(getattr(settings, "IMPORT_TMP_DIR", "") or Path(tempfile.gettempdir()) / "portal-imports")
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


class ImportTempStorage(TempFolderStorage):
    """django-import-export's temporary folder storage (``IMPORT_EXPORT_TMP_STORAGE_CLASS``), kept in
    ``import_tmp_dir()`` under names ``import-…`` (a name from the confirm form is reduced to its base
    name, so that it never points elsewhere)."""

    def get_full_path(self) -> str:
        return str(import_tmp_dir() / os.path.basename(self.name))

    def _open(self, mode: str = "r") -> Any:
        if self.name:
            return open(self.get_full_path(), mode, encoding=self.encoding)
        tmp_file = tempfile.NamedTemporaryFile(dir=import_tmp_dir(), prefix="import-", delete=False)  # noqa: SIM115
        self.name = os.path.basename(tmp_file.name)
        return tmp_file


def import_temp_file_drop(request: Any, response: Any) -> bool:
    """After the admin's import page: delete the uploaded file it kept for the confirmation when there
    is nothing to confirm (the dry run refused the file, or it could not be read). The file's name is
    on the upload itself (``tmp_storage_name``, set by django-import-export). Returns whether a file
    was deleted."""
    context = getattr(response, "context_data", None) or {}
    if context.get("confirm_form") is not None:
        return False
    name = getattr(request.FILES.get(IMPORT_FILE_FIELD), "tmp_storage_name", None)
    if not name:
        return False
    path = Path(ImportTempStorage(name=name).get_full_path())
    if not path.exists():
        return False
    path.unlink()
    return True


def import_temp_files_purge(now: float | None = None) -> int:
    """Delete the import files waiting in ``import_tmp_dir()`` for more than ``IMPORT_FILE_KEEP_HOURS``
    hours (never confirmed). ``now``: a Unix time, default the current one. Returns how many."""
    cutoff = (now or time.time()) - settings.IMPORT_FILE_KEEP_HOURS * 3600
    deleted = 0
    for path in import_tmp_dir().glob("import-*"):
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            deleted += 1
    return deleted
