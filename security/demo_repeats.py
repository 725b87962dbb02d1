"""Demo data of issue 20 (registered from ``security.demo``): the 领导包案 rules, a case with three
linked 重复信访 nominated for and led by ``demo_leader``, and a case bounced twice between a village's
committee and the station's 矛调中心, now with the township's 综治中心 to decide jurisdiction. It adds
links, events and referrals to a few demo cases of 万宝镇 and changes no seeded figure (counts of cases,
the article's statistics). Idempotent."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from governance.calendar import working_days_add
from governance.demo import DEMO_TOWNSHIP
from governance.models import Division, User
from governance.registry import registry
from security.choices import OPEN_STATUSES, BodyKind, EventAction, Status
from security.models import (
    Dispute,
    DisputeEvent,
    DisputeLink,
    JurisdictionReferral,
    LeaderCase,
    LeaderCaseRule,
    LeaderRuleKind,
    LinkKind,
    MediationBody,
)
from security.services.leader_cases import leader_case_plan, leader_case_take, leader_cases_nominate

RULES = [
    ("重复信访三次以上", LeaderRuleKind.REPEATS, 3),
    ("涉及三十人以上群体性纠纷", LeaderRuleKind.PEOPLE, 30),
    ("一年以上未化解", LeaderRuleKind.OPEN_DAYS, 365),
]


def _seed_links(cases: list[Dispute], by: User | None) -> int:
    root, repeats = cases[0], cases[1:4]
    links = [
        DisputeLink(dispute=case, original=root, kind=LinkKind.REPEAT, reason="同一当事人再次来访", created_by=by)
        for case in repeats
    ]
    for link in links:
        link.save()
    return len(links)


def _seed_bounces(dispute: Dispute, township: Division) -> None:
    bodies = MediationBody.objects.filter(division=township)
    station_centre = bodies.filter(kind=BodyKind.STATION_CENTRE).first()
    centre = bodies.filter(kind=BodyKind.CENTRE).first()
    village = dispute.current_body
    if station_centre is None or centre is None or village is None:
        return
    now = timezone.now()
    steps = [
        (EventAction.TRANSFERRED, Status.TRANSFERRED, village, station_centre, "涉及治安因素，移交派出所矛调中心"),
        (EventAction.RETURNED, Status.RETURNED, station_centre, village, "属民间纠纷，退回村调委会"),
        (EventAction.TRANSFERRED, Status.TRANSFERRED, village, station_centre, "再次移交"),
        (EventAction.REFERRED, Status.ESCALATED, station_centre, centre, "第 2 次退单，提请综治中心裁定管辖"),
    ]
    status = dispute.status
    for hours, (action, to_status, from_body, to_body, reason) in enumerate(steps, start=1):
        DisputeEvent.objects.create(
            dispute=dispute,
            action=action,
            from_status=status,
            to_status=to_status,
            from_body=from_body,
            to_body=to_body,
            reason=reason,
            created_at=now - datetime.timedelta(hours=6 - hours),
        )
        status = to_status
    due = working_days_add(timezone.localdate(), 1)
    JurisdictionReferral.objects.create(dispute=dispute, centre=centre, bounces=2, due_on=due)
    dispute.status, dispute.current_body, dispute.deadline = Status.ESCALATED, centre, due
    dispute.save(update_fields=["status", "current_body", "deadline", "updated_at"])


@registry.demo("security.repeats", order=96)
def seed_repeats(*, stdout, options) -> None:
    """领导包案 rules, linked 重复信访 with their 包案, and a case bounced twice (after ``security.accounts``)."""
    for name, kind, threshold in RULES:
        LeaderCaseRule.objects.get_or_create(name=name, defaults={"kind": kind, "threshold": threshold})
    if DisputeLink.objects.exists() or JurisdictionReferral.objects.exists():
        stdout.write("  重复信访、领导包案、退单：已有")
        return
    township = Division.objects.get(code=f"{settings.DISTRICT_CODE}{DEMO_TOWNSHIP}")
    open_cases = list(
        Dispute.objects.in_subtree(township)
        .filter(status__in=OPEN_STATUSES, current_body__kind=BodyKind.PEOPLES_MEDIATION)
        .order_by("received_at", "pk")[:5]
    )
    if len(open_cases) < 5:
        stdout.write("  重复信访、领导包案、退单：演示纠纷不足，跳过")
        return
    leader = User.objects.filter(username="demo_leader").first()
    officer = User.objects.filter(username="demo_township_officer").first() or leader
    with transaction.atomic():
        linked = _seed_links(open_cases[:4], officer) if officer is not None else 0
        _seed_bounces(open_cases[4], township)
        nominated = leader_cases_nominate()
        lead = LeaderCase.objects.filter(dispute=open_cases[0]).first()
        if leader is not None and lead is not None:
            lead = leader_case_take(leader_case=lead, leader=leader)
            due = timezone.localdate() + datetime.timedelta(days=30)
            leader_case_plan(leader_case=lead, by=leader, plan="包案领导约谈当事人，协调相关部门一并化解", due_on=due)
    stdout.write(f"  重复信访 {linked} 件，领导包案提名 {nominated} 件，退单提请裁定 1 件")
