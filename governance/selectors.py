"""Non-trivial reads of the core."""

from __future__ import annotations

from django.db import connection

from governance.models import Division


def division_tree_breaks() -> list[str]:
    """Codes of divisions whose stored path does not follow from their parent's (should be none:
    triggers keep it; this is the nightly proof)."""
    table = Division._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT child.code FROM {table} child
            LEFT JOIN {table} parent ON parent.id = child.parent_id
            WHERE child.path IS DISTINCT FROM COALESCE(parent.path, '') || child.code || '/'
            ORDER BY child.code
            """
        )
        return [row[0] for row in cursor.fetchall()]
