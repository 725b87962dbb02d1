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
