"""The security app's per-district work (``governance.fanout``): the overdue sweep, one Celery task
per 区县. Imported by ``SecurityConfig.ready``."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.models import Division
from governance.registry import DistrictJob, registry
from security.services import disputes_escalate_overdue


def sweep_for_district(*, district: Division, key: str) -> dict[str, Any]:
    """Escalate the overdue and failed cases held in one district's tree (``disputes_escalate_overdue``,
    idempotent: an escalated case has a new deadline): ``{"escalated": n}``. ``key`` names the run (the
    minute it was sent, Asia/Shanghai)."""
    return {"escalated": disputes_escalate_overdue(root=district)}


def _check_minute(key: str) -> None:
    try:
        datetime.datetime.strptime(key, "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        raise ValidationError({"key": _("批次应为时间 YYYY-MM-DDTHH:MM，例如 2026-12-01T10:30。")}) from exc


registry.district_job(
    DistrictJob(
        name="security.sweep",
        title="矛盾纠纷超期上报",
        run=sweep_for_district,
        default_key=lambda: f"{timezone.localtime():%Y-%m-%dT%H:%M}",
        check_key=_check_minute,
    )
)
