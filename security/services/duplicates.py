"""Repeat and duplicate detection (issue 20): the earlier cases a new case may repeat, and linking it
to one of them as a duplicate (重复件: closed, following the original) or a repeat (重复信访: counted,
raising the risk of the case and of the original).

Parties are compared inside PostgreSQL, through the governance people model: the same ``Person`` (a
身份证号 is unique there, so the same ID number is the same person), or the same normalised personal
phone (on the person or given with the case). Nothing of a party is returned: a suggestion carries the
earlier case's own fields and the kinds of match, never the number or name that matched, and only
cases the user may see (``for_user``) are suggested at all."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, Func, OuterRef, Q, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import User
from security.choices import OPEN_STATUSES, EventAction, Status
from security.models import Dispute, DisputeLink, DisputeParty, LinkKind
from security.services.common import (
    ERR_TRANSITION,
    conflict,
    dispute_locked,
    dispute_save,
    event_record,
    invalid,
)
from security.services.risk import dispute_risk_update, repeats_linked  # noqa: F401 (re-exported)

ERR_ALREADY_LINKED = "already_linked"
ERR_LINK_SELF = "link_self"
ERR_LINK_LOOP = "link_loop"
ERR_LINK_KIND = "invalid_choice"
ERR_LINK_ORIGINAL = "original_not_found"

MATCH_ID = "party_id"
MATCH_PHONE = "party_phone"
MATCH_PERSON = "party"
MATCH_PLACE = "place"
MATCH_LABELS = {
    MATCH_ID: _("同一当事人（身份证号一致）"),
    MATCH_PHONE: _("同一联系电话"),
    MATCH_PERSON: _("同一当事人"),
    MATCH_PLACE: _("同一地点、同类纠纷"),
}
SUGGESTION_LIMIT = 10
# A personal number (mobile 1[3-9]xxxxxxxxx or a fixed line with area code), never a service line such
# as 12345 or 110 that thousands of unrelated callers share.
PERSONAL_PHONE_MIN_DIGITS = 11


def window_days() -> int:
    """Days back an earlier, already resolved case is still suggested (``SECURITY_REPEAT_WINDOW_DAYS``)."""
    return int(getattr(settings, "SECURITY_REPEAT_WINDOW_DAYS", 90))


def _address_key(expression):
    """The address with blanks and punctuation removed, lower-cased: "3栋 2单元" = "3栋2单元"."""
    cleaned = Func(expression, Value(r"[\s,，。.·、\-—()（）#]+"), Value(""), Value("g"), function="regexp_replace")
    return Func(cleaned, function="lower")


def address_key(address: str) -> str:
    """Python twin of ``_address_key`` (for the case at hand)."""
    return re.sub(r"[\s,，。.·、\-—()（）#]+", "", address or "").lower()


@dataclass(frozen=True)
class Suggestion:
    """An earlier case ``dispute`` (in the user's scope) and how it matched (``MATCH_*`` codes)."""

    dispute: Dispute
    matches: tuple[str, ...]

    @property
    def labels(self) -> list[str]:
        return [str(MATCH_LABELS[m]) for m in self.matches]


def dispute_suggestions(*, dispute: Dispute, user: User, limit: int = SUGGESTION_LIMIT) -> list[Suggestion]:
    """Open cases, and cases received within ``window_days()`` before this one, that share a party
    (same person — by 身份证号 when the person has one —, or the same personal phone) or the same place
    (division and address, ignoring blanks and punctuation) and category; only those ``user`` may see,
    not the case itself nor cases already linked to it; most matches first, then the newest. Two
    queries; raises nothing."""
    rows = list(dispute.parties.values_list("person_id", "person__id_number", "phone", "person__phone"))
    person_ids = [row[0] for row in rows]
    with_id = [row[0] for row in rows if row[1]]
    phones = sorted({p for row in rows for p in row[2:] if p and len(p) >= PERSONAL_PHONE_MIN_DIGITS})
    parties = DisputeParty.objects.filter(dispute_id=OuterRef("pk"))
    annotations = {
        "m_id": Exists(parties.filter(person_id__in=with_id)) if with_id else Value(False),
        "m_person": Exists(parties.filter(person_id__in=person_ids)) if person_ids else Value(False),
        "m_phone": Exists(parties.filter(Q(phone__in=phones) | Q(person__phone__in=phones)))
        if phones
        else Value(False),
    }
    key = address_key(dispute.address)
    place = Q(division_id=dispute.division_id, category=dispute.category, addr_key=key) if key else Q(pk__in=[])
    since = (dispute.received_at or timezone.now()) - datetime.timedelta(days=window_days())
    linked = DisputeLink.objects.filter(Q(dispute_id=dispute.pk, original_id=OuterRef("pk")))
    queryset = (
        Dispute.objects.for_user(user)
        .exclude(pk=dispute.pk)
        .alias(addr_key=_address_key(F("address")))
        .annotate(**annotations)
        .annotate(m_place=ExpressionWrapper(place, output_field=BooleanField()) if key else Value(False))
        .filter(Q(m_id=True) | Q(m_person=True) | Q(m_phone=True) | place)
        .filter(Q(status__in=(*OPEN_STATUSES, Status.RECEIVED)) | Q(received_at__gte=since))
        .exclude(Exists(linked))
        .select_related("division", "current_body")
        .order_by("-received_at", "-id")[: limit * 3]
    )
    found = []
    row: Any
    for row in queryset:
        matches = []
        if row.m_id:
            matches.append(MATCH_ID)
        elif row.m_person:
            matches.append(MATCH_PERSON)
        if row.m_phone:
            matches.append(MATCH_PHONE)
        if row.m_place:
            matches.append(MATCH_PLACE)
        found.append(Suggestion(dispute=row, matches=tuple(matches)))
    found.sort(key=lambda s: -len(s.matches))  # stable: newest first among equals
    return found[:limit]


def chain_root(dispute: Dispute) -> Dispute:
    """The first case of the chain ``dispute`` belongs to (itself when it is linked to nothing)."""
    link = DisputeLink.objects.filter(dispute_id=dispute.pk).select_related("original").first()
    return link.original if link else dispute


@transaction.atomic
def dispute_link(*, dispute: Dispute, original: Dispute, kind: str, by: User, reason: str = "") -> DisputeLink:
    """Link ``dispute`` (the later case) to ``original`` — to the root of its chain when ``original`` is
    itself linked. A duplicate is closed (办结, "并入原案") and follows the original; a repeat stays open,
    is counted on the chain and both cases' 民转刑 risk is assessed again. The caller checks that ``by``
    may see both cases (``for_user``).

    Raises ``ValidationError`` (``kind``/``ERR_LINK_KIND``; ``original``/``ERR_LINK_SELF``: the case
    itself; ``original``/``ERR_LINK_LOOP``: a case already linked to this one, which would make a loop)
    and ``DisputeConflict`` (``dispute``/``ERR_ALREADY_LINKED``; a
    duplicate of a closed case: ``status``/``ERR_TRANSITION``); nothing is written then."""
    if kind not in LinkKind.values:
        raise invalid("kind", _("关联类型无效。"), ERR_LINK_KIND)
    dispute = dispute_locked(dispute)
    root = chain_root(original)
    if original.pk == dispute.pk:
        raise invalid("original", _("不能把案件关联到其本身。"), ERR_LINK_SELF)
    if root.pk == dispute.pk:  # B → A after A → B (or via a longer chain): a loop, not the case itself
        raise invalid("original", _("两案不能相互关联（原案已关联到本案，会形成循环）。"), ERR_LINK_LOOP)
    if DisputeLink.objects.filter(dispute_id=dispute.pk).exists():
        raise conflict("dispute", _("该案件已关联过原案。"), ERR_ALREADY_LINKED)
    if kind == LinkKind.DUPLICATE and dispute.status == Status.CLOSED:
        raise conflict("status", _("已办结的案件不能再作为重复件并案。"), ERR_TRANSITION)
    link = DisputeLink(dispute=dispute, original=root, kind=kind, reason=reason, created_by=by)
    link.full_clean()
    link.save()
    label = LinkKind(kind).label
    note = str(_("%(kind)s，原案 %(number)s")) % {"kind": label, "number": root.number}
    if reason:
        note = f"{note}：{reason}"
    status, body = dispute.status, dispute.current_body
    if kind == LinkKind.DUPLICATE:
        now = timezone.now()
        dispute.status, dispute.closed_at = Status.CLOSED, now
        dispute_save(dispute, ["status", "closed_at"])
    event_record(dispute, action=EventAction.LINKED, from_status=status, from_body=body, by=by, reason=note)
    if kind == LinkKind.REPEAT:
        dispute_risk_update(dispute=dispute, by=by)
        if root.status != Status.CLOSED:
            dispute_risk_update(dispute=dispute_locked(root), by=by)
    return link
