"""The monthly partitions of ``security_disputeevent`` (issue 18 item 4): create the coming months',
detach a closed month's to the ``archive`` schema.

The table is partitioned by range of ``created_at`` in Asia/Shanghai calendar months (migration
``security.0012``): ``security_disputeevent_pYYYY_MM`` per month plus ``security_disputeevent_default``
for anything outside them. Partitions are created by the SQL function
``security_disputeevent_partition_ensure(month)`` that migration installs (idempotent; rows of that month
already in DEFAULT move into the new partition), called here for the current month and the next
``MONTHS_AHEAD`` by a beat task — plain SQL rather than pg_partman, which the embedded pgserver lacks.
"""

from __future__ import annotations

import datetime
import re

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from governance.errors import Conflict
from security.choices import RESOLVED_STATUSES

TABLE = "security_disputeevent"
DEFAULT_PARTITION = f"{TABLE}_default"
ARCHIVE_SCHEMA = "archive"
MONTHS_AHEAD = 3
KEEP_YEARS = 10  # months further back found in DEFAULT stay there (as the migration's first partitions)


def month_first(day: datetime.date) -> datetime.date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def month_add(first: datetime.date, months: int) -> datetime.date:
    """The first day of the month ``months`` after (or before) ``first``'s."""
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(month: datetime.date) -> str:
    """The partition of ``month``'s events: ``security_disputeevent_p2026_12``."""
    return f"{TABLE}_p{month:%Y_%m}"


def events_partitioned() -> bool:
    """Whether ``security_disputeevent`` is a partitioned table here (migration ``security.0012``
    applied); False before it or after its reverse."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def event_partitions() -> list[dict]:
    """The partitions attached now, oldest first: ``[{"name", "bounds", "rows"}]`` where ``bounds`` is
    PostgreSQL's ``FOR VALUES …`` text and ``rows`` the planner's estimate (``reltuples``, -1 when the
    partition was never analysed)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname
            """,
            [TABLE],
        )
        return [{"name": name, "bounds": bounds, "rows": rows} for name, bounds, rows in cursor.fetchall()]


def event_partitions_ensure(*, today: datetime.date | None = None, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the partitions of this month (Asia/Shanghai) and the ``ahead`` months after it where
    missing, and those of the months (up to ``KEEP_YEARS`` back) whose events sit in DEFAULT — rows
    written before their month had a partition (a fresh database's seed, an import of old cases) are
    moved into it. Idempotent; returns the names created, oldest first (``[]`` when all exist or the
    table is not partitioned). A month archived to ``archive`` is not made again: its late rows stay
    in DEFAULT."""
    if not events_partitioned():
        return []
    first = month_first(today or timezone.localdate())
    months = {month_add(first, offset) for offset in range(ahead + 1)}
    created = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai')::date "
            f"FROM {DEFAULT_PARTITION} WHERE created_at >= %s AND created_at < %s",
            [_start(month_add(first, -12 * KEEP_YEARS)), _start(month_add(first, ahead + 1))],
        )
        months.update(month for (month,) in cursor.fetchall())
        for month in sorted(months):
            cursor.execute("SELECT security_disputeevent_partition_ensure(%s)", [month])
            name = cursor.fetchone()[0]
            if name:
                created.append(name)
    return created


def _start(first: datetime.date) -> datetime.datetime:
    """Midnight (Asia/Shanghai) starting ``first``."""
    return datetime.datetime.combine(first, datetime.time(), tzinfo=timezone.get_default_timezone())


class PartitionRefused(Conflict):
    """A month's partition may not be archived (not closed yet, absent, or holding open cases)."""


def event_partition_archive(
    month: datetime.date, *, today: datetime.date | None = None, allow_open_cases: bool = False
) -> dict:
    """Detach ``month``'s partition of dispute events (``ALTER TABLE … DETACH PARTITION``) and move it
    to the ``archive`` schema, where it keeps its rows, indexes and foreign keys, and gets the append-only
    trigger back (DETACH drops the triggers a partition has from its parent).

    Refused (``PartitionRefused``) when the month is not closed — it must end before today's month
    begins (Asia/Shanghai) — when it has no attached partition, or when it holds events of cases still
    open (their timelines would lose those steps; ``allow_open_cases=True`` overrides). Returns
    ``{"table": "archive.<name>", "rows": int, "md5": hex}``: the row count and an MD5 over the rows in
    id order, to record with the archived copy and compare after a restore. The DETACH takes an
    ACCESS EXCLUSIVE lock on the events table for a moment (not ``CONCURRENTLY``: PostgreSQL refuses
    that while a DEFAULT partition exists)."""
    first = month_first(month)
    current = month_first(today or timezone.localdate())
    name = partition_name(first)
    if first >= current:
        raise PartitionRefused(_("%(month)s 尚未结束，不能归档。") % {"month": f"{first:%Y-%m}"})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_inherits WHERE inhparent = to_regclass(%s) AND inhrelid = to_regclass(%s)",
            [TABLE, name],
        )
        if cursor.fetchone() is None:
            raise PartitionRefused(_("%(month)s 没有可归档的分区。") % {"month": f"{first:%Y-%m}"})
        if not allow_open_cases:
            cursor.execute(
                f"SELECT count(DISTINCT e.dispute_id) FROM {name} e "
                "JOIN security_dispute d ON d.id = e.dispute_id WHERE d.status <> ALL(%s)",
                [list(RESOLVED_STATUSES)],
            )
            open_cases = cursor.fetchone()[0]
            if open_cases:
                raise PartitionRefused(
                    _("%(month)s 的流转记录中有 %(count)s 件纠纷尚未办结，不能归档。")
                    % {"month": f"{first:%Y-%m}", "count": open_cases}
                )
        # DETACH drops the triggers cloned from the parent: keep the row-level ones (append-only) to
        # put back on the archived table; the statement-level roll-up triggers stay with the parent.
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
            "AND tgparentid <> 0 AND NOT tgisinternal AND tgtype & 1 = 1 ORDER BY tgname",
            [name],
        )
        row_triggers = cursor.fetchall()
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
        cursor.execute(f"ALTER TABLE {name} SET SCHEMA {ARCHIVE_SCHEMA}")
        for trigger, definition in row_triggers:
            cursor.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {ARCHIVE_SCHEMA}.{name}")
            cursor.execute(re.sub(rf" ON (public\.)?{name} ", f" ON {ARCHIVE_SCHEMA}.{name} ", definition, count=1))
        cursor.execute(
            f"SELECT count(*), coalesce(md5(string_agg(e::text, E'\\n' ORDER BY e.id)), '') "
            f"FROM {ARCHIVE_SCHEMA}.{name} e"
        )
        rows, digest = cursor.fetchone()
    return {"table": f"{ARCHIVE_SCHEMA}.{name}", "rows": rows, "md5": digest}
