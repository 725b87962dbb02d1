"""Excel/CSV import and export of 屋场 lists and contract plots (dry run in the admin). Rows go
through the same services as the forms: a new 屋场 gets its division node and three bodies, a plot
change makes a new share-holding version."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields

from governance.models import Division, DivisionLevel, Household
from governance.resources import (
    KeyTextWidget,
    ScopedForeignKeyWidget,
    ScopedResource,
    SheetDecimalWidget,
    TextWidget,
    YesNoWidget,
)
from villages import services
from villages.models import ContractPlot, Hamlet


class VillageWidget(ScopedForeignKeyWidget):
    def get_queryset(self, value, row, *args, **kwargs):
        return super().get_queryset(value, row, *args, **kwargs).filter(level=DivisionLevel.VILLAGE)


class HamletResource(ScopedResource):
    code = fields.Field(attribute="division__code", column_name=str(_("屋场代码")), widget=TextWidget())
    name = fields.Field(attribute="division__name", column_name=str(_("屋场名称")), widget=TextWidget())
    village = fields.Field(
        attribute="division__parent",
        column_name=str(_("村代码")),
        widget=VillageWidget(Division, "code", label=_("村代码")),
    )
    note = fields.Field(attribute="note", column_name=str(_("备注")), widget=TextWidget())
    header_aliases = {
        "code": ("屋场编码",),
        "name": ("屋场",),
        "village": ("所属村代码",),
        "note": ("说明",),
    }

    class Meta:
        model = Hamlet
        name = str(_("屋场"))
        fields = ("code", "name", "village", "note")
        import_id_fields = ("code",)
        clean_model_instances = False
        skip_unchanged = True  # an unchanged export re-imported writes nothing (no audit events)
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("division__parent")

    # Found by division__code, the whole file's rows in one query (ScopedInstanceLoader).

    def import_instance(self, instance, row, **kwargs):
        # The division node is made by the service; keep the row's values on the instance meanwhile.
        errors = {}
        self._row = {}
        for name in ("code", "name", "village", "note"):
            field = self.fields[name]
            try:
                self._row[name] = field.clean(row, **kwargs)
            except Exception as e:
                errors[field.attribute] = e
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)
        # What hamlet_update would change, before the row's note overwrites it (skip_row).
        self._stored = None if instance.pk is None else (instance.division.name, instance.note)
        instance.note = self._row["note"] or ""

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing 屋场 whose name and note (what ``hamlet_update`` writes) are as stored."""
        if import_validation_errors or getattr(self, "_stored", None) is None:
            return False
        return self._stored == (self._row["name"], self._row["note"] or "")

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(import_validation_errors)

    def do_instance_save(self, instance, is_create):
        row = self._row
        if is_create:
            saved = services.hamlet_create(village=row["village"], code=row["code"], name=row["name"], note=row["note"])
            instance.pk, instance.division = saved.pk, saved.division
        else:
            services.hamlet_update(hamlet=instance, name=row["name"], note=row["note"] or "")


class ContractPlotResource(ScopedResource):
    household = fields.Field(
        attribute="household",
        column_name=str(_("户号")),
        widget=ScopedForeignKeyWidget(Household, "number", label=_("户号")),
    )
    contract_number = fields.Field(
        attribute="contract_number", column_name=str(_("承包合同编号")), widget=KeyTextWidget()
    )
    area = fields.Field(attribute="area", column_name=str(_("面积（亩）")), widget=SheetDecimalWidget())
    location = fields.Field(attribute="location", column_name=str(_("坐落")), widget=TextWidget())
    is_active = fields.Field(attribute="is_active", column_name=str(_("有效")), widget=YesNoWidget(), default=True)
    header_aliases = {
        "household": ("户编号",),
        "contract_number": ("合同编号", "承包合同号"),
        "area": ("承包面积（亩）", "承包面积"),
        "location": ("地块坐落", "位置"),
        "is_active": ("是否有效",),
    }

    class Meta:
        model = ContractPlot
        name = str(_("承包地"))
        fields = ("household", "contract_number", "area", "location", "is_active")
        import_id_fields = ("contract_number",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("household")

    def do_instance_save(self, instance: ContractPlot, is_create: bool) -> None:
        if is_create:
            saved = services.contract_plot_create(
                household=instance.household,
                contract_number=instance.contract_number,
                area=instance.area,
                location=instance.location,
            )
            instance.pk = saved.pk
        else:
            fields_ = {
                "household": instance.household,
                "area": instance.area,
                "location": instance.location,
                "is_active": instance.is_active,
            }
            services.contract_plot_update(plot=ContractPlot.objects.get(pk=instance.pk), **fields_)
