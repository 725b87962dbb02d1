"""Request-body parsers that refuse, with the API's 400 error body, what no field of ours can hold.

- A NUL character in any string (a value or a key, at any depth): PostgreSQL cannot store it in
  text or jsonb and answered ``DataError`` (a 500). The error names the field by its dotted path
  (``members.0.name``), as the error handler names nested fields.
- A JSON body nested deeper than ``MAX_DEPTH``: the decoder's ``RecursionError`` was a 500 too; no
  body of ours is more than a few levels deep.

Every parser of the API is one of these (``DEFAULT_PARSER_CLASSES``), so every serializer, custom
action and JSON field is covered without a rule per field."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ErrorDetail, ParseError, ValidationError

MAX_DEPTH = 32
ERR_NULL_CHARACTER = "null_characters_not_allowed"
ERR_TOO_DEEP = "too_deep"
MSG_NULL_CHARACTER = _("不能包含空字符（\\x00）。")


def _too_deep() -> ParseError:
    return ParseError(_("请求数据嵌套过深（最多 %(depth)s 层）。") % {"depth": MAX_DEPTH}, code=ERR_TOO_DEEP)


def _refuse_null(path: str):
    raise ValidationError({path or "non_field_errors": [ErrorDetail(MSG_NULL_CHARACTER, code=ERR_NULL_CHARACTER)]})


def refuse_unstorable(data) -> None:
    """Walk ``data`` (dicts, lists, strings; no recursion) and raise ``ValidationError`` naming the
    first string with a NUL character (``ERR_NULL_CHARACTER``), or ``ParseError`` (``ERR_TOO_DEEP``)
    when it is nested deeper than ``MAX_DEPTH``."""
    stack = [("", data, 0)]
    while stack:
        path, value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _too_deep()
        if isinstance(value, str):
            if "\x00" in value:
                _refuse_null(path)
            continue
        if hasattr(value, "lists"):  # a QueryDict (form bodies): every value of every key
            items = [(key, item) for key, values in value.lists() for item in values]
        elif isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list | tuple):
            items = list(enumerate(value))
        else:
            continue
        for key, sub in items:
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and "\x00" in key:
                _refuse_null(path)
            stack.append((name, sub, depth + 1))


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise _too_deep() from exc
        refuse_unstorable(data)
        return data


class FormParser(parsers.FormParser):
    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        refuse_unstorable(data)
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        result = super().parse(stream, media_type, parser_context)
        refuse_unstorable(result.data)
        return result
