"""一月一评比: the monthly ranking computed in SQL, its publication, and the yearly 文明家庭
proposed from the published rankings."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.choices import RANKING_LEVEL_DIVISIONS, FamilyStatus, RankingStatus
from civility.errors import ERR_INVALID_MONTH, ERR_NOT_PENDING, ERR_RANKING_PUBLISHED, field_error
from civility.models import CivilizedFamily, RankingMonth
from civility.selectors import yearly_village_points
from civility.services.notices import ranking_published_notify
from governance.dates import month_bounds
from governance.models import Division, User

_UNIT_SQL = """
INSERT INTO civility_monthlyranking (ranking_month_id, household_id, level, group_id, points, deductions, rank)
SELECT %(run)s, t.household_id, 'unit', t.division_id, t.points, t.deductions,
       RANK() OVER (PARTITION BY t.division_id ORDER BY t.points DESC)
FROM (
    SELECT a.household_id, h.division_id,
           COALESCE(SUM(e.points), 0) AS points,
           COALESCE(SUM(e.points) FILTER (WHERE e.points < 0), 0) AS deductions
    FROM civility_pointaccount a
    JOIN governance_household h ON h.id = a.household_id
    JOIN governance_division d ON d.id = h.division_id
    LEFT JOIN civility_pointentry e
           ON e.account_id = a.id AND e.status = 'confirmed' AND e.source <> 'redemption'
          AND e.occurred_on >= %(start)s AND e.occurred_on < %(end)s
    WHERE d.path LIKE %(root)s
    GROUP BY a.household_id, h.division_id
) t
"""

# The group at a level is the household unit's ancestor-or-self of the level's kinds, found by path
# prefix among the (few) unit divisions; the households' rows then join it by hash.
_LEVEL_SQL = """
INSERT INTO civility_monthlyranking (ranking_month_id, household_id, level, group_id, points, deductions, rank)
SELECT r.ranking_month_id, r.household_id, %(level)s, g.group_id, r.points, r.deductions,
       RANK() OVER (PARTITION BY g.group_id ORDER BY r.points DESC)
FROM civility_monthlyranking r
JOIN (
    SELECT u.id AS unit_id, anc.id AS group_id
    FROM governance_division u
    JOIN governance_division anc ON u.path LIKE anc.path || '%%' AND anc.level = ANY(%(kinds)s)
    WHERE u.path LIKE %(root)s
) g ON g.unit_id = r.group_id
WHERE r.ranking_month_id = %(run)s AND r.level = 'unit'
"""


def parse_month(value: str) -> datetime.date:
    """``"YYYY-MM"`` → the first day of that month. Raises ``ValidationError`` on ``month``
    (``ERR_INVALID_MONTH``) for anything else."""
    try:
        return datetime.datetime.strptime(value, "%Y-%m").date()
    except ValueError as exc:
        raise field_error("month", _("月份格式应为 YYYY-MM，例如 2025-06。"), ERR_INVALID_MONTH) from exc


def ranking_root() -> Division:
    """The district (``settings.DISTRICT_CODE``): the tree a ranking covers by default."""
    return Division.objects.get(code=settings.DISTRICT_CODE)


@transaction.atomic
def ranking_compute(*, month: datetime.date, division: Division | None = None) -> RankingMonth:
    """一月一评比: each household's confirmed points of ``month`` (any day of it) and its rank (ties
    share one, RANK()) within its unit, village/community, township and district of ``division``'s
    tree (default ``ranking_root()``) — one INSERT … SELECT per level. A re-run replaces the month's
    rows atomically. Raises ``ValidationError`` on ``month`` (``ERR_RANKING_PUBLISHED``) for a
    published month, which is frozen."""
    division = division or ranking_root()
    start, end = month_bounds(month)
    run, _created = RankingMonth.objects.get_or_create(division=division, month=start)
    run = RankingMonth.objects.select_for_update().get(pk=run.pk)
    if run.status == RankingStatus.PUBLISHED:
        raise field_error(
            "month", _("%(month)s 的评比已公布，不能重算。"), ERR_RANKING_PUBLISHED, month=f"{start:%Y-%m}"
        )
    params: dict[str, Any] = {"run": run.pk, "start": start, "end": end, "root": division.path + "%"}
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM civility_monthlyranking WHERE ranking_month_id = %s", [run.pk])
        cursor.execute(_UNIT_SQL, params)
        run.households = cursor.rowcount
        # The levels above read the unit rows just written; without fresh statistics the planner
        # takes them for a handful of rows and picks a plan that is several times slower. ANALYZE
        # holds its lock to the end of this transaction, so districts ranked at the same time
        # (governance.fanout) would queue behind each other: when another run holds it, that run's
        # fresh statistics serve this one too, and this one goes on without waiting.
        cursor.execute("SET LOCAL lock_timeout = '50ms'")
        try:
            with transaction.atomic():  # a savepoint: the refused ANALYZE undoes nothing else
                cursor.execute("ANALYZE civility_monthlyranking")
        except OperationalError:
            pass
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")
        for level, kinds in RANKING_LEVEL_DIVISIONS.items():
            cursor.execute(_LEVEL_SQL, {**params, "level": level.value, "kinds": list(kinds)})
    run.computed_at = timezone.now()
    run.save(update_fields=["computed_at", "households"])
    return run


@transaction.atomic
def ranking_publish(*, run: RankingMonth, by: User | None) -> RankingMonth:
    """Publish a month's ranking: it is recomputed first (so that every entry confirmed until now
    counts), then frozen; the month is closed, and an entry of it confirmed later is 补录
    (``late_correction_record``). Raises ``ValidationError`` on ``month`` (``ERR_RANKING_PUBLISHED``)
    when it already is."""
    run = RankingMonth.objects.select_for_update().get(pk=run.pk)
    if run.status == RankingStatus.PUBLISHED:
        raise field_error("month", _("%(month)s 的评比已公布。"), ERR_RANKING_PUBLISHED, month=f"{run.month:%Y-%m}")
    run = ranking_compute(month=run.month, division=run.division)
    run.status = RankingStatus.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = by
    run.save(update_fields=["status", "published_at", "published_by"])
    ranking_published_notify(run)
    return run


@transaction.atomic
def civilized_families_propose(*, year: int, division: Division, top: int = 3, by: User | None = None) -> int:
    """Propose, per village/community in ``division``'s subtree, the ``top`` households by the sum
    of the year's published monthly points (ties included), recording ``by`` as the proposer and now
    as when. Existing ratings are left alone. Returns how many were proposed; raises nothing."""
    now = timezone.now()
    rows = yearly_village_points(year=year, division=division, top=top)
    existing = set(
        CivilizedFamily.objects.filter(year=year, household_id__in=[r["household_id"] for r in rows]).values_list(
            "household_id", flat=True
        )
    )
    created = CivilizedFamily.objects.bulk_create(
        [
            CivilizedFamily(
                household_id=r["household_id"], year=year, points=r["points"], proposed_by=by, proposed_at=now
            )
            for r in rows
            if r["household_id"] not in existing
        ]
    )
    return len(created)


@transaction.atomic
def civilized_family_confirm(*, family: CivilizedFamily, by: User) -> CivilizedFamily:
    """A township or district officer confirms a proposed 文明家庭: ``civilized_family_advance``'s
    ``"confirm"`` with its rules (who decides, not the proposer). Raises ``ValidationError`` on
    ``status`` (``ERR_NOT_PENDING``) when it is already confirmed, and what the advance raises."""
    from civility.services.boards import civilized_family_advance

    if CivilizedFamily.objects.filter(pk=family.pk, status=FamilyStatus.CONFIRMED).exists():
        raise field_error("status", _("该户已评定。"), ERR_NOT_PENDING)
    return civilized_family_advance(family=family, action="confirm", by=by)
