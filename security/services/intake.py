"""Registering a case (一站式受理) from any channel, and from a patrol's finding."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Division, Person, User
from governance.phones import phone_normalize
from governance.validators import normalize_id_number
from security.choices import Channel, EventAction, PartyRole
from security.models import Dispute, DisputeParty, PatrolLog
from security.services.common import (
    ERR_DUPLICATE_PARTY,
    ERR_LOG_HAS_DISPUTE,
    ERR_NO_PARTIES,
    ERR_PARTY_ROLE,
    conflict,
    event_record,
    invalid,
)
from security.services.moves import dispute_route
from security.services.risk import dispute_risk_update


@dataclass(frozen=True)
class PartyInput:
    """A party of a new case: an existing ``person``, or a new one by name (身份证号, phone)."""

    role: str
    person: Person | None = None
    name: str = ""
    id_number: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Place:
    """Where a case happened and what a caller attached, beyond its division: a street address, WGS-84
    coordinates in degrees (Open311 ``lat``/``long``), the number of people involved, a media URL."""

    address: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    people_involved: int | None = None
    media_url: str = ""


def _party_person(party: PartyInput, index: int, division: Division) -> Person:
    if party.person is not None:
        return party.person
    number = normalize_id_number(party.id_number) if party.id_number else None
    if number:
        existing = Person.objects.filter(id_number=number).first()
        if existing is not None:
            return existing
    try:  # a service number (12345) stays with the case (DisputeParty.phone), not on the person
        phone = phone_normalize(party.phone)
    except ValidationError:
        phone = ""
    person = Person(name=party.name, id_number=number, phone=phone, division=division)
    try:
        person.full_clean()
    except ValidationError as error:
        raise ValidationError(
            {f"parties.{index}.{field}": messages for field, messages in error.error_dict.items()}
        ) from None
    person.save()
    return person


def _party_phone(party: PartyInput, index: int) -> str:
    try:
        return phone_normalize(party.phone, service=True)
    except ValidationError as error:
        raise ValidationError({f"parties.{index}.phone": error.error_list}) from None


def _next_number(received_at: datetime.datetime) -> tuple[int, str]:
    """The case id and its number (一案一码): district code, year, id — taken before the insert."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id'))", [Dispute._meta.db_table])
        pk = cursor.fetchone()[0]
    return pk, f"{settings.DISTRICT_CODE}{timezone.localtime(received_at):%Y}{pk:08d}"


@transaction.atomic
def dispute_intake(
    *,
    channel: str,
    category: str,
    division: Division,
    description: str,
    parties: Sequence[PartyInput],
    received_by: User | None,
    external_id: str | None = None,
    threats_noted: bool = False,
    received_at: datetime.datetime | None = None,
    route: bool = True,
    place: Place | None = None,
    anonymous: bool = False,
) -> tuple[Dispute, bool]:
    """Register a case from any channel, assess its 民转刑 risk and (with ``route``) route it. With an
    ``external_id`` the same case posted twice is registered once: returns ``(dispute, created)``.
    ``place`` adds the address, coordinates (WGS-84 degrees), people involved and a media link a caller
    gave. ``anonymous`` registers a caller who gave no name (a hotline's anonymous call) with no party.

    Raises ``ValidationError`` for a bad case or party (``parties``/``ERR_NO_PARTIES``,
    ``ERR_DUPLICATE_PARTY``, ``ERR_PARTY_ROLE``; a new person's fields as ``parties.<i>.<field>``) and
    ``DisputeConflict`` when no body can receive it (see ``dispute_route``); nothing is written then."""
    external_id = (external_id or "").strip() or None
    if external_id:
        existing = Dispute.objects.filter(channel=channel, external_id=external_id).first()
        if existing is not None:
            return existing, False
    if not parties and not anonymous:
        raise invalid("parties", _("请至少登记一名当事人。"), ERR_NO_PARTIES)
    place = place or Place()
    received_at = received_at or timezone.now()
    pk, number = _next_number(received_at)
    dispute = Dispute(
        pk=pk,
        number=number,
        channel=channel,
        external_id=external_id,
        category=category,
        division=division,
        description=description,
        threats_noted=threats_noted,
        received_at=received_at,
        received_by=received_by,
        address=place.address,
        latitude=place.latitude,
        longitude=place.longitude,
        people_involved=place.people_involved,
        media_url=place.media_url,
    )
    dispute.full_clean(validate_constraints=False)
    people = [(_party_person(party, index, division), party.role) for index, party in enumerate(parties)]
    phones = [_party_phone(party, index) for index, party in enumerate(parties)]
    if len({person.pk for person, _role in people}) != len(people):
        raise invalid("parties", _("同一人员不能重复登记为当事人。"), ERR_DUPLICATE_PARTY)
    if any(role not in PartyRole.values for _person, role in people):
        raise invalid("parties", _("当事人身份无效。"), ERR_PARTY_ROLE)
    try:
        with transaction.atomic():
            dispute.save(force_insert=True)
    except IntegrityError:
        # Another request registered the same external id a moment ago.
        existing = Dispute.objects.filter(channel=channel, external_id=external_id).first() if external_id else None
        if existing is None:
            raise
        return existing, False
    DisputeParty.objects.bulk_create(
        [
            DisputeParty(dispute=dispute, person=p, role=role, phone=phone)
            for (p, role), phone in zip(people, phones, strict=True)
        ]
    )
    event_record(dispute, action=EventAction.RECEIVED, from_status="", from_body=None, by=received_by)
    dispute_risk_update(dispute=dispute, by=received_by)
    if route:
        dispute = dispute_route(dispute=dispute, by=received_by)
    return dispute, True


@transaction.atomic
def patrol_log_open_dispute(
    *, log: PatrolLog, by: User, category: str, description: str, parties: Sequence[PartyInput]
) -> Dispute:
    """A patrol finding becomes a case (channel: grid patrol) in the patrol's area, linked to the log.
    Raises ``DisputeConflict`` (``dispute``/``ERR_LOG_HAS_DISPUTE``: the log already opened one) and
    whatever ``dispute_intake`` raises."""
    log = PatrolLog.objects.select_for_update().get(pk=log.pk)
    if log.dispute_id is not None:
        raise conflict("dispute", _("该巡防记录已生成纠纷。"), ERR_LOG_HAS_DISPUTE)
    dispute, _created = dispute_intake(
        channel=Channel.GRID,
        category=category,
        division=log.division,
        description=description,
        parties=parties,
        received_by=by,
    )
    log.dispute = dispute
    log.save(update_fields=["dispute"])
    return dispute
