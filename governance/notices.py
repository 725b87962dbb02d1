"""站内通知: writing notices once per event, set-based, and sending the e-mail copies people asked for.

Apps decide *who* must hear of *what* (``security.services.notices``: the staff of a body a case was
sent to…) and call ``notices_send``; this module owns storage, de-duplication and delivery. E-mail
goes through Django's e-mail backend (SMTP from the environment, the console in development), by a
Celery task after the transaction commits; a failed send is retried and never touches the notice in
the inbox."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from celery import current_app
from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from governance.models import Division, Notice, NoticePreference, RoleAssignment, User
from governance.querysets import path_ancestors
from governance.tasking import enqueue_on_commit

NOTICES_EMAIL_TASK = "governance.notices_email"
EMAIL_MAX_ATTEMPTS = 8  # with the task's back-off (1, 2, 4 … 64 minutes, then beat every 10): about a day


@dataclass(frozen=True)
class NoticeDraft:
    """One notice for one person. ``key`` identifies the event (``"dispute:12:event:345"``): the same key
    for the same person is written once, however often the event is reported."""

    recipient_id: int
    kind: str
    key: str
    title: str
    body: str = ""
    url: str = ""
    division_id: int | None = None


_INSERT = """
INSERT INTO {table} (recipient_id, kind, key, title, body, url, division_id, email_wanted,
                     created_at, email_attempts)
SELECT r, k, y, t, b, u, d, w, %(now)s, 0
FROM unnest(%(r)s::bigint[], %(k)s::varchar[], %(y)s::varchar[], %(t)s::varchar[], %(b)s::text[],
            %(u)s::varchar[], %(d)s::bigint[], %(w)s::boolean[]) AS x(r, k, y, t, b, u, d, w)
ON CONFLICT (recipient_id, key) DO NOTHING
RETURNING email_wanted
"""


def notices_send(drafts: Iterable[NoticeDraft]) -> int:
    """Write the drafts in one statement, skipping any (recipient, key) already there; a notice is
    also marked for e-mail when its recipient chose e-mail for its kind and has an address. The e-mail
    task is queued after the transaction commits. Returns how many notices were new. Raises nothing
    of its own (a broker that is down only delays the e-mail: beat catches up)."""
    drafts = list({(d.recipient_id, d.key): d for d in drafts}.values())
    if not drafts:
        return 0
    recipients = {d.recipient_id for d in drafts}
    wanted = set(
        NoticePreference.objects.filter(user_id__in=recipients, email=True)
        .exclude(user__email="")
        .values_list("user_id", "kind")
    )
    params: dict[str, Any] = {
        "now": timezone.now(),
        "r": [d.recipient_id for d in drafts],
        "k": [d.kind for d in drafts],
        "y": [d.key[:120] for d in drafts],
        "t": [d.title[:200] for d in drafts],
        "b": [d.body for d in drafts],
        "u": [d.url[:300] for d in drafts],
        "d": [d.division_id for d in drafts],
        "w": [(d.recipient_id, d.kind) in wanted for d in drafts],
    }
    with connection.cursor() as cursor:
        cursor.execute(_INSERT.format(table=Notice._meta.db_table), params)
        written = cursor.fetchall()
    if any(email for (email,) in written):
        # By name: the task module imports this one.
        enqueue_on_commit(current_app.signature(NOTICES_EMAIL_TASK))
    return len(written)


def recipients_in_area(division: Division, roles: Iterable[str]) -> set[int]:
    """Ids of active users holding one of ``roles`` over ``division``'s area: assignments at the
    division, above it, or inside its subtree (a district-wide ranking concerns every village officer
    in it, and the township officers over them)."""
    above = path_ancestors(division.path)
    return set(
        RoleAssignment.objects.filter(role__in=list(roles), user__is_active=True)
        .filter(Q(division__path__in=above) | Q(division__path__startswith=division.path))
        .values_list("user_id", flat=True)
    )


def notices_unread_count(user: User) -> int:
    """The number on the bell: the person's unread notices."""
    return Notice.objects.for_recipient(user).unread().count()


def notices_mark_read(*, user: User, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notices read (``ids``, or all of them); another person's ids are ignored.
    Returns how many changed."""
    queryset: QuerySet[Notice] = Notice.objects.for_recipient(user).unread()
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())


def notices_email_pending(*, batch_size: int = 200) -> tuple[int, int]:
    """Send the e-mail copies still owed, oldest first, each once: a row is locked while it is sent
    (another worker skips it) and stamped when the backend accepted it. A failure counts an attempt and
    leaves the row for the next run, up to ``EMAIL_MAX_ATTEMPTS``. Returns (sent, failed)."""
    sent = failed = 0
    with transaction.atomic():
        pending = list(
            Notice.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(email_wanted=True, emailed_at=None, email_attempts__lt=EMAIL_MAX_ATTEMPTS)
            .order_by("id")[:batch_size]
        )
        for notice in pending:
            link = f"{settings.PORTAL_BASE_URL.rstrip('/')}{notice.url}" if notice.url else ""
            try:
                send_mail(
                    subject=f"【{settings.PORTAL_TITLE}】{notice.title}",
                    message="\n\n".join(part for part in (notice.body, link) if part),
                    from_email=None,
                    recipient_list=[notice.recipient.email],
                )
            except Exception:  # any transport error: counted and retried, never lost
                notice.email_attempts += 1
                notice.save(update_fields=["email_attempts"])
                failed += 1
                continue
            notice.emailed_at = timezone.now()
            notice.email_attempts += 1
            notice.save(update_fields=["emailed_at", "email_attempts"])
            sent += 1
    return sent, failed


def notices_prune(*, older_than_days: int = 365) -> int:
    """Read notices older than a year leave the inbox for good (they are delivery records, not
    casework: the cases keep their own events). Returns how many were removed."""
    cutoff = timezone.now() - datetime.timedelta(days=older_than_days)
    deleted, _per_model = Notice.objects.filter(read_at__isnull=False, created_at__lt=cutoff).delete()
    return deleted
