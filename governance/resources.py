"""Excel/CSV import and export of the core registers (django-import-export).

Every resource is built for one user (``Resource(user=request.user)``): the rows it finds, updates
and exports, and the divisions and people a row may refer to, are those of ``for_user(user)``.
Columns carry Chinese headers; foreign keys are referred to by code (区划代码) or 身份证号.
An import with any bad row writes nothing, and the result names each bad row by its spreadsheet
row number (the header being row 1)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.results import Result

from governance.division_codes import division_code_normalize
from governance.masking import can_view_personal_data, mask_id_number, mask_phone
from governance.models import Division, DivisionLevel, Household, Person, PoliticalStatus, Relation
from governance.phones import phone_normalize
from governance.services import household_update
from governance.validators import normalize_id_number

ERR_IMPORT_NOT_IN_SCOPE = "import_not_in_scope"
ERR_IMPORT_ROOT_DIVISION = "import_root_division"
ERR_IMPORT_CHOICE = "import_invalid_choice"
ERR_IMPORT_DIVISION_CONFLICT = "import_division_conflict"


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
        super().__init__(model, field=field, **kwargs)

    def get_queryset(self, value, row, *args, **kwargs):
        return self.model.objects.for_user(self.user)

    def clean(self, value, row=None, **kwargs):
        value = _text(value)
        if self.field == "id_number":
            value = normalize_id_number(value)
        if not value:
            return None
        try:
            return self.get_queryset(value, row).get(**{self.field: value})
        except self.model.DoesNotExist:
            raise ValidationError(
                _("%(label)s“%(value)s”不存在或不在您的管辖范围内。"),
                code=ERR_IMPORT_NOT_IN_SCOPE,
                params={"label": self.label, "value": value},
            ) from None

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


class DivisionCodeWidget(widgets.CharWidget):
    """A division code in any of its forms (6, 9 or 12 digits, padded, a number cell), read into the
    stored one by ``governance.division_codes.division_code_normalize``."""

    def clean(self, value, row=None, **kwargs):
        return division_code_normalize(_text(value))


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

    @staticmethod
    def spreadsheet_row(number: int) -> int:
        """The spreadsheet's row number of the ``number``-th data row (1-based)."""
        return number + 1


class ScopedResource(resources.ModelResource):
    """Rows found, updated and exported are those the user may see; errors are keyed by the Chinese
    column header, and any bad row rolls the whole import back."""

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field.widget, ScopedForeignKeyWidget):
                field.widget.user = user

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
        # The stored name and parent, before the row's values overwrite them.
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

    class Meta:
        model = Person
        name = str(_("人员"))
        fields = ("name", "id_number", "phone", "political_status", "division", "note")
        import_id_fields = ("id_number",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

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
