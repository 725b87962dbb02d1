"""The civility app's per-district work (``governance.fanout``): the monthly ranking (一月一评比) and
the nightly ledger verification, one Celery task per 区县. Imported by ``CivilityConfig.ready``."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from civility.choices import RankingStatus
from civility.models import RankingMonth
from civility.services import ledger_verify, parse_month, ranking_compute
from governance.dates import month_start
from governance.models import Division
from governance.registry import DistrictJob, registry


def _last_month() -> str:
    """``"YYYY-MM"`` of the month before today (Asia/Shanghai): what the 1st-of-month run ranks."""
    return f"{month_start(month_start(timezone.localdate()) - datetime.timedelta(days=1)):%Y-%m}"


def ranking_for_district(*, district: Division, key: str) -> dict[str, Any]:
    """一月一评比 of month ``key`` (``"YYYY-MM"``) for one district's tree: ``{"households": n}``, or
    ``{"skipped": "published"}`` when that district's month is already published (frozen, the article's
    一月一评比 made public). A re-run replaces the month's rows (``ranking_compute``)."""
    month = parse_month(key)
    if RankingMonth.objects.filter(division=district, month=month, status=RankingStatus.PUBLISHED).exists():
        return {"skipped": "published"}
    return {"households": ranking_compute(month=month, division=district).households}


def ledger_verify_for_district(*, district: Division, key: str) -> dict[str, Any]:
    """The nightly hash-chain and balance check of the accounts of one district's households:
    ``{"accounts_checked": True, "problems": 0}``. Raises ``ValidationError`` (so the district's run is
    recorded as failed and reported) when a problem is found; the problems are in the message."""
    problems = ledger_verify(root=district)
    if problems:
        raise ValidationError(
            _("积分流水核验发现 %(count)d 处问题，前几处：%(first)s"),
            params={"count": len(problems), "first": problems[:3]},
        )
    return {"problems": 0}


def _check_day(key: str) -> None:
    try:
        datetime.date.fromisoformat(key)
    except ValueError as exc:
        raise ValidationError({"key": _("批次应为日期 YYYY-MM-DD，例如 2026-12-01。")}) from exc


registry.district_job(
    DistrictJob(
        name="civility.ranking",
        title="文明积分月度评比",
        run=ranking_for_district,
        default_key=_last_month,
        check_key=parse_month,
    )
)
registry.district_job(
    DistrictJob(
        name="civility.ledger_verify",
        title="文明积分流水核验",
        run=ledger_verify_for_district,
        default_key=lambda: timezone.localdate().isoformat(),
        check_key=_check_day,
    )
)
