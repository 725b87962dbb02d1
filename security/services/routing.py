"""Where a case goes: the routing rules (分流规则), the nearest body of a kind, and the 综治中心 one level
up. Reads only; the moves write."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.models import Division
from governance.querysets import path_codes
from security.choices import POLICE_CATEGORIES, BodyKind, Channel
from security.models import Dispute, MediationBody, RoutingRule
from security.services.common import DEFAULT_DEADLINE_DAYS


def routing_rule_match(
    *, category: str, channel: str, division: Division, risk_level: int | None
) -> RoutingRule | None:
    """The most specific active rule matching the case (most criteria set, then the deepest division),
    or None. One query."""
    rules = (
        RoutingRule.objects.filter(is_active=True)
        .filter(Q(category="") | Q(category=category))
        .filter(Q(channel="") | Q(channel=channel))
        .filter(Q(division__isnull=True) | Q(division__code__in=path_codes(division.path)))
        .filter(Q(risk_level__isnull=True) | Q(risk_level=risk_level))
        .select_related("division", "target_body")
    )
    return max(rules, key=lambda rule: (rule.specificity, -rule.pk), default=None)


def body_nearest(*, kind: str, division: Division, category: str | None = None) -> MediationBody | None:
    """The active body of ``kind`` closest above (or at) ``division``; among equals one specialised in
    ``category`` first. None when there is none. One query."""
    bodies = (
        MediationBody.objects.active()
        .filter(kind=kind, division__code__in=path_codes(division.path))
        .select_related("division")
    )
    return max(
        bodies,
        key=lambda body: (body.division.depth, bool(category and category in body.specialities), -body.pk),
        default=None,
    )


@dataclass(frozen=True)
class Route:
    body: MediationBody | None
    rule: RoutingRule | None
    deadline_days: int  # working days to handle the case once accepted
    reason: str


def route_for(*, dispute: Dispute) -> Route:
    """Where a case goes: the most specific rule; failing that, a police incident that mediation can
    handle goes to the station's 矛调中心, and anything else to the nearest 综治中心. Police matters
    (治安、刑事) always go to the police station. ``body`` is None when no body fits."""
    division = dispute.division
    rule = routing_rule_match(
        category=dispute.category, channel=dispute.channel, division=division, risk_level=dispute.risk_level
    )
    body, reason = None, ""
    if rule is not None:
        body = rule.target_body or body_nearest(kind=rule.target_kind, division=division, category=dispute.category)
        reason = str(_("按分流规则“%(rule)s”分派")) % {"rule": rule.name}
    elif dispute.channel == Channel.POLICE and dispute.category not in POLICE_CATEGORIES:
        body = body_nearest(kind=BodyKind.STATION_CENTRE, division=division, category=dispute.category)
        reason = str(_("可调解警情，分派至派出所矛调中心"))
    if dispute.category in POLICE_CATEGORIES and (body is None or body.kind != BodyKind.POLICE_STATION):
        body = body_nearest(kind=BodyKind.POLICE_STATION, division=division)
        reason = str(_("警务事项，分派至派出所"))
    if body is None:
        body = body_nearest(kind=BodyKind.CENTRE, division=division, category=dispute.category)
        reason = reason or str(_("无匹配规则，分派至综治中心"))
    return Route(
        body=body, rule=rule, deadline_days=rule.deadline_days if rule else DEFAULT_DEADLINE_DAYS, reason=reason
    )


def centre_above(body: MediationBody) -> MediationBody | None:
    """The active 综治中心 one level above ``body`` (village → township → district), if any. One query."""
    return (
        MediationBody.objects.active()
        .filter(kind=BodyKind.CENTRE, division__children__id=body.division_id)
        .order_by("pk")
        .first()
    )
