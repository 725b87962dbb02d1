"""The admin of the core registers, in Chinese, scoped to each user's division subtree.

Every admin here (and in the other apps) stands on ``ScopedAdminMixin``: lists, forms, choices,
autocomplete and exports show only what ``for_user`` lets the user see, an object outside it
answers 404, and the history page shows the audit trail kept by django-pghistory."""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import URLPattern
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from pghistory.models import Events

from governance.admin_exports import ChineseExportFileMixin, ChineseExportForm
from governance.admin_imports import DivisionImportConflictsMixin
from governance.admin_site import BigTableAdminMixin, PreparedAutocompleteSelect, autocomplete_labels_prepare
from governance.division_codes import division_code_normalize
from governance.import_pages import BackgroundImportMixin
from governance.imports import ERR_IMPORT_FILE_UNREADABLE, IMPORT_FORMATS, SpreadsheetError, expected_columns_text
from governance.masking import can_view_personal_data, mask_id_number, mask_phone
from governance.models import (
    Division,
    Household,
    HouseholdMember,
    Person,
    Relation,
    User,
)
from governance.names import name_normalize
from governance.phones import phone_search_form
from governance.querysets import ScopedQuerySet, model_open_to, row_editable_by
from governance.registry import registry
from governance.resources import DivisionResource, HouseholdResource, PersonResource
from governance.selectors import choices_in_scope
from governance.services import (
    ERR_DUPLICATE_MEMBER,
    ERR_HEAD_NOT_MEMBER,
    record_save,
)
from governance.spreadsheets import EXPORT_FORMATS
from governance.uploads import SizeLimitedImportForm
from governance.write_path import ServiceOwnedAdminMixin

ERR_HEAD_RELATION = "household_head_relation"

admin.site.site_header = settings.PORTAL_TITLE
admin.site.site_title = settings.PORTAL_TITLE
admin.site.index_title = _("台账管理")

HISTORY_LABELS = {
    "insert": _("新增"),
    "update": _("修改"),
    "delete": _("删除"),
    "add": _("添加关联"),  # a link of a many-to-many (governance.audit.audited_links)
    "remove": _("移除关联"),
}
HISTORY_LIMIT = 500
# Bookkeeping columns that change on every save and say nothing to the reader.
HISTORY_SKIP_FIELDS = {"id", "created_at", "updated_at"}


def _tracked_model(event, default: type[models.Model]) -> type[models.Model]:
    """The model an audit event row was written for (``pgh_model`` names its event model)."""
    from django.apps import apps

    try:
        return apps.get_model(event.pgh_model).pgh_tracked_model or default
    except (LookupError, AttributeError, ValueError):
        return default


def _field_named(model: type[models.Model], name: str):
    """The concrete field of ``model`` called ``name`` or stored in column ``name``; ``None`` if none."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    return None


def _field_label(field, name: str) -> str:
    """A field's Chinese label; a link table's own columns (named after the model, "clue") take the
    related model's verbose name instead."""
    if field is None:
        return name
    label = str(field.verbose_name)
    if field.is_relation and label.replace(" ", "_") == field.name:
        return str(capfirst(field.related_model._meta.verbose_name))
    return label


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """Django's filter on a related field lists every row of the related table; this one offers what
    the user may pick in a dropdown (``choices_in_scope``), like every other related choice."""

    def field_choices(self, field, request, model_admin):
        roles = getattr(model_admin.model, "scope_roles", None)
        rows = choices_in_scope(field.related_model._default_manager.all(), request.user, roles)
        if rows is None:
            return super().field_choices(field, request, model_admin)
        ordering = self.field_admin_ordering(field, request, model_admin)
        rows = rows.complex_filter(field.get_limit_choices_to()).order_by(*ordering)
        return [(row.pk, str(row)) for row in rows]


class ScopedChoicesMixin(ServiceOwnedAdminMixin):
    """Rows and every related choice (foreign key, many-to-many) limited to the user's scope, for
    model admins and inlines alike: any related model with a ``ScopedQuerySet`` is scoped, with the
    roles of the model being edited (an integrity form offers only the divisions where the user is
    discipline staff). Fields only a service sets are read-only (``ServiceOwnedAdminMixin``)."""

    def scope_queryset(self, request, queryset):
        # An inline of a model that is not itself scoped still gets its related choices scoped.
        return queryset.for_user(request.user) if isinstance(queryset, ScopedQuerySet) else queryset

    def get_queryset(self, request):
        return self.scope_queryset(request, super().get_queryset(request))

    # A model closed to some roles (``scope_roles``) does not exist for anyone else.
    def has_view_permission(self, request, obj=None):
        return model_open_to(request.user, self.model) and super().has_view_permission(request, obj)

    def has_add_permission(self, request, *args):
        return model_open_to(request.user, self.model) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return (
            model_open_to(request.user, self.model)
            and self._own_row(request, obj)
            and super().has_change_permission(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return (
            model_open_to(request.user, self.model)
            and self._own_row(request, obj)
            and super().has_delete_permission(request, obj)
        )

    def _own_row(self, request, obj) -> bool:
        """A row issued above the user's subtree (``Reach.ANCESTORS``: a district's rule seen from a
        village) is shown read-only."""
        if obj is None:
            return True
        if obj.pk is None:
            return row_editable_by(obj, request.user)
        # Asked again for each inline row's form of the same parent: one query per row per request.
        known = request.__dict__.setdefault("_portal_own_rows", {})
        key = (obj._meta.label, obj.pk)
        if key not in known:
            known[key] = row_editable_by(obj, request.user)
        return known[key]

    def _scoped_kwargs(self, db_field, request, kwargs):
        if "queryset" not in kwargs:
            roles = getattr(self.model, "scope_roles", None)
            queryset = choices_in_scope(db_field.related_model._default_manager.all(), request.user, roles)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return kwargs

    def get_autocomplete_fields(self, request):
        """Every editable relation whose target has a searchable admin is a search-as-you-type box
        (``/admin/autocomplete/``, scoped to the form's choices by ``PortalAdminSite``), never a
        ``<select>`` of every person or household; ``filter_horizontal``/``radio_fields`` stay."""
        fields = list(super().get_autocomplete_fields(request))
        kept = {*fields, *self.filter_horizontal, *self.filter_vertical, *self.radio_fields, *self.raw_id_fields}
        for field in self.model._meta.get_fields():
            if field.name in kept or not (field.many_to_one or field.many_to_many or field.one_to_one):
                continue
            if not field.concrete or not field.editable or field.auto_created:
                continue
            target = self.admin_site._registry.get(field.related_model)
            if target is not None and target.get_search_fields(request):
                fields.append(field.name)
        return fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._scoped_kwargs(db_field, request, kwargs)
        to_pk = db_field.remote_field.field_name == db_field.related_model._meta.pk.name
        if "widget" not in kwargs and to_pk and db_field.name in self.get_autocomplete_fields(request):
            # Django's box, whose selected label an inline's formset reads once for all its rows.
            kwargs["widget"] = PreparedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        """(Inlines) the formset's autocomplete boxes read their selected rows in one query per field."""
        formset = super().get_formset(request, obj, **kwargs)
        site = self.admin_site

        class PreparedFormSet(formset):
            @cached_property
            def forms(self):
                forms = super().forms
                autocomplete_labels_prepare(site, forms)
                return forms

        PreparedFormSet.__name__ = formset.__name__
        return PreparedFormSet

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._scoped_kwargs(db_field, request, kwargs))

    def get_list_filter(self, request):
        """A changelist filter on a related field offers only the related rows in scope."""
        filters = list(super().get_list_filter(request))
        for index, name in enumerate(filters):
            if isinstance(name, str) and "__" not in name:
                try:
                    field = self.model._meta.get_field(name)
                except FieldDoesNotExist:
                    continue
                if field.is_relation:
                    filters[index] = (name, ScopedRelatedFieldListFilter)
        return filters


class ScopedAdminMixin(ScopedChoicesMixin):
    """The base of every admin: scoped rows and choices, 404 outside the scope, the audit history,
    and ``record_save`` (the model's own checks) for plain rows."""

    #: fields shown masked in the history to users without ``view_personal_data``
    personal_data_fields: dict = {}
    #: a link typed without a scheme is read as https:// (Django 6's default, asked for now)
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    #: phone fields a search term matches when it reads as a whole phone number (any common form)
    phone_search_fields: tuple[str, ...] = ()

    def get_search_results(self, request, queryset, search_term):
        """Names match whatever middle dot the clerk typed (``governance.names``); a whole phone number
        in any form finds its row by ``phone_search_fields`` (masking in the list is unchanged)."""
        search_term = name_normalize(search_term)
        rows, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        code = division_code_normalize(search_term)
        if code != search_term:  # a padded or full-width division code: its stored form too
            rows = rows | super().get_search_results(request, queryset, code)[0]
        phone = phone_search_form(search_term) if self.phone_search_fields else None
        if phone:
            by_phone = Q()
            for field in self.phone_search_fields:
                by_phone |= Q(**{field: phone})
            rows = rows | queryset.filter(by_phone)
        return rows, may_have_duplicates

    def has_module_permission(self, request):
        return model_open_to(request.user, self.model) and super().has_module_permission(request)

    def get_urls(self):
        """Signed-in users for whom the model is closed (``scope_roles``) get 404 on every admin URL
        of it; anonymous users fall through to the admin's own redirect to the sign-in page."""
        if getattr(self.model, "scope_roles", None) is None:
            return super().get_urls()

        def guard(view):
            @wraps(view)
            def inner(request, *args, **kwargs):
                if request.user.is_authenticated and not model_open_to(request.user, self.model):
                    raise Http404(_("未找到。"))
                return view(request, *args, **kwargs)

            return inner

        return [
            URLPattern(p.pattern, guard(p.callback), p.default_args, p.name) if isinstance(p, URLPattern) else p
            for p in super().get_urls()
        ]

    def get_scoped_object(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            # Django would redirect to the index with a message; out of scope is simply not found.
            raise Http404(_("对象不存在或不在您的管辖范围内。"))
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self.get_scoped_object(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self.get_scoped_object(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        record_save(instance=obj)

    def history_view(self, request, object_id, extra_context=None):
        """The audit trail of one object: every insert, update and delete with who, when and from where."""
        obj = self.get_scoped_object(request, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        events = list(Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[:HISTORY_LIMIT])
        user_ids = {e.pgh_context.get("user") for e in events if e.pgh_context and e.pgh_context.get("user")}
        usernames = dict(User.objects.filter(pk__in=user_ids).values_list("pk", "username")) if user_ids else {}
        show_personal = can_view_personal_data(request.user)
        rows = []
        for event, changes in zip(events, self._history_changes(events, show_personal), strict=True):
            context = event.pgh_context or {}
            user_id = context.get("user")
            rows.append(
                {
                    "created_at": event.pgh_created_at,
                    "label": HISTORY_LABELS.get(event.pgh_label, event.pgh_label),
                    "user": usernames.get(user_id, user_id) if user_id else "",
                    "url": context.get("url", ""),
                    "changes": changes,
                }
            )
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("“%(object)s”的变更历史") % {"object": obj},
            "subtitle": None,
            "object": obj,
            "opts": opts,
            "rows": rows,
            "limit": HISTORY_LIMIT if len(events) == HISTORY_LIMIT else None,
            "module_name": str(capfirst(opts.verbose_name_plural)),
            "preserved_filters": self.get_preserved_filters(request),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/governance/event_history.html", context)

    def _history_changes(self, events, show_personal: bool) -> list[list[dict]]:
        """Per event ``[{field, old, new}]``, readable: verbose names, choice labels, related rows by
        name (one query per related model for the whole page), personal data masked as in lists.
        A new row lists its values as "new"."""
        per_event = []
        for event in events:
            if event.pgh_diff:
                items = [(name, values[0], values[1]) for name, values in event.pgh_diff.items()]
            elif event.pgh_label in ("insert", "add") and event.pgh_data:
                items = [(name, None, value) for name, value in event.pgh_data.items() if value not in (None, "")]
            elif event.pgh_label == "remove" and event.pgh_data:
                items = [(name, value, None) for name, value in event.pgh_data.items() if value not in (None, "")]
            else:
                items = []
            per_event.append([item for item in items if item[0] not in HISTORY_SKIP_FIELDS])

        # A field is looked up on the model the event tracks (the object itself, or a link table of
        # it: a clue's subjects, a meeting's attendees), by name or column ("division_id"), so every
        # change shows its Chinese label, never a field code.
        fields = {}
        for event, items in zip(events, per_event, strict=True):
            tracked = _tracked_model(event, self.model)
            for name, _old, _new in items:
                if name not in fields:
                    fields[name] = _field_named(tracked, name) or _field_named(self.model, name)
        related = {}
        for name, field in fields.items():
            if field is not None and field.many_to_one:
                ids = {v for items in per_event for n, old, new in items if n == name for v in (old, new) if v}
                related[name] = {pk: str(o) for pk, o in field.related_model._base_manager.in_bulk(ids).items()}

        def readable(name, value):
            if value is None or value == "":
                return value
            field = fields[name]
            masker = None if show_personal else self.personal_data_fields.get(name)
            if masker is not None:
                return masker(value)
            if name in related:
                return related[name].get(value, value)
            if field is not None and field.choices:
                return dict(field.flatchoices).get(value, value)
            if isinstance(value, bool):
                return _("是") if value else _("否")
            return value

        return [
            [
                {
                    "field": _field_label(fields[name], name),
                    "old": readable(name, old),
                    "new": readable(name, new),
                }
                for name, old, new in items
            ]
            for items in per_event
        ]


class ReadOnlyAdminMixin:
    """For records written only by services (timelines, ledgers, derived registers): the admin
    shows them and never adds, changes or deletes them."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ScopedImportExportAdmin(ChineseExportFileMixin, BackgroundImportMixin, ScopedAdminMixin, ImportExportModelAdmin):
    """Excel (xlsx) and CSV in and out; the resource is built for the requesting user, the export is
    the scoped (and filtered) changelist, and importing needs both add and change permission. A big
    file is checked and imported by a worker (``BackgroundImportMixin``)."""

    import_formats = IMPORT_FORMATS  # governance.imports: the one reading path (any .xlsx/.xls/.ods/CSV)
    export_formats = EXPORT_FORMATS  # governance.spreadsheets: the one escaping path
    export_form_class = ChineseExportForm
    import_form_class = SizeLimitedImportForm  # governance.uploads: files over IMPORT_MAX_BYTES refused

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {**kwargs, "user": request.user}

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_action(self, request, **kwargs):
        """The import page lists each column with the other headings it accepts (``header_aliases``),
        so the clerk sees that 身份证号码 or 手机号 will do."""
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None)
        if context and context.get("fields_list") and not context.get("result"):
            kwargs = self.get_import_resource_kwargs(request)
            resources = [cls(**kwargs) for cls in self.get_import_resource_classes(request)]
            columns = {
                r.get_display_name(): [expected_columns_text([c]) for c in r.import_columns()] for r in resources
            }
            context["fields_list"] = [(name, columns.get(name, fields)) for name, fields in context["fields_list"]]
        return response

    def add_data_read_fail_error_to_form(self, form, e):
        """A file that cannot be read: the reader's Chinese message, never the exception's name."""
        if not isinstance(e, SpreadsheetError):
            e = SpreadsheetError(_("无法读取此文件，请确认它是 Excel、WPS 或 CSV 表格。"), ERR_IMPORT_FILE_UNREADABLE)
        form.add_error("import_file", e.message)

    def has_export_permission(self, request):
        return self.has_view_or_change_permission(request)

    def get_valid_export_item_pks(self, request):
        return self.get_queryset(request).values_list("pk", flat=True)


# --- 行政区划 ------------------------------------------------------------------------------------


@admin.register(Division)
class DivisionAdmin(DivisionImportConflictsMixin, ScopedImportExportAdmin):
    resource_classes = [DivisionResource]
    list_display = ("name", "code", "level", "parent")
    list_filter = ("level", "is_active")
    list_select_related = ("parent",)
    search_fields = ("name", "code")
    readonly_fields = ("path", "depth", "created_at", "updated_at")
    autocomplete_fields = ("parent",)
    fields = ("code", "name", "level", "parent", "sort_order", "is_active", "path", "depth", "created_at", "updated_at")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        # Only a superuser may add a root: anyone else's new division must sit inside their scope.
        if "parent" in form.base_fields and not request.user.is_superuser:
            form.base_fields["parent"].required = True
        return form


# --- 人员 ----------------------------------------------------------------------------------------


@admin.register(Person)
class PersonAdmin(BigTableAdminMixin, ScopedImportExportAdmin):
    resource_classes = [PersonResource]
    list_display = ("name", "political_status", "division")
    list_filter = ("political_status",)
    list_select_related = ("division",)
    # An ID number is matched whole, never by fragment: no fishing for people by partial numbers.
    search_fields = ("name", "=id_number")
    search_help_text = _("按姓名、完整身份证号或完整电话号码搜索")
    phone_search_fields = ("phone",)
    autocomplete_fields = ("division",)
    readonly_fields = ("created_at", "updated_at")
    personal_data_fields = {"id_number": mask_id_number, "phone": mask_phone}

    def get_list_display(self, request):
        show = can_view_personal_data(request.user)

        @admin.display(description=_("身份证号"))
        def id_number(person):
            return person.id_number if show else mask_id_number(person.id_number)

        @admin.display(description=_("联系电话"))
        def phone(person):
            return person.phone if show else mask_phone(person.phone)

        return ("name", id_number, phone, "political_status", "division")

    def _hides_personal_data(self, request, obj) -> bool:
        # A new person's numbers are typed in by the user; an existing one's are shown only with the permission.
        return obj is not None and not can_view_personal_data(request.user)

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if self._hides_personal_data(request, obj):
            exclude += ["id_number", "phone"]
        return exclude

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if self._hides_personal_data(request, obj):
            readonly = ["masked_id_number", "masked_phone", *readonly]
        return readonly

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, person):
        return mask_id_number(person.id_number)

    @admin.display(description=_("联系电话"))
    def masked_phone(self, person):
        return mask_phone(person.phone)


# --- 家庭户 --------------------------------------------------------------------------------------


class HouseholdMemberFormSet(BaseInlineFormSet):
    """The members of a household, checked against the head chosen on the household form."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        members = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("person")
        ]
        people = [member["person"].pk for member in members]
        if len(people) != len(set(people)):
            raise ValidationError(_("同一人员不能在一户中重复登记。"), code=ERR_DUPLICATE_MEMBER)
        head = self.instance.head
        if head is not None and head.pk not in people:
            raise ValidationError(
                _("户主“%(name)s”必须是本户成员，请先把户主加入家庭成员。"),
                code=ERR_HEAD_NOT_MEMBER,
                params={"name": head.name},
            )
        for member in members:
            is_head = head is not None and member["person"].pk == head.pk
            if is_head != (member.get("relation") == Relation.HEAD):
                raise ValidationError(
                    _("与户主关系为“户主”的成员必须是本户户主，且户主本人的关系应为“户主”。"), code=ERR_HEAD_RELATION
                )


class HouseholdMemberInline(ScopedChoicesMixin, admin.TabularInline):
    model = HouseholdMember
    formset = HouseholdMemberFormSet
    autocomplete_fields = ("person",)
    extra = 1


@admin.register(Household)
class HouseholdAdmin(BigTableAdminMixin, ScopedImportExportAdmin):
    resource_classes = [HouseholdResource]
    list_display = ("number", "head", "address", "division")
    list_select_related = ("division", "head")
    search_fields = ("number", "address", "head__name")
    autocomplete_fields = ("division", "head")
    readonly_fields = ("created_at", "updated_at")
    inlines = [HouseholdMemberInline]

    def get_readonly_fields(self, request, obj=None):
        """The division is set on adding; then only services move it (with the members and shares):
        the actions 划入屋场 / 移出屋场 an app adds through ``registry.admin_action``."""
        return (*super().get_readonly_fields(request, obj), *(("division",) if obj else ()))

    def _get_base_actions(self):
        extra = registry.admin_actions.get("governance.household", [])
        return [*super()._get_base_actions(), *(self.get_action(action) for action in extra)]
