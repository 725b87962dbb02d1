"""Thin Celery tasks of the core: they take ids, call a service or selector, and own retries."""

from __future__ import annotations

import logging

from celery import shared_task

from governance import imports
from governance.calendar import calendar_years_missing
from governance.models import Division
from governance.selectors import division_tree_breaks

logger = logging.getLogger(__name__)


@shared_task(name="governance.division_tree_verify", acks_late=True)
def division_tree_verify() -> dict:
    """Nightly proof that every division's path follows from its parent's."""
    broken = division_tree_breaks()
    if broken:
        logger.error("division tree: %d broken paths, first %s", len(broken), broken[:10])
    return {"checked": Division.objects.count(), "broken": broken}


@shared_task(name="governance.calendar_check")
def calendar_check() -> dict:
    """Nightly: this year's official holiday schedule, and from 1 November next year's, must be there
    (in the package or loaded by the district); a missing one is logged as a warning, and the admin
    shows the same years (``calendar_years_missing``) until the district loads them."""
    missing = calendar_years_missing()
    if missing:
        logger.warning("holiday calendar: no published schedule for %s; deadlines into it are provisional", missing)
    return {"missing": missing}


@shared_task(name="governance.ping")
def ping() -> str:
    """Health check for workers: ``celery -A governance call governance.ping``."""
    return "pong"


@shared_task(name="governance.import_job_run", acks_late=True)
def import_job_run(job_id: int) -> str:
    """A big spreadsheet import's next step (its dry run, or its import once confirmed); idempotent:
    see ``governance.imports``. Returns what it did."""
    return imports.import_job_run(job_id)
