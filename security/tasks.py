"""Thin Celery tasks of the security app: they call a service and own retries."""

from __future__ import annotations

import logging

from celery import shared_task

from security.services import disputes_escalate_overdue
from security.services.leader_cases import leader_cases_nominate
from security.services.notices import dispute_notices_due, dispute_notices_follow_up

logger = logging.getLogger(__name__)


@shared_task(name="security.disputes_escalate_overdue", acks_late=True)
def escalate_overdue_disputes() -> int:
    """Escalate overdue and failed cases one level up; safe to run as often as beat likes."""
    escalated = disputes_escalate_overdue()
    if escalated:
        logger.info("escalated %d overdue disputes", escalated)
    reminded = dispute_notices_due() + dispute_notices_follow_up()
    if reminded:
        logger.info("reminded %d people of deadlines", reminded)
    return escalated


@shared_task(name="security.leader_cases_nominate", acks_late=True)
def nominate_leader_cases() -> int:
    """领导包案: nominate the open cases that meet the district's rules; idempotent."""
    nominated = leader_cases_nominate()
    if nominated:
        logger.info("nominated %d cases for a leader", nominated)
    return nominated


@shared_task(name="security.patrol_logs_convert", acks_late=True)
def convert_patrol_logs() -> dict:
    """Nightly: patrol hours of 保安/快递员/志愿者 → civility points (``patrol_logs_convert_due``); idempotent."""
    from security.services.patrol_points import patrol_logs_convert_due

    result = patrol_logs_convert_due()
    if result["logs"]:
        logger.info("converted %d patrol logs into %d point entries", result["logs"], result["entries"])
    return result


@shared_task(name="security.event_partitions_ensure", acks_late=True)
def ensure_event_partitions() -> list[str]:
    """Nightly: the partitions of dispute events for this month and the next three (``security.partitions``);
    idempotent, creates nothing when they exist."""
    from security.partitions import event_partitions_ensure

    created = event_partitions_ensure()
    if created:
        logger.info("created dispute-event partitions %s", ", ".join(created))
    return created
