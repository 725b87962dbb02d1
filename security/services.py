"""Every write of the security app. A dispute's status changes only here: each service locks the case,
checks that the move is allowed from its current status, makes it, and records a ``DisputeEvent``
(who, when, from/to body, reason, rule). A move that is not allowed raises ``DisputeConflict`` and
changes nothing."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Division, Person, User
from governance.validators import normalize_id_number
from security.choices import (
    AWAITING_ACCEPTANCE,
    OPEN_STATUSES,
    POLICE_CATEGORIES,
    BodyKind,
    Category,
    Channel,
    EventAction,
    JudicialConfirmation,
    PartyRole,
    RiskLevel,
    Status,
)
from security.models import (
    Dispute,
    DisputeEvent,
    DisputeParty,
    FollowUpVisit,
    Holiday,
    MediationAgreement,
    MediationBody,
    PatrolLog,
    RoutingRule,
)

ERR_TRANSITION = "transition_not_allowed"
ERR_NOT_RECEIVING_BODY = "not_receiving_body"
ERR_NO_UPPER_LEVEL = "no_upper_level"
ERR_SAME_BODY = "same_body"
ERR_POLICE_MATTER = "police_matter_to_station"
ERR_NO_PARTIES = "dispute_no_parties"
ERR_VISIT_TOO_EARLY = "visit_before_resolution"
ERR_LOG_HAS_DISPUTE = "patrol_log_has_dispute"

DEFAULT_DEADLINE_DAYS = 10
ACCEPT_WORKING_DAYS = 2
RISK_WINDOW_DAYS = 90
RISKY_CATEGORIES = frozenset(
    {Category.MARRIAGE_FAMILY, Category.NEIGHBOUR, Category.LAND, Category.DEMOLITION, Category.CONTRACT_DEBT}
)
MEDIUM_RISK_SCORE = 30
HIGH_RISK_SCORE = 60

# The statuses each move may start from; anything else is a conflict.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.ROUTED: frozenset({Status.RECEIVED}),
    Status.TRANSFERRED: frozenset({*AWAITING_ACCEPTANCE, Status.ACCEPTED, Status.MEDIATING} - {Status.TRANSFERRED}),
    Status.ACCEPTED: frozenset(AWAITING_ACCEPTANCE),
    Status.RETURNED: frozenset({Status.TRANSFERRED}),
    Status.MEDIATING: frozenset({Status.ACCEPTED}),
    Status.AGREEMENT: frozenset({Status.MEDIATING}),
    Status.FAILED: frozenset({Status.MEDIATING}),
    Status.ESCALATED: frozenset(OPEN_STATUSES),
    Status.CLOSED: frozenset({Status.AGREEMENT, Status.FAILED, Status.ACCEPTED}),
}


class DisputeConflict(ValidationError):
    """A move that the case's current status (or receiving body) does not allow: 409 in the API."""


def allowed_moves(status: str) -> list[str]:
    return [target for target, sources in TRANSITIONS.items() if status in sources]


def _check_move(dispute: Dispute, target: str) -> None:
    if dispute.status not in TRANSITIONS[target]:
        raise DisputeConflict(
            {
                "status": ValidationError(
                    _("当前状态“%(current)s”不能变更为“%(target)s”。"),
                    code=ERR_TRANSITION,
                    params={"current": dispute.get_status_display(), "target": Status(target).label},
                )
            }
        )


def _locked(dispute: Dispute) -> Dispute:
    """The case re-read under a row lock, so two officers cannot move it at once."""
    return Dispute.objects.select_for_update(of=("self",)).select_related("current_body").get(pk=dispute.pk)


def _record(
    dispute: Dispute,
    *,
    action: str,
    from_status: str,
    from_body: MediationBody | None,
    by: User | None,
    reason: str = "",
    rule: RoutingRule | None = None,
) -> DisputeEvent:
    return DisputeEvent.objects.create(
        dispute=dispute,
        action=action,
        from_status=from_status,
        to_status=dispute.status,
        from_body=from_body,
        to_body=dispute.current_body,
        actor=by,
        rule=rule,
        reason=reason,
    )


def _save(dispute: Dispute, fields: Sequence[str]) -> None:
    dispute.full_clean(validate_unique=False, validate_constraints=False)
    dispute.save(update_fields=[*fields, "updated_at"])


# --- Working days -----------------------------------------------------------------------------


def working_days_add(*, start: datetime.date, days: int) -> datetime.date:
    """The date ``days`` working days after ``start``: weekends and the district's holidays are skipped,
    weekend days marked as worked (调休上班) count. One query."""
    horizon = start + datetime.timedelta(days=days * 3 + 45)
    calendar = dict(Holiday.objects.filter(date__gt=start, date__lte=horizon).values_list("date", "is_workday"))
    day, left = start, days
    while left > 0:
        day += datetime.timedelta(days=1)
        is_workday = calendar.get(day, day.weekday() < 5)
        if is_workday:
            left -= 1
    return day


def _handling_days(dispute: Dispute) -> int:
    # 民转刑 risk shortens the time allowed: a high-risk case is due in half the time.
    if dispute.risk_level >= RiskLevel.HIGH:
        return max(1, dispute.handling_days // 2)
    return dispute.handling_days


# --- 民转刑 risk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskAssessment:
    score: int
    level: int
    reasons: list[str]


def dispute_risk_assess(*, dispute: Dispute) -> RiskAssessment:
    """A rule-based 民转刑 score with its reasons (three queries)."""
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
    if dispute.threats_noted:
        score += 40
        reasons.append(str(_("有威胁、暴力言行")))
    if dispute.category in RISKY_CATEGORIES:
        score += 15
        reasons.append(str(_("易激化纠纷类型：%(category)s") % {"category": dispute.get_category_display()}))
    level = RiskLevel.HIGH if score >= HIGH_RISK_SCORE else RiskLevel.MEDIUM if score >= MEDIUM_RISK_SCORE else 1
    return RiskAssessment(score=min(score, 100), level=int(level), reasons=reasons)


def _apply_risk(dispute: Dispute, by: User | None) -> None:
    assessment = dispute_risk_assess(dispute=dispute)
    changed = (assessment.score, assessment.level) != (dispute.risk_score, dispute.risk_level)
    dispute.risk_score, dispute.risk_level, dispute.risk_reasons = (
        assessment.score,
        assessment.level,
        assessment.reasons,
    )
    if changed:
        _save(dispute, ["risk_score", "risk_level", "risk_reasons"])
        _record(
            dispute,
            action=EventAction.RISK,
            from_status=dispute.status,
            from_body=dispute.current_body,
            by=by,
            reason=str(_("风险分 %(score)d：%(reasons)s"))
            % {"score": assessment.score, "reasons": "；".join(assessment.reasons) or "—"},
        )


# --- Routing ----------------------------------------------------------------------------------


def _division_codes(division: Division) -> list[str]:
    return [code for code in division.path.split("/") if code]


def routing_rule_match(
    *, category: str, channel: str, division: Division, risk_level: int | None
) -> RoutingRule | None:
    """The most specific active rule matching the case (most criteria set, then the deepest division)."""
    rules = (
        RoutingRule.objects.filter(is_active=True)
        .filter(Q(category="") | Q(category=category))
        .filter(Q(channel="") | Q(channel=channel))
        .filter(Q(division__isnull=True) | Q(division__code__in=_division_codes(division)))
        .filter(Q(risk_level__isnull=True) | Q(risk_level=risk_level))
        .select_related("division", "target_body")
    )
    return max(rules, key=lambda rule: (rule.specificity, -rule.pk), default=None)


def body_nearest(*, kind: str, division: Division, category: str | None = None) -> MediationBody | None:
    """The active body of ``kind`` closest above (or at) ``division``; among equals one specialised in
    ``category`` first."""
    bodies = (
        MediationBody.objects.active()
        .filter(kind=kind, division__code__in=_division_codes(division))
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
    deadline_days: int
    reason: str


def route_for(*, dispute: Dispute) -> Route:
    """Where a case goes: the most specific rule; failing that, a police incident that mediation can
    handle goes to the station's 矛调中心, and anything else to the nearest 综治中心. Police matters
    (治安、刑事) always go to the police station."""
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


@transaction.atomic
def dispute_route(*, dispute: Dispute, by: User | None) -> Dispute:
    """received → routed: to the body the routing rules name; it must then accept the case."""
    dispute = _locked(dispute)
    _check_move(dispute, Status.ROUTED)
    route = route_for(dispute=dispute)
    if route.body is None:
        raise DisputeConflict(
            {"current_body": ValidationError(_("找不到可分派的调处主体，请先在后台设置。"), code=ERR_NO_UPPER_LEVEL)}
        )
    from_status, from_body = dispute.status, dispute.current_body
    dispute.status, dispute.current_body = Status.ROUTED, route.body
    dispute.handling_days = route.deadline_days
    dispute.deadline = working_days_add(start=timezone.localdate(), days=ACCEPT_WORKING_DAYS)
    _save(dispute, ["status", "current_body", "handling_days", "deadline"])
    _record(
        dispute,
        action=EventAction.ROUTED,
        from_status=from_status,
        from_body=from_body,
        by=by,
        reason=route.reason,
        rule=route.rule,
    )
    return dispute


# --- Intake -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartyInput:
    role: str
    person: Person | None = None
    name: str = ""
    id_number: str = ""
    phone: str = ""


def _party_person(party: PartyInput, index: int, division: Division) -> Person:
    if party.person is not None:
        return party.person
    number = normalize_id_number(party.id_number) if party.id_number else None
    if number:
        existing = Person.objects.filter(id_number=number).first()
        if existing is not None:
            return existing
    person = Person(name=party.name, id_number=number, phone=party.phone, division=division)
    try:
        person.full_clean()
    except ValidationError as error:
        raise ValidationError(
            {f"parties.{index}.{field}": messages for field, messages in error.error_dict.items()}
        ) from None
    person.save()
    return person


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
) -> tuple[Dispute, bool]:
    """Register a case from any channel, assess its 民转刑 risk and route it. With an ``external_id``
    the same case posted twice is registered once: returns ``(dispute, created)``."""
    external_id = (external_id or "").strip() or None
    if external_id:
        existing = Dispute.objects.filter(channel=channel, external_id=external_id).first()
        if existing is not None:
            return existing, False
    if not parties:
        raise ValidationError({"parties": ValidationError(_("请至少登记一名当事人。"), code=ERR_NO_PARTIES)})
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
    )
    dispute.full_clean(validate_constraints=False)
    people = [(_party_person(party, index, division), party.role) for index, party in enumerate(parties)]
    if len({person.pk for person, _role in people}) != len(people):
        raise ValidationError({"parties": ValidationError(_("同一人员不能重复登记为当事人。"), code="duplicate_party")})
    for _person, role in people:
        if role not in PartyRole.values:
            raise ValidationError({"parties": ValidationError(_("当事人身份无效。"), code="invalid_choice")})
    try:
        with transaction.atomic():
            dispute.save(force_insert=True)
    except IntegrityError:
        # Another request registered the same external id a moment ago.
        existing = Dispute.objects.filter(channel=channel, external_id=external_id).first() if external_id else None
        if existing is None:
            raise
        return existing, False
    DisputeParty.objects.bulk_create([DisputeParty(dispute=dispute, person=p, role=role) for p, role in people])
    _record(dispute, action=EventAction.RECEIVED, from_status="", from_body=None, by=received_by)
    _apply_risk(dispute, received_by)
    if route:
        dispute = dispute_route(dispute=dispute, by=received_by)
    return dispute, True


# --- Moves ------------------------------------------------------------------------------------


def _check_acting(dispute: Dispute, by: User) -> None:
    if dispute.current_body is None or not (
        MediationBody.objects.acting_for(by).filter(pk=dispute.current_body_id).exists()
    ):
        raise DisputeConflict(
            {
                "current_body": ValidationError(
                    _("该纠纷当前由“%(body)s”承办，您不能代其办理。"),
                    code=ERR_NOT_RECEIVING_BODY,
                    params={"body": dispute.current_body or "—"},
                )
            }
        )


@transaction.atomic
def dispute_transfer(*, dispute: Dispute, to_body: MediationBody, by: User, reason: str) -> Dispute:
    """Hand the case to another body (police ↔ mediation both ways); that body must accept it."""
    dispute = _locked(dispute)
    _check_move(dispute, Status.TRANSFERRED)
    _check_acting(dispute, by)
    if to_body.pk == dispute.current_body_id:
        raise ValidationError({"to_body": ValidationError(_("不能移交给当前承办主体本身。"), code=ERR_SAME_BODY)})
    if not to_body.is_active:
        raise ValidationError({"to_body": ValidationError(_("该主体已停用。"), code="inactive_body")})
    if dispute.category in POLICE_CATEGORIES and to_body.kind != BodyKind.POLICE_STATION:
        raise ValidationError(
            {"to_body": ValidationError(_("治安、刑事类警务事项只能移交派出所。"), code=ERR_POLICE_MATTER)}
        )
    from_status, from_body = dispute.status, dispute.current_body
    dispute.status, dispute.current_body = Status.TRANSFERRED, to_body
    dispute.deadline = working_days_add(start=timezone.localdate(), days=ACCEPT_WORKING_DAYS)
    _save(dispute, ["status", "current_body", "deadline"])
    _record(dispute, action=EventAction.TRANSFERRED, from_status=from_status, from_body=from_body, by=by, reason=reason)
    return dispute


@transaction.atomic
def dispute_accept(*, dispute: Dispute, by: User, reason: str = "") -> Dispute:
    """The receiving body takes the case on; the handling deadline starts (shorter for high risk)."""
    dispute = _locked(dispute)
    _check_move(dispute, Status.ACCEPTED)
    _check_acting(dispute, by)
    from_status = dispute.status
    dispute.status = Status.ACCEPTED
    dispute.deadline = working_days_add(start=timezone.localdate(), days=_handling_days(dispute))
    _save(dispute, ["status", "deadline"])
    _record(
        dispute,
        action=EventAction.ACCEPTED,
        from_status=from_status,
        from_body=dispute.current_body,
        by=by,
        reason=reason,
    )
    return dispute


@transaction.atomic
def dispute_return(*, dispute: Dispute, by: User, reason: str) -> Dispute:
    """The receiving body sends a transferred case back to the body that sent it."""
    dispute = _locked(dispute)
    _check_move(dispute, Status.RETURNED)
    _check_acting(dispute, by)
    last = (
        dispute.events.filter(action=EventAction.TRANSFERRED)
        .select_related("from_body")
        .order_by("-created_at", "-id")
        .first()
    )
    if last is None or last.from_body_id is None:
        raise DisputeConflict({"status": ValidationError(_("找不到移交来源，无法退回。"), code=ERR_TRANSITION)})
    from_status, from_body = dispute.status, dispute.current_body
    dispute.status, dispute.current_body = Status.RETURNED, last.from_body
    dispute.deadline = working_days_add(start=timezone.localdate(), days=ACCEPT_WORKING_DAYS)
    _save(dispute, ["status", "current_body", "deadline"])
    _record(dispute, action=EventAction.RETURNED, from_status=from_status, from_body=from_body, by=by, reason=reason)
    return dispute


@transaction.atomic
def dispute_mediate(*, dispute: Dispute, by: User, reason: str = "") -> Dispute:
    """accepted → mediating."""
    dispute = _locked(dispute)
    _check_move(dispute, Status.MEDIATING)
    _check_acting(dispute, by)
    from_status = dispute.status
    dispute.status = Status.MEDIATING
    _save(dispute, ["status"])
    _record(
        dispute,
        action=EventAction.MEDIATING,
        from_status=from_status,
        from_body=dispute.current_body,
        by=by,
        reason=reason,
    )
    return dispute


@transaction.atomic
def dispute_record_agreement(
    *,
    dispute: Dispute,
    by: User,
    terms: str,
    signed_on: datetime.date,
    amount: Decimal = Decimal("0"),
    judicial_confirmation: str = JudicialConfirmation.NONE,
) -> MediationAgreement:
    """mediating → agreement, with the agreement's terms and amount."""
    dispute = _locked(dispute)
    _check_move(dispute, Status.AGREEMENT)
    _check_acting(dispute, by)
    agreement = MediationAgreement(
        dispute=dispute,
        terms=terms,
        amount=amount,
        signed_on=signed_on,
        judicial_confirmation=judicial_confirmation,
    )
    agreement.full_clean()
    agreement.save()
    from_status = dispute.status
    dispute.status, dispute.resolved_at = Status.AGREEMENT, timezone.now()
    _save(dispute, ["status", "resolved_at"])
    _record(
        dispute,
        action=EventAction.AGREEMENT,
        from_status=from_status,
        from_body=dispute.current_body,
        by=by,
        reason=str(_("协议金额 %(amount)s 元")) % {"amount": agreement.amount},
    )
    return agreement


@transaction.atomic
def agreement_update_confirmation(*, agreement: MediationAgreement, judicial_confirmation: str) -> MediationAgreement:
    """司法确认 requested or confirmed later on."""
    agreement.judicial_confirmation = judicial_confirmation
    agreement.full_clean()
    agreement.save(update_fields=["judicial_confirmation"])
    return agreement


def _upper_centre(body: MediationBody) -> MediationBody | None:
    """The 综治中心 one level above ``body`` (village → township → district), if any."""
    parent_id = Division.objects.filter(pk=body.division_id).values_list("parent_id", flat=True).first()
    if parent_id is None:
        return None
    return MediationBody.objects.active().filter(kind=BodyKind.CENTRE, division_id=parent_id).order_by("pk").first()


@transaction.atomic
def dispute_escalate(*, dispute: Dispute, by: User | None, reason: str) -> Dispute:
    """Send the case one level up, to the 综治中心 above its current body; that centre must accept it."""
    dispute = _locked(dispute)
    _check_move(dispute, Status.ESCALATED)
    upper = _upper_centre(dispute.current_body) if dispute.current_body else None
    if upper is None:
        raise DisputeConflict(
            {"current_body": ValidationError(_("已是最高层级，无法再上报。"), code=ERR_NO_UPPER_LEVEL)}
        )
    from_status, from_body = dispute.status, dispute.current_body
    dispute.status, dispute.current_body = Status.ESCALATED, upper
    dispute.deadline = working_days_add(start=timezone.localdate(), days=ACCEPT_WORKING_DAYS)
    _save(dispute, ["status", "current_body", "deadline"])
    _record(dispute, action=EventAction.ESCALATED, from_status=from_status, from_body=from_body, by=by, reason=reason)
    return dispute


@transaction.atomic
def dispute_fail(*, dispute: Dispute, by: User, reason: str) -> Dispute:
    """mediating → failed; the risk is reassessed and the case goes one level up (if there is one)."""
    dispute = _locked(dispute)
    _check_move(dispute, Status.FAILED)
    _check_acting(dispute, by)
    from_status = dispute.status
    dispute.status = Status.FAILED
    _save(dispute, ["status"])
    _record(
        dispute,
        action=EventAction.FAILED,
        from_status=from_status,
        from_body=dispute.current_body,
        by=by,
        reason=reason,
    )
    _apply_risk(dispute, by)
    if dispute.current_body and _upper_centre(dispute.current_body) is not None:
        dispute = dispute_escalate(dispute=dispute, by=by, reason=str(_("调解不成，上报上级")))
    return dispute


@transaction.atomic
def dispute_close(*, dispute: Dispute, by: User, reason: str = "") -> Dispute:
    """Close the case: after an agreement, after a failed mediation at the top level, or when the
    accepting body has dealt with it otherwise (the reason says how)."""
    dispute = _locked(dispute)
    _check_move(dispute, Status.CLOSED)
    _check_acting(dispute, by)
    if dispute.status != Status.AGREEMENT and not reason.strip():
        raise ValidationError({"reason": ValidationError(_("请说明办结理由。"), code="required")})
    from_status = dispute.status
    now = timezone.now()
    dispute.status, dispute.closed_at = Status.CLOSED, now
    if from_status != Status.FAILED:
        dispute.resolved_at = dispute.resolved_at or now
    _save(dispute, ["status", "closed_at", "resolved_at"])
    _record(
        dispute,
        action=EventAction.CLOSED,
        from_status=from_status,
        from_body=dispute.current_body,
        by=by,
        reason=reason,
    )
    return dispute


@transaction.atomic
def dispute_visit(
    *, dispute: Dispute, by: User, visited_on: datetime.date, satisfaction: int, note: str = ""
) -> FollowUpVisit:
    """回访 after the case is resolved or closed."""
    if dispute.status not in (Status.AGREEMENT, Status.CLOSED):
        raise DisputeConflict({"status": ValidationError(_("纠纷化解或办结后才能回访。"), code=ERR_VISIT_TOO_EARLY)})
    visit = FollowUpVisit(dispute=dispute, visited_on=visited_on, visitor=by, satisfaction=satisfaction, note=note)
    visit.full_clean()
    visit.save()
    DisputeEvent.objects.create(
        dispute=dispute,
        action=EventAction.VISIT,
        from_status=dispute.status,
        to_status=dispute.status,
        from_body=dispute.current_body,
        to_body=dispute.current_body,
        actor=by,
        reason=f"{visit.get_satisfaction_display()} {note}".strip(),
    )
    return visit


# --- The sweep --------------------------------------------------------------------------------

_SWEEP_SQL = """
WITH due AS (
    SELECT d.id, d.status AS from_status, d.current_body_id AS from_body, up.id AS to_body
    FROM {dispute} d
    JOIN {body} b ON b.id = d.current_body_id
    JOIN {division} bd ON bd.id = b.division_id
    JOIN LATERAL (
        SELECT u.id FROM {body} u
        WHERE u.division_id = bd.parent_id AND u.kind = %(centre)s AND u.is_active
        ORDER BY u.id LIMIT 1
    ) up ON TRUE
    WHERE (d.status = ANY(%(open)s) AND d.deadline < %(today)s) OR d.status = %(failed)s
    ORDER BY d.id
    LIMIT %(batch)s
    FOR UPDATE OF d SKIP LOCKED
), moved AS (
    UPDATE {dispute} d
    SET status = %(escalated)s, current_body_id = due.to_body, deadline = %(deadline)s, updated_at = %(now)s
    FROM due WHERE d.id = due.id
    RETURNING d.id, due.from_status, due.from_body, due.to_body
)
INSERT INTO {event} (dispute_id, action, from_status, to_status, from_body_id, to_body_id, actor_id, rule_id,
                     reason, created_at)
SELECT id, %(escalated)s, from_status, %(escalated)s, from_body, to_body, NULL, NULL, %(reason)s, %(now)s
FROM moved
RETURNING dispute_id
"""


def disputes_escalate_overdue(*, today: datetime.date | None = None, batch_size: int = 10_000) -> int:
    """Escalate every overdue (or failed) case one level up, in set-based batches: one statement per
    batch selects (skipping rows another worker holds), updates and writes the events. An escalated
    case gets a new acceptance deadline, so running the sweep again escalates nothing twice."""
    today = today or timezone.localdate()
    deadline = working_days_add(start=today, days=ACCEPT_WORKING_DAYS)
    sql = _SWEEP_SQL.format(
        dispute=Dispute._meta.db_table,
        body=MediationBody._meta.db_table,
        division=Division._meta.db_table,
        event=DisputeEvent._meta.db_table,
    )
    params = {
        "centre": BodyKind.CENTRE.value,
        "open": [s.value for s in OPEN_STATUSES if s != Status.FAILED],
        "failed": Status.FAILED.value,
        "escalated": Status.ESCALATED.value,
        "today": today,
        "deadline": deadline,
        "batch": batch_size,
        "reason": str(_("超期未办结，自动上报上级")),
    }
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            params["now"] = timezone.now()
            cursor.execute(sql, params)
            moved = cursor.rowcount
        total += moved
        if moved < batch_size:
            return total


# --- Patrols ----------------------------------------------------------------------------------


@transaction.atomic
def patrol_log_open_dispute(
    *, log: PatrolLog, by: User, category: str, description: str, parties: Sequence[PartyInput]
) -> Dispute:
    """A patrol finding becomes a dispute (channel: grid patrol), linked to the log."""
    log = PatrolLog.objects.select_for_update().get(pk=log.pk)
    if log.dispute_id is not None:
        raise DisputeConflict({"dispute": ValidationError(_("该巡防记录已生成纠纷。"), code=ERR_LOG_HAS_DISPUTE)})
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
