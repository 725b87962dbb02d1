"""The audit trail: every insert, update and delete of a register row is copied into its event
table by a database trigger (django-pghistory), with the request's user and URL when there is
one. Event tables are append-only (``PGHISTORY_APPEND_ONLY``)."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pghistory
import pghistory.trigger
import pgtrigger
from django.db import connection, models, transaction
from django.utils import timezone


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


def _insert_event(model: type[models.Model]) -> tuple[Any, re.Match] | None:
    """The model's one unconditional insert trigger and the parts of its ``INSERT`` (table, columns,
    values), or None when it has none or another kind."""
    triggers = [
        trigger
        for tracked, trigger in pgtrigger.registered()
        if tracked is model and isinstance(trigger, pghistory.trigger.Event) and trigger.operation == pgtrigger.Insert
    ]
    if len(triggers) != 1 or triggers[0].condition is not None:
        return None
    parts = _INSERT_FUNC.match(str(triggers[0].get_func(model).func).strip())
    if parts is None or "%" in parts["vals"]:
        return None
    return triggers[0], parts


def _events_insert(model: type[models.Model], parts: re.Match, ids: list[int]) -> None:
    """The insert events of the rows ``ids`` (sorted), as the trigger would have written them."""
    pk = model._meta.pk
    assert pk is not None and pk.column is not None
    pk_column = connection.ops.quote_name(pk.column)
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


# Fields whose database value is the Python value itself when it already has the type: Django's
# own conversion (``get_prep_value``) returns a str or an int unchanged (CharField's ``to_python``
# on a value it already cleaned). A subclass with a conversion of its own is not among them.
_PLAIN_PREP = {
    models.CharField.get_prep_value: str,
    models.TextField.get_prep_value: str,
    models.IntegerField.get_prep_value: int,
}
_PLAIN_DB_PREP = {
    models.Field.get_db_prep_value,
    models.IntegerField.get_db_prep_value,
    models.fields.AutoFieldMixin.get_db_prep_value,
}


def _db_value(field: models.Field) -> Any:
    """How one field's database value is read from a new object: Django's own ``pre_save`` and
    ``get_db_prep_save``, except that an ``auto_now``/``auto_now_add`` date is taken once for all the
    rows (as in one ``INSERT``), and a plain text or integer value already of its type is sent as it is."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        now = timezone.now()
        stamped = field.get_db_prep_save(now, connection)

        def stamp(obj: Any) -> Any:
            setattr(obj, field.attname, now)
            return stamped

        return stamp
    attname = field.attname
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    plain = None
    kind = type(target)
    if kind.get_db_prep_save is models.Field.get_db_prep_save and kind.get_db_prep_value in _PLAIN_DB_PREP:
        plain = _PLAIN_PREP.get(kind.get_prep_value)

    def convert(obj: Any) -> Any:
        value = getattr(obj, attname)
        if value is None or type(value) is plain:
            return value
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    return convert


def copy_create_audited(model: type[models.Model], objs: list) -> list:
    """``bulk_create_audited`` with the rows sent by one ``COPY`` instead of ``INSERT``s: their ids
    are drawn from the table's sequence first (one query), each field's database value is Django's
    own (``pre_save``, ``get_db_prep_save``: ``auto_now`` dates, normalised phones), and the audit
    rows are written by one ``INSERT … SELECT`` from the trigger's SQL. Without an unconditional
    insert trigger, or for a primary key without a sequence, it is ``bulk_create_audited``. Returns
    the objects, saved (pk set)."""
    found = _insert_event(model)
    pk = model._meta.pk
    if found is None or not objs or pk is None or not isinstance(pk, models.fields.AutoFieldMixin):
        return bulk_create_audited(model, objs)
    trigger, parts = found
    table = model._meta.db_table
    fields = list(model._meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with transaction.atomic(), pgtrigger.ignore(f"{model._meta.label}:{trigger.name}"):
        with connection.cursor() as cursor:
            # Through Django's cursor, so that pgtrigger sets its "ignore" for the COPY's transaction.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), pk.column, len(objs)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            for obj, pk_value in zip(objs, ids, strict=True):
                setattr(obj, pk.attname, pk_value)
            convert = [_db_value(f) for f in fields]
            with cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy:
                for obj in objs:
                    copy.write_row([make(obj) for make in convert])
        _events_insert(model, parts, sorted(ids))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def bulk_create_audited(model: type[models.Model], objs: list, *, batch_size: int | None = None) -> list:
    """``bulk_create`` whose audit rows are written by one ``INSERT … SELECT`` per call instead of
    the insert trigger once per row (the demo's tens of thousands of rows: most of ``seed_demo``'s
    time). The event rows are the trigger's own: its columns and values, taken from the trigger's
    SQL, read from the new rows (label, ``NOW()``, the request context when there is one). Models
    without an insert event are bulk-created as usual. Returns the created objects."""
    found = _insert_event(model)
    if found is None:
        return model._default_manager.bulk_create(objs, batch_size=batch_size)
    trigger, parts = found
    with transaction.atomic():
        with _trigger_ignored(model, trigger):
            created = model._default_manager.bulk_create(objs, batch_size=batch_size)
        ids = sorted(obj.pk for obj in created)
        if ids:
            _events_insert(model, parts, ids)
    return created
