"""Excel import and export of compounds and property companies."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields

from governance.models import Division
from governance.resources import (
    PHONE_ALIASES,
    IdentifierWidget,
    PhoneWidget,
    ScopedForeignKeyWidget,
    ScopedResource,
    SheetDateWidget,
    TextWidget,
)
from residential.models import Compound, PropertyCompany
from residential.services import compound_save


class PropertyCompanyResource(ScopedResource):
    name = fields.Field(attribute="name", column_name=str(_("企业名称")), widget=TextWidget())
    uscc = fields.Field(attribute="uscc", column_name=str(_("统一社会信用代码")), widget=IdentifierWidget())
    contact_person = fields.Field(attribute="contact_person", column_name=str(_("联系人")), widget=TextWidget())
    phone = fields.Field(attribute="phone", column_name=str(_("联系电话")), widget=PhoneWidget())
    address = fields.Field(attribute="address", column_name=str(_("地址")), widget=TextWidget())
    division = fields.Field(
        attribute="division",
        column_name=str(_("监管区划代码")),
        widget=ScopedForeignKeyWidget(Division, "code", label=_("监管区划代码")),
    )
    header_aliases = {
        "name": ("物业服务企业名称", "物业公司", "公司名称"),
        "uscc": ("社会信用代码", "信用代码"),
        "contact_person": ("负责人",),
        "phone": PHONE_ALIASES,
        "address": ("企业地址", "办公地址"),
        "division": ("监管区划", "区划代码"),
    }

    class Meta:
        model = PropertyCompany
        name = str(_("物业服务企业"))
        fields = ("name", "uscc", "contact_person", "phone", "address", "division")
        import_id_fields = ("uscc",)
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("division")


class CompoundResource(ScopedResource):
    """One row per compound; its division node (代码, 名称, 所属社区) is created or changed with it."""

    code = fields.Field(attribute="code", column_name=str(_("小区代码")), widget=TextWidget())
    name = fields.Field(attribute="name", column_name=str(_("小区名称")), widget=TextWidget())
    community = fields.Field(
        attribute="community",
        column_name=str(_("所属社区代码")),
        widget=ScopedForeignKeyWidget(Division, "code", label=_("所属社区代码")),
    )
    address = fields.Field(attribute="address", column_name=str(_("地址")), widget=TextWidget())
    joined_on = fields.Field(attribute="joined_on", column_name=str(_("纳入星物管日期")), widget=SheetDateWidget())
    header_aliases = {
        "code": ("小区编码",),
        "name": ("小区",),
        "community": ("社区代码", "所属社区"),
        "address": ("小区地址",),
        "joined_on": ("纳入日期",),
    }

    class Meta:
        model = Compound
        name = str(_("小区"))
        fields = ("code", "name", "community", "address", "joined_on")
        import_id_fields = ("code",)
        clean_model_instances = False
        skip_unchanged = True  # an unchanged export re-imported writes nothing (no audit events)
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("division__parent")

    instance_lookups = {"code": "division__code"}  # the whole file's rows in one query

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        for name in ("code", "name", "community"):
            if not instance.__dict__.get(name):
                raise ValidationError({name: ValidationError(_("此项必填。"), code="required")})

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        # code, name and community belong to the division node: keep them on the row object for the service.
        if field.attribute in ("code", "name", "community"):
            instance.__dict__[field.attribute] = field.clean(row, **kwargs)
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        if import_validation_errors:
            raise ValidationError(import_validation_errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        """An existing compound whose node (名称, 所属社区) and own columns (地址, 纳入日期) are as
        stored (``_import_snapshot``: the row before the file's values, ``SetBasedImport``)."""
        stored = getattr(instance, "_import_snapshot", None)
        if import_validation_errors or stored is None or instance.pk is None:
            return False
        community = instance.__dict__.get("community")
        return (
            instance.__dict__.get("name") == instance.division.name
            and community is not None
            and community.pk == instance.division.parent_id
            and all(getattr(instance, name) == stored[name] for name in ("address", "joined_on"))
        )

    def do_instance_save(self, instance, is_create):
        saved = compound_save(
            compound=None if is_create else instance,
            code=instance.__dict__["code"],
            name=instance.__dict__["name"],
            community=instance.__dict__["community"],
            address=instance.address,
            joined_on=instance.joined_on,
            party_branch=instance.party_branch,
        )
        instance.pk, instance.division = saved.pk, saved.division

    def dehydrate_code(self, compound: Compound) -> str:
        return compound.division.code

    def dehydrate_name(self, compound: Compound) -> str:
        return compound.division.name

    def dehydrate_community(self, compound: Compound) -> str:
        return compound.division.parent.code if compound.division.parent_id else ""
