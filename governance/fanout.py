"""Per-district work (issue 18, item 3): a job the apps register (``registry.district_job``: the
monthly ranking, the overdue sweep, the ledger verification…) runs as one Celery task per district, a
group whose results a chord's callback reports, each task routed to a queue by its district so a city's
or a province's workers share the districts between them.

- Idempotent and resumable: every district's share is recorded in ``DistrictRun`` (unique per job, key
  and district). Dispatching the same job and key again skips the districts already done and runs
  the failed or unfinished ones again; the jobs themselves write nothing twice.
- One district's failure stops no other: a district task records its error and returns a summary
  instead of raising, so the chord's callback always runs and reports every district
  (``{"done": [...], "failed": [...], "skipped": [...]}``, a failure logged at ERROR).
- Queues: with ``CELERY_DISTRICT_QUEUES = N`` (environment, default 0) a district's task goes to queue
  ``districts-<crc32(code) mod N>``; workers take their share with ``celery worker -Q districts-0,…``.
  With 0 every task goes to the default queue (one district: nothing to share).
"""

from __future__ import annotations

import logging
import zlib
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import DistrictRun, DistrictRunStatus, Division, DivisionLevel
from governance.registry import DistrictJob, registry

logger = logging.getLogger(__name__)

ERR_DISTRICT_JOB = "district_job"


def districts() -> list[Division]:
    """Every 区县 (level ``district``) of the tree, by code: the units per-district work is split into.
    One in a district's own deployment, 14 in a city such as 娄底, 122 in Hunan."""
    return list(Division.objects.filter(level=DivisionLevel.DISTRICT).order_by("code"))


def district_queue(code: str) -> str | None:
    """The queue a district's task goes to: ``"districts-<k>"`` with ``k = crc32(code) mod N`` for
    ``settings.CELERY_DISTRICT_QUEUES = N > 0`` (stable across processes and restarts, unlike Python's
    ``hash``), else ``None`` (the default queue)."""
    count = getattr(settings, "CELERY_DISTRICT_QUEUES", 0)
    if not count:
        return None
    return f"districts-{zlib.crc32(code.encode()) % count}"


def job_get(name: str) -> DistrictJob:
    """The registered job ``name``; raises ``ValidationError`` on ``job`` (``ERR_DISTRICT_JOB``) if none."""
    job = registry.district_jobs.get(name)
    if job is None:
        message = ValidationError(_("没有名为 %(job)s 的分区县任务。"), code=ERR_DISTRICT_JOB, params={"job": name})
        raise ValidationError({"job": message})
    return job


def job_run(*, job: str, key: str, district_code: str) -> dict[str, Any]:
    """One district's share of ``job`` for ``key``: skipped when already done, else run and recorded.
    Never raises for the job's own failure: its message is stored on the run, logged at ERROR with the
    traceback, and returned. Returns ``{"district", "status": "done" | "failed" | "skipped", "result" |
    "error"}``."""
    found = job_get(job)
    division = Division.objects.get(code=district_code, level=DivisionLevel.DISTRICT)
    now = timezone.now()
    try:
        with transaction.atomic():
            run, created = DistrictRun.objects.get_or_create(
                job=job,
                key=key,
                division=division,
                defaults={"status": DistrictRunStatus.RUNNING, "started_at": now, "attempts": 1},
            )
    except IntegrityError:  # another worker created it between our look and our insert
        run, created = DistrictRun.objects.get(job=job, key=key, division=division), False
    if not created:
        if run.status == DistrictRunStatus.DONE:
            return {"district": district_code, "status": "skipped", "result": run.result}
        DistrictRun.objects.filter(pk=run.pk).update(
            status=DistrictRunStatus.RUNNING, started_at=now, attempts=run.attempts + 1, error=""
        )
    try:
        result = found.run(district=division, key=key)
    except Exception as exc:  # one district's failure must not stop the others: recorded and reported
        message = exc.messages[0] if isinstance(exc, ValidationError) else f"{exc.__class__.__name__}: {exc}"
        # The record says what went wrong in words a district admin reads; the traceback goes to the log.
        DistrictRun.objects.filter(pk=run.pk).update(
            status=DistrictRunStatus.FAILED, error=message, finished_at=timezone.now()
        )
        logger.exception("district job %s %s failed in %s: %s", job, key, district_code, message)
        return {"district": district_code, "status": "failed", "error": message}
    DistrictRun.objects.filter(pk=run.pk).update(
        status=DistrictRunStatus.DONE, result=result or {}, finished_at=timezone.now()
    )
    return {"district": district_code, "status": "done", "result": result or {}}


def report(results: list[dict[str, Any]], *, job: str, key: str) -> dict[str, Any]:
    """The chord's summary of every district's answer: ``{"job", "key", "done", "failed", "skipped"}``
    (lists of district codes); failures are logged at ERROR with their districts."""
    summary: dict[str, Any] = {"job": job, "key": key, "done": [], "failed": [], "skipped": []}
    for answer in results:
        summary[answer["status"]].append(answer["district"])
    if summary["failed"]:
        logger.error("district job %s %s: failed in %s", job, key, ", ".join(summary["failed"]))
    return summary


def dispatch(*, job: str, key: str | None = None) -> dict[str, Any]:
    """Send ``job`` for ``key`` (default: the job's own, e.g. last month) as one task per district not
    yet done for that key, a chord reporting them all. Returns ``{"job", "key", "sent": [codes],
    "already_done": [codes]}``. Raises ``ValidationError`` for an unknown job (``job``) or a key the job
    cannot read (``key``). ``"report"`` is the chord callback's task id (its result is ``report``'s
    summary), ``None`` when every district was already done."""
    from celery import chord, signature

    found = job_get(job)
    key = key or found.default_key()
    try:
        found.check_key(key)
    except ValidationError as exc:  # reported on ``key``, whatever field the job's own reader names
        raise ValidationError({"key": exc.messages}) from exc
    done = set(
        DistrictRun.objects.filter(job=job, key=key, status=DistrictRunStatus.DONE).values_list(
            "division__code", flat=True
        )
    )
    todo = [d.code for d in districts() if d.code not in done]
    report_id = None
    if todo:
        header = []
        for code in todo:
            # By name (the tasks module imports this one): ``governance.tasks.district_job`` and its report.
            task = signature("governance.district_job", kwargs={"job": job, "key": key, "district": code})
            queue = district_queue(code)
            header.append(task.set(queue=queue) if queue else task)
        report_id = chord(header)(signature("governance.district_jobs_report", kwargs={"job": job, "key": key})).id
    return {"job": job, "key": key, "sent": todo, "already_done": sorted(done), "report": report_id}
