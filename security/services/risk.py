"""民转刑 risk: a rule-based score of how likely a dispute is to turn into a criminal case, with its
reasons. A case is assessed when received and again when mediation fails."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from governance.models import User
from security.choices import Category, EventAction, RiskLevel
from security.models import Dispute, DisputeEvent, DisputeLink, DisputeParty, LinkKind
from security.services.common import dispute_save, event_record

RISK_WINDOW_DAYS = 90
RISKY_CATEGORIES = frozenset(
    {Category.MARRIAGE_FAMILY, Category.NEIGHBOUR, Category.LAND, Category.DEMOLITION, Category.CONTRACT_DEBT}
)
MEDIUM_RISK_SCORE = 30
HIGH_RISK_SCORE = 60


@dataclass(frozen=True)
class RiskAssessment:
    score: int  # 0–100
    level: int  # RiskLevel
    reasons: list[str]


def dispute_risk_assess(*, dispute: Dispute) -> RiskAssessment:
    """A rule-based 民转刑 score (0–100), its level and its reasons: repeat disputes of the same parties
    within 90 days, 重复信访 linked by an officer, an earlier failed mediation, threats, a category that
    easily escalates. Four queries; writes nothing, raises nothing."""
    score, reasons = 0, []
    people = list(dispute.parties.values_list("person_id", flat=True))
    if people:
        since = dispute.received_at - datetime.timedelta(days=RISK_WINDOW_DAYS)
        need = min(2, len(people))  # "the same parties": both sides when there are two
        repeats = (
            DisputeParty.objects.filter(person_id__in=people, dispute__received_at__gte=since)
            .exclude(dispute_id=dispute.pk)
            .values("dispute_id")
            .annotate(shared=Count("person_id", distinct=True))
            .filter(shared__gte=need)
            .count()
        )
        if repeats:
            score += 30 + min(repeats - 1, 2) * 10
            reasons.append(str(_("90天内同一当事人重复纠纷 %(n)d 起") % {"n": repeats}))
        failed_before = DisputeEvent.objects.filter(
            Q(dispute_id=dispute.pk) | Q(dispute__parties__person_id__in=people), action=EventAction.FAILED
        ).exists()
    else:
        failed_before = dispute.pk is not None and dispute.events.filter(action=EventAction.FAILED).exists()
    if failed_before:
        score += 25
        reasons.append(str(_("曾调解不成")))
    linked = repeats_linked(dispute)
    if linked:
        # 重复信访 an officer linked (issue 20): each one makes a violent turn likelier.
        score += 20 + min(linked - 1, 2) * 10
        reasons.append(str(_("重复信访 %(n)d 次") % {"n": linked}))
    if dispute.threats_noted:
        score += 40
        reasons.append(str(_("有威胁、暴力言行")))
    if dispute.category in RISKY_CATEGORIES:
        score += 15
        reasons.append(str(_("易激化纠纷类型：%(category)s") % {"category": dispute.get_category_display()}))
    level = RiskLevel.HIGH if score >= HIGH_RISK_SCORE else RiskLevel.MEDIUM if score >= MEDIUM_RISK_SCORE else 1
    return RiskAssessment(score=min(score, 100), level=int(level), reasons=reasons)


def repeats_linked(dispute: Dispute) -> int:
    """重复信访 linked to the chain of ``dispute`` (links point at the chain's first case). One query,
    none for a case not saved yet."""
    if dispute.pk is None:
        return 0
    root = DisputeLink.objects.filter(dispute_id=dispute.pk).values("original_id")[:1]
    repeats = DisputeLink.objects.filter(kind=LinkKind.REPEAT)
    return repeats.filter(Q(original_id=dispute.pk) | Q(original_id=root)).count()


def dispute_risk_update(*, dispute: Dispute, by: User | None) -> None:
    """Assess the case again and store the score, level and reasons; when the score or level changed,
    record a ``risk`` event. Call with the case locked (inside its move's transaction)."""
    assessment = dispute_risk_assess(dispute=dispute)
    changed = (assessment.score, assessment.level) != (dispute.risk_score, dispute.risk_level)
    dispute.risk_score, dispute.risk_level, dispute.risk_reasons = (
        assessment.score,
        assessment.level,
        assessment.reasons,
    )
    if changed:
        dispute_save(dispute, ["risk_score", "risk_level", "risk_reasons"])
        event_record(
            dispute,
            action=EventAction.RISK,
            from_status=dispute.status,
            from_body=dispute.current_body,
            by=by,
            reason=str(_("风险分 %(score)d：%(reasons)s"))
            % {"score": assessment.score, "reasons": "；".join(assessment.reasons) or "—"},
        )
