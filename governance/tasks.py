"""Thin Celery tasks of the core: they take ids, call a service or selector, and own retries."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task

from governance import fanout, import_jobs
from governance.calendar import calendar_years_missing
from governance.models import Division
from governance.notices import NOTICES_EMAIL_TASK, notices_email_pending
from governance.rollup_verify import rollups_verify as verify_cells
from governance.rollups import rollups_refresh as refresh_cells
from governance.selectors import division_tree_breaks
from governance.uploads import import_temp_files_purge
from governance.webhooks import RETRY_AFTER_S, WEBHOOK_DELIVER_TASK, webhook_attempt, webhooks_due

logger = logging.getLogger(__name__)


@shared_task(name="governance.division_tree_verify", acks_late=True)
def division_tree_verify() -> dict:
    """Nightly proof that every division's path follows from its parent's."""
    broken = division_tree_breaks()
    if broken:
        logger.error("division tree: %d broken paths, first %s", len(broken), broken[:10])
    return {"checked": Division.objects.count(), "broken": broken}


@shared_task(name="governance.rollups_refresh", acks_late=True, ignore_result=True)
def rollups_refresh() -> dict:
    """Every minute: recompute the roll-up cells whose base rows changed (marked dirty by triggers).
    Idempotent and safe to run twice at once (each source is refreshed by one worker at a time, and
    marks are claimed with SKIP LOCKED)."""
    return refresh_cells()


@shared_task(name="governance.rollups_verify", acks_late=True)
def rollups_verify() -> dict:
    """Nightly: a sample of roll-up cells recomputed from the base tables; mismatches logged and repaired."""
    result = verify_cells()
    if result["mismatched"]:
        logger.error("rollups: %(mismatched)d of %(checked)d sampled cells differed from the base tables", result)
    return result


@shared_task(name="governance.calendar_check")
def calendar_check() -> dict:
    """Nightly: this year's official holiday schedule, and from 1 November next year's, must be there
    (in the package or loaded by the district); a missing one is logged as a warning, and the admin
    shows the same years (``calendar_years_missing``) until the district loads them."""
    missing = calendar_years_missing()
    if missing:
        logger.warning("holiday calendar: no published schedule for %s; deadlines into it are provisional", missing)
    return {"missing": missing}


@shared_task(bind=True, name=NOTICES_EMAIL_TASK, acks_late=True, max_retries=6)
def notices_email(self) -> dict:
    """Send the notices' e-mail copies still owed (queued after a notice is written, and every 10
    minutes by beat). Idempotent: each copy is stamped when sent, so a second delivery sends nothing.
    While sends fail it retries with back-off (1, 2, 4 … 32 minutes); beat picks up after that."""
    sent, failed = notices_email_pending()
    if failed:
        logger.warning("notices: %d e-mails failed, %d sent; retrying", failed, sent)
        raise self.retry(countdown=60 * 2**self.request.retries)
    return {"sent": sent, "failed": failed}


@shared_task(bind=True, name=WEBHOOK_DELIVER_TASK, acks_late=True)
def webhook_deliver(self, delivery_id: int) -> str:
    """One try of a webhook delivery; when it is due again, this task is sent again with the delay
    (beat's ``webhooks_retry_due`` re-sends any message lost on the way). Idempotent: a delivery
    not due, delivered or held by another worker is left alone."""
    delivery = webhook_attempt(delivery_id)
    if delivery is None:
        return "skipped"
    if delivery.next_attempt_at is not None:
        self.apply_async(args=(delivery_id,), countdown=RETRY_AFTER_S[delivery.attempts - 1])
    return delivery.status


@shared_task(name="governance.webhooks_retry_due")
def webhooks_retry_due() -> int:
    """Every minute: send the deliveries whose next try is due (safety net; usually the delayed task
    has done it)."""
    due = webhooks_due()
    for delivery_id in due:
        webhook_deliver.delay(delivery_id)
    return len(due)


@shared_task(name="governance.ping")
def ping() -> str:
    """Health check for workers: ``celery -A governance call governance.ping``."""
    return "pong"


@shared_task(name="governance.import_job_run", acks_late=True)
def import_job_run(job_id: int) -> str:
    """A big spreadsheet import's next step (its dry run, or its import once confirmed); idempotent:
    see ``governance.import_jobs``. Returns what it did."""
    return import_jobs.import_job_run(job_id)


@shared_task(name="governance.import_job_files_purge")
def import_job_files_purge() -> dict[str, int]:
    """Nightly: delete the uploaded files and reports of old import jobs (``governance.import_jobs``)
    and the never-confirmed files of small imports (``governance.uploads``). Returns
    ``{"jobs": jobs that lost their files, "files": temporary files deleted}``."""
    return {"jobs": import_jobs.import_job_files_purge(), "files": import_temp_files_purge()}


@shared_task(name="governance.district_fanout")
def district_fanout(job: str, key: str | None = None) -> dict[str, Any]:
    """Beat's entry point for per-district work: ``fanout.dispatch`` — one ``district_job`` per district
    not yet done for ``key`` (default: the job's own, e.g. last month), a chord reporting them."""
    return fanout.dispatch(job=job, key=key)


@shared_task(name="governance.district_job", acks_late=True)
def district_job(job: str, key: str, district: str) -> dict[str, Any]:
    """One district's share of ``job`` (``fanout.job_run``): never raises for the job's own failure, so
    the chord's report always runs. Redelivered after a lost worker, it resumes (done → skipped)."""
    return fanout.job_run(job=job, key=key, district_code=district)


@shared_task(name="governance.district_jobs_report")
def district_jobs_report(results: list[dict[str, Any]], job: str, key: str) -> dict[str, Any]:
    """The chord's callback: ``fanout.report`` of every district's answer."""
    return fanout.report(results, job=job, key=key)
