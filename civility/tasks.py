"""Thin Celery tasks of the civility app: they take plain values, call a service, and own retries."""

from __future__ import annotations

import datetime
import logging
from typing import Any

from celery import shared_task
from django.utils import timezone

from civility.choices import RANKING_WATCHDOG_MINUTES, RankingStatus
from civility.models import RankingMonth
from civility.services import activities_convert_due, ledger_verify, parse_month, ranking_compute, ranking_root
from governance.dates import month_start
from governance.tasking import send_now

logger = logging.getLogger(__name__)


@shared_task(name="civility.ranking_compute", acks_late=True)
def ranking_compute_task(month: str | None = None) -> dict[str, Any]:
    """一月一评比 of ``month`` (``"YYYY-MM"``). Without it (the beat schedule): last month, unless it
    is already published. Returns ``{"month", "households"}`` or ``{"month", "skipped"}``."""
    start = parse_month(month) if month else _last_month()
    if not month and RankingMonth.objects.filter(month=start, status=RankingStatus.PUBLISHED).exists():
        return {"month": f"{start:%Y-%m}", "skipped": "published"}
    run = ranking_compute(month=start)
    return {"month": f"{start:%Y-%m}", "households": run.households}


@shared_task(name="civility.ranking_watchdog")
def ranking_watchdog_task() -> dict[str, Any]:
    """Re-sends last month's ranking while no finished run of it exists: the run is one transaction,
    so a worker killed mid-run leaves none, and a message lost with the broker (Redis keeps nothing on
    disk) would otherwise leave the month unranked until someone noticed. The re-sent message expires
    before the next watchdog run, so a stopped worker pool does not pile them up. Returns ``{"month",
    "resent"}``."""
    start = _last_month()
    finished = RankingMonth.objects.filter(division=ranking_root(), month=start, computed_at__isnull=False)
    resent = False
    if not finished.exists():
        resent = send_now(ranking_compute_task, options={"expires": RANKING_WATCHDOG_MINUTES * 60})
        logger.warning("ranking of %s unfinished: re-sent (%s)", f"{start:%Y-%m}", "ok" if resent else "broker down")
    return {"month": f"{start:%Y-%m}", "resent": resent}


def _last_month() -> datetime.date:
    return month_start(month_start(timezone.localdate()) - datetime.timedelta(days=1))


@shared_task(name="civility.ledger_verify", acks_late=True)
def ledger_verify_task() -> dict[str, int]:
    """Nightly proof that every entry's hash and chain hold and every cached balance matches:
    ``{"problems": n}``, the problems logged."""
    problems = ledger_verify()
    if problems:
        logger.error("points ledger: %d problems, first %s", len(problems), problems[:5])
    return {"problems": len(problems)}


@shared_task(name="civility.activities_convert", acks_late=True)
def activities_convert_task(until: str | None = None) -> dict[str, Any]:
    """Nightly 转化: volunteer and patrol hours of every activity held until ``until`` (``"YYYY-MM-DD"``,
    default today) and not yet converted → points. Idempotent (converted activities are skipped), so a
    retried or duplicated message writes nothing twice. Returns ``{"activities", "entries", "refused"}``."""
    day = datetime.date.fromisoformat(until) if until else None
    return activities_convert_due(until=day)
