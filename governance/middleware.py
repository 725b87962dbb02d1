"""Request checks that hold for every page and API path alike."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _

from governance import error_views

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
            if request.path.startswith("/api/"):
                error = {"code": ERR_NUL_CHARACTER, "message": str(NUL_MESSAGE)}
                body = {"code": "invalid", "message": str(_("提交的数据有误，未保存。")), "errors": {bad: [error]}}
                return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
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
