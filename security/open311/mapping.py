"""How GeoReport v2 maps onto a dispute (矛盾纠纷). Source: Open311 GeoReport v2
(http://wiki.open311.org/GeoReport_v2/); README "Open311" documents the same table.

- A **service** is one of our dispute categories as it arrives by one channel: ``service_code`` is
  ``"<channel>.<category>"`` (``hotline.neighbour`` = 12345热线 · 邻里纠纷); ``group`` is the channel's
  name, ``service_name`` the category's, both in Chinese.
- A **service request** is a dispute: ``service_request_id`` is the case number (一案一码, e.g.
  ``431302202600000123``), ``description`` its 纠纷简况, ``address_id`` its division code, ``address``
  its street address (or the division's name), ``lat``/``long`` the caller's WGS-84 coordinates in
  degrees, ``media_url`` a link the caller sent, ``agency_responsible`` the body handling it now.
- **status**: ``closed`` when the case is 已办结, ``open`` otherwise; ``status_notes`` says where it is in
  Chinese (``已接收 · 乐坪街道人民调解委员会``). ``requested_datetime`` is the receipt time,
  ``updated_datetime`` the last change, ``expected_datetime`` the end of the deadline day (Asia/Shanghai,
  working days per ``governance.calendar``), all ISO 8601 with the +08:00 offset.
- Attributes (``attribute[code]``): ``external_id`` (来电工单号: the caller's own id, so posting the same
  call twice registers one case), ``people_involved`` (涉及人数), ``threats_noted`` (有威胁或暴力倾向).
- The caller: ``last_name`` + ``first_name`` (姓 + 名) and ``phone`` make the applicant party; a hotline
  may send an anonymous call (no name), registered with no party and the hotline as its source.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import F, IntegerField, QuerySet, Value
from django.db.models.functions import Length, StrIndex
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Division, User
from security.choices import Category, Channel, Status
from security.models import Dispute

# Channels other systems file through (a walk-in or a patrol is registered in the portal itself).
EXTERNAL_CHANNELS = (Channel.HOTLINE, Channel.POLICE, Channel.PETITION, Channel.LITIGATION, Channel.OTHER_SYSTEM)
ANONYMOUS_CHANNELS = frozenset({Channel.HOTLINE})
MAX_RESULTS = 1000  # GeoReport: "may limit the number of results"; newest first
DEFAULT_WINDOW_DAYS = 90  # GeoReport: without dates, the last 90 days


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    description: str
    order: int
    values: tuple[tuple[str, str], ...] = ()


ATTRIBUTES = (
    Attribute("external_id", "string", "来电工单号（同一工单号重复提交只登记一次）", 1),
    Attribute("people_involved", "number", "涉及人数", 2),
    Attribute("threats_noted", "singlevaluelist", "有威胁或暴力倾向", 3, (("true", "是"), ("false", "否"))),
)


def service_code(channel: str, category: str) -> str:
    return f"{channel}.{category}"


def service_parse(code: str) -> tuple[str, str] | None:
    """``"hotline.neighbour"`` → ``("hotline", "neighbour")``; None for a code we do not offer."""
    channel, _dot, category = (code or "").partition(".")
    if channel in EXTERNAL_CHANNELS and category in Category.values:
        return channel, category
    return None


def services() -> list[dict[str, Any]]:
    """``GET services.json``: every channel × category, grouped by channel."""
    return [
        {
            "service_code": service_code(channel, category),
            "service_name": str(Category(category).label),
            "description": _("%(channel)s转来的%(category)s")
            % {
                "channel": Channel(channel).label,
                "category": Category(category).label,
            },
            "metadata": True,
            "type": "realtime",
            "keywords": "",
            "group": str(Channel(channel).label),
        }
        for channel in EXTERNAL_CHANNELS
        for category in Category.values
    ]


def service_definition(code: str) -> dict[str, Any]:
    """``GET services/{code}.json``: the attributes a request of this service may carry."""
    return {
        "service_code": code,
        "attributes": [
            {
                "variable": True,
                "code": attribute.code,
                "datatype": attribute.datatype,
                "required": False,
                "datatype_description": "",
                "order": attribute.order,
                "description": attribute.description,
                **({"values": [{"key": k, "name": n} for k, n in attribute.values]} if attribute.values else {}),
            }
            for attribute in ATTRIBUTES
        ],
    }


def division_from_address(user: User, address: str) -> Division | list[Division] | None:
    """The deepest division in ``user``'s scope whose name the address contains ("娄星区乐坪街道XX村3组"
    → XX村). Returns the division, the tied candidates when two equally deep names match (ambiguous),
    or None when no name matches."""
    if not address:
        return None
    matches = list(
        Division.objects.for_user(user)
        .annotate(at=StrIndex(Value(address), F("name"), output_field=IntegerField()))
        .filter(at__gt=0)
        .annotate(name_length=Length("name"))
        .order_by("-depth", "-name_length", "code")[:2]
    )
    if not matches:
        return None
    if len(matches) == 2 and (matches[0].depth, matches[0].name_length) == (matches[1].depth, matches[1].name_length):
        return matches
    return matches[0]


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _expected(deadline: datetime.date | None) -> str | None:
    if deadline is None:
        return None
    end = datetime.datetime.combine(deadline, datetime.time(23, 59, 59), tzinfo=timezone.get_current_timezone())
    return end.isoformat(timespec="seconds")


def request_queryset(user: User) -> QuerySet[Dispute]:
    """The cases the caller may read, from external channels, with what a row needs (no per-row query)."""
    return (
        Dispute.objects.for_user(user)
        .filter(channel__in=EXTERNAL_CHANNELS)
        .select_related("division", "current_body")
        .order_by("-received_at", "-id")
    )


def request_row(dispute: Dispute) -> dict[str, Any]:
    """One service request as GeoReport v2 shows it."""
    body = dispute.current_body
    notes = str(Status(dispute.status).label) + (f" · {body.name}" if body else "")
    return {
        "service_request_id": dispute.number,
        "status": "closed" if dispute.status == Status.CLOSED else "open",
        "status_notes": notes,
        "service_name": str(Category(dispute.category).label),
        "service_code": service_code(dispute.channel, dispute.category),
        "description": dispute.description,
        "agency_responsible": body.name if body else "",
        "service_notice": "",
        "requested_datetime": _iso(dispute.received_at),
        "updated_datetime": _iso(dispute.updated_at),
        "expected_datetime": _expected(dispute.deadline),
        "address": dispute.address or dispute.division.name,
        "address_id": dispute.division.code,
        "zipcode": None,
        "lat": float(dispute.latitude) if dispute.latitude is not None else None,
        "long": float(dispute.longitude) if dispute.longitude is not None else None,
        "media_url": dispute.media_url,
        "external_id": dispute.external_id,
    }


def request_rows(disputes: Iterable[Dispute]) -> list[dict[str, Any]]:
    return [request_row(dispute) for dispute in disputes]
