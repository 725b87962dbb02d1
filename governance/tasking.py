"""Enqueueing tasks safely: after the transaction commits, and never hanging a request on a dead broker."""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction

from governance.cache import OutageLog

logger = logging.getLogger(__name__)
_broker_outage = OutageLog("celery broker")


def send_now(task, *args: Any, options: dict[str, Any] | None = None, **kwargs: Any) -> bool:
    """Publish ``task`` now (``options`` for ``apply_async``, e.g. ``expires``). If the broker is
    unreachable, log and return False instead of raising: the scheduled (beat) run of the same work, or
    its watchdog, catches up later."""
    try:
        task.apply_async(args=args, kwargs=kwargs, **(options or {}))
    except Exception as exc:  # kombu raises several connection error types depending on the transport
        logger.info("could not enqueue %s: %s", task.name, exc.__class__.__name__)
        _broker_outage.failed(exc)  # a warning once a minute, not one per message
        return False
    return True


def enqueue_on_commit(task, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` once the current transaction commits (at once outside a transaction), so a
    worker never sees rows that are not there yet or that were rolled back."""
    transaction.on_commit(lambda: send_now(task, *args, **kwargs))
