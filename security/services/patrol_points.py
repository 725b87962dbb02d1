"""Patrol hours → civility points (issue 16 item 7: 保安、快递员、志愿者 "融进小区、网格、屋场管理").

What existed: ``civility.services.volunteers.activity_convert`` converts a *volunteer team's* service
activity of kind 治安巡逻 by rule ``XF-01`` (else ``ZY-01``) within the rule's monthly cap. The gap it
left: the patrols of the security app's 巡防队 (``PatrolLog`` — security guards' and couriers' teams
above all) named nobody and earned nothing. Here a patrol log's ``participants`` earn for its hours
through the same rules, the same monthly caps and the same ledger, once per log and household.

A volunteer patrol recorded both as a civility activity and as a patrol log would earn twice under the
same rule — but the shared monthly cap of ``XF-01`` bounds what a household can get in a month."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Division, User
from governance.registry import registry
from security.choices import POINT_PATROL_KINDS
from security.models import PatrolLog

ERR_PATROL_CONVERTED = "patrol_already_converted"
ERR_PATROL_KIND = "patrol_kind_earns_no_points"

logger = logging.getLogger(__name__)


@transaction.atomic
def patrol_log_convert(*, log: PatrolLog, rule: Any = None, by: User | None = None) -> int:
    """Turn a patrol's hours (``duration_minutes`` ÷ 60, per participant) into point entries for each
    participant's household, through the civility app's ``points.hours_award`` (registry): hours ×
    its members who walked × the rule's points per hour (``XF-01`` 巡防时长, else ``ZY-01``), rounded
    down, up to what the rule's monthly cap leaves the household in the patrol's month. Once per log:
    each entry's idempotency key is ``patrol:<log>:<household>`` and ``converted_at`` is set.
    Participants without a household earn nothing. Returns how many entries were written.

    Raises ``ValidationError`` on ``log`` (``ERR_PATROL_CONVERTED``: converted before, nothing written;
    ``ERR_PATROL_KIND``: a police patrol — duty, not volunteering), and what the award raises (on
    ``rule``: no rule; a rule not in force that day)."""
    log = PatrolLog.objects.select_for_update().select_related("team").get(pk=log.pk)
    if log.converted_at is not None:
        raise _log_error(_("该巡防记录的时长已转化为积分。"), ERR_PATROL_CONVERTED)
    if log.team.kind not in POINT_PATROL_KINDS:
        raise _log_error(_("只有保安、快递员、志愿者的巡防时长可转化为积分。"), ERR_PATROL_KIND)
    count = registry.provided("points.hours_award")(
        persons=log.participants.all(),
        hours=Decimal(log.duration_minutes) / 60,
        occurred_on=log.date,
        key=f"patrol:{log.pk}",
        note=str(_("巡防：%(team)s %(date)s") % {"team": log.team.name, "date": log.date}),
        by=by,
        rule=rule,
    )
    log.converted_at = timezone.now()
    log.save(update_fields=["converted_at"])
    return count


def _log_error(message: Any, code: str) -> ValidationError:
    return ValidationError({"log": ValidationError(message, code=code)})


def patrol_logs_convert_due(
    *, until: datetime.date | None = None, division: Division | None = None, by: User | None = None
) -> dict[str, Any]:
    """Convert every patrol log of a 保安/快递员/志愿者 team dated on or before ``until`` (default today), not
    yet converted and naming participants — in ``division``'s subtree if given — each in its own
    transaction; a refused log is logged and the others go on. Idempotent. Returns ``{"logs":
    converted, "entries": written, "refused": [{"log": id, "errors": [...]}]}``; raises nothing. Run
    nightly by Celery (``security.patrol_logs_convert``) and by ``POST …/patrol-logs/convert/``."""
    until = until or timezone.localdate()
    due = PatrolLog.objects.filter(
        converted_at__isnull=True, date__lte=until, team__kind__in=POINT_PATROL_KINDS, participants__isnull=False
    ).distinct()
    if division is not None:
        due = due.in_subtree(division)
    result: dict[str, Any] = {"logs": 0, "entries": 0, "refused": []}
    for log in due.order_by("date", "pk").iterator():
        try:
            result["entries"] += patrol_log_convert(log=log, by=by)
        except ValidationError as exc:
            codes = [e.code for e in getattr(exc, "error_dict", {}).get("log", [])]
            if ERR_PATROL_CONVERTED in codes:
                continue  # converted meanwhile by another run
            logger.warning("patrol log %s not converted: %s", log.pk, exc.messages)
            result["refused"].append({"log": log.pk, "errors": exc.messages})
        else:
            result["logs"] += 1
    return result
