"""What an import loads once per file instead of once per row (issue 11, item 8): the rows the file
updates (``ScopedInstanceLoader``), the rows already holding the file's unique values
(``UniqueValues``), and the model's check constraints that need a query (``constraints_validate``).
Used by ``governance.resources.ScopedResource``."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import UniqueConstraint
from django.utils.translation import gettext_lazy as _
from import_export.instance_loaders import BaseInstanceLoader

ERR_IMPORT_DUPLICATE = "import_duplicate"
PREFETCH_CHUNK = 5000  # values per ``__in`` query when a file's keys are loaded


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

    def __init__(self, resource: Any, dataset=None):
        super().__init__(resource, dataset)
        names = list(resource.get_import_id_fields())
        self.fields = [resource.fields[name] for name in names]
        lookups = getattr(resource, "instance_lookups", {})
        self.lookups = [lookups.get(name, resource.fields[name].attribute) for name in names]
        self.instances: dict[tuple, Any] = {}
        if dataset is None or not all(f.column_name in (dataset.headers or []) for f in self.fields):
            return
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

    def get_instance(self, row):
        key = self.key(row)
        return None if key is None else self.instances.get(key)


class UniqueValues:
    """For each unique field (or set of fields) that the file fills, the rows (in or out of scope)
    already holding one of the file's values, ``{values: pk}``, loaded once; and the values seen in
    the rows above, so that the same key twice in one file names both rows. Only pks are read:
    nothing of a row outside the scope is shown, exactly as Django's own unique check (one query a
    row) does. ``per_row``: some unique field is not in the file, so Django's check must run."""

    def __init__(self, resource: Any, dataset) -> None:
        model = resource._meta.model
        checks, _date_checks = model()._get_unique_checks(include_meta_constraints=True)
        by_attribute = {f.attribute: f for f in resource.get_import_fields() if f.attribute}
        headers = dataset.headers or []
        self.checks: list[tuple[tuple[str, ...], dict[tuple, Any]]] = []
        self.seen: dict[tuple, int] = {}
        self.per_row = False
        rows = None
        for _model, names in checks:
            if names == (model._meta.pk.name,):
                continue
            columns = [by_attribute.get(name) for name in names]
            if any(c is None or c.column_name not in headers for c in columns):
                self.per_row = True
                continue
            rows = dataset.dict if rows is None else rows
            wanted = set()
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

    def validate(self, instance: Any, errors: dict, row_number: int, header: Callable[[str], str]) -> None:
        """Add to ``errors`` (keyed by field name) a unique value held by another row, in the
        database or above in the file. ``row_number`` counts data rows from 1 (spreadsheet row - 1)."""
        for names, existing in self.checks:
            if any(name in errors for name in names):
                continue
            key = tuple(getattr(instance, instance._meta.get_field(name).attname) for name in names)
            if any(v in (None, "") for v in key):
                continue
            spot = names[0] if len(names) == 1 else NON_FIELD_ERRORS
            first = self.seen.setdefault((names, *key), row_number)
            if first != row_number:
                errors[spot] = ValidationError(
                    _("第%(first)s行与第%(row)s行%(label)s重复。"),
                    code=ERR_IMPORT_DUPLICATE,
                    params={"first": first + 1, "row": row_number + 1, "label": "、".join(map(header, names))},
                )
            elif existing.get(key, instance.pk) != instance.pk:
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
