"""Volunteers (新时代文明实践): a service activity's hours converted into points for the
participants' households, once."""

from __future__ import annotations

import datetime
import logging
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.choices import ActivityKind, EntrySource
from civility.errors import ERR_ACTIVITY_CONVERTED, ERR_RULE_INACTIVE, field_error
from civility.models import PointRule, ServiceActivity
from civility.services.ledger import account_for, account_lock, point_rule_by_code, points_record, rule_cap_used
from governance.models import Division, Household, HouseholdMember, Person, User

# The rules hours earn by (created by seed_demo, editable in the admin): points per hour. Patrol
# hours (巡防时长) earn by their own rule when the district has one, else by the volunteer rule.
RULE_VOLUNTEER_HOUR = "ZY-01"
RULE_PATROL_HOUR = "XF-01"

logger = logging.getLogger(__name__)


def activity_rule(activity: ServiceActivity) -> PointRule | None:
    """The rule an activity's hours earn by: ``RULE_PATROL_HOUR`` for a patrol (if defined), else
    ``RULE_VOLUNTEER_HOUR``; ``None`` when neither exists."""
    if activity.kind == ActivityKind.PATROL:
        rule = point_rule_by_code(RULE_PATROL_HOUR)
        if rule is not None:
            return rule
    return point_rule_by_code(RULE_VOLUNTEER_HOUR)


@transaction.atomic
def activity_convert(*, activity: ServiceActivity, rule: PointRule | None = None, by: User | None = None) -> int:
    """Turn a service activity's hours into point entries for each participant's household, once, by
    the one hours rule ``hours_points_award`` (hours × its members who took part × the rule's points per
    hour, rounded down, up to what the rule's monthly cap leaves; the rule: ``rule``, else
    ``activity_rule``): each entry's key names the activity and household. Returns how many entries
    were written.

    Raises ``ValidationError`` on ``activity`` (``ERR_ACTIVITY_CONVERTED``: a second call, which
    writes nothing) or on ``rule`` (``ERR_RULE_INACTIVE``: no rule given and none by
    ``activity_rule``), and what ``points_record`` raises."""
    activity = ServiceActivity.objects.select_for_update().get(pk=activity.pk)
    if activity.converted_at is not None:
        raise field_error("activity", _("该活动的服务时长已转化为积分。"), ERR_ACTIVITY_CONVERTED)
    rule = rule or activity_rule(activity)
    if rule is None:
        raise field_error(
            "rule", _("未设置志愿服务积分规则（%(code)s）。"), ERR_RULE_INACTIVE, code=RULE_VOLUNTEER_HOUR
        )
    # One rule for every kind of hours (issue 13): the activity's hours go through ``hours_points_award``
    # like the patrol logs' — per participant, rounded down, within the rule's monthly cap, keyed
    # ``activity:<id>:<household>`` so a repeat writes nothing twice.
    count = hours_points_award(
        persons=Person.objects.filter(volunteer__in=activity.participants.all()),
        hours=activity.hours,
        occurred_on=activity.held_on,
        key=f"activity:{activity.pk}",
        note=str(activity),
        by=by,
        rule=rule,
    )
    activity.converted_at = timezone.now()
    activity.save(update_fields=["converted_at"])
    return count


def activities_convert_due(
    *, until: datetime.date | None = None, division: Division | None = None, by: User | None = None
) -> dict[str, Any]:
    """转化: convert every activity held on or before ``until`` (default today) and not yet converted —
    in ``division``'s subtree if given — each in its own transaction, so one refused activity (no rule,
    a rule not in force that day) is logged and the others go on. Idempotent: a converted activity is
    skipped, so a second run writes nothing and the ledger is the same. Returns ``{"activities":
    converted, "entries": written, "refused": [{"activity": id, "errors": [...]}]}``; raises nothing.
    Run nightly by Celery (``civility.activities_convert``), by an admin action and by the API."""
    until = until or timezone.localdate()
    due = ServiceActivity.objects.filter(converted_at__isnull=True, held_on__lte=until)
    if division is not None:
        due = due.in_subtree(division)
    result: dict[str, Any] = {"activities": 0, "entries": 0, "refused": []}
    for activity in due.order_by("held_on", "pk").iterator():
        try:
            result["entries"] += activity_convert(activity=activity, by=by)
        except ValidationError as exc:
            if getattr(exc, "error_dict", {}).get("activity"):
                continue  # converted meanwhile by another run
            logger.warning("activity %s not converted: %s", activity.pk, exc.messages)
            result["refused"].append({"activity": activity.pk, "errors": exc.messages})
        else:
            result["activities"] += 1
    return result


@transaction.atomic
def hours_points_award(
    *,
    persons: Any,
    hours: Decimal,
    occurred_on: datetime.date,
    key: str,
    note: str,
    by: User | None = None,
    rule: PointRule | None = None,
) -> int:
    """Hours given by ``persons`` (a queryset or list of people) on ``occurred_on`` → point entries for
    their households, for other apps' records of service (security's 保安/快递员/志愿者 patrol logs; offered
    as ``registry.provided("points.hours_award")``): per household, hours × its members among ``persons``
    × the rule's points per hour, rounded down, up to what the rule's monthly cap leaves it in that month.
    The rule: ``rule``, else ``XF-01`` (巡防时长), else ``ZY-01`` (志愿服务时长). Each entry's idempotency key
    is ``<key>:<household>``, so a repeated call writes nothing twice; people without a household earn
    nothing. Returns how many entries were written. Raises ``ValidationError`` on ``rule``
    (``ERR_RULE_INACTIVE``) when no rule exists, and what ``points_record`` raises."""
    rule = rule or point_rule_by_code(RULE_PATROL_HOUR) or point_rule_by_code(RULE_VOLUNTEER_HOUR)
    if rule is None:
        raise field_error("rule", _("未设置巡防积分规则（%(code)s）。"), ERR_RULE_INACTIVE, code=RULE_PATROL_HOUR)
    members = dict(
        HouseholdMember.objects.filter(person__in=persons)
        .values("household_id")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("household_id", "n")
    )
    count = 0
    for household in Household.objects.filter(pk__in=members).order_by("pk"):
        points = int((Decimal(rule.points) * hours * members[household.pk]).to_integral_value(rounding=ROUND_DOWN))
        account = account_lock(account_for(household))
        if rule.monthly_cap is not None:
            points = min(points, max(rule.monthly_cap - abs(rule_cap_used(account, rule, occurred_on)), 0))
        if points <= 0:
            continue
        _entry, created = points_record(
            account=account,
            rule=rule,
            occurred_on=occurred_on,
            recorded_by=by,
            source=EntrySource.VOLUNTEER,
            idempotency_key=f"{key}:{household.pk}",
            points=points,
            note=note,
        )
        count += created
    return count
