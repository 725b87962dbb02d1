"""补录: the rule for late confirmations. An entry counts in the month of the act (``occurred_on``); a
month is closed when its ranking is published. An entry confirmed after that is neither lost nor
moved to another month: it is recorded as a correction to the closed month (``RankingCorrection``),
shown beside the frozen ranking as 补录. The ledger and the published rows are never updated."""

from __future__ import annotations

from civility.choices import EntrySource, EntryStatus, RankingStatus
from civility.models import PointEntry, RankingCorrection, RankingMonth
from governance.dates import month_start
from governance.querysets import path_ancestors


def late_correction_record(entry: PointEntry) -> list[RankingCorrection]:
    """Record ``entry`` (just confirmed) as 补录 to every published ranking run of its month that
    covers its household; nothing when its month is still open (the usual case: one query). Redemptions
    are not ranked, so never corrections. Idempotent: a second call adds nothing. Returns the new rows;
    raises nothing."""
    if entry.status != EntryStatus.CONFIRMED or entry.source == EntrySource.REDEMPTION:
        return []
    runs = RankingMonth.objects.filter(status=RankingStatus.PUBLISHED, month=month_start(entry.occurred_on))
    if not runs.exists():
        return []
    household = entry.account.household
    runs = runs.filter(division__path__in=path_ancestors(household.division.path)).exclude(corrections__entry=entry)
    return RankingCorrection.objects.bulk_create(
        [
            RankingCorrection(
                ranking_month=run,
                household_id=household.pk,
                entry=entry,
                entry_account_id=entry.account_id,
                points=entry.points,
            )
            for run in runs
        ]
    )
