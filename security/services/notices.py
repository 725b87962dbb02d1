"""Who must hear of what happens to a case (站内通知, issue "nobody misses a hand-off"), set-based:
one pass over a batch of events, one query for the bodies' staff.

- A case sent to a body (分派, 移交, 上报, 退回): everyone who acts for that body — its staff and the
  staff of the body above it (a police station's staff act for its 矛调中心), the same people who may
  accept it (``acting_bodies_condition``).
- A case the sweep escalated because it was overdue (``actor`` none): also the staff of the body it
  left, so they know it went up.
- A case whose 民转刑 risk becomes high: the acting staff of its body and the township officers
  (乡镇（街道）干部) over its place.
- A deadline near (``dispute_notices_due``, from the sweep): the acting staff, once per case, deadline
  and threshold.
Recipients never include the person who made the move."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.calendar import working_days_add
from governance.models import Role, RoleAssignment, User
from governance.notices import NoticeDraft, notices_send
from governance.querysets import path_ancestors
from security.choices import (
    NOTICE_AWAITING,
    NOTICE_DUE_SOON,
    NOTICE_FOLLOW_UP,
    NOTICE_HIGH_RISK,
    NOTICE_OVERDUE,
    RESOLVED_STATUSES,
    Category,
    EventAction,
    RiskLevel,
    Status,
)
from security.models import Dispute, DisputeEvent, MediationBody

DUE_SOON_WORKING_DAYS = 2  # the reminder comes this many working days before the deadline
FOLLOW_UP_DAYS = 30  # a resolved case is visited (回访) within a month; the reminder comes when it is not

HANDLING_STATUSES = (Status.ACCEPTED, Status.MEDIATING)
SENT_TO_BODY = frozenset(
    {
        EventAction.ROUTED,
        EventAction.TRANSFERRED,
        EventAction.ESCALATED,
        EventAction.RETURNED,
        EventAction.REFERRED,
        EventAction.DECIDED,
    }
)


OFFICER_ROLES = (Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER)


def body_actors(body_ids: Iterable[int]) -> dict[int, set[int]]:
    """``{body id: ids of the users who act for it}``: its staff, its parent body's staff, and the
    township or village officers assigned at the body's own division (who may accept for it)."""
    body_ids = set(body_ids)
    if not body_ids:
        return {}
    rows = list(MediationBody.objects.filter(pk__in=body_ids).values_list("pk", "parent_id", "division_id"))
    parents = {pk: parent for pk, parent, _division in rows}
    divisions = {pk: division for pk, _parent, division in rows}
    links = MediationBody.staff.through.objects.filter(
        mediationbody_id__in=body_ids | {p for p in parents.values() if p}
    ).values_list("mediationbody_id", "user_id")
    staff: dict[int, set[int]] = defaultdict(set)
    for body_id, user_id in links:
        staff[body_id].add(user_id)
    officers: dict[int, set[int]] = defaultdict(set)
    for division_id, user_id in RoleAssignment.objects.filter(
        role__in=OFFICER_ROLES, division_id__in=set(divisions.values()), user__is_active=True
    ).values_list("division_id", "user_id"):
        officers[division_id].add(user_id)
    return {
        body_id: staff[body_id] | staff.get(parents.get(body_id) or 0, set()) | officers.get(divisions[body_id], set())
        for body_id in body_ids
        if body_id in divisions
    }


def _send_visible(pairs: list[tuple[int, NoticeDraft]]) -> int:
    """Send each ``(dispute id, draft)`` whose recipient can open that case (``for_user``): a notice
    never leads to a 404. One query for the accounts, one per recipient for what they see."""
    wanted: dict[int, set[int]] = defaultdict(set)
    for dispute_id, draft in pairs:
        wanted[draft.recipient_id].add(dispute_id)
    visible: dict[int, set[int]] = {}
    for user in User.objects.filter(pk__in=list(wanted), is_active=True):
        ids = Dispute.objects.for_user(user).filter(pk__in=wanted[user.pk]).values_list("pk", flat=True)
        visible[user.pk] = set(ids)
    return notices_send(draft for dispute_id, draft in pairs if dispute_id in visible.get(draft.recipient_id, set()))


def _url(dispute_id: int) -> str:
    return reverse("security:dispute-detail", args=[dispute_id])


def _draft(user_id: int, kind: str, key: str, title: str, body: str, dispute: Dispute) -> NoticeDraft:
    return NoticeDraft(user_id, kind, key, title, body, _url(dispute.pk), dispute.division_id)


def dispute_notices_for_events(event_ids: Iterable[int]) -> int:
    """Write the notices a batch of case events calls for (see the module's rules). Returns how many
    notices were new; an event reported twice writes nothing more (keys name the event)."""
    events = list(
        DisputeEvent.objects.filter(pk__in=list(event_ids))
        .filter(Q(action__in=SENT_TO_BODY, to_body__isnull=False) | Q(action=EventAction.RISK))
        .select_related("dispute", "dispute__division", "to_body", "from_body")
    )
    if not events:
        return 0
    left = [e for e in events if e.action == EventAction.ESCALATED and e.actor_id is None and e.from_body_id]
    bodies = {e.to_body_id for e in events if e.to_body_id} | {e.from_body_id for e in left if e.from_body_id}
    if any(e.action == EventAction.RISK and e.dispute.current_body_id for e in events):
        bodies |= {e.dispute.current_body_id for e in events if e.dispute.current_body_id}
    actors = body_actors(bodies)
    drafts: list[tuple[int, NoticeDraft]] = []
    for event in events:
        dispute = event.dispute
        label = f"{dispute.number} {Category(dispute.category).label}"
        to_body = event.to_body
        if event.action in SENT_TO_BODY and to_body is not None:
            body = _("%(from)s%(action)s至%(to)s，请在 %(due)s 前接收。") % {
                "from": event.from_body.name if event.from_body else _("系统"),
                "action": EventAction(event.action).label,
                "to": to_body.name,
                "due": f"{dispute.deadline:%Y-%m-%d}" if dispute.deadline else "—",
            }
            title = _("待接收：%(case)s") % {"case": label}
            key = f"dispute:{dispute.pk}:event:{event.pk}"
            for user_id in actors.get(to_body.pk, set()) - {event.actor_id}:
                drafts.append((dispute.pk, _draft(user_id, NOTICE_AWAITING, key, title, body, dispute)))
            if event in left and event.from_body_id is not None:
                title = _("超期上报：%(case)s") % {"case": label}
                body = _("该纠纷超期未办结，已自动上报%(to)s。") % {"to": to_body.name}
                for user_id in actors.get(event.from_body_id, set()):
                    drafts.append((dispute.pk, _draft(user_id, NOTICE_OVERDUE, f"{key}:left", title, body, dispute)))
        elif event.action == EventAction.RISK and dispute.risk_level == RiskLevel.HIGH:
            drafts.extend((dispute.pk, draft) for draft in _high_risk(dispute, label, actors))
    return _send_visible(drafts)


def _remind(rows: Sequence[Mapping[str, Any]], kind: str, label: str, detail: Callable[[Any], tuple[str, str]]) -> int:
    """One reminder of ``kind`` per case row (``pk``, ``number``, ``category``, ``current_body_id``,
    ``division_id``) to everyone acting for its body who can open it; ``detail(row)`` gives the key's
    suffix and the body text. Returns how many notices were new."""
    actors = body_actors({row["current_body_id"] for row in rows})
    drafts = []
    for row in rows:
        suffix, body = detail(row)
        title = f"{label}：{row['number']} {Category(row['category']).label}"
        for user_id in actors.get(row["current_body_id"], set()):
            draft = NoticeDraft(
                user_id, kind, f"dispute:{row['pk']}:{suffix}", title, body, _url(row["pk"]), row["division_id"]
            )
            drafts.append((row["pk"], draft))
    return _send_visible(drafts)


def dispute_notices_follow_up(*, today: datetime.date | None = None) -> int:
    """Remind the staff of the body that resolved a case (达成协议 or 办结) ``FOLLOW_UP_DAYS`` days ago
    or more and has not visited it (回访) yet; once per case. Returns how many notices were new."""
    today = today or timezone.localdate()
    cutoff = timezone.make_aware(
        datetime.datetime.combine(today - datetime.timedelta(days=FOLLOW_UP_DAYS), datetime.time.max)
    )
    visited = DisputeEvent.objects.filter(dispute_id=OuterRef("pk"), action=EventAction.VISIT)
    due = list(
        Dispute.objects.filter(status__in=RESOLVED_STATUSES, resolved_at__lte=cutoff, current_body__isnull=False)
        .exclude(Exists(visited))
        .values("pk", "number", "category", "current_body_id", "division_id")
    )
    body = _("该纠纷化解已满 %(days)d 天，尚未回访。") % {"days": FOLLOW_UP_DAYS}
    return _remind(due, NOTICE_FOLLOW_UP, _("待回访"), lambda row: ("follow_up", body))


def _high_risk(dispute: Dispute, label: str, actors: dict[int, set[int]]) -> list[NoticeDraft]:
    officers = set(
        RoleAssignment.objects.filter(
            role=Role.TOWNSHIP_OFFICER, division__path__in=path_ancestors(dispute.division.path)
        ).values_list("user_id", flat=True)
    )
    staff = actors.get(dispute.current_body_id, set()) if dispute.current_body_id else set()
    title = _("民转刑高风险：%(case)s") % {"case": label}
    body = _("研判依据：%(reasons)s") % {"reasons": "；".join(dispute.risk_reasons) or "—"}
    key = f"dispute:{dispute.pk}:high_risk"
    return [_draft(user_id, NOTICE_HIGH_RISK, key, title, body, dispute) for user_id in officers | staff]


def dispute_notices_due(*, today: datetime.date | None = None) -> int:
    """Remind the acting staff of every case being handled (接收 or 调解中) whose handling deadline
    falls within ``DUE_SOON_WORKING_DAYS`` working days (Asia/Shanghai dates; ``governance.calendar``),
    once per case and deadline. A case still awaiting acceptance is not reminded: its short acceptance
    window is the 纠纷待接收 notice's, and the sweep escalates it. Returns how many notices were new."""
    today = today or timezone.localdate()
    horizon = working_days_add(today, DUE_SOON_WORKING_DAYS)
    due = list(
        Dispute.objects.filter(
            status__in=HANDLING_STATUSES, deadline__gte=today, deadline__lte=horizon, current_body__isnull=False
        ).values("pk", "number", "category", "deadline", "current_body_id", "division_id")
    )
    return _remind(
        due,
        NOTICE_DUE_SOON,
        _("即将到期"),
        lambda row: (
            f"due:{row['deadline']:%Y%m%d}",
            _("办理期限 %(due)s，请及时办理。") % {"due": f"{row['deadline']:%Y-%m-%d}"},
        ),
    )
