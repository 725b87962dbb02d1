"""Thin Celery tasks of the civility app: they take plain values, call a service, and own retries."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import shared_task
from django.utils import timezone

from civility.choices import RankingStatus
from civility.models import RankingMonth
from civility.services import ledger_verify, parse_month, ranking_compute
from governance.dates import month_start

logger = logging.getLogger(__name__)


@shared_task(name="civility.ranking_compute", acks_late=True)
def ranking_compute_task(month: str | None = None) -> dict[str, Any]:
    """一月一评比 of ``month`` (``"YYYY-MM"``). Without it (the beat schedule): last month, unless it
    is already published. Returns ``{"month", "households"}`` or ``{"month", "skipped"}``."""
    last_month = month_start(month_start(timezone.localdate()) - datetime.timedelta(days=1))
    start = parse_month(month) if month else last_month
    if not month and RankingMonth.objects.filter(month=start, status=RankingStatus.PUBLISHED).exists():
        return {"month": f"{start:%Y-%m}", "skipped": "published"}
    run = ranking_compute(month=start)
    return {"month": f"{start:%Y-%m}", "households": run.households}


@shared_task(name="civility.ledger_verify", acks_late=True)
def ledger_verify_task() -> dict[str, int]:
    """Nightly proof that every entry's hash and chain hold and every cached balance matches:
    ``{"problems": n}``, the problems logged."""
    problems = ledger_verify()
    if problems:
        logger.error("points ledger: %d problems, first %s", len(problems), problems[:5])
    return {"problems": len(problems)}
