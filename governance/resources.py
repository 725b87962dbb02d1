"""Excel/CSV import and export of the core registers (django-import-export).

Every resource is built for one user (``Resource(user=request.user)``): the rows it finds, updates
and exports, and the divisions and people a row may refer to, are those of ``for_user(user)``.
Columns carry Chinese headers; foreign keys are referred to by code (区划代码) or 身份证号.

Files are read by ``governance.imports`` (any .xlsx/.xls/.ods/CSV, header row found, headings
normalised and matched with each resource's ``header_aliases``); the cells are read by the widgets
below (dates in every common form, numbers with thousands separators or full-width digits,
identifiers refused when Excel made numbers of them). An import with any bad row writes nothing,
and the result names each bad row by the row number Excel shows beside it.

Set-based (issue 11, item 8; ``governance.import_sets``): the number of queries does not grow with
the rows. Once per file, the rows the file refers to (related rows by code or 身份证号 among
``for_user``, the rows it updates by their import key, the rows already holding a unique value) are
loaded into dicts; each row is then checked in Python, and plain registers are written with
``bulk_create``/``bulk_update`` (``Meta.use_bulk``) while the audit triggers stay on."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.results import Error, Result, RowResult

from governance.cells import plain_text
from governance.division_codes import DivisionCodeField, division_code_normalize
from governance.import_columns import ColumnarImport
from governance.import_errors import ERR_IMPORT_TAKEN, IMPORT_TAKEN_MESSAGE, RowErrorHeaders  # noqa: F401
from governance.import_sets import BULK_BATCH_SIZE, PREFETCH_CHUNK, SetBasedImport
from governance.import_widgets import (  # noqa: F401  (the cell widgets, importable from here too)
    ERR_IMPORT_BLANK,
    ERR_IMPORT_CHOICE,
    ERR_IMPORT_DATE,
    ERR_IMPORT_NUMBER,
    ERR_IMPORT_YES_NO,
    ChoiceLabelWidget,
    DivisionCodeWidget,
    IdentifierWidget,
    IdNumberWidget,
    KeyTextWidget,
    PhoneWidget,
    SheetDateWidget,
    SheetDecimalWidget,
    SheetIntegerWidget,
    SheetMonthWidget,
    SheetNumberWidget,
    SheetWidget,
    TextWidget,
    YesNoWidget,
)
from governance.imports import (
    ERR_IMPORT_NUMERIC_ID,
    SHEET_ROW,
    Column,
    SpreadsheetError,
    cell_shown,
    cell_text,
    dataset_sheet,
    gc_paused,
    table_read,
)
from governance.masking import can_view_personal_data, mask_id_number, mask_phone
from governance.models import Division, DivisionLevel, Household, Person, PoliticalStatus, Relation
from governance.services import household_update
from governance.validators import normalize_id_number

ERR_IMPORT_NOT_IN_SCOPE = "import_not_in_scope"
#: A value another row already holds (Django's “具有 身份证号 的 人员 已存在。”): said plainly, never where.
ERR_IMPORT_ROOT_DIVISION = "import_root_division"

# Other headings clerks' files use for the same column (README: Importing spreadsheets). Each resource names
# its own in ``header_aliases``, next to its fields; these are shared by several.
ID_NUMBER_ALIASES = ("身份证号码", "公民身份号码", "公民身份证号码", "身份证", "证件号码")
PHONE_ALIASES = ("手机号", "手机号码", "手机", "电话", "电话号码", "联系方式")
DIVISION_CODE_ALIASES = ("行政区划代码", "统计用区划代码", "所属区划代码")

_text = cell_text  # a cell as stripped text; whole floats without ".0"
ERR_IMPORT_DIVISION_CONFLICT = "import_division_conflict"


_plain = plain_text  # a cell as text, full-width made half-width


class ScopedForeignKeyWidget(widgets.ForeignKeyWidget):
    """Looks the related row up by a code among the rows the importing user may see; a code that is
    unknown or out of scope gets the same answer, so an import cannot probe other areas.

    The cell is read as the looked-up field stores it: a 身份证号 half-width and upper case; a code held
    in a ``DivisionCodeField`` (区划代码, 村代码, 所属社区代码, 监管区划代码 … — every column that names a
    division by code) through ``division_code_normalize``, so ``431302100000``, ``431302100`` and
    ``４３１３０２１００`` find the same township in every import, as in the 行政区划 import itself."""

    column_label = ""

    def __init__(self, model, field: str, label, **kwargs):
        self.user = None
        self.label = label
        self.identifier = field == "id_number"
        self.division_code = isinstance(model._meta.get_field(field), DivisionCodeField)
        # Filled once per file by ``prefetch``: {code: row}; None outside an import (one query a value).
        self.cache: dict[str, Any] | None = None
        self.miss_queries = False  # a division file may refer to a parent made a few rows above
        super().__init__(model, field=field, **kwargs)

    def sheet_key(self, value: Any) -> str:
        # as ``clean`` looks the row up, without the lookup
        return self.normalize(value)

    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.for_user(self.user)

    def normalize(self, value: Any) -> str:
        """The cell as the code it is looked up by (a 身份证号 half-width, upper case; a division code in
        its stored form; anything else half-width, NFKC)."""
        if self.identifier:
            return normalize_id_number(_plain(value))
        if self.division_code:
            return division_code_normalize(_text(value))
        return _plain(value)  # a key (户号) as ``KeyTextWidget`` stores it: half-width

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


class SpreadsheetRowResult(Result):
    """Bad rows numbered as the spreadsheet numbers them (``SHEET_ROW``, read from the file; for a
    dataset without it, the header is row 1), so "row 4" in the error list is row 4 in Excel."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(row.get(SHEET_ROW) or number + 1, row, validation_error)
        shown = self.invalid_rows[-1]
        shown.values = tuple(cell_shown(value) for value in shown.values)  # 431302003201, not 431302003201.0

    def append_error_row(self, number, row, errors):
        super().append_error_row(row.get(SHEET_ROW) or number + 1, row, errors)

    def row_errors(self):
        return [(error_row.number, error_row.errors) for error_row in self.error_rows]

    @staticmethod
    def spreadsheet_row(number: int) -> int:
        """The spreadsheet's row number of the ``number``-th data row (1-based)."""
        return number + 1


class ScopedResource(RowErrorHeaders, SetBasedImport, resources.ModelResource):
    """Rows found, updated and exported are those the user may see; errors are keyed by the Chinese
    column header, and any bad row rolls the whole import back. ``skip_diff`` and ``progress``: see
    ``governance.import_sets.SetBasedImport``."""

    sheet_row_header = SHEET_ROW
    #: other headings of a column, by field name: a clerk's 身份证号码 is our 身份证号 (README lists them)
    header_aliases: ClassVar[dict[str, tuple[str, ...]]] = {}

    def __init__(self, user=None, skip_diff: bool = False, progress: Callable[[int], None] | None = None, **kwargs):
        super().__init__(skip_diff=skip_diff, progress=progress, **kwargs)
        self.user = user
        self.sheet_errors: dict[int, dict[str, ValidationError]] = {}
        for field in self.fields.values():
            if isinstance(field.widget, ScopedForeignKeyWidget):
                field.widget.user = user
            if isinstance(field.widget, SheetWidget | ScopedForeignKeyWidget):
                field.widget.column_label = str(field.column_name)

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
        try:
            if getattr(dataset, "sheet_errors", None) is None:  # not yet read by ``sheet_dataset``
                dataset = self.sheet_dataset(dataset)
            self.sheet_errors = dataset.sheet_errors
        except SpreadsheetError as e:
            result = self.get_result_class()()
            result.diff_headers = self.get_diff_headers()
            result.append_base_error(Error(e))
            return result
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)

    def import_data_inner(
        self,
        dataset: Any,
        dry_run: bool,
        raise_errors: bool,
        using_transactions: bool,
        collect_failed_rows: bool,
        **kwargs: Any,
    ) -> Any:
        """The column-wise path (``governance.import_columns``) for a resource that says
        ``columnar`` when run without the preview (``skip_diff``) and written in bulk; else the
        row path."""
        if self.columnar and self._meta.skip_diff and self._meta.use_bulk and not (raise_errors or collect_failed_rows):
            return ColumnarImport(self, dataset, dry_run, using_transactions, kwargs).run()
        return super().import_data_inner(  # type: ignore[misc]
            dataset, dry_run, raise_errors, using_transactions, collect_failed_rows, **kwargs
        )

    def import_columns(self) -> list[Column]:
        """The columns this resource reads, for ``governance.imports.table_read``."""
        names = {field: name for name, field in self.fields.items()}
        key_fields = set(self._meta.import_id_fields)
        return [
            Column(
                header=str(field.column_name),
                aliases=self.header_aliases.get(names[field], ()),
                identifier=getattr(field.widget, "identifier", False),
                in_key=names[field] in key_fields,
                required=isinstance(field.widget, SheetNumberWidget) and not field.widget.blank,
                key=getattr(field.widget, "sheet_key", None),
            )
            for field in self.get_import_fields()
        ]

    def sheet_dataset(self, dataset: tablib.Dataset) -> tablib.Dataset:
        """The rows of an uploaded sheet under their canonical headers, each with its sheet row number
        (``SHEET_ROW``); what the file shows wrong without the database (numeric identifiers, keys
        twice) is kept in its ``sheet_errors`` (``{sheet row: {header: error}}``) for ``import_row``;
        ``import_data`` takes it as it is. Raises ``SpreadsheetError``."""
        with gc_paused():
            table = table_read(dataset_sheet(dataset), self.import_columns())
            rows = [[*row, number] for row, number in zip(table.rows, table.numbers, strict=True)]
            canonical = tablib.Dataset(*rows, headers=[*table.headers, SHEET_ROW])
        canonical.sheet_errors = table.cell_errors
        return canonical

    def add_sheet_errors(self, row_result: RowResult, row) -> None:
        """The row made invalid by the errors ``table_read`` found in it, besides its own; a numeric
        identifier's error replaces what the widget made of the number."""
        found = self.sheet_errors.get(row.get(SHEET_ROW))
        if not found or row_result.errors:
            return
        error = row_result.validation_error
        merged: dict[str, list] = {}
        if error is not None:
            merged = {k: list(v) for k, v in error.error_dict.items()} if hasattr(error, "error_dict") else {}
            if not hasattr(error, "error_dict"):
                merged[NON_FIELD_ERRORS] = error.error_list
        for header, problem in found.items():
            kept = [] if problem.code == ERR_IMPORT_NUMERIC_ID else merged.get(header, [])
            merged[header] = [problem, *kept]
        row_result.validation_error = ValidationError(merged)
        row_result.import_type = RowResult.IMPORT_TYPE_INVALID

    def get_instance(self, instance_loader, row):
        # A key cell that cannot be read (a month written 六月, a division out of scope) finds no row;
        # import_instance then reports it under its column, beside the row's other errors.
        try:
            return super().get_instance(instance_loader, row)
        except ValidationError:
            return None

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
        # A row the reader refused (its key twice in the file, a numeric 身份证号) is not written, nor
        # queued for bulk_create: import_row reports it.
        if self.sheet_errors.get(row.get(SHEET_ROW)):
            return
        super().save_instance(instance, is_create, row, **kwargs)

    def import_row(self, row, instance_loader, **kwargs):
        row_result = super().import_row(row, instance_loader, **kwargs)
        if row_result.validation_error is not None:
            row_result.validation_error = self.header_keyed(row_result.validation_error)
        self.add_sheet_errors(row_result, row)
        return row_result


class DivisionResource(ScopedResource):
    """行政区划. Codes in any form (``DivisionCodeWidget``). A row that renames an existing code, or
    gives a unit a name its parent already has under another code, is a conflict: the dry run lists
    each one (``Result.division_conflicts``: 第N行, the code, both names, the existing record) and
    imports nothing of it unless the clerk confirms (``confirm_conflicts``, the checkbox
    “确认更名/重名” of the confirm step); unconfirmed, the real run refuses those rows and writes
    nothing. Without that, a list in another order silently swaps names and a list under other codes
    silently doubles every township."""

    code = fields.Field(attribute="code", column_name=str(_("区划代码")), widget=DivisionCodeWidget())
    name = fields.Field(attribute="name", column_name=str(_("名称")), widget=TextWidget())
    level = fields.Field(attribute="level", column_name=str(_("层级")), widget=ChoiceLabelWidget(DivisionLevel.choices))
    parent = fields.Field(
        attribute="parent",
        column_name=str(_("上级区划代码")),
        widget=ScopedForeignKeyWidget(Division, "code", label=_("上级区划代码")),
    )
    sort_order = fields.Field(
        attribute="sort_order", column_name=str(_("排序")), widget=SheetIntegerWidget(blank=True), default=0
    )
    is_active = fields.Field(attribute="is_active", column_name=str(_("启用")), widget=YesNoWidget(), default=True)
    header_aliases = {
        "code": ("行政区划代码", "统计用区划代码", "代码"),
        "name": ("区划名称",),
        "level": ("级别", "区划层级"),
        "parent": ("上级代码", "上级行政区划代码"),
        "is_active": ("是否启用",),
    }

    class Meta:
        model = Division
        name = str(_("行政区划"))
        fields = ("code", "name", "level", "parent", "sort_order", "is_active")
        import_id_fields = ("code",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def __init__(self, user=None, confirm_conflicts: bool = False, **kwargs):
        super().__init__(user=user, **kwargs)
        self.confirm_conflicts = confirm_conflicts
        self.conflicts: list[tuple[int, str]] = []  # (data row number, message)
        self._dry_run = False
        self._row_number = 0
        self._stored: tuple[str, int | None] | None = None

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        self._dry_run = dry_run
        self.conflicts = []
        return super().import_data(dataset, dry_run, raise_errors, use_transactions, **kwargs)

    def before_import_row(self, row, **kwargs):
        self._row_number = kwargs.get("row_number", 0)

    def after_init_instance(self, instance, new, row, **kwargs):
        # The stored name and parent, before the row's values overwrite them; and the snapshot by which
        # an unchanged row is skipped without the preview (SetBasedImport).
        super().after_init_instance(instance, new, row, **kwargs)
        self._stored = None if new else (instance.name, instance.parent_id)

    def after_import(self, dataset, result, **kwargs):
        result.division_conflicts = [
            _("第%(row)s行：%(message)s") % {"row": result.spreadsheet_row(number), "message": message}
            for number, message in self.conflicts
        ]

    def row_conflicts(self, instance: Division) -> list[str]:
        """What the row would change that a clerk must confirm: a new name for an existing code, and
        a name its parent already has under another code (in the user's scope, one query each)."""
        messages: list[str] = []
        stored_name, stored_parent = self._stored or ("", None)
        if self._stored is not None and stored_name != instance.name:
            messages.append(
                str(_("区划代码%(code)s现名“%(old)s”，文件中为“%(new)s”（更名）。"))
                % {"code": instance.code, "old": stored_name, "new": instance.name}
            )
        if self._stored is None or stored_name != instance.name or stored_parent != instance.parent_id:
            twin = (
                Division.objects.for_user(self.user)
                .filter(parent_id=instance.parent_id, name=instance.name)
                .exclude(pk=instance.pk)
                .order_by("code")
                .first()
            )
            if twin is not None:
                messages.append(
                    str(_("“%(parent)s”下已有“%(name)s”（区划代码%(other)s），文件中的%(code)s与其重名（重名）。"))
                    % {
                        "parent": instance.parent.name if instance.parent_id else "",
                        "name": instance.name,
                        "other": twin.code,
                        "code": instance.code,
                    }
                )
        return messages

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # A new root would lie outside everyone's scope: only a superuser may add one.
        if instance.parent_id is None and "parent" not in errors and not getattr(self.user, "is_superuser", False):
            errors["parent"] = ValidationError(_("请填写上级区划代码。"), code=ERR_IMPORT_ROOT_DIVISION)
        if not errors and instance.name:
            conflicts = self.row_conflicts(instance)
            if conflicts and self._dry_run:
                self.conflicts += [(self._row_number, message) for message in conflicts]
            elif conflicts and not self.confirm_conflicts:
                errors["name"] = ValidationError(
                    [
                        ValidationError(message, code=ERR_IMPORT_DIVISION_CONFLICT)
                        for message in [*conflicts, str(_("未勾选“确认更名/重名”，本行未导入。"))]
                    ]
                )
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
    header_aliases = {
        "name": ("名字",),
        "id_number": ID_NUMBER_ALIASES,
        "phone": PHONE_ALIASES,
        "division": DIVISION_CODE_ALIASES,
        "note": ("说明",),
    }
    taken_messages = {
        "id_number": _("该身份证号已登记，不能重复登记；如需迁入本辖区，请联系区级管理员。"),
    }

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

    columnar = True  # the background job's new rows are checked column by column (governance.import_columns)

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
    number = fields.Field(attribute="number", column_name=str(_("户号")), widget=KeyTextWidget())
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
    header_aliases = {
        "number": ("户编号",),
        "address": ("地址", "家庭住址"),
        "division": DIVISION_CODE_ALIASES,
        "head": ("户主身份证号码", "户主公民身份号码"),
    }

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
