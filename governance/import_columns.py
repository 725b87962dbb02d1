"""The column-wise import path (issue 11, item 8): the background job's import of a plain register
(``skip_diff`` and ``Meta.use_bulk``, a resource saying ``columnar = True``) at thousands of rows a
second. django-import-export's row loop costs about 0.4 ms a row (a dict per row, a model instance,
six widget calls, ``full_clean``, a ``RowResult``); the same checks are made here once per column:

1. each import field's widget reads each *distinct* cell once (a file of 100 000 people has 200
   division codes and five political statuses; a widget's answer depends on the cell alone, the
   scoped foreign keys on the file's prefetched rows), its ``ValidationError`` kept for the rows
   holding that cell;
2. each model field's own ``clean`` (``to_python``, choices, max_length, validators: the 身份证号
   check digit, the phone and name rules) runs once per distinct cleaned value, as ``full_clean``
   runs it; a model field that the file does not fill is checked once, on its default;
3. unique values against the file's prefetched ones (``UniqueValues``), the other constraints and
   ``Model.clean`` per row (``constraints_validate``: nothing to do for a person);
4. the reader's own errors (numeric 身份证号, a key twice in the file) merged in as the row path does.

Errors are those of the row path, keyed by the Chinese column header and numbered by the sheet's
own row numbers. Rows that update an existing record go through the ordinary ``import_row`` (their
skip-if-unchanged, their ``bulk_update``). A file without a refused row is then written with
``governance.audit.copy_create_audited``: the rows by one ``COPY``, their audit events by one
``INSERT … SELECT`` instead of the trigger once per row. The dry run makes every check and writes
nothing (the row path wrote and rolled back)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from import_export.fields import NOT_PROVIDED
from import_export.results import Result, RowResult

from governance import import_sets
from governance.audit import copy_create_audited
from governance.import_sets import Refused, constraints_validate


def _cache_key(value: Any) -> Any:
    return value if type(value) is str else (type(value), value)


def widget_column(field: Any, values: list[Any]) -> list[Any]:
    """``field.clean`` (the widget, then the field's default for an empty value) of each cell of a
    column, once per distinct cell; a refused cell is a ``Refused``. ``ValueError`` is made a
    ``ValidationError`` as ``ScopedResource.import_instance`` makes it."""
    column_name = field.column_name
    widget = field.widget
    empty = field.empty_values
    default = field.default
    cache: dict[Any, Any] = {}
    out: list[Any] = []
    for raw in values:
        try:
            key = _cache_key(raw)
            out.append(cache[key])
            continue
        except KeyError:
            pass
        except TypeError:  # an unhashable cell: cleaned, not remembered
            key = None
        try:
            value = widget.clean(raw, row={column_name: raw})
            if value in empty and default is not NOT_PROVIDED:
                value = default() if callable(default) else default
        except ValidationError as e:
            value = Refused(e)
        except ValueError as e:
            value = Refused(ValidationError(str(e), code="invalid"))
        if key is not None:
            cache[key] = value
        out.append(value)
    return out


def model_column(field: models.Field, values: list[Any], skip: set[int]) -> dict[int, ValidationError]:
    """``field.clean`` (as ``Model.clean_fields`` runs it) over a cleaned column, once per distinct
    value; the cleaned values replace the column's in place. Returns ``{row index: error}``; rows in
    ``skip`` (refused by their widget) are left out, as ``full_clean`` excludes them."""
    errors: dict[int, ValidationError] = {}
    cache: dict[Any, Any] = {}
    empty = field.empty_values
    for index, value in enumerate(values):
        if index in skip or (field.blank and value in empty):
            continue
        try:
            key = _cache_key(value)
            found = cache[key]
        except KeyError:
            try:
                found = field.clean(value, None)
            except ValidationError as e:
                found = Refused(e)
            cache[key] = found
        except TypeError:
            try:
                found = field.clean(value, None)
            except ValidationError as e:
                found = Refused(e)
        if type(found) is Refused:
            errors[index] = found.error
        else:
            values[index] = found
    return errors


class ColumnarImport:
    """One file through the column-wise path (see the module's docstring); ``run()`` returns the
    resource's ``Result`` as the row path would."""

    def __init__(self, resource: Any, dataset: Any, dry_run: bool, using_transactions: bool, kwargs: dict) -> None:
        self.resource = resource
        self.dataset = dataset
        self.dry_run = dry_run
        self.using_transactions = using_transactions
        self.kwargs = kwargs
        self.model = resource._meta.model
        headers = list(dataset.headers or [])
        self.headers = headers
        self.fields = [f for f in resource.get_import_fields() if f.column_name in headers and not f.readonly]

    def run(self) -> Result:
        resource, dataset = self.resource, self.dataset
        result = resource.get_result_class()()
        result.diff_headers = resource.get_diff_headers()
        result.total_rows = len(dataset)
        try:
            resource.prefetch_related_rows(dataset)
            columns = {f.attribute: widget_column(f, dataset[f.column_name]) for f in self.fields}
            resource.load_unique_values(dataset, columns)
            resource._check_import_id_fields(dataset.headers)
            loader = resource._meta.instance_loader_class(resource, dataset, columns=columns)
        except Exception as e:
            resource.handle_import_error(result, e, False)
            return result
        outcomes, new = self.check(columns, loader, result)
        for row_result in outcomes:
            result.increment_row_result_total(row_result)
            result.append_row_result(row_result)
        if not result.has_validation_errors() and not self.dry_run:
            try:
                copy_create_audited(self.model, new)
            except Exception as e:
                resource.handle_import_error(result, e, False)
        resource.bulk_update(
            self.using_transactions, self.dry_run, False, batch_size=resource._meta.batch_size, result=result
        )
        try:
            resource.after_import(dataset, result, **self.kwargs)
        except Exception as e:
            resource.handle_import_error(result, e, False)
        return result

    def _row(self, index: int) -> OrderedDict:
        return OrderedDict(zip(self.headers, self.dataset[index], strict=True))

    def check(self, columns: dict[str, list[Any]], loader: Any, result: Result) -> tuple[list[RowResult], list]:
        """Every row checked; returns the rows' results in file order and the new instances to write.
        Refused rows are added to ``result.invalid_rows``."""
        resource, model = self.resource, self.model
        meta_fields = {f.name: f for f in model._meta.concrete_fields}
        count = len(self.dataset)
        field_errors: list[dict[str, Any]] = [{} for _ in range(count)]
        for attribute, values in columns.items():
            for index, value in enumerate(values):
                if type(value) is Refused:
                    field_errors[index][attribute] = value.error
        # Rows that update a stored record: the row path. The others: checked column by column.
        existing = set()
        if loader.instances:
            for index in range(count):
                key = loader.key_of(columns, index)
                if key is not None and key in loader.instances:
                    existing.add(index)
        scoped = set(resource._scoped_relations)
        for attribute, values in columns.items():
            field = meta_fields.get(attribute)
            if field is None:
                continue
            skip = {i for i in range(count) if attribute in field_errors[i]} | existing
            if attribute in scoped:
                for index, value in enumerate(values):
                    if index not in skip:
                        try:
                            models.Field.validate(field, None if value is None else value.pk, None)
                        except ValidationError as e:
                            field_errors[index][attribute] = e
                continue
            for index, error in model_column(field, values, skip).items():
                field_errors[index][attribute] = error
        default_errors = self.default_errors(set(columns))
        build = self.builder(columns)
        unique = resource._unique
        own_clean = model.clean is not models.Model.clean
        sheet_errors = resource.sheet_errors
        progress = resource.progress
        every = import_sets.PROGRESS_EVERY
        numbers = self.dataset[resource.sheet_row_header] if resource.sheet_row_header in self.headers else None
        outcomes: list[RowResult] = []
        new: list = []
        kwargs = {**self.kwargs, "dry_run": self.dry_run, "using_transactions": self.using_transactions}
        for index in range(count):
            if progress is not None and (index + 1) % every == 0:
                progress(index + 1)
            if index in existing:
                outcomes.append(self._update_row(loader, index, result, {**kwargs, "row_number": index + 1}))
                continue
            errors = {**default_errors, **field_errors[index]}
            instance = build(index)
            if own_clean:
                try:
                    instance.clean()
                except ValidationError as e:
                    errors = e.update_error_dict(errors)
            constraints_validate(instance, errors, resource.constraints_checked_by_fields)
            if unique is not None:
                if unique.per_row:
                    try:
                        instance.validate_unique(exclude=set(errors))
                    except ValidationError as e:
                        errors = e.update_error_dict(errors)
                unique.validate(instance, errors)
            number = numbers[index] if numbers is not None else None
            row_result = RowResult()
            row_result.import_type = RowResult.IMPORT_TYPE_NEW
            if errors or sheet_errors.get(number):
                row = self._row(index)
                if errors:
                    row_result.import_type = RowResult.IMPORT_TYPE_INVALID
                    row_result.validation_error = resource.header_keyed(ValidationError(errors))
                resource.add_sheet_errors(row_result, row)
                result.append_invalid_row(index + 1, row, row_result.validation_error)
            else:
                new.append(instance)
            outcomes.append(row_result)
        return outcomes, new

    def _update_row(self, loader: Any, index: int, result: Result, kwargs: dict) -> RowResult:
        row = self._row(index)
        row_result = self.resource.import_row(row, loader, **kwargs)
        if row_result.errors:
            result.append_error_row(index + 1, row, row_result.errors)
        elif row_result.validation_error:
            result.append_invalid_row(index + 1, row, row_result.validation_error)
        return row_result

    def builder(self, columns: dict[str, list[Any]]) -> Any:
        """``build(index)``: the row's new instance, as ``model(**cleaned cells)`` makes it (a refused
        cell left at the field's default) but through the positional ``__init__`` (a third of the time)."""
        model = self.model
        fields = model._meta.concrete_fields
        plan: list[tuple[list[Any] | None, bool, Any, bool]] = []
        for field in fields:
            default = field.get_default if callable(field.default) else field.get_default()
            plan.append((columns.get(field.name), field.is_relation, default, callable(field.default)))

        def build(index: int) -> Any:
            args = []
            related = []
            for field, (values, relation, default, call) in zip(fields, plan, strict=True):
                value: Any = values[index] if values is not None else Refused
                if value is Refused or type(value) is Refused:
                    args.append(default() if call else default)
                elif relation:
                    args.append(None if value is None else value.pk)
                    related.append((field, value))
                else:
                    args.append(value)
            instance = model(*args)
            for field, value in related:
                field.set_cached_value(instance, value)
            return instance

        return build

    def default_errors(self, filled: set[str]) -> dict[str, ValidationError]:
        """The errors every new row has because a model field the file does not fill is not valid
        with its default (a required column left out), checked once on a blank instance."""
        blank = self.model()
        errors: dict[str, ValidationError] = {}
        for field in self.model._meta.concrete_fields:
            if field.name in filled or field.primary_key:
                continue
            raw = getattr(blank, field.attname)
            if field.blank and raw in field.empty_values:
                continue
            try:
                field.clean(raw, blank)
            except ValidationError as e:
                errors[field.name] = e
        return errors
