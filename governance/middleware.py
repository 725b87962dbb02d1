"""Request checks that hold for every page and API path alike."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from governance import error_views
from governance.api.responses import ERR_INVALID, INVALID_MESSAGE, error_response, is_api_request

ERR_NUL_CHARACTER = "null_characters_not_allowed"
NUL_MESSAGE = _("不能包含空字符（\\x00）。")


class RejectNulCharactersMiddleware:
    """A NUL character in the path or a query parameter is refused with 400 before any view runs:
    PostgreSQL text cannot hold it, so it would otherwise surface as a 500 from the first query
    (``?within=%00`` on a report, ``/dashboard/%00/``). The API answers its one error shape naming the
    parameter; pages show the Chinese 400 page. Bodies are checked by the forms' and serializers' own
    fields."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        bad = self._bad_parameter(request)
        if bad is not None:
            if is_api_request(request):
                error = {"code": ERR_NUL_CHARACTER, "message": str(NUL_MESSAGE)}
                return error_response(400, ERR_INVALID, INVALID_MESSAGE, {bad: [error]})
            return error_views.bad_request(request)
        return self.get_response(request)

    @staticmethod
    def _bad_parameter(request: HttpRequest) -> str | None:
        if "\x00" in request.path:
            return "path"
        for key, values in request.GET.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return key.replace("\x00", "") or "query"
        return None
