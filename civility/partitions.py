"""The hash partitions of the points ledger ``civility_pointentry`` (issue 18 item 4): list them, name
one for ``ledger_verify``, detach one to the ``archive`` schema and attach it back.

The table is ``PARTITION BY HASH (account_id)`` with ``MODULUS`` partitions ``civility_pointentry_p00`` …
``p15`` (migration ``civility.0008``; docs/scale-out.md): an account's whole hash chain is in one
partition, so a partition — attached, or detached to ``archive`` — verifies alone. A detached partition
takes its accounts' entries with it: PostgreSQL then refuses any new entry of those accounts ("no
partition of relation found for row") until it is attached back, and refuses the DETACH itself while a
redemption, ranking correction or dissuasion references one of its entries (their composite foreign
keys).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from governance.errors import Conflict

TABLE = "civility_pointentry"
MODULUS = 16
ARCHIVE_SCHEMA = "archive"
_NAME = re.compile(rf"^(?:(?P<schema>{ARCHIVE_SCHEMA}|public)\.)?(?:{TABLE}_)?p(?P<remainder>\d{{2}})$")


class LedgerPartitionError(Conflict):
    """A partition name that is not one of the ledger's, or a partition not where the operation needs it."""


@dataclass(frozen=True)
class LedgerPartition:
    """One hash partition: ``table`` is the name to read it by (``civility_pointentry_p03`` attached,
    ``archive.civility_pointentry_p03`` detached), ``remainder`` its ``REMAINDER`` under ``MODULUS``."""

    table: str
    name: str
    remainder: int
    attached: bool


def ledger_partitioned() -> bool:
    """Whether ``civility_pointentry`` is a partitioned table here (migration ``civility.0008`` applied)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def ledger_partitions() -> list[LedgerPartition]:
    """The partitions attached now, by remainder (``[]`` when the table is not partitioned)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname
            """,
            [TABLE],
        )
        return [ledger_partition(name) for (name,) in cursor.fetchall()]


def ledger_partition(name: str) -> LedgerPartition:
    """The partition called ``name``: ``p03``, ``civility_pointentry_p03`` or ``archive.civility_pointentry_p03``
    (looked for attached first, then in ``archive``). Raises ``LedgerPartitionError`` for any other
    name or a partition that exists nowhere."""
    match = _NAME.match(name.strip())
    if match is None or int(match["remainder"]) >= MODULUS:
        raise LedgerPartitionError(_("“%(name)s”不是积分流水的分区名（应为 p00…p15）。") % {"name": name})
    remainder = int(match["remainder"])
    base = f"{TABLE}_p{remainder:02d}"
    schemas = [match["schema"]] if match["schema"] else ["public", ARCHIVE_SCHEMA]
    with connection.cursor() as cursor:
        for schema in schemas:
            cursor.execute(
                "SELECT c.relispartition FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = %s AND c.relname = %s",
                [schema, base],
            )
            row = cursor.fetchone()
            if row is not None:
                table = base if schema == "public" else f"{schema}.{base}"
                return LedgerPartition(table=table, name=base, remainder=remainder, attached=bool(row[0]))
    raise LedgerPartitionError(_("积分流水分区 %(name)s 不存在。") % {"name": base})


def ledger_partition_detach(name: str) -> dict:
    """Detach a partition (``ALTER TABLE … DETACH PARTITION``) and move it to ``archive``, with its
    row-level triggers (no delete, read-only, status once, audit) put back on it: DETACH drops those
    cloned from the parent. Returns ``{"table", "rows", "md5"}`` (an MD5 over its rows in id order, to
    keep with an archived copy). Raises ``LedgerPartitionError`` when it is not attached, and
    PostgreSQL's ``IntegrityError`` when a redemption, correction or dissuasion references its entries.
    Takes an ACCESS EXCLUSIVE lock on the ledger for a moment."""
    partition = ledger_partition(name)
    if not partition.attached:
        raise LedgerPartitionError(_("积分流水分区 %(name)s 未挂接。") % {"name": partition.name})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
        cursor.execute(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = to_regclass(%s) "
            "AND tgparentid <> 0 AND NOT tgisinternal AND tgtype & 1 = 1 ORDER BY tgname",
            [partition.name],
        )
        row_triggers = cursor.fetchall()
        cursor.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {partition.name}")
        cursor.execute(f"ALTER TABLE {partition.name} SET SCHEMA {ARCHIVE_SCHEMA}")
        archived = f"{ARCHIVE_SCHEMA}.{partition.name}"
        for _trigger, definition in row_triggers:
            definition = re.sub(rf" ON (public\.)?{partition.name} ", f" ON {archived} ", definition, count=1)
            # The audit trigger's WHEN casts rows to the parent's type, which the detached table is not.
            cursor.execute(re.sub(rf"::(public\.)?{TABLE}(?!\w)", "", definition))
        cursor.execute(
            f"SELECT count(*), coalesce(md5(string_agg(e::text, E'\\n' ORDER BY e.id)), '') FROM {archived} e"
        )
        rows, digest = cursor.fetchone()
    return {"table": archived, "rows": rows, "md5": digest}


def ledger_partition_attach(name: str) -> str:
    """Attach a partition detached to ``archive`` back (its stand-alone triggers dropped: the parent's
    are cloned onto it again). PostgreSQL checks its rows fit the remainder. Returns the attached name;
    raises ``LedgerPartitionError`` when it is not in ``archive``."""
    partition = ledger_partition(name)
    if partition.attached or not partition.table.startswith(f"{ARCHIVE_SCHEMA}."):
        raise LedgerPartitionError(_("积分流水分区 %(name)s 不在归档中。") % {"name": partition.name})
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending deferred checks
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = to_regclass(%s) AND NOT tgisinternal", [partition.table]
        )
        for (trigger,) in cursor.fetchall():
            cursor.execute(f'DROP TRIGGER "{trigger}" ON {partition.table}')
        cursor.execute(f"ALTER TABLE {partition.table} SET SCHEMA public")
        cursor.execute(
            f"ALTER TABLE {TABLE} ATTACH PARTITION {partition.name} "
            f"FOR VALUES WITH (MODULUS {MODULUS}, REMAINDER {partition.remainder})"
        )
    return partition.name
