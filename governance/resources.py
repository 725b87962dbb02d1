"""Excel/CSV import and export of the core registers (django-import-export).

Every resource is built for one user (``Resource(user=request.user)``): the rows it finds, updates
and exports, and the divisions and people a row may refer to, are those of ``for_user(user)``.
Columns carry Chinese headers; foreign keys are referred to by code (区划代码) or 身份证号.
An import with any bad row writes nothing, and the result names each bad row by its spreadsheet
row number (the header being row 1).

Set-based (issue 11, item 8): the number of queries does not grow with the rows. Once per file,
``before_import`` loads the rows the file refers to (related rows by code or 身份证号 among
``for_user``, the rows it updates by their import key, and the rows already holding a unique value)
into dicts; each row is then checked in Python, and plain registers are written with
``bulk_create``/``bulk_update`` (``Meta.use_bulk``) while the audit triggers stay on."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.results import Result

from governance.import_sets import (  # noqa: F401 (ERR_IMPORT_DUPLICATE: imported from here too)
    ERR_IMPORT_DUPLICATE,
    PREFETCH_CHUNK,
    ScopedInstanceLoader,
    UniqueValues,
    constraints_validate,
)
from governance.masking import can_view_personal_data, mask_id_number, mask_phone
from governance.models import Division, DivisionLevel, Household, Person, PoliticalStatus, Relation
from governance.phones import phone_normalize
from governance.services import household_update
from governance.validators import normalize_id_number

ERR_IMPORT_NOT_IN_SCOPE = "import_not_in_scope"
ERR_IMPORT_ROOT_DIVISION = "import_root_division"
ERR_IMPORT_CHOICE = "import_invalid_choice"
BULK_BATCH_SIZE = 1000  # rows per INSERT/UPDATE statement (Meta.batch_size)
PROGRESS_EVERY = 500  # rows between two progress reports of a long import


def _text(value) -> str:
    """A cell as text: Excel hands over whole numbers as int or float (13812345678.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Looks the related row up by a code among the rows the importing user may see; a code that is
    unknown or out of scope gets the same answer, so an import cannot probe other areas."""

    def __init__(self, model, field: str, label, **kwargs):
        self.user = None
        self.label = label
        # Filled once per file by ``prefetch``: {code: row}; None outside an import (one query a value).
        self.cache: dict[str, Any] | None = None
        self.miss_queries = False  # a division file may refer to a parent made a few rows above
        super().__init__(model, field=field, **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.for_user(self.user)

    def normalize(self, value) -> str:
        value = _text(value)
        return normalize_id_number(value) if self.field == "id_number" else value

    def prefetch(self, values: Iterable[Any]) -> None:
        """Load every row the file refers to in this column, among those the user may see: one query
        per ``PREFETCH_CHUNK`` distinct values."""
        wanted = sorted({v for v in (self.normalize(value) for value in values) if v})
        self.cache = {}
        queryset = self.get_queryset(None, None)
        for start in range(0, len(wanted), PREFETCH_CHUNK):
            chunk = wanted[start : start + PREFETCH_CHUNK]
            for obj in queryset.filter(**{f"{self.field}__in": chunk}):
                self.cache[getattr(obj, self.field)] = obj

    def clean(self, value, row=None, **kwargs):
        value = self.normalize(value)
        if not value:
            return None
        if self.cache is not None and (value in self.cache or not self.miss_queries):
            found = self.cache.get(value)
            if found is not None:
                return found
            raise self.not_found(value)
        try:
            return self.get_queryset(value, row).get(**{self.field: value})
        except self.model.DoesNotExist:
            raise self.not_found(value) from None

    def not_found(self, value: str) -> ValidationError:
        return ValidationError(
            _("%(label)s“%(value)s”不存在或不在您的管辖范围内。"),
            code=ERR_IMPORT_NOT_IN_SCOPE,
            params={"label": self.label, "value": value},
        )

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else getattr(value, self.field)


class ChoiceLabelWidget(widgets.Widget):
    """A choice written as its Chinese label (村、中共党员); the stored value is accepted too."""

    def __init__(self, choices, **kwargs):
        self.choices = choices
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if not value:
            return ""
        for stored, label in self.choices:
            if value in (stored, str(label)):
                return stored
        raise ValidationError(
            _("“%(value)s”不是有效的选项，可选：%(labels)s。"),
            code=ERR_IMPORT_CHOICE,
            params={"value": value, "labels": "、".join(str(label) for _v, label in self.choices)},
        )

    def render(self, value, obj=None, **kwargs):
        return str(dict(self.choices).get(value, value or ""))


class TextWidget(widgets.CharWidget):
    def clean(self, value, row=None, **kwargs):
        return _text(value)


class PhoneWidget(widgets.CharWidget):
    """A phone number in any common form (a number cell too), cleaned to the stored one."""

    def __init__(self, service: bool = False, **kwargs):
        self.service = service
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        return phone_normalize(_text(value), service=self.service)


class IdNumberWidget(widgets.CharWidget):
    """Blank is NULL (the column is unique), letters upper-case."""

    def clean(self, value, row=None, **kwargs):
        return normalize_id_number(_text(value)) or None


class YesNoWidget(widgets.BooleanWidget):
    TRUE_VALUES = ["是", *widgets.BooleanWidget.TRUE_VALUES]
    FALSE_VALUES = ["否", *widgets.BooleanWidget.FALSE_VALUES]

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class SpreadsheetRowResult(Result):
    """Bad rows numbered as the spreadsheet numbers them (the header is row 1), so "row 3" in the
    error list is row 3 in Excel."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)


class ScopedResource(resources.ModelResource):
    """Rows found, updated and exported are those the user may see; errors are keyed by the Chinese
    column header, and any bad row rolls the whole import back.

    ``skip_diff=True`` (the background job's way) leaves out the before/after preview of each row;
    ``progress(rows_done)`` is called every ``PROGRESS_EVERY`` rows."""

    # Import key fields whose rows are found through a related row: {"code": "division__code"}.
    instance_lookups: dict[str, str] = {}
    # Check constraints that the fields' own validators already enforce row by row (checking them
    # again through Django costs one query per row).
    constraints_checked_by_fields: frozenset[str] = frozenset()

    def __init__(self, user=None, skip_diff: bool = False, progress: Callable[[int], None] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.progress = progress
        options: Any = copy.copy(type(self)._meta)  # this import's options, not the class's
        self._meta = options
        self._meta.instance_loader_class = ScopedInstanceLoader
        if skip_diff:
            self._meta.skip_diff = True
        for field in self.fields.values():
            if isinstance(field.widget, ScopedForeignKeyWidget):
                field.widget.user = user
                field.widget.miss_queries = field.widget.model is self._meta.model
        model_fields = {f.name for f in self._meta.model._meta.concrete_fields}
        self._scoped_relations = [
            f.attribute
            for f in self.fields.values()
            if isinstance(f.widget, ScopedForeignKeyWidget) and f.attribute in model_fields
        ]
        self._unique: UniqueValues | None = None
        self._row_number = 0

    def get_queryset(self):
        return self._meta.model.objects.for_user(self.user)

    def export(self, queryset=None, **kwargs):
        """The rows as a dataset titled with the register's Chinese name (the sheet's name), values
        in their own types (numbers stay numbers); ``governance.spreadsheets`` writes the file."""
        kwargs["force_native_type"] = True
        dataset = super().export(queryset, **kwargs)
        dataset.title = str(self._meta.name or self._meta.model._meta.verbose_name_plural)
        return dataset

    @classmethod
    def get_result_class(cls):
        return SpreadsheetRowResult

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # A file is all or nothing: a validation error in any row rolls back every row.
        kwargs["rollback_on_validation_errors"] = True
        kwargs.setdefault("user", self.user)
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)

    # --- once per file ---------------------------------------------------------------------------

    def before_import(self, dataset, **kwargs):
        """Load what the rows refer to, once: related rows by code, and existing unique values."""
        super().before_import(dataset, **kwargs)
        headers = dataset.headers or []
        for field in self.fields.values():
            if isinstance(field.widget, ScopedForeignKeyWidget) and field.column_name in headers:
                field.widget.prefetch(dataset[field.column_name])
        self._unique = UniqueValues(self, dataset)

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        for field in self.fields.values():
            if isinstance(field.widget, ScopedForeignKeyWidget):
                field.widget.cache = None

    # --- each row, without a query -----------------------------------------------------------------

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number", 0)

    def after_init_instance(self, instance, new, row, **kwargs):
        # What the row was, for skip_unchanged without the preview's deep copy.
        if not new:
            instance._import_snapshot = {
                f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
            }

    def after_import_row(self, row, row_result, **kwargs):
        number = kwargs.get("row_number", 0)
        if self.progress is not None and number % PROGRESS_EVERY == 0:
            self.progress(number)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not self._meta.skip_diff:
            return super().skip_row(instance, original, row, import_validation_errors)
        snapshot = getattr(instance, "_import_snapshot", None)
        if not self._meta.skip_unchanged or import_validation_errors or snapshot is None:
            return False
        return all(getattr(instance, attname) == value for attname, value in snapshot.items())

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        """The model's own checks without their per-row queries: unique values against the file's
        prefetched ones (and against the rows above in the same file), check constraints only where
        no field validator already enforces them."""
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
            self._unique.validate(instance, errors, self._row_number, self._header)
        if errors:
            raise ValidationError(errors)

    def _header(self, attribute: str) -> str:
        for field in self.fields.values():
            if field.attribute == attribute:
                return str(field.column_name)
        return attribute

    def import_instance(self, instance, row, **kwargs):
        # Collect every field's error (ours raise ValidationError with a code, not ValueError).
        errors = {}
        for field in self.get_import_fields():
            try:
                self.import_field(field, instance, row, **kwargs)
            except ValidationError as e:
                errors[field.attribute] = e
            except ValueError as e:
                errors[field.attribute] = ValidationError(str(e), code="invalid")
        if errors:
            raise ValidationError(errors)

    def save_instance(self, instance, is_create, row, **kwargs):
        if self._meta.use_bulk and not is_create:
            for field in instance._meta.concrete_fields:
                if getattr(field, "auto_now", False):  # bulk_update does not call pre_save
                    setattr(instance, field.attname, timezone.now())
        super().save_instance(instance, is_create, row, **kwargs)

    def get_bulk_update_fields(self):
        auto_now = [f.name for f in self._meta.model._meta.concrete_fields if getattr(f, "auto_now", False)]
        return [*super().get_bulk_update_fields(), *auto_now]

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        error = row_result.validation_error
        if error is not None and hasattr(error, "error_dict"):
            headers = {f.attribute: str(f.column_name) for f in self.fields.values() if f.attribute}
            headers.update(self.extra_error_headers())
            row_result.validation_error = ValidationError(
                {
                    (key if key == NON_FIELD_ERRORS else headers.get(key, key)): value
                    for key, value in error.error_dict.items()
                }
            )
        return row_result

    def extra_error_headers(self) -> dict[str, str]:
        return {}


class DivisionResource(ScopedResource):
    code = fields.Field(attribute="code", column_name=str(_("区划代码")), widget=TextWidget())
    name = fields.Field(attribute="name", column_name=str(_("名称")), widget=TextWidget())
    level = fields.Field(attribute="level", column_name=str(_("层级")), widget=ChoiceLabelWidget(DivisionLevel.choices))
    parent = fields.Field(
        attribute="parent",
        column_name=str(_("上级区划代码")),
        widget=ScopedForeignKeyWidget(Division, "code", label=_("上级区划代码")),
    )
    sort_order = fields.Field(
        attribute="sort_order", column_name=str(_("排序")), widget=widgets.IntegerWidget(), default=0
    )
    is_active = fields.Field(attribute="is_active", column_name=str(_("启用")), widget=YesNoWidget(), default=True)

    class Meta:
        model = Division
        name = str(_("行政区划"))
        fields = ("code", "name", "level", "parent", "sort_order", "is_active")
        import_id_fields = ("code",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # A new root would lie outside everyone's scope: only a superuser may add one.
        if instance.parent_id is None and "parent" not in errors and not getattr(self.user, "is_superuser", False):
            errors["parent"] = ValidationError(_("请填写上级区划代码。"), code=ERR_IMPORT_ROOT_DIVISION)
        super().validate_instance(instance, errors, validate_unique)


class PersonResource(ScopedResource):
    name = fields.Field(attribute="name", column_name=str(_("姓名")), widget=TextWidget())
    id_number = fields.Field(attribute="id_number", column_name=str(_("身份证号")), widget=IdNumberWidget())
    phone = fields.Field(attribute="phone", column_name=str(_("联系电话")), widget=PhoneWidget(service=True))
    political_status = fields.Field(
        attribute="political_status",
        column_name=str(_("政治面貌")),
        widget=ChoiceLabelWidget(PoliticalStatus.choices),
        default=PoliticalStatus.MASSES,
    )
    division = fields.Field(
        attribute="division",
        column_name=str(_("区划代码")),
        widget=ScopedForeignKeyWidget(Division, "code", label=_("区划代码")),
    )
    note = fields.Field(attribute="note", column_name=str(_("备注")), widget=TextWidget())

    class Meta:
        model = Person
        name = str(_("人员"))
        fields = ("name", "id_number", "phone", "political_status", "division", "note")
        import_id_fields = ("id_number",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True
        use_bulk = True  # a plain register: INSERT/UPDATE a thousand rows at a time
        batch_size = BULK_BATCH_SIZE

    constraints_checked_by_fields = frozenset({"person_id_number_format"})  # validate_id_number

    def get_queryset(self):
        return super().get_queryset().select_related("division")

    def get_instance(self, instance_loader, row):
        # Without a 身份证号 a row is always a new person (NULL matches nothing).
        if not IdNumberWidget().clean(row.get(self.fields["id_number"].column_name)):
            return None
        return super().get_instance(instance_loader, row)

    def dehydrate_id_number(self, person: Person) -> str:
        return (person.id_number or "") if can_view_personal_data(self.user) else mask_id_number(person.id_number)

    def dehydrate_phone(self, person: Person) -> str:
        return person.phone if can_view_personal_data(self.user) else mask_phone(person.phone)


class HouseholdResource(ScopedResource):
    number = fields.Field(attribute="number", column_name=str(_("户号")), widget=TextWidget())
    address = fields.Field(attribute="address", column_name=str(_("住址")), widget=TextWidget())
    division = fields.Field(
        attribute="division",
        column_name=str(_("区划代码")),
        widget=ScopedForeignKeyWidget(Division, "code", label=_("区划代码")),
    )
    head = fields.Field(
        attribute="head",
        column_name=str(_("户主身份证号")),
        widget=ScopedForeignKeyWidget(Person, "id_number", label=_("户主身份证号")),
    )

    class Meta:
        model = Household
        name = str(_("家庭户"))
        fields = ("number", "address", "division", "head")
        import_id_fields = ("number",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("division", "head")

    def extra_error_headers(self) -> dict[str, str]:
        return {"members": str(_("户主身份证号"))}

    def dehydrate_head(self, household: Household) -> str:
        number = household.head.id_number if household.head_id else ""
        return (number or "") if can_view_personal_data(self.user) else mask_id_number(number)

    def do_instance_save(self, instance: Household, is_create: bool) -> None:
        # The head becomes a member (relation 户主); other members are kept as they are.
        members = [] if is_create else [(m.person, m.relation) for m in instance.members.select_related("person")]
        # Former heads first, so that they step down before the new head steps up.
        members.sort(key=lambda member: member[1] != Relation.HEAD)
        head = instance.head
        if head is not None and all(person.pk != head.pk for person, _relation in members):
            members.append((head, Relation.HEAD))
        household_update(household=instance, head=head, members=members)
