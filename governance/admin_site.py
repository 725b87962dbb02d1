"""The portal's admin site: Django's, with an autocomplete that offers exactly what the form accepts.

Every related field of our admins whose target has a searchable admin is an autocomplete (issue 12
item 4: no big foreign key renders as a full ``<select>``). Django's autocomplete view would list
the target admin's rows (scoped with the *target's* roles, unaware of a form's own narrowing, such
as "only flagged banquets not yet dissuaded"); this one keeps only the rows the source form's field
would accept — ``choices_in_scope`` with the *source* model's roles, plus whatever the source admin
adds in ``formfield_for_foreignkey`` — so a search never offers a row the form would refuse."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from governance.querysets import model_open_to
from governance.selectors import choices_in_scope


def source_admin_for(site: admin.AdminSite, model: type[Model]) -> Any:
    """The model admin (or inline admin) whose form holds fields of ``model``: its registered admin,
    else the first inline of a registered admin that edits it; ``None`` when no form edits it."""
    registered = site._registry.get(model)
    if registered is not None:
        return registered
    for parent in site._registry.values():
        for inline in parent.inlines:
            if inline.model is model:
                return inline(parent.model, site)
    return None


class ScopedAutocompleteJsonView(AutocompleteJsonView):
    """``/admin/autocomplete/``: the search results narrowed to the source field's choices. A source
    model closed to the user (``scope_roles``) answers 404, like every other URL of it."""

    def process_request(self, request):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        if not model_open_to(request.user, source_field.model):
            raise Http404(_("未找到。"))
        return term, model_admin, source_field, to_field_name

    def get_queryset(self) -> QuerySet:
        rows = super().get_queryset()
        allowed = self._field_choices()
        if allowed is not None:
            rows = rows.filter(pk__in=allowed.values("pk"))
        return rows

    def _field_choices(self) -> QuerySet | None:
        field, request = self.source_field, self.request
        source_admin = source_admin_for(self.admin_site, field.model)
        if source_admin is not None:
            formfield = source_admin.formfield_for_dbfield(field, request)
            queryset = getattr(formfield, "queryset", None)
            if queryset is not None:
                return queryset
        roles = getattr(field.model, "scope_roles", None)
        return choices_in_scope(field.related_model._default_manager.all(), request.user, roles)


class PortalAdminSite(admin.AdminSite):
    """The default admin site (``governance.apps.PortalAdminConfig``) with the scoped autocomplete."""

    def autocomplete_view(self, request):
        return ScopedAutocompleteJsonView.as_view(admin_site=self)(request)
