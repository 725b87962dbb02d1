"""The GeoReport v2 endpoints (``/open311/v2/``). Every call carries an API key: the spec's ``api_key``
parameter or the portal's ``Authorization: Api-Key …`` header; the key's service account scopes what it
reads and where it may file, exactly as in ``/api/v1/``. Errors are the spec's
``[{"code": <HTTP status>, "description": "…"}]``; nothing is written on error. JSON only."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from governance.api.authentication import ApiKeyAuthentication
from governance.api.errors import _flatten
from governance.api.parsers import FormParser, JSONParser, MultiPartParser
from governance.api.throttling import UserRateThrottle
from governance.errors import Conflict
from governance.models import Division
from security.choices import PartyRole, Status
from security.open311 import mapping
from security.services import PartyInput, Place, dispute_intake

# Our field names (dispute_intake's errors) → the GeoReport parameter the caller sent.
FIELD_NAMES = {
    "category": "service_code",
    "channel": "service_code",
    "division": "address_id",
    "latitude": "lat",
    "longitude": "long",
    "people_involved": "attribute[people_involved]",
    "external_id": "attribute[external_id]",
    "parties.0.name": "first_name",
    "parties.0.phone": "phone",
    "parties": "first_name",
}


class Open311Error(Exception):
    def __init__(self, code: int, *descriptions: str):
        self.code = code
        self.descriptions = descriptions or (_("请求有误。"),)


class Open311KeyAuthentication(ApiKeyAuthentication):
    """The portal's header, or GeoReport's ``api_key`` in the query string or the form body."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is not None:
            return found
        raw = request.query_params.get("api_key") or (
            request.data.get("api_key") if hasattr(request.data, "get") else None
        )
        if not raw:
            return None
        return self.authenticate_key(request, str(raw).strip())


@extend_schema(exclude=True)  # not part of /api/v1/'s schema: the contract here is GeoReport v2
class Open311View(APIView):
    authentication_classes = [Open311KeyAuthentication]
    permission_classes: list = []
    parser_classes = [FormParser, MultiPartParser, JSONParser]
    throttle_classes = [UserRateThrottle]
    permission = "security.view_dispute"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        if kwargs.get("fmt") != "json":
            raise Open311Error(400, _("仅支持 JSON 格式（.json）。"))
        if not request.user or not request.user.is_authenticated:
            raise Open311Error(403, _("请提供有效的 api_key。"))
        if not request.user.has_perm(self.permission):
            raise Open311Error(403, _("该接口密钥无权使用此功能。"))
        jurisdiction = str(request.query_params.get("jurisdiction_id") or "").strip()
        if jurisdiction and jurisdiction != settings.DISTRICT_CODE:
            raise Open311Error(404, _("jurisdiction_id：本平台只服务 %(code)s。") % {"code": settings.DISTRICT_CODE})

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, Open311Error):
            code, descriptions = exc.code, exc.descriptions
        elif isinstance(exc, exceptions.AuthenticationFailed | exceptions.NotAuthenticated):
            code, descriptions = 403, (str(exc.detail),)  # GeoReport: 403 for a missing or bad api_key
        elif isinstance(exc, exceptions.APIException):
            code = exc.status_code
            if isinstance(exc.detail, dict | list):  # a parser's refusal (a NUL in a field…): "field：message"
                flat = _flatten(exc.detail)
                descriptions = tuple(f"{field}：{m['message']}" for field, items in flat.items() for m in items)
            else:
                descriptions = (str(exc.detail),)
        elif isinstance(exc, Http404):
            code, descriptions = 404, (_("未找到。"),)
        else:
            raise exc
        return Response([{"code": code, "description": d} for d in descriptions], status=code)


class ServiceListView(Open311View):
    def get(self, request: Request, fmt: str) -> Response:
        return Response(mapping.services())


class ServiceDefinitionView(Open311View):
    def get(self, request: Request, code: str, fmt: str) -> Response:
        if mapping.service_parse(code) is None:
            raise Open311Error(404, _("service_code：没有“%(code)s”这项服务。") % {"code": code})
        return Response(mapping.service_definition(code))


def _decimal(data, name: str, low: int, high: int) -> Decimal | None:
    raw = str(data.get(name) or "").strip()
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Open311Error(400, _("%(name)s：“%(value)s”不是数字。") % {"name": name, "value": raw}) from None
    if not value.is_finite() or not low <= value <= high:
        message = _("%(name)s：应在 %(low)s 到 %(high)s 之间。") % {"name": name, "low": low, "high": high}
        raise Open311Error(400, message)
    return value.quantize(Decimal("0.000001"))


def _attributes(data) -> dict[str, str]:
    """``attribute[code]=value`` form fields, or a JSON ``{"attribute": {code: value}}``."""
    found: dict[str, str] = {}
    nested = data.get("attribute") if hasattr(data, "get") else None
    if isinstance(nested, dict):
        for key, value in nested.items():
            if not isinstance(value, str | int | float) or isinstance(value, bool):
                raise Open311Error(400, _("attribute[%(code)s]：应为文本。") % {"code": key})
            found[str(key)] = str(value)
    for key in data:
        if isinstance(key, str) and key.startswith("attribute[") and key.endswith("]"):
            found[key[len("attribute[") : -1]] = str(data.get(key))
    unknown = sorted(set(found) - {attribute.code for attribute in mapping.ATTRIBUTES})
    if unknown:
        raise Open311Error(400, _("attribute[%(code)s]：不是本服务的属性。") % {"code": unknown[0]})
    if len(found.get("external_id", "").strip()) > 64:
        raise Open311Error(400, _("attribute[external_id]：最多 64 个字符。"))
    return found


def _people(raw: str) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= 100000:
        raise Open311Error(400, _("attribute[people_involved]：应为 1 到 100000 的整数。"))
    return int(raw)


def _threats(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("", "false", "0", "否"):
        return False
    if value in ("true", "1", "是"):
        return True
    raise Open311Error(400, _("attribute[threats_noted]：应为 true 或 false。"))


# Longest value each parameter may carry (the columns they go to); longer is refused, never cut.
MAX_LENGTHS = {
    "first_name": 25,
    "last_name": 25,
    "phone": 32,
    "email": 254,
    "address_string": 200,
    "address_id": 32,
    "media_url": 500,
    "service_code": 64,
    "description": 5000,
    "attribute[external_id]": 64,
}


def _form(data: Any) -> dict[str, Any]:
    """The request's parameters as one value each: a form (GeoReport's own encoding) or a JSON object
    of text and numbers (``attribute`` may be an object). Raises ``Open311Error`` (400) for a body that
    is not an object, a parameter given twice, a value that is not text, or one over its length."""
    if hasattr(data, "getlist"):  # a form: every key once
        found: dict[str, Any] = {}
        for key in data:
            values = data.getlist(key)
            if len(values) > 1:
                raise Open311Error(400, _("%(key)s：只能填写一个值。") % {"key": key})
            found[key] = values[0] if values else ""
    elif isinstance(data, dict):
        found = {}
        for key, value in data.items():
            if key == "attribute" and isinstance(value, dict):
                found[key] = value
                continue
            if (value is not None and not isinstance(value, str | int | float)) or isinstance(value, bool):
                raise Open311Error(400, _("%(key)s：应为文本。") % {"key": key})
            found[str(key)] = "" if value is None else str(value)
    else:
        raise Open311Error(400, _("请求体应为表单（application/x-www-form-urlencoded）或 JSON 对象。"))
    for key, limit in MAX_LENGTHS.items():
        if len(str(found.get(key) or "")) > limit:
            raise Open311Error(400, _("%(key)s：最多 %(n)d 个字符。") % {"key": key, "n": limit})
    return found


class RequestListView(Open311View):
    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        self.permission = "security.add_dispute" if request.method == "POST" else "security.view_dispute"
        super().initial(request, *args, **kwargs)

    def get(self, request: Request, fmt: str) -> Response:
        """GeoReport filters: ``service_request_id`` (comma-separated; the others are then ignored),
        ``service_code``, ``start_date``/``end_date`` (ISO 8601; the last 90 days by default), ``status``
        (``open``/``closed``, comma-separated). Newest first, at most 1,000."""
        params = request.query_params
        queryset = mapping.request_queryset(request.user)
        ids = [part.strip() for part in str(params.get("service_request_id") or "").split(",") if part.strip()]
        if ids:
            return Response(mapping.request_rows(queryset.filter(number__in=ids)[: mapping.MAX_RESULTS]))
        code = str(params.get("service_code") or "").strip()
        if code:
            parsed = mapping.service_parse(code)
            if parsed is None:
                raise Open311Error(404, _("service_code：没有“%(code)s”这项服务。") % {"code": code})
            queryset = queryset.filter(channel=parsed[0], category=parsed[1])
        start, end = self._date(params, "start_date"), self._date(params, "end_date")
        if start and end and start > end:
            raise Open311Error(400, _("end_date：不能早于 start_date。"))
        if start is None and end is None:
            start = datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=mapping.DEFAULT_WINDOW_DAYS)
        if start:
            queryset = queryset.filter(received_at__gte=start)
        if end:
            queryset = queryset.filter(received_at__lte=end)
        wanted = {part.strip() for part in str(params.get("status") or "").split(",") if part.strip()}
        if wanted - {"open", "closed"}:
            raise Open311Error(400, _("status：只能是 open 或 closed。"))
        if wanted == {"open"}:
            queryset = queryset.exclude(status=Status.CLOSED)
        elif wanted == {"closed"}:
            queryset = queryset.filter(status=Status.CLOSED)
        return Response(mapping.request_rows(queryset[: mapping.MAX_RESULTS]))

    @staticmethod
    def _date(params, name: str) -> datetime.datetime | None:
        raw = str(params.get(name) or "").strip()
        if not raw:
            return None
        try:
            value = parse_datetime(raw.replace(" ", "+"))  # a "+08:00" sent unencoded arrives as " 08:00"
        except ValueError:
            value = None
        if value is None:
            raise Open311Error(400, _("%(name)s：应为 ISO 8601 时间，如 2026-06-01T08:00:00+08:00。") % {"name": name})
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
        return value

    def post(self, request: Request, fmt: str) -> Response:
        """File a call as a dispute; the same ``attribute[external_id]`` twice registers one case (200).
        The answer keeps the spec's keys only: repeat suggestions (issue 20) are read with the same key
        from ``/api/v1/security/disputes/<id>/suggestions/`` (README, Open311)."""
        data = _form(request.data)
        jurisdiction = data.get("jurisdiction_id", "").strip()
        if jurisdiction and jurisdiction != settings.DISTRICT_CODE:
            raise Open311Error(404, _("jurisdiction_id：本平台只服务 %(code)s。") % {"code": settings.DISTRICT_CODE})
        parsed = mapping.service_parse(str(data.get("service_code") or "").strip())
        if parsed is None:
            raise Open311Error(400, _("service_code：请填写 services.json 中的服务代码。"))
        channel, category = parsed
        attributes = _attributes(data)
        description = str(data.get("description") or "").strip()
        if not description:
            raise Open311Error(400, _("description：请填写事项描述。"))
        division = self._division(data)
        name = str(data.get("last_name") or "").strip() + str(data.get("first_name") or "").strip()
        phone = str(data.get("phone") or "").strip()
        email = str(data.get("email") or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise Open311Error(400, _("email：“%(v)s”不是有效的电子邮箱。") % {"v": email[:100]}) from None
        if bool(str(data.get("lat") or "").strip()) != bool(str(data.get("long") or "").strip()):
            raise Open311Error(400, _("lat：经度 long 与纬度 lat 须同时提供。"))
        if not name and channel not in mapping.ANONYMOUS_CHANNELS:
            raise Open311Error(400, _("first_name：请填写来电人姓名（仅 12345 热线可匿名）。"))
        parties = [PartyInput(role=PartyRole.APPLICANT, name=name, phone=phone)] if name else []
        place = Place(
            address=str(data.get("address_string") or "").strip(),
            latitude=_decimal(data, "lat", -90, 90),
            longitude=_decimal(data, "long", -180, 180),
            people_involved=_people(attributes.get("people_involved", "")),
            media_url=str(data.get("media_url") or "").strip(),
        )
        try:
            dispute, created = dispute_intake(
                channel=channel,
                category=category,
                division=division,
                description=description,
                parties=parties,
                received_by=request.user,
                external_id=attributes.get("external_id", "").strip() or None,
                threats_noted=_threats(attributes.get("threats_noted", "")),
                place=place,
                anonymous=not parties,
            )
        except Conflict as error:  # no body can receive it: the portal's routing rules need attention
            raise Open311Error(409, *_messages(error)) from None
        except ValidationError as error:
            raise Open311Error(400, *_messages(error)) from None
        if not created and not mapping.request_queryset(request.user).filter(pk=dispute.pk).exists():
            raise Open311Error(409, _("attribute[external_id]：该工单号已由其他系统登记。"))
        notice = _("已受理，编号 %(number)s，可凭编号查询进度。") % {"number": dispute.number}
        body = [{"service_request_id": dispute.number, "service_notice": notice, "account_id": None}]
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    def _division(self, data) -> Division:
        """``address_id`` (a division code), else the deepest division named in ``address_string``; both
        within the key's scope. Coordinates alone cannot place a case (no boundaries are kept)."""
        divisions = Division.objects.for_user(self.request.user)
        code = str(data.get("address_id") or "").strip()
        if code:
            found = divisions.filter(code=code).first()
            if found is None:
                raise Open311Error(400, _("address_id：区划代码“%(code)s”不存在或不在本密钥范围内。") % {"code": code})
            return found
        address = str(data.get("address_string") or "").strip()
        match = mapping.division_from_address(self.request.user, address)
        if isinstance(match, Division):
            return match
        if isinstance(match, list):
            names = "、".join(f"{d.name}（{d.code}）" for d in match)
            raise Open311Error(400, _("address_string：地址可指%(names)s，请用 address_id 指明。") % {"names": names})
        if address:
            raise Open311Error(400, _("address_string：地址中没有本区的乡镇（街道）或村（社区）名称。"))
        raise Open311Error(400, _("address_id：请提供区划代码 address_id 或含村（社区）名称的 address_string。"))


def _messages(error: ValidationError) -> list[str]:
    if not hasattr(error, "error_dict"):
        return [str(message) for message in error.messages]
    return [
        f"{FIELD_NAMES.get(field, field)}：{message}"
        for field, errors in error.error_dict.items()
        for message in ValidationError(errors).messages
    ]


class RequestDetailView(Open311View):
    def get(self, request: Request, number: str, fmt: str) -> Response:
        dispute = mapping.request_queryset(request.user).filter(number=number).first()
        if dispute is None:
            raise Open311Error(404, _("service_request_id：没有编号为“%(number)s”的请求。") % {"number": number})
        return Response([mapping.request_row(dispute)])


def not_found(request, *args: Any, **kwargs: Any):
    from django.http import JsonResponse

    body = [{"code": 404, "description": _("没有这个 Open311 接口；见 services.json、requests.json。")}]
    return JsonResponse(body, status=404, safe=False, json_dumps_params={"ensure_ascii": False})
