"""A spreadsheet row's errors said in the clerk's words (issue 11): keyed by the Chinese column headers
the file has, never by a field name, and a value another row already holds (Django's ``unique``) said
plainly without saying where that row is. Mixed into ``governance.resources.ScopedResource``."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _

ERR_IMPORT_TAKEN = "import_value_taken"
IMPORT_TAKEN_MESSAGE = _("该%(label)s已登记，不能重复登记。")


class RowErrorHeaders:
    """For an import-export ``ModelResource``: ``header_keyed(error)`` re-keys a row's
    ``ValidationError`` by column header (``error_headers``; a resource adds its own with
    ``extra_error_headers``) and rewrites unique errors (``taken_message``; a column's own message in
    ``taken_messages``)."""

    fields: dict[str, Any]
    _meta: Any

    def error_headers(self) -> dict[str, str]:
        """``{error key: Chinese column header}`` for every key a row's error may carry: each field's
        attribute (``division__code``), its name in the resource (``code``) and the last part of its
        attribute (``code``: the key a service's ``full_clean`` of the related row raises), then the
        resource's ``extra_error_headers``."""
        headers: dict[str, str] = {}
        for field in self.fields.values():
            if field.attribute:
                headers[field.attribute] = str(field.column_name)
        for name, field in self.fields.items():
            headers.setdefault(name, str(field.column_name))
            if field.attribute:
                headers.setdefault(field.attribute.rsplit("__", 1)[-1], str(field.column_name))
        headers.update(self.extra_error_headers())
        return headers

    def header_keyed(self, error: ValidationError) -> ValidationError:
        """A row's error keyed by the Chinese column headers instead of the field names; a key no column
        stands for is named by the model field's Chinese ``verbose_name``, or, failing that, the error
        is the row's (never an English field name in front of the clerk); a unique value another row
        holds is said plainly (``taken_message``)."""
        if not hasattr(error, "error_dict"):
            return error
        headers = self.error_headers()
        keyed: dict[str, list] = {}
        for key, value in error.error_dict.items():
            keyed.setdefault(key if key == NON_FIELD_ERRORS else self.error_header(key, headers), []).extend(
                self.taken_message(e, headers) if e.code in ("unique", "unique_together") else e for e in value
            )
        return ValidationError(keyed)

    def error_header(self, key: str, headers: dict[str, str]) -> str:
        if key in headers:
            return headers[key]
        try:
            return str(self._meta.model._meta.get_field(key).verbose_name)
        except FieldDoesNotExist:
            return NON_FIELD_ERRORS

    #: a unique column's own message where the plain one (``IMPORT_TAKEN_MESSAGE``) is not enough
    taken_messages: ClassVar[dict[str, Any]] = {}

    def taken_message(self, error: ValidationError, headers: dict[str, str]) -> ValidationError:
        """Django's unique error (from ``UniqueValues``, ``full_clean`` or a service, code ``unique`` or
        ``unique_together``, ``params["unique_check"]`` the field names) as a plain Chinese one naming
        the columns — not where the other row is. Code ``ERR_IMPORT_TAKEN``."""
        names = tuple((error.params or {}).get("unique_check") or ())
        if len(names) == 1 and names[0] in self.taken_messages:
            return ValidationError(self.taken_messages[names[0]], code=ERR_IMPORT_TAKEN)
        model = (error.params or {}).get("model_class") or self._meta.model

        def label_of(name: str) -> str:
            try:
                return headers.get(name) or str(model._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:
                return name

        label = "和".join(label_of(name) for name in names) or str(_("值"))
        return ValidationError(IMPORT_TAKEN_MESSAGE, code=ERR_IMPORT_TAKEN, params={"label": label})

    def extra_error_headers(self) -> dict[str, str]:
        return {}
