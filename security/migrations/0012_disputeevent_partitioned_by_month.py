# Issue 18 item 4: ``security_disputeevent`` becomes a PostgreSQL table partitioned by month of
# ``created_at`` (Asia/Shanghai months), one partition per month plus a DEFAULT partition.
#
# The primary key becomes (id, created_at) — PostgreSQL requires the partition key in every unique
# index; ids stay unique by the identity sequence, and Django's model keeps ``id`` as its pk (so the
# migration state does not change: ``state_operations=[]``). The indexes, foreign keys (to disputes,
# bodies, rules, users; nothing references events) and every trigger of the table — the append-only
# trigger of pgtrigger and the roll-up dirty triggers (statement triggers with transition tables,
# allowed on a partitioned parent) — are read from the catalogue and recreated on the new table with
# the same names, so whatever else is installed on the table comes along too. Reversible: the reverse
# builds a plain table again from the partitions still attached (archived months stay in ``archive``).
#
# ``security_disputeevent_partition_ensure(month)`` creates a month's partition (idempotent; rows of
# that month already in the DEFAULT partition are moved into it); beat calls it through
# ``security.event_partitions_ensure`` (security/partitions.py). Plain SQL, no extension: the embedded
# pgserver has no pg_partman.
from django.db import migrations

TABLE = "security_disputeevent"
OLD = "security_disputeevent_old"

ENSURE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION security_disputeevent_partition_ensure(month date) RETURNS text
LANGUAGE plpgsql AS $$
-- The partition of ``month`` (Asia/Shanghai calendar month) of security_disputeevent: created when
-- missing, NULL when it exists (attached, or archived to the ``archive`` schema). Rows of that month
-- already in the DEFAULT partition are moved into it (the append-only trigger is told to let that
-- one DELETE through, as pgtrigger.ignore does).
DECLARE
    first date := date_trunc('month', month)::date;
    part text := 'security_disputeevent_p' || to_char(date_trunc('month', month), 'YYYY_MM');
    lo timestamptz := first::timestamp AT TIME ZONE 'Asia/Shanghai';
    hi timestamptz := (first + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai';
    stray boolean := false;
    guard text;
    previous text;
BEGIN
    IF to_regclass(part) IS NOT NULL OR to_regclass('archive.' || part) IS NOT NULL THEN
        RETURN NULL;
    END IF;
    IF to_regclass('security_disputeevent_default') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM security_disputeevent_default WHERE created_at >= $1 AND created_at < $2)'
            INTO stray USING lo, hi;
    END IF;
    IF stray THEN
        EXECUTE format('CREATE TABLE %I (LIKE security_disputeevent INCLUDING DEFAULTS INCLUDING STORAGE)', part);
        EXECUTE format(
            'INSERT INTO %I SELECT * FROM security_disputeevent_default WHERE created_at >= %L AND created_at < %L',
            part, lo, hi);
        SELECT string_agg(tgname, ',') INTO guard FROM pg_trigger
        WHERE tgrelid = 'security_disputeevent_default'::regclass AND tgname LIKE 'pgtrigger\_%';
        previous := current_setting('pgtrigger.ignore', true);
        PERFORM set_config('pgtrigger.ignore', '{' || coalesce(guard, '') || '}', true);
        EXECUTE 'DELETE FROM security_disputeevent_default WHERE created_at >= $1 AND created_at < $2' USING lo, hi;
        PERFORM set_config('pgtrigger.ignore', coalesce(nullif(previous, ''), '{}'), true);
        EXECUTE format('ALTER TABLE security_disputeevent ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
            part, lo, hi);
    ELSE
        EXECUTE format('CREATE TABLE %I PARTITION OF security_disputeevent FOR VALUES FROM (%L) TO (%L)',
            part, lo, hi);
    END IF;
    RETURN part;
END $$;
"""


def rebuild_sql(primary_key: str) -> str:
    """Move the old table's triggers (with their comments), indexes (but its primary key) and
    constraints onto the new ``security_disputeevent`` under the same names, drop the old table, add
    ``primary_key``."""
    return f"""
DO $$
DECLARE
    old regclass := '{OLD}'::regclass;
    r record;
    triggers text[] := '{{}}';
    indexes text[] := '{{}}';
    constraints text[] := '{{}}';
    statement text;
BEGIN
    FOR r IN SELECT tgname, pg_get_triggerdef(oid) AS def, obj_description(oid, 'pg_trigger') AS comment
             FROM pg_trigger WHERE tgrelid = old AND NOT tgisinternal AND tgparentid = 0 ORDER BY tgname LOOP
        triggers := triggers || regexp_replace(r.def, ' ON (public\\.)?{OLD} ', ' ON {TABLE} ');
        IF r.comment IS NOT NULL THEN  -- pgtrigger keeps its trigger's hash there (``pgtrigger ls``)
            triggers := triggers || format('COMMENT ON TRIGGER %I ON {TABLE} IS %L', r.tgname, r.comment);
        END IF;
    END LOOP;
    FOR r IN SELECT pg_get_indexdef(i.indexrelid) AS def FROM pg_index i
             WHERE i.indrelid = old AND NOT i.indisprimary ORDER BY i.indexrelid LOOP
        indexes := indexes || regexp_replace(r.def, ' ON (ONLY )?(public\\.)?{OLD} ', ' ON {TABLE} ');
    END LOOP;
    FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
             WHERE conrelid = old AND contype IN ('f', 'c') AND conparentid = 0 ORDER BY conname LOOP
        constraints := constraints || format('ALTER TABLE {TABLE} ADD CONSTRAINT %I %s', r.conname, r.def);
    END LOOP;
    DROP TABLE {OLD};
    ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({primary_key});
    FOREACH statement IN ARRAY indexes || constraints || triggers LOOP
        EXECUTE statement;
    END LOOP;
END $$
"""


# The old table renamed out of the way (its identity sequence too, so the new one takes the name).
RENAME_OLD = [
    f"ALTER TABLE {TABLE} RENAME TO {OLD}",
    f"""DO $$ BEGIN
    EXECUTE format('ALTER SEQUENCE %s RENAME TO {OLD}_id_seq', pg_get_serial_sequence('{OLD}', 'id'));
END $$""",
]
# Rows from the old table into the new one, and the identity sequence carried on.
COPY = [
    f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {OLD}",
    f"""SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'),
              GREATEST((SELECT last_value FROM {OLD}_id_seq), (SELECT coalesce(max(id), 1) FROM {OLD})))""",
]
LIKE = f"LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS"

# Partitions from the oldest event's month (at most ten years back: older rows go to DEFAULT) to three
# months ahead; beat keeps three months ahead from then on.
FORWARD = [
    *RENAME_OLD,
    f"CREATE TABLE {TABLE} ({LIKE}) PARTITION BY RANGE (created_at)",
    ENSURE_FUNCTION,
    f"""SELECT security_disputeevent_partition_ensure(m::date)
FROM generate_series(
    greatest(
        date_trunc('month', coalesce((SELECT min(created_at) FROM {OLD}), now()) AT TIME ZONE 'Asia/Shanghai'),
        date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') - interval '10 years'),
    date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '3 months',
    interval '1 month') m""",
    f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT",
    *COPY,
    rebuild_sql("id, created_at"),
    f"ANALYZE {TABLE}",
]

BACKWARD = [
    *RENAME_OLD,
    f"CREATE TABLE {TABLE} ({LIKE})",
    *COPY,
    rebuild_sql("id"),
    "DROP FUNCTION IF EXISTS security_disputeevent_partition_ensure(date)",
    f"ANALYZE {TABLE}",
]


class Migration(migrations.Migration):
    dependencies = [
        ("security", "0011_safety_resources_duty_room_kinds"),
    ]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD, state_operations=[], elidable=False),
    ]
