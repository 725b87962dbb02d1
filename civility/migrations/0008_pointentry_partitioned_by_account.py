# Issue 18 item 4: ``civility_pointentry`` becomes ``PARTITION BY HASH (account_id)`` with 16 partitions
# (``civility_pointentry_p00`` … ``p15``), as docs/scale-out.md argues ("by hash of account_id"): every
# money-safety rule stays a database constraint — unique (account_id, seq) and (account_id,
# idempotency_key) already contain the key — and an account's whole hash chain lives in one partition,
# so each partition verifies alone (``ledger_verify --partition``), attached or detached.
#
# PostgreSQL wants the partition key in every unique index and in every key a foreign key references:
#
# * the primary key becomes (id, account_id); ids stay unique by the identity sequence, carried on;
#   Django's model keeps ``id`` as its pk (the state does not change for it);
# * ``reverses`` was a OneToOneField (unique reverses_id, FK to id): it becomes a ForeignKey without a
#   database constraint plus the unique constraint (account_id, reverses_id), and this SQL adds the
#   foreign key (reverses_id, account_id) → (id, account_id): a reversal is on its own account
#   (``entry_reverse`` refuses another), so the pair is exactly as strict, and the database now also
#   refuses a reversal across accounts;
# * the foreign keys into entries become composite: redemptions (entry_id, account_id); ranking
#   corrections and dissuasions get a column ``entry_account_id`` (filled here from the entry, set by
#   the services that write them) and (entry_id, entry_account_id). Django's fields keep working, with
#   ``db_constraint=False`` (the operations Django generated drop the single-column keys first).
#
# The indexes, check and unique constraints, outgoing foreign keys and every trigger of the table —
# pgtrigger's no-delete / read-only / status-once, pghistory's insert and update triggers, the roll-up
# dirty-marking statement triggers — are read from the catalogue and recreated on the new table with
# the same names (and pgtrigger's hash comments), as ``security.0012`` does for dispute events; row
# triggers are cloned to every partition by PostgreSQL. Reversible: the reverse builds one plain table
# again with the primary key id (the single-column foreign keys come back with Django's fields).

import django.db.models.deletion
import pgtrigger.compiler
import pgtrigger.migrations
from django.conf import settings
from django.db import migrations, models


TABLE = "civility_pointentry"
OLD = "civility_pointentry_old"
PARTITIONS = 16


def rebuild_sql(primary_key: str) -> str:
    """Move the old table's triggers (with their comments), indexes (but its primary key and those
    backing a constraint) and check, unique and foreign-key constraints onto the new table under the
    same names, drop the old table, add ``primary_key``."""
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
             WHERE i.indrelid = old AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conrelid = old AND c.conindid = i.indexrelid)
             ORDER BY i.indexrelid LOOP
        indexes := indexes || regexp_replace(r.def, ' ON (ONLY )?(public\\.)?{OLD} ', ' ON {TABLE} ');
    END LOOP;
    FOR r IN SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
             WHERE conrelid = old AND contype IN ('f', 'c', 'u') AND conparentid = 0
             ORDER BY contype DESC, conname LOOP
        constraints := constraints || format('ALTER TABLE {TABLE} ADD CONSTRAINT %I %s', r.conname, r.def);
    END LOOP;
    DROP TABLE {OLD};
    ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY ({primary_key});
    FOREACH statement IN ARRAY indexes || constraints || triggers LOOP
        EXECUTE statement;
    END LOOP;
END $$
"""


RENAME_OLD = [
    f"ALTER TABLE {TABLE} RENAME TO {OLD}",
    f"""DO $$ BEGIN
    EXECUTE format('ALTER SEQUENCE %s RENAME TO {OLD}_id_seq', pg_get_serial_sequence('{OLD}', 'id'));
END $$""",
]
COPY = [
    f"INSERT INTO {TABLE} OVERRIDING SYSTEM VALUE SELECT * FROM {OLD}",
    f"""SELECT setval(pg_get_serial_sequence('{TABLE}', 'id'),
              GREATEST((SELECT last_value FROM {OLD}_id_seq), (SELECT coalesce(max(id), 1) FROM {OLD})))""",
]
LIKE = f"LIKE {OLD} INCLUDING DEFAULTS INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS"

# The composite foreign keys into entries: (name, table, columns). Deferred, as Django's own keys are.
REFERENCES = [
    ("point_entry_reverses_same_account", TABLE, "reverses_id, account_id"),
    ("redemption_entry_same_account", "civility_redemption", "entry_id, account_id"),
    ("ranking_correction_entry_account", "civility_rankingcorrection", "entry_id, entry_account_id"),
    ("dissuasion_entry_account", "civility_dissuasion", "entry_id, entry_account_id"),
]
ADD_REFERENCES = [
    f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({columns}) REFERENCES {TABLE} (id, account_id) "
    "DEFERRABLE INITIALLY DEFERRED"
    for name, table, columns in REFERENCES
]
DROP_REFERENCES = [f"ALTER TABLE {table} DROP CONSTRAINT {name}" for name, table, _columns in REFERENCES]

FORWARD = [
    *RENAME_OLD,
    f"CREATE TABLE {TABLE} ({LIKE}) PARTITION BY HASH (account_id)",
    *[
        f"CREATE TABLE {TABLE}_p{n:02d} PARTITION OF {TABLE} FOR VALUES WITH (MODULUS {PARTITIONS}, REMAINDER {n})"
        for n in range(PARTITIONS)
    ],
    *COPY,
    rebuild_sql("id, account_id"),
    *ADD_REFERENCES,
    f"ANALYZE {TABLE}",
]

BACKWARD = [
    *DROP_REFERENCES,
    *RENAME_OLD,
    f"CREATE TABLE {TABLE} ({LIKE})",
    *COPY,
    rebuild_sql("id"),
    f"ANALYZE {TABLE}",
]

# Ranking corrections are append-only (pgtrigger): the one fill of the new column is let through, as
# ``pgtrigger.ignore`` does. Dissuasions are audited: their fill is recorded as an update.
FILL_ENTRY_ACCOUNT = [
    """DO $$ BEGIN
    PERFORM set_config('pgtrigger.ignore', '{' || coalesce((SELECT string_agg(tgname, ',') FROM pg_trigger
        WHERE tgrelid = 'civility_rankingcorrection'::regclass AND tgname LIKE 'pgtrigger\\_ranking\\_%'), '') || '}', true);
    UPDATE civility_rankingcorrection c SET entry_account_id = e.account_id
    FROM civility_pointentry e WHERE e.id = c.entry_id;
    PERFORM set_config('pgtrigger.ignore', '{}', true);
END $$""",
    """UPDATE civility_dissuasion d SET entry_account_id = e.account_id
    FROM civility_pointentry e WHERE e.id = d.entry_id AND d.entry_account_id IS DISTINCT FROM e.account_id""",
    "SET CONSTRAINTS ALL IMMEDIATE",  # no pending foreign-key checks on tables altered below
]


class Migration(migrations.Migration):

    dependencies = [
        ('civility', '0007_civilized_family_proposer_publisher'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        pgtrigger.migrations.RemoveTrigger(
            model_name='dissuasion',
            name='insert_insert',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='dissuasion',
            name='update_update',
        ),
        pgtrigger.migrations.RemoveTrigger(
            model_name='dissuasion',
            name='delete_delete',
        ),
        migrations.AddField(
            model_name='dissuasion',
            name='entry_account',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='civility.pointaccount', verbose_name='流水所属账户'),
        ),
        migrations.AddField(
            model_name='dissuasionevent',
            name='entry_account',
            field=models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', related_query_name='+', to='civility.pointaccount', verbose_name='流水所属账户'),
        ),
        migrations.AddField(
            model_name='rankingcorrection',
            name='entry_account',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='civility.pointaccount', verbose_name='流水所属账户'),
        ),
        migrations.AlterField(
            model_name='dissuasion',
            name='entry',
            field=models.OneToOneField(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='civility.pointentry', verbose_name='积分流水'),
        ),
        migrations.AlterField(
            model_name='pointentry',
            name='reverses',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='reversed_by', to='civility.pointentry', verbose_name='冲正的流水'),
        ),
        migrations.AlterField(
            model_name='rankingcorrection',
            name='entry',
            field=models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='corrections', to='civility.pointentry', verbose_name='积分流水'),
        ),
        migrations.AlterField(
            model_name='redemption',
            name='entry',
            field=models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.PROTECT, related_name='redemption', to='civility.pointentry', verbose_name='积分流水'),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='dissuasion',
            trigger=pgtrigger.compiler.Trigger(name='insert_insert', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "civility_dissuasionevent" ("declaration_id", "entry_account_id", "entry_id", "id", "kind", "note", "occurred_on", "officer_id", "outcome", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."declaration_id", NEW."entry_account_id", NEW."entry_id", NEW."id", NEW."kind", NEW."note", NEW."occurred_on", NEW."officer_id", NEW."outcome", _pgh_attach_context(), NOW(), \'insert\', NEW."id"); RETURN NULL;', hash='163b8194748b6e171f400c9cb2b1995da1f0446f', operation='INSERT', pgid='pgtrigger_insert_insert_4985b', table='civility_dissuasion', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='dissuasion',
            trigger=pgtrigger.compiler.Trigger(name='update_update', sql=pgtrigger.compiler.UpsertTriggerSql(condition='WHEN (OLD.* IS DISTINCT FROM NEW.*)', func='INSERT INTO "civility_dissuasionevent" ("declaration_id", "entry_account_id", "entry_id", "id", "kind", "note", "occurred_on", "officer_id", "outcome", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (NEW."declaration_id", NEW."entry_account_id", NEW."entry_id", NEW."id", NEW."kind", NEW."note", NEW."occurred_on", NEW."officer_id", NEW."outcome", _pgh_attach_context(), NOW(), \'update\', NEW."id"); RETURN NULL;', hash='d57bd64431a36b4d6ea7957c7df4e5edf138be4c', operation='UPDATE', pgid='pgtrigger_update_update_e26db', table='civility_dissuasion', when='AFTER')),
        ),
        pgtrigger.migrations.AddTrigger(
            model_name='dissuasion',
            trigger=pgtrigger.compiler.Trigger(name='delete_delete', sql=pgtrigger.compiler.UpsertTriggerSql(func='INSERT INTO "civility_dissuasionevent" ("declaration_id", "entry_account_id", "entry_id", "id", "kind", "note", "occurred_on", "officer_id", "outcome", "pgh_context_id", "pgh_created_at", "pgh_label", "pgh_obj_id") VALUES (OLD."declaration_id", OLD."entry_account_id", OLD."entry_id", OLD."id", OLD."kind", OLD."note", OLD."occurred_on", OLD."officer_id", OLD."outcome", _pgh_attach_context(), NOW(), \'delete\', OLD."id"); RETURN NULL;', hash='a399dfc4ff929130d18ec2b69f00cf8c8ed77c7a', operation='DELETE', pgid='pgtrigger_delete_delete_5145e', table='civility_dissuasion', when='AFTER')),
        ),
        migrations.AddConstraint(
            model_name='pointentry',
            constraint=models.UniqueConstraint(fields=('account', 'reverses'), name='point_entry_one_reversal', violation_error_message='该流水已被冲正。'),
        ),
        migrations.RunSQL(FILL_ENTRY_ACCOUNT, migrations.RunSQL.noop, elidable=False),
        migrations.AddConstraint(
            model_name='dissuasion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('entry__isnull', True), ('entry_account__isnull', True)), models.Q(('entry__isnull', False), ('entry_account__isnull', False)), _connector='OR'), name='dissuasion_entry_with_account', violation_error_message='扣分流水与其所属账户须同时记录。'),
        ),
        migrations.AlterField(
            model_name='rankingcorrection',
            name='entry_account',
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='civility.pointaccount', verbose_name='流水所属账户'),
        ),
        migrations.RunSQL(FORWARD, BACKWARD, state_operations=[], elidable=False),
    ]
