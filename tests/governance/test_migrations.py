from django.contrib.postgres.operations import CreateExtension
from django.db.migrations.loader import MigrationLoader


def test_no_migration_needs_a_postgres_extension(db):
    """`make run` and `make test` use the embedded PostgreSQL (pgserver), which ships no contrib
    extensions (no btree_gist, pg_trgm…): a migration that creates one would break both."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    offenders = [
        f"{app}.{name}: {operation.name}"
        for (app, name), migration in loader.disk_migrations.items()
        for operation in migration.operations
        if isinstance(operation, CreateExtension)
    ]
    assert offenders == []


def test_the_squashed_migrations_install_every_declared_trigger(db):
    """The test database is built by the squashed migrations (``CreateModels``, triggers installed
    with their tables, proxies' triggers on the link tables after them): every trigger a model
    declares, audit and append-only alike, is in the database with the hash pgtrigger expects."""
    import pgtrigger
    from django.db import connection

    with connection.cursor() as cursor:
        # A partitioned table's triggers are cloned onto its partitions (``tgparentid``), without the
        # comment pgtrigger keeps its hash in: the parent's own trigger is the one declared.
        cursor.execute(
            "SELECT tgname, obj_description(oid, 'pg_trigger') FROM pg_trigger "
            "WHERE NOT tgisinternal AND tgparentid = 0"
        )
        installed = dict(cursor.fetchall())
    declared = {}
    for model, trigger in pgtrigger.registered():
        compiled = trigger.compile(model)
        declared[trigger.get_pgid(model)] = compiled.hash
    assert len(declared) > 300
    missing = {pgid for pgid in declared if pgid not in installed}
    assert missing == set()
    assert {pgid for pgid, digest in declared.items() if installed[pgid] != digest} == set()


def test_migrate_uses_the_squashed_migrations_on_an_empty_database():
    """On an empty database the plan has the squashed migrations, not the ~700 operations they replace."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    squashed = [key for key, migration in loader.disk_migrations.items() if migration.replaces]
    assert len(squashed) == 6
    for key in squashed:
        assert key in loader.graph.nodes
        assert not set(loader.disk_migrations[key].replaces) & set(loader.graph.nodes)
