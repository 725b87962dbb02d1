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
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from governance.paging import EstimatedCountPaginator
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


# --- Big changelists (issue 12 item 3) ---------------------------------------------------------------


class BigTableAdminMixin:
    """For changelists of tables that grow to millions of rows (ledger entries, disputes, people,
    households, rankings, logs): no full ``COUNT(*)`` — no "共 N 条" beside a filtered count
    (``show_full_result_count``) and the planner's estimate above ``EXACT_COUNT_LIMIT`` rows, written
    约 N (``governance.paging.EstimatedCountPaginator``, ``templates/admin/pagination.html``); a page
    is read by key, so page 1 and page 1000 cost about the same at any size."""

    show_full_result_count = False
    paginator = EstimatedCountPaginator


# --- Autocomplete boxes of an inline: the selected rows' labels read once per formset --------------


class PreparedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box reads its selected row's label with a query of its own: one per
    inline row and field (issue 14: a property company's page with 15 contracts, 88 queries, 1.5 s).
    ``labels`` (``{str(key): label}``), set for every form of a formset by
    ``autocomplete_labels_prepare``, answers from memory; without it the box queries as Django's does."""

    labels: dict[str, str] | None = None

    def optgroups(self, name, value, attr=None):
        labels = self.labels
        selected = {str(v) for v in value if str(v) not in self.choices.field.empty_values}
        if labels is None or not selected <= labels.keys():
            return super().optgroups(name, value, attr)
        default: tuple[Any, list, int] = (None, [], 0)
        if not self.is_required and not self.allow_multiple_selected:
            default[1].append(self.create_option(name, "", "", False, 0))
        for key in sorted(selected):
            default[1].append(self.create_option(name, key, labels[key], selected, len(default[1])))
        return [default]


def autocomplete_labels_prepare(site: admin.AdminSite, forms: list) -> None:
    """For each ``PreparedAutocompleteSelect`` field of ``forms`` (one formset's forms): one query for
    the rows all of them show (with the target admin's ``list_select_related``, which its labels
    read), their labels handed to every form's box."""
    if not forms:
        return
    for name, field in forms[0].fields.items():
        widget = getattr(field.widget, "widget", field.widget)
        if not isinstance(widget, PreparedAutocompleteSelect):
            continue
        keys = {str(value) for form in forms if (value := form[name].value()) not in (None, "")}
        target = site._registry.get(field.queryset.model)
        related = getattr(target, "list_select_related", False)
        rows = field.queryset.filter(pk__in=keys) if keys else field.queryset.none()
        if isinstance(related, list | tuple) and related:
            rows = rows.select_related(*related)
        labels = {str(row.pk): field.label_from_instance(row) for row in rows}
        for form in forms:
            box = form.fields[name].widget
            getattr(box, "widget", box).labels = labels
