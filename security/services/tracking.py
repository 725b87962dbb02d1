"""一案一码 and 群众评价 (issue 20, items 1 and 2).

The token of a case's code is ``base64url(HMAC-SHA256(SECRET_KEY, "security.tracking", nonce))[:22]``
(128 bits): unguessable, and printable again from the stored nonce. Only its SHA-256 is stored and
looked up (one indexed query, the same for a wrong token and a revoked one). After a change of
``SECRET_KEY`` the printed codes keep working (their hashes are stored); printing again then issues
a new code (``tracking_token``), revoking the old one.

A rating is verified by the last four digits of the phone given with the case (the party's case
phone, else their own): ``RATING_MAX_FAILURES`` wrong tries lock the form for ``RATING_LOCK_MINUTES``.
"Not solved" sends the case back to the supervisor of the body that closed it, once per case."""

from __future__ import annotations

import base64
import datetime
import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _g
from django.utils.translation import gettext_lazy as _

from governance.models import User
from governance.notices import NoticeDraft
from security.choices import NOTICE_REOPENED, RESOLVED_STATUSES, Category, EventAction, Satisfaction, Status
from security.models import Dispute, DisputeEvent, DisputeParty, DisputeRating, MediationBody, TrackingCode
from security.services.common import (
    ACCEPT_WORKING_DAYS,
    conflict,
    deadline_set,
    dispute_locked,
    dispute_save,
    event_record,
    invalid,
)
from security.services.notices import _send_visible, body_actors
from security.services.routing import centre_above

TOKEN_SALT = "security.tracking"
TOKEN_LENGTH = 22  # base64url characters: 132 bits of the HMAC
RATING_MAX_FAILURES = 5
RATING_LOCK_MINUTES = 30
COMMENT_MAX_LENGTH = 500

ERR_PHONE_DIGITS = "phone_digits_mismatch"
ERR_RATING_LOCKED = "rating_locked"
ERR_ALREADY_RATED = "already_rated"
ERR_NOT_RESOLVED = "not_resolved"
ERR_REASON_REQUIRED = "required"


def token_hash(token: str) -> str:
    """SHA-256 hex of a token: what is stored and looked up."""
    return hashlib.sha256(token.encode()).hexdigest()


def _token_of(nonce: str) -> str:
    digest = salted_hmac(TOKEN_SALT, nonce, algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")[:TOKEN_LENGTH]


def _issue(dispute: Dispute) -> tuple[TrackingCode, str]:
    nonce = secrets.token_hex(16)
    token = _token_of(nonce)
    code = TrackingCode.objects.create(dispute=dispute, nonce=nonce, token_hash=token_hash(token))
    return code, token


def tracking_token(*, dispute: Dispute) -> str:
    """The token of the case's valid code, issuing one on first use (existing cases get theirs on their
    first print: no migration walks a million rows). Race-safe: two first prints of one case end with
    one code. When the secret key changed since the code was issued, the old code is revoked and a new
    one issued (the printed one keeps working until then)."""
    code = TrackingCode.objects.filter(dispute=dispute, revoked_at__isnull=True).first()
    if code is not None:
        token = _token_of(code.nonce)
        if token_hash(token) == code.token_hash:
            return token
        return tracking_code_revoke(code=code, by=None)[1]
    try:
        with transaction.atomic():
            return _issue(dispute)[1]
    except IntegrityError:  # issued meanwhile by another request
        code = TrackingCode.objects.get(dispute=dispute, revoked_at__isnull=True)
        return _token_of(code.nonce)


@transaction.atomic
def tracking_code_revoke(*, code: TrackingCode, by: User | None) -> tuple[TrackingCode, str]:
    """Revoke ``code`` (a lost or leaked receipt) and issue the case a new one; returns the new code
    and its token. A code already revoked is left as it is (the case's valid code, if any, is revoked)."""
    TrackingCode.objects.filter(dispute_id=code.dispute_id, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=by
    )
    return _issue(code.dispute)


def tracking_code_find(token: str) -> TrackingCode | None:
    """The valid code of ``token`` with its case and the case's body, or None (wrong, malformed or
    revoked token alike: one indexed query in every case, so the answers cannot be told apart)."""
    return (
        TrackingCode.objects.filter(token_hash=token_hash(token or ""), revoked_at__isnull=True)
        .select_related("dispute", "dispute__current_body", "dispute__division")
        .first()
    )


# --- 群众评价 ------------------------------------------------------------------------------------


def rating_round(dispute: Dispute) -> int:
    """0 before the case was reopened by a rating, 1 after."""
    return 1 if dispute.events.filter(action=EventAction.REOPENED).exists() else 0


def _digits(phone: str | None) -> str:
    return "".join(ch for ch in (phone or "") if ch.isdigit())[-4:]


def supervisor_of(body: MediationBody | None) -> MediationBody | None:
    """The body a case goes back to when a party says it was not solved: the body's parent (a station
    above its 矛调中心), else the 综治中心 one level up, else the body itself at the top level (its staff
    take it again)."""
    if body is None:
        return None
    if body.parent is not None and body.parent.is_active:
        return body.parent
    return centre_above(body) or body


def dispute_rate(
    *, code: TrackingCode, phone_last4: str, satisfaction: int, solved: bool, comment: str = ""
) -> DisputeRating:
    """A party rates the resolved case of ``code``: ``phone_last4`` picks the party (the first who has
    not rated in this round whose case phone, else own phone, ends in those digits). Records a
    ``DisputeRating`` and a RATED event; "not solved" (with its reason in ``comment``) reopens the case
    (``dispute_reopen``) unless it was reopened before. Raises ``DisputeConflict`` (``status``/
    ``ERR_NOT_RESOLVED``; ``phone_last4``/``ERR_RATING_LOCKED``) and ``ValidationError``
    (``phone_last4``/``ERR_PHONE_DIGITS``: counted, and the form locks for ``RATING_LOCK_MINUTES``
    after ``RATING_MAX_FAILURES``; ``ERR_ALREADY_RATED``; ``comment``/``ERR_REASON_REQUIRED``;
    ``satisfaction``). Nothing but the failure count is written when it raises."""
    comment = (comment or "").strip()
    if satisfaction not in Satisfaction.values:
        raise invalid("satisfaction", _("请选择满意度。"), "invalid_choice")
    if not solved and not comment:
        raise invalid("comment", _("请说明问题未解决的原因。"), ERR_REASON_REQUIRED)
    if len(comment) > COMMENT_MAX_LENGTH:  # a TextField's max_length is not checked by full_clean
        raise invalid("comment", _("意见不能超过 500 字。"), "max_length")
    now = timezone.now()
    code = TrackingCode.objects.select_related("dispute").get(pk=code.pk)
    if code.locked_until and code.locked_until > now:
        raise conflict("phone_last4", _("核验错误次数过多，请 %(minutes)d 分钟后再试。"), ERR_RATING_LOCKED,
                       minutes=RATING_LOCK_MINUTES)  # fmt: skip
    if code.dispute.status not in RESOLVED_STATUSES:
        raise conflict("status", _("案件办结后才能评价。"), ERR_NOT_RESOLVED)
    parties = [
        p.pk
        for p in DisputeParty.objects.filter(dispute_id=code.dispute_id).select_related("person").order_by("id")
        if len(phone_last4) == 4 and _digits(p.phone or p.person.phone) == phone_last4
    ]
    if not parties:
        # Outside any transaction of ours: the count stays although nothing else is written.
        _failure_count(code, now)
        raise invalid("phone_last4", _("手机号后四位与本案当事人登记的号码不符。"), ERR_PHONE_DIGITS)
    return _rating_write(code, parties, satisfaction=satisfaction, solved=solved, comment=comment)


def _failure_count(code: TrackingCode, now: datetime.datetime) -> None:
    if code.failed_attempts + 1 >= RATING_MAX_FAILURES:
        locked = now + datetime.timedelta(minutes=RATING_LOCK_MINUTES)
        TrackingCode.objects.filter(pk=code.pk).update(failed_attempts=0, locked_until=locked)
    else:
        TrackingCode.objects.filter(pk=code.pk).update(failed_attempts=F("failed_attempts") + 1)


@transaction.atomic
def _rating_write(code: TrackingCode, parties: list[int], *, satisfaction: int, solved: bool, comment: str):
    dispute = dispute_locked(code.dispute)
    if dispute.status not in RESOLVED_STATUSES:
        raise conflict("status", _("案件办结后才能评价。"), ERR_NOT_RESOLVED)
    round_ = rating_round(dispute)
    rated = set(DisputeRating.objects.filter(dispute=dispute, round=round_).values_list("party_id", flat=True))
    party_id = next((pk for pk in parties if pk not in rated), None)
    if party_id is None:
        raise invalid("phone_last4", _("该当事人已评价过本案，感谢您的反馈。"), ERR_ALREADY_RATED)
    party = DisputeParty.objects.get(pk=party_id)
    TrackingCode.objects.filter(pk=code.pk, failed_attempts__gt=0).update(failed_attempts=0)
    rating = DisputeRating(
        dispute=dispute, party=party, body=dispute.current_body, round=round_,
        satisfaction=satisfaction, solved=solved, comment=comment,
    )  # fmt: skip
    rating.full_clean()
    rating.save()
    verdict = _g("问题已解决") if solved else _g("问题未解决")
    reason = "；".join(filter(None, [str(Satisfaction(satisfaction).label), verdict, comment]))
    event_record(dispute, action=EventAction.RATED, from_status=dispute.status, from_body=dispute.current_body,
                 by=None, reason=f"{party.get_role_display()}：{reason}")  # fmt: skip
    if not solved and round_ == 0:
        dispute_reopen(dispute=dispute, reason=comment)
    return rating


def dispute_reopen(*, dispute: Dispute, reason: str) -> Dispute:
    """A party said the problem was not solved: the case goes back, open, to the supervisor of the body
    that resolved it (``supervisor_of``), which must accept it within ``ACCEPT_WORKING_DAYS`` working
    days; its resolution and closing times are cleared; a REOPENED event carries the party's reason
    and the supervisor's acting staff are notified. Once per case: raises ``DisputeConflict``
    (``status``) for a case reopened before or not resolved. Call inside a transaction."""
    dispute = dispute_locked(dispute)
    if dispute.status not in RESOLVED_STATUSES:
        raise conflict("status", _("案件办结后才能重新办理。"), ERR_NOT_RESOLVED)
    if dispute.events.filter(action=EventAction.REOPENED).exists():
        raise conflict("status", _("本案已因群众评价重新办理过一次。"), "already_reopened")
    from_status, from_body = dispute.status, dispute.current_body
    dispute.current_body = supervisor_of(from_body) or from_body
    dispute.status = Status.ESCALATED
    dispute.resolved_at = dispute.closed_at = None
    fields = ["current_body", "status", "resolved_at", "closed_at"]
    fields += deadline_set(dispute, start=timezone.localdate(), days=ACCEPT_WORKING_DAYS)
    dispute_save(dispute, fields)
    event = event_record(dispute, action=EventAction.REOPENED, from_status=from_status, from_body=from_body,
                         by=None, reason=reason)  # fmt: skip
    _notify_reopened(dispute, event)
    return dispute


def _notify_reopened(dispute: Dispute, event: DisputeEvent) -> int:
    if dispute.current_body_id is None:
        return 0
    actors = body_actors({dispute.current_body_id})
    title = _g("群众评价未解决：%(case)s") % {"case": f"{dispute.number} {Category(dispute.category).label}"}
    body = _g("当事人评价问题未解决，案件已退回%(body)s重新办理，请在 %(due)s 前接收。原因：%(reason)s") % {
        "body": dispute.current_body.name if dispute.current_body else "—",
        "due": f"{dispute.deadline:%Y-%m-%d}" if dispute.deadline else "—",
        "reason": event.reason,
    }
    url = reverse("security:dispute-detail", args=[dispute.pk])
    key = f"dispute:{dispute.pk}:event:{event.pk}:reopened"
    drafts = [
        (dispute.pk, NoticeDraft(user_id, NOTICE_REOPENED, key, title, body, url, dispute.division_id))
        for user_id in actors.get(dispute.current_body_id, set())
    ]
    return _send_visible(drafts)
