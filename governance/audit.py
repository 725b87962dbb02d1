"""The audit trail: every insert, update and delete of a register row is copied into its event
table by a database trigger (django-pghistory), with the request's user and URL when there is
one. Event tables are append-only (``PGHISTORY_APPEND_ONLY``)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

import pghistory
import pghistory.trigger
import pgtrigger
from django.db import connection, models, transaction


def audited(**kwargs):
    """``@audited()`` on a model: track inserts, updates and deletes. Trackers bind to one model,
    so each call makes fresh ones. Keyword arguments go to ``pghistory.track`` (``exclude``,
    ``model_name``, ``obj_field``…)."""
    return pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent(), **kwargs)


def audited_links(**kwargs):
    """``@audited_links()`` on a proxy of a many-to-many through table (``class ClueSubjects(
    Clue.subjects.through): class Meta: proxy = True``): every link added or removed is an event, so a
    land transfer's plots or a meeting's attendees never change without a trace. [django-pghistory,
    "Tracking many-to-many events"]"""
    return pghistory.track(pghistory.InsertEvent("add"), pghistory.DeleteEvent("remove"), obj_field=None, **kwargs)


@contextlib.contextmanager
def _trigger_ignored(model: type[models.Model], trigger) -> Iterator[None]:
    """``pgtrigger.ignore`` for one trigger, set once for the transaction (``set_config(…, true)``)
    instead of prefixed to every statement: ``pgtrigger.ignore`` rewrites each statement with its
    parameters inlined by the client, which for the seed's bulk inserts cost about 4.5 s of the
    seed's Python time. The trigger functions read the same setting (``pgtrigger.ignore``: the
    trigger's URI and its id, as pgtrigger writes them); the previous value is put back after."""
    if any(getattr(wrapper, "__name__", "") == "_inject_pgtrigger_ignore" for wrapper in connection.execute_wrappers):
        # Inside a caller's pgtrigger.ignore(): its per-statement setting would override this one.
        with pgtrigger.ignore(f"{model._meta.label}:{trigger.name}"):
            yield
        return
    pgid = trigger.get_pgid(model)
    ignored = "{" + f"{model._meta.db_table}:{pgid},{pgid}" + "}"
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
        previous = cursor.fetchone()[0]
        cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [ignored])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            # An empty list, not an unset name: reading an unset name raises inside the trigger
            # function, whose rolled-back subtransaction is what the seed avoids.
            cursor.execute("SELECT set_config('pgtrigger.ignore', %s, true)", [previous or "{}"])


_INSERT_FUNC = re.compile(r'^INSERT INTO (?P<table>"[^"]+") \((?P<cols>[^)]*)\) VALUES \((?P<vals>.*)\); RETURN NULL;$')


def bulk_create_audited(model: type[models.Model], objs: list, *, batch_size: int | None = None) -> list:
    """``bulk_create`` whose audit rows are written by one ``INSERT … SELECT`` per call instead of
    the insert trigger once per row (the demo's tens of thousands of rows: most of ``seed_demo``'s
    time). The event rows are the trigger's own: its columns and values, taken from the trigger's
    SQL, read from the new rows (label, ``NOW()``, the request context when there is one). Models
    without an insert event are bulk-created as usual. Returns the created objects."""
    triggers = [
        trigger
        for tracked, trigger in pgtrigger.registered()
        if tracked is model and isinstance(trigger, pghistory.trigger.Event) and trigger.operation == pgtrigger.Insert
    ]
    if len(triggers) != 1 or triggers[0].condition is not None:
        return model._default_manager.bulk_create(objs, batch_size=batch_size)
    (trigger,) = triggers
    parts = _INSERT_FUNC.match(str(trigger.get_func(model).func).strip())
    if parts is None or "%" in parts["vals"]:
        return model._default_manager.bulk_create(objs, batch_size=batch_size)
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    pk_column = connection.ops.quote_name(pk.column)
    with transaction.atomic():
        with _trigger_ignored(model, trigger):
            created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        ids = sorted(obj.pk for obj in created)
        if not ids:
            return created
        # The trigger calls ``_pgh_attach_context()`` once per row; its exception block is a
        # subtransaction whose cost grows with the locks the seeding transaction holds (8.7 s for
        # 20 000 ledger entries). The context is the statement's, the same for every row: an
        # uncorrelated sub-select is evaluated once (an InitPlan) and gives each row that value.
        values = parts["vals"].replace("_pgh_attach_context()", "(SELECT _pgh_attach_context())")
        select = (
            f"INSERT INTO {parts['table']} ({parts['cols']}) SELECT {values} "
            f"FROM {connection.ops.quote_name(model._meta.db_table)} AS NEW "
        )
        with connection.cursor() as cursor:
            if ids[-1] - ids[0] + 1 == len(set(ids)):
                # One run of the sequence (the usual case): a range of the primary key's index. The
                # rows are fresh, without statistics: ``= ANY(ids)`` or a join on them took a nested
                # loop comparing every row with every id (14–22 s for 20 000).
                cursor.execute(
                    f"{select} WHERE NEW.{pk_column} BETWEEN %s AND %s ORDER BY NEW.{pk_column}", [ids[0], ids[-1]]
                )
            else:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
                cursor.execute(
                    f"{select} JOIN unnest(%s) AS created(pk) ON NEW.{pk_column} = created.pk ORDER BY NEW.{pk_column}",
                    [ids],
                )
    return created
