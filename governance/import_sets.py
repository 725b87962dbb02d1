"""The set-based import path (issue 11, item 8): what an import loads once per file instead of once
per row. ``SetBasedImport`` (a mixin of ``governance.resources.ScopedResource``) loads, in
``before_import``, the related rows the file names (each widget's ``prefetch``), the rows the file
updates (``ScopedInstanceLoader``), the rows already holding the file's unique values
(``UniqueValues``); each row is then checked in Python (``constraints_validate`` only for the check
constraints that need a query), written with ``bulk_create``/``bulk_update`` where the resource says
``Meta.use_bulk``, and reported to ``progress`` every ``PROGRESS_EVERY`` rows.

The same key twice in one file is found by the reader before any of this (``governance.imports``,
``table_read``: both rows named); the unique values here are those already in the database."""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import UniqueConstraint
from django.utils import timezone
from import_export.instance_loaders import BaseInstanceLoader

PREFETCH_CHUNK = 5000  # values per ``__in`` query when a file's keys are loaded
BULK_BATCH_SIZE = 1000  # rows per INSERT/UPDATE statement (Meta.batch_size)
PROGRESS_EVERY = 500  # rows between two progress reports of a long import


class Refused:
    """A cell its widget refused, in a cleaned column (``governance.import_columns``)."""

    __slots__ = ("error",)

    def __init__(self, error: ValidationError) -> None:
        self.error = error


def key_value(value: Any) -> Any:
    """A cleaned cell as a dict key: a related row as its pk."""
    return value.pk if isinstance(value, models.Model) else value


def follow(instance: Any, lookup: str) -> Any:
    """``division__code`` of a row (related rows come with ``select_related``); a foreign key as its id."""
    parts = lookup.split("__")
    for part in parts[:-1]:
        instance = getattr(instance, part)
    field = instance._meta.get_field(parts[-1])
    return getattr(instance, field.attname if field.is_relation else field.name)


def chunks(keys: Collection[tuple], size: int = PREFETCH_CHUNK) -> list[list[tuple]]:
    ordered = sorted(keys, key=repr)
    return [ordered[start : start + size] for start in range(0, len(ordered), size)]


class ScopedInstanceLoader(BaseInstanceLoader):
    """The rows a file updates, found by their import key (``import_id_fields``, through the
    resource's ``instance_lookups`` where the key lives on a related row) among the resource's
    ``get_queryset()`` (``for_user``): one query per ``PREFETCH_CHUNK`` keys for the whole file
    instead of one per row. Works for keys of several fields (division + month)."""

    def __init__(self, resource: Any, dataset=None, columns: dict[str, list[Any]] | None = None):
        super().__init__(resource, dataset)
        names = list(resource.get_import_id_fields())
        self.fields = [resource.fields[name] for name in names]
        lookups = getattr(resource, "instance_lookups", {})
        self.lookups = [lookups.get(name, resource.fields[name].attribute) for name in names]
        self.instances: dict[tuple, Any] = {}
        if dataset is None or not all(f.column_name in (dataset.headers or []) for f in self.fields):
            return
        if columns is not None:  # cleaned already (``governance.import_columns``)
            keys = {key for key in (self.key_of(columns, i) for i in range(len(dataset))) if key is not None}
        else:
            keys = {key for key in (self.key(row) for row in dataset.dict) if key is not None}
        for chunk in chunks(keys):
            filters = {
                f"{lookup}__in": sorted({k[i] for k in chunk}, key=repr) for i, lookup in enumerate(self.lookups)
            }
            for instance in resource.get_queryset().filter(**filters):
                self.instances[tuple(follow(instance, lookup) for lookup in self.lookups)] = instance

    def key(self, row) -> tuple | None:
        try:
            values = tuple(key_value(field.clean(row)) for field in self.fields)
        except Exception:  # the row's own error is reported when the row is imported
            return None
        return None if any(v in (None, "") for v in values) else values

    def key_of(self, columns: dict[str, list[Any]], index: int) -> tuple | None:
        """``key`` of the ``index``-th row of cleaned columns (``import_columns.widget_column``)."""
        values = tuple(key_value(columns[field.attribute][index]) for field in self.fields)
        if any(v in (None, "") or type(v) is Refused for v in values):
            return None
        return values

    def get_instance(self, row):
        key = self.key(row)
        return None if key is None else self.instances.get(key)


class UniqueValues:
    """For each unique field (or set of fields) that the file fills, the rows (in or out of scope)
    already holding one of the file's values, ``{values: pk}``, loaded once. Only pks are read:
    nothing of a row outside the scope is shown, exactly as Django's own unique check (one query a
    row) does. ``per_row``: some unique field is not in the file, so Django's check must run.
    Within the file, a unique set is the resource's import key (``import_id_fields``), whose
    duplicates the reader refuses (``governance.imports``); ``tests/governance/test_import_jobs.py``
    checks that every import resource keeps it so."""

    def __init__(self, resource: Any, dataset, cleaned: dict[str, list[Any]] | None = None) -> None:
        model = resource._meta.model
        checks, _date_checks = model()._get_unique_checks(include_meta_constraints=True)
        by_attribute = {f.attribute: f for f in resource.get_import_fields() if f.attribute}
        headers = dataset.headers or []
        self.checks: list[tuple[tuple[str, ...], dict[tuple, Any]]] = []
        self.per_row = False
        rows = None
        for _model, names in checks:
            if names == (model._meta.pk.name,):
                continue
            columns = [by_attribute.get(name) for name in names]
            if any(c is None or c.column_name not in headers for c in columns):
                self.per_row = True
                continue
            wanted = set()
            if cleaned is not None and all(c.attribute in cleaned for c in columns):  # type: ignore[union-attr]
                for values in zip(*(cleaned[c.attribute] for c in columns), strict=True):  # type: ignore[union-attr]
                    key = tuple(key_value(v) for v in values)
                    if all(v not in (None, "") and type(v) is not Refused for v in key):
                        wanted.add(key)
            else:
                rows = dataset.dict if rows is None else rows
                for row in rows:
                    try:
                        key = tuple(key_value(c.clean(row)) for c in columns)  # type: ignore[union-attr]
                    except Exception:
                        continue
                    if all(v not in (None, "") for v in key):
                        wanted.add(key)
            existing: dict[tuple, Any] = {}
            attnames = [model._meta.get_field(name).attname for name in names]
            for chunk in chunks(wanted):
                filters = {f"{a}__in": sorted({k[i] for k in chunk}, key=repr) for i, a in enumerate(attnames)}
                for values in model._base_manager.filter(**filters).values_list(*attnames, "pk"):
                    existing[tuple(values[:-1])] = values[-1]
            self.checks.append((tuple(names), existing))

    def validate(self, instance: Any, errors: dict) -> None:
        """Add to ``errors`` (keyed by field name) a unique value already held by another row."""
        for names, existing in self.checks:
            if any(name in errors for name in names):
                continue
            key = tuple(getattr(instance, instance._meta.get_field(name).attname) for name in names)
            if any(v in (None, "") for v in key):
                continue
            if existing.get(key, instance.pk) != instance.pk:
                spot = names[0] if len(names) == 1 else NON_FIELD_ERRORS
                errors[spot] = ValidationError(instance.unique_error_message(type(instance), names))


def constraints_validate(instance: Any, errors: dict, checked_by_fields: Collection[str]) -> None:
    """The model's constraints that neither ``UniqueValues`` nor a field validator covers (one query
    each, row by row), their errors added to ``errors``."""
    model = type(instance)
    for constraint in model._meta.constraints:
        if constraint.name in checked_by_fields:
            continue
        if isinstance(constraint, UniqueConstraint) and constraint.fields and constraint.condition is None:
            continue  # among the unique checks
        try:
            constraint.validate(model, instance, exclude=set(errors))
        except ValidationError as e:
            errors.setdefault(NON_FIELD_ERRORS, []).extend(e.error_list)


class SetBasedImport:
    """The ``ModelResource`` hooks of the set-based path (see the module's docstring). A widget that
    can load its column's rows at once has ``prefetch(values)`` and ``cache`` (``ScopedForeignKeyWidget``).

    ``skip_diff=True`` (the background job's way) leaves out the before/after preview of each row;
    ``progress(rows_done)`` is called every ``PROGRESS_EVERY`` rows."""

    _meta: Any
    fields: dict[str, Any]
    #: import key fields whose rows are found through a related row: {"code": "division__code"}
    instance_lookups: dict[str, str] = {}
    #: check constraints that the fields' own validators already enforce row by row (checking them
    #: again through Django costs one query per row)
    constraints_checked_by_fields: frozenset[str] = frozenset()
    #: new rows checked column by column when run without the preview (``governance.import_columns``):
    #: only for a resource with no per-row hook of its own beyond this mixin's
    columnar: bool = False
    #: the dataset column carrying each row's sheet row number (``governance.imports.SHEET_ROW``)
    sheet_row_header: str = "__sheet_row__"

    def __init__(self, skip_diff: bool = False, progress: Callable[[int], None] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.progress = progress
        options: Any = copy.copy(type(self)._meta)  # this import's options, not the class's
        self._meta = options
        self._meta.instance_loader_class = ScopedInstanceLoader
        if skip_diff:
            self._meta.skip_diff = True
        model = self._meta.model
        model_fields = {f.name for f in model._meta.concrete_fields}
        self._scoped_relations: list[str] = []
        for field in self.fields.values():
            if hasattr(field.widget, "prefetch"):
                field.widget.miss_queries = field.widget.model is model  # a parent made a few rows above
                if field.attribute in model_fields:
                    self._scoped_relations.append(field.attribute)
        self._unique: UniqueValues | None = None

    # --- once per file ---------------------------------------------------------------------------

    def before_import(self, dataset: Any, **kwargs: Any) -> None:
        """Load what the rows refer to, once: related rows by code, and existing unique values."""
        super().before_import(dataset, **kwargs)  # type: ignore[misc]
        self.prefetch_related_rows(dataset)
        self.load_unique_values(dataset)

    def prefetch_related_rows(self, dataset: Any) -> None:
        """Each scoped widget's rows, by the codes its column holds (``prefetch``)."""
        headers = dataset.headers or []
        for field in self.fields.values():
            if hasattr(field.widget, "prefetch") and field.column_name in headers:
                field.widget.prefetch(dataset[field.column_name])

    def load_unique_values(self, dataset: Any, cleaned: dict[str, list[Any]] | None = None) -> None:
        """The stored rows holding the file's unique values (``UniqueValues``); ``cleaned``: the
        file's columns already cleaned, by attribute."""
        self._unique = UniqueValues(self, dataset, cleaned)

    def after_import(self, dataset: Any, result: Any, **kwargs: Any) -> None:
        super().after_import(dataset, result, **kwargs)  # type: ignore[misc]
        for field in self.fields.values():
            if hasattr(field.widget, "prefetch"):
                field.widget.cache = None

    # --- each row, without a query -----------------------------------------------------------------

    def after_init_instance(self, instance: Any, new: bool, row: Any, **kwargs: Any) -> None:
        # What the row was, for skip_unchanged without the preview's deep copy.
        if not new:
            instance._import_snapshot = {
                f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            }

    def after_import_row(self, row: Any, row_result: Any, **kwargs: Any) -> None:
        number = kwargs.get("row_number", 0)
        if self.progress is not None and number % PROGRESS_EVERY == 0:
            self.progress(number)

    def skip_row(self, instance: Any, original: Any, row: Any, import_validation_errors: Any = None) -> bool:
        if not self._meta.skip_diff:
            return super().skip_row(instance, original, row, import_validation_errors)  # type: ignore[misc]
        snapshot = getattr(instance, "_import_snapshot", None)
        if not self._meta.skip_unchanged or import_validation_errors or snapshot is None:
            return False
        return all(getattr(instance, attname) == value for attname, value in snapshot.items())

    def validate_instance(
        self, instance: Any, import_validation_errors: dict | None = None, validate_unique: bool = True
    ) -> None:
        """The model's own checks without their per-row queries: unique values against the file's
        prefetched ones, check constraints only where no field validator already enforces them.
        Raises ``ValidationError`` keyed by field name."""
        errors = dict(import_validation_errors or {})
        if self._meta.clean_model_instances:
            # A related row found by a scoped widget exists: Django's check would query it again.
            found = [a for a in self._scoped_relations if a not in errors]
            try:
                instance.full_clean(
                    exclude=[*errors, *found],
                    validate_unique=self._unique is None or self._unique.per_row,
                    validate_constraints=False,
                )
            except ValidationError as e:
                errors = e.update_error_dict(errors)
            for attribute in found:
                field = instance._meta.get_field(attribute)
                try:  # null and blank only (models.Field's check, without ForeignKey's query)
                    models.Field.validate(field, getattr(instance, field.attname), instance)
                except ValidationError as e:
                    errors[attribute] = e
            constraints_validate(instance, errors, self.constraints_checked_by_fields)
        if validate_unique and self._unique is not None:
            self._unique.validate(instance, errors)
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance: Any, is_create: bool, row: Any, **kwargs: Any) -> None:
        if self._meta.use_bulk and not is_create:
            for field in instance._meta.concrete_fields:
                if getattr(field, "auto_now", False):  # bulk_update does not call pre_save
                    setattr(instance, field.attname, timezone.now())
        super().save_instance(instance, is_create, row, **kwargs)  # type: ignore[misc]

    def get_bulk_update_fields(self) -> list[str]:
        auto_now = [f.name for f in self._meta.model._meta.concrete_fields if getattr(f, "auto_now", False)]
        return [*super().get_bulk_update_fields(), *auto_now]  # type: ignore[misc]
