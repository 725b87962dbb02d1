"""领导包案 (issue 20): open cases that meet one of the district's rules (``LeaderCaseRule``, kept in the
admin) are nominated by a daily task; a leader takes charge of one (一案一领导), records the plan with
its due date and the progress; the case is 销号 when it is resolved."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Role, User
from security.choices import OPEN_STATUSES, RESOLVED_STATUSES, Status
from security.models import (
    Dispute,
    LeaderCase,
    LeaderCaseProgress,
    LeaderCaseRule,
    LeaderCaseStatus,
    LeaderRuleKind,
    LinkKind,
)
from security.services.common import conflict, invalid

ERR_NOT_LEADER = "not_leader"
ERR_HAS_LEADER = "has_leader"
ERR_NOT_IN_CHARGE = "not_in_charge"
ERR_DUE_IN_PAST = "due_in_past"
ERR_DUE_TOO_FAR = "due_too_far"
#: A 包案 plan is due within a year: a date further out (e.g. 9999-12-31) is no plan at all.
PLAN_DUE_MAX_DAYS = 365
ERR_REQUIRED = "required"
ERR_CASE_DONE = "leader_case_done"

# Cases still waiting for a leader's work: received and not yet resolved.
NOMINABLE_STATUSES = (Status.RECEIVED, *OPEN_STATUSES)


def _matching(rule: LeaderCaseRule, now: datetime.datetime):
    """Open cases meeting ``rule``, each with the reason in Chinese (a queryset, one query)."""
    cases = Dispute.objects.filter(status__in=NOMINABLE_STATUSES)
    if rule.kind == LeaderRuleKind.REPEATS:
        repeats = Count("linked_cases", filter=Q(linked_cases__kind=LinkKind.REPEAT))
        return cases.annotate(n=repeats).filter(n__gte=rule.threshold)
    if rule.kind == LeaderRuleKind.PEOPLE:
        return cases.filter(people_involved__gte=rule.threshold)
    return cases.filter(received_at__lte=now - datetime.timedelta(days=rule.threshold))


def _reason(rule: LeaderCaseRule) -> str:
    return f"{rule.get_kind_display()} {rule.threshold}（{rule.name}）"


@transaction.atomic
def leader_cases_nominate(*, now: datetime.datetime | None = None) -> int:
    """Nominate every open case that meets an active rule and is not nominated yet (one case, one
    nomination: a case whose leader case was 销号 is not nominated again). Rules: ``repeats`` — at
    least ``threshold`` 重复信访 linked to the case (the chain's first case); ``people`` — at least
    ``threshold`` people involved; ``open_days`` — received at least ``threshold`` days ago. Returns
    how many were nominated. One query per rule plus one insert; idempotent."""
    now = now or timezone.now()
    found: dict[int, tuple[LeaderCaseRule, list[str]]] = {}
    for rule in LeaderCaseRule.objects.filter(is_active=True).order_by("kind", "threshold", "pk"):
        ids = _matching(rule, now).exclude(leader_case__isnull=False).values_list("pk", flat=True)
        for pk in ids:
            found.setdefault(pk, (rule, []))[1].append(_reason(rule))
    rows = [LeaderCase(dispute_id=pk, rule=first, reasons=why, nominated_at=now) for pk, (first, why) in found.items()]
    # ignore_conflicts: a nomination made by a concurrent run is kept, not doubled (one per case).
    LeaderCase.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def _locked(leader_case: LeaderCase) -> LeaderCase:
    return LeaderCase.objects.select_for_update(of=("self",)).select_related("dispute").get(pk=leader_case.pk)


@transaction.atomic
def leader_case_take(*, leader_case: LeaderCase, leader: User) -> LeaderCase:
    """A leader takes charge of a nominated case (一案一领导). The caller finds the case through
    ``for_user``. Raises ``DisputeConflict`` (``leader``/``ERR_NOT_LEADER``: no leader role;
    ``ERR_HAS_LEADER``: another leader has it; ``status``/``ERR_CASE_DONE``)."""
    if not leader.has_role(Role.LEADER):
        raise conflict("leader", _("只有领导可以包案。"), ERR_NOT_LEADER)
    leader_case = _locked(leader_case)
    if leader_case.status == LeaderCaseStatus.DONE:
        raise conflict("status", _("该包案已销号。"), ERR_CASE_DONE)
    if leader_case.leader_id is not None:
        if leader_case.leader_id == leader.pk:
            return leader_case
        raise conflict("leader", _("该案件已由 %(leader)s 包案。"), ERR_HAS_LEADER, leader=str(leader_case.leader))
    leader_case.leader, leader_case.taken_at = leader, timezone.now()
    leader_case.status = LeaderCaseStatus.IN_CHARGE
    leader_case.full_clean()
    leader_case.save(update_fields=["leader", "taken_at", "status"])
    return leader_case


def _in_charge(leader_case: LeaderCase, by: User) -> None:
    if leader_case.leader_id != by.pk:
        raise conflict("leader", _("只有包案领导本人可以记录。"), ERR_NOT_IN_CHARGE)
    if leader_case.status == LeaderCaseStatus.DONE:
        raise conflict("status", _("该包案已销号。"), ERR_CASE_DONE)


@transaction.atomic
def leader_case_plan(*, leader_case: LeaderCase, by: User, plan: str, due_on: datetime.date) -> LeaderCase:
    """The leader in charge records (or revises) the plan and its due date (Asia/Shanghai, today or
    later, at most ``PLAN_DUE_MAX_DAYS`` = 365 days ahead). Raises ``ValidationError``
    (``plan``/``ERR_REQUIRED``; ``due_on``/``ERR_DUE_IN_PAST`` or ``ERR_DUE_TOO_FAR``) and
    ``DisputeConflict`` (``leader``/``ERR_NOT_IN_CHARGE``)."""
    leader_case = _locked(leader_case)
    _in_charge(leader_case, by)
    if not (plan or "").strip():
        raise invalid("plan", _("请填写化解方案。"), ERR_REQUIRED)
    today = timezone.localdate()
    if due_on < today:
        raise invalid("due_on", _("计划化解日期不能早于今天。"), ERR_DUE_IN_PAST)
    latest = today + datetime.timedelta(days=PLAN_DUE_MAX_DAYS)
    if due_on > latest:
        message = _("计划化解日期须在今天起一年内（不晚于 %(latest)s）。") % {"latest": latest.isoformat()}
        raise invalid("due_on", message, ERR_DUE_TOO_FAR)
    leader_case.plan, leader_case.plan_due = plan.strip(), due_on
    leader_case.full_clean()
    leader_case.save(update_fields=["plan", "plan_due"])
    return leader_case


@transaction.atomic
def leader_case_progress_add(*, leader_case: LeaderCase, by: User, note: str) -> LeaderCaseProgress:
    """One progress entry by the leader in charge; when the case is resolved by then, the leader case
    is 销号. Raises ``ValidationError`` (``note``/``ERR_REQUIRED``) and ``DisputeConflict``
    (``leader``/``ERR_NOT_IN_CHARGE``)."""
    leader_case = _locked(leader_case)
    _in_charge(leader_case, by)
    if not (note or "").strip():
        raise invalid("note", _("请填写进展情况。"), ERR_REQUIRED)
    entry = LeaderCaseProgress.objects.create(leader_case=leader_case, note=note.strip(), recorded_by=by)
    if leader_case.dispute.status in RESOLVED_STATUSES:
        leader_case.status = LeaderCaseStatus.DONE
        leader_case.save(update_fields=["status"])
    return entry
