"""The division import's confirm step: the conflicts of the dry run (renamed codes, names doubled under
one parent; ``governance.resources.DivisionResource``) are listed above the preview and applied only
when the clerk ticks “确认更名/重名”. A confirmed import that is refused all the same (unconfirmed
conflicts, or data changed since the dry run) shows its rows again instead of a success message:
nothing was written."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from import_export.forms import ConfirmImportForm


class DivisionConfirmImportForm(ConfirmImportForm):
    confirm_conflicts = forms.BooleanField(
        label=_("确认更名/重名"),
        required=False,
        help_text=_("文件中有更名或重名的区划（见上方列表）。勾选即按文件更名、并保留同名区划；不勾选则不导入。"),
    )


class DivisionImportConflictsMixin:
    """For ``DivisionAdmin`` (an ``ImportExportModelAdmin``)."""

    confirm_form_class = DivisionConfirmImportForm
    import_template_name = "admin/governance/division/import.html"

    def get_import_resource_kwargs(self, request, **kwargs):
        resource_kwargs = super().get_import_resource_kwargs(request, **kwargs)  # type: ignore[misc]
        form = kwargs.get("form")
        if isinstance(form, DivisionConfirmImportForm) and form.is_valid():
            resource_kwargs["confirm_conflicts"] = form.cleaned_data["confirm_conflicts"]
        return resource_kwargs

    def process_result(self, result, request):
        if not (result.has_validation_errors() or result.has_errors()):
            return super().process_result(result, request)  # type: ignore[misc]
        messages.error(
            request, _("导入未完成，未写入任何数据：请按下列各行修改文件，或重新导入并勾选“确认更名/重名”。")
        )
        context = {
            **self.admin_site.each_context(request),  # type: ignore[attr-defined]
            "title": _("导入"),
            "opts": self.model._meta,  # type: ignore[attr-defined]
            "result": result,
            "import_error_display": self.import_error_display,  # type: ignore[attr-defined]
        }
        return TemplateResponse(request, [self.import_template_name], context)
