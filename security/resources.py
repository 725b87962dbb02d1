"""Excel import/export of the monthly security figures."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from import_export import fields

from governance.models import Division
from governance.resources import (
    DIVISION_CODE_ALIASES,
    ScopedForeignKeyWidget,
    ScopedResource,
    SheetIntegerWidget,
    SheetMonthWidget,
    YesNoWidget,
)
from security.models import SecurityStat


class SecurityStatResource(ScopedResource):
    division = fields.Field(
        attribute="division",
        column_name=str(_("区划代码")),
        widget=ScopedForeignKeyWidget(Division, "code", label=_("区划代码")),
    )
    month = fields.Field(attribute="month", column_name=str(_("月份")), widget=SheetMonthWidget())
    police_incidents = fields.Field(
        attribute="police_incidents", column_name=str(_("接处警数")), widget=SheetIntegerWidget()
    )
    criminal_cases = fields.Field(
        attribute="criminal_cases", column_name=str(_("刑事立案数")), widget=SheetIntegerWidget()
    )
    administrative_cases = fields.Field(
        attribute="administrative_cases", column_name=str(_("行政案件数")), widget=SheetIntegerWidget()
    )
    is_complete = fields.Field(
        attribute="is_complete", column_name=str(_("已确认完整")), widget=YesNoWidget(), default=False
    )
    header_aliases = {
        "division": DIVISION_CODE_ALIASES,
        "month": ("统计月份", "年月"),
        "police_incidents": ("接处警",),
        "criminal_cases": ("刑事立案",),
        "administrative_cases": ("行政案件",),
        "is_complete": ("确认完整", "完整"),
    }

    class Meta:
        model = SecurityStat
        name = str(_("治安统计"))
        fields = ("division", "month", "police_incidents", "criminal_cases", "administrative_cases", "is_complete")
        import_id_fields = ("division", "month")
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("division")
