"""The admin's export in Chinese: the field picker labelled with the Chinese column headings, and the
file named after the register's Chinese name (``人员-2026-12-01.xlsx``), sent with an RFC 5987/6266
``filename*`` so that browsers keep the Chinese name (and an ASCII ``filename`` for old ones)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from import_export.forms import SelectableFieldsExportForm


class ChineseExportForm(SelectableFieldsExportForm):
    """The export's field picker labelled with the Chinese column heading alone: django-import-export
    shows "Name (姓名)", the Python name title-cased before the heading."""

    def _get_field_label(self, resource, field_name: str) -> str:
        field = resource.fields.get(field_name)
        if field is not None and field.column_name and field.column_name != field_name:
            return str(field.column_name)
        try:
            return str(resource._meta.model._meta.get_field(field_name).verbose_name)
        except FieldDoesNotExist:  # not a model field (a computed column): its name is all there is
            return field_name


def content_disposition(filename: str) -> str:
    """``attachment`` with ``filename`` twice: as ASCII (other characters ``_``, for old clients) and as
    ``filename*=UTF-8''…`` (RFC 5987 encoding, RFC 6266), which every current browser prefers.
    ``"人员-2026-12-01.xlsx"`` → ``attachment; filename="__-2026-12-01.xlsx"; filename*=UTF-8''%E4%BA%BA…``."""
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


class ChineseExportFileMixin:
    """For ``ImportExportModelAdmin``: the export file is ``<verbose_name>-<date>.<ext>`` (the model's
    Chinese name and today's local date), e.g. ``人员-2026-12-01.xlsx``, ``屋场-2026-12-01.csv``."""

    def get_export_filename(self, request, queryset, file_format) -> str:
        name = str(self.model._meta.verbose_name)  # type: ignore[attr-defined]
        return f"{name}-{timezone.localdate():%Y-%m-%d}.{file_format.get_extension()}"

    def _do_file_export(self, file_format, request, queryset, export_form=None) -> Any:
        response = super()._do_file_export(file_format, request, queryset, export_form=export_form)  # type: ignore[misc]
        response["Content-Disposition"] = content_disposition(self.get_export_filename(request, queryset, file_format))
        return response
