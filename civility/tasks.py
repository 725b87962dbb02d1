"""Thin Celery tasks of the civility app: they take plain values, call a service, and own retries."""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from civility.services import ledger_verify, month_bounds, parse_month, ranking_compute

logger = logging.getLogger(__name__)


@shared_task(name="civility.ranking_compute", acks_late=True)
def ranking_compute_task(month: str | None = None) -> dict:
    """一月一评比. Without ``month`` (the beat schedule): last month, unless it is already published."""
    if month:
        start = parse_month(month)
    else:
        start, _end = month_bounds(timezone.localdate().replace(day=1) - timezone.timedelta(days=1))
    from civility.models import RankingMonth, RankingStatus

    if not month and RankingMonth.objects.filter(month=start, status=RankingStatus.PUBLISHED).exists():
        return {"month": f"{start:%Y-%m}", "skipped": "published"}
    run = ranking_compute(month=start)
    return {"month": f"{start:%Y-%m}", "households": run.households}


@shared_task(name="civility.ledger_verify", acks_late=True)
def ledger_verify_task() -> dict:
    """Nightly proof that every entry's hash and chain hold and every cached balance matches."""
    problems = ledger_verify()
    if problems:
        logger.error("points ledger: %d problems, first %s", len(problems), problems[:5])
    return {"problems": len(problems)}
