"""Form helpers shared by every app's officer pages."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.models import Division, DivisionLevel
from governance.querysets import ScopedQuerySet, path_ancestors
from governance.selectors import choice_queryset, households_search

ERR_DIVISION_CHOICE = "invalid_choice"

# Deep enough for any branch of the tree (province → … → grid); only the levels present are drawn.
MAX_CASCADE_LEVELS = len(DivisionLevel)


def form_errors_add(form: forms.BaseForm, error: ValidationError) -> None:
    """Show a service's ``ValidationError`` (or ``Conflict``) on the form: each message on its field
    when the form has that field, otherwise above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def scope_roles_for_form(form: forms.BaseForm) -> frozenset[str] | None:
    """The roles a form's choices are scoped with: the form's ``scope_roles``, else its model's
    (an integrity form offers only the divisions where the user is discipline staff)."""
    roles = getattr(form, "scope_roles", None)
    if roles is None:
        model = getattr(getattr(form, "_meta", None), "model", None)
        roles = getattr(model, "scope_roles", None)
    return roles


class ScopedFormMixin:
    """A form built for one user: every model choice whose queryset can be scoped offers only rows
    in the user's subtree (with the form's ``scope_roles``), so a posted id from elsewhere is "not a
    valid choice" (a Chinese error on the field) and nothing is written. Use as
    ``MyForm(data, user=request.user)``."""

    scope_roles: frozenset[str] | None = None

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        roles = scope_roles_for_form(self)
        for field in self.fields.values():
            scope_to_user = getattr(field, "scope_to_user", None)
            if scope_to_user is not None:
                scope_to_user(user, roles=roles)
                continue
            queryset = getattr(field, "queryset", None)
            if isinstance(queryset, ScopedQuerySet):
                field.queryset = choice_queryset(queryset.for_user(user, roles=roles))


class ScopedModelForm(ScopedFormMixin, forms.ModelForm):
    pass


class DivisionCascadeWidget(forms.Widget):
    """Dependent selects for a place (乡镇 → 村 → 屋场…): one ``<select name="<name>_<i>">`` per level,
    the first listing the user's entry points (the highest divisions they may choose), each change
    fetching the next level's ``<option>``s from ``governance:division-options`` with htmx. The value is
    the code of the deepest level chosen.

    Without JavaScript a ``<noscript>`` select named ``<name>`` lists every choosable division (up to
    ``fallback_limit``) and wins when filled; the same plain ``<name>=<code>`` is what links, hidden
    inputs and tests post."""

    template_name = "governance/widgets/division_cascade.html"
    use_fieldset = True
    fallback_limit = 1000

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.queryset = Division.objects.none()

    def value_from_datadict(self, data, files, name):
        if data.get(name):
            return data.get(name)
        chosen = None
        for index in range(MAX_CASCADE_LEVELS):
            value = data.get(f"{name}_{index}")
            if not value:
                break  # a blank level ends the chain: anything left below it is stale
            chosen = value
        return chosen

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_0" not in data

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        base_id = widget_attrs.pop("id", None) or f"id_{name}"
        scope = self.queryset.order_by("code")
        # Entry points: choosable divisions whose parent is not choosable (the user's scope roots,
        # or the first allowed level below them).
        entries = list(scope.filter(~Exists(scope.filter(pk=OuterRef("parent_id")))))
        chain = self._chain(scope, value, entries)
        levels = self._level_labels(scope, entries)
        children = self._children(scope, chain)
        rendered = []
        for index, label in enumerate(levels):
            if index == 0:
                options = entries
            elif index - 1 < len(chain):
                options = children.get(chain[index - 1].pk, [])
            else:
                options = []
            select_attrs = (
                dict(widget_attrs)
                if index == 0
                else {key: val for key, val in widget_attrs.items() if key.startswith("aria-")}
            )
            rendered.append(
                {
                    "name": f"{name}_{index}",
                    "id": f"{base_id}_{index}",
                    "next_id": f"{base_id}_{index + 1}",
                    "label": label,
                    "options": options,
                    "selected": chain[index].code if index < len(chain) else "",
                    "is_last": index == len(levels) - 1,
                    "attrs": select_attrs,
                }
            )
        fallback = list(scope.order_by("path")[: self.fallback_limit + 1])
        top = min((division.depth for division in fallback), default=0)
        context["widget"].update(
            {
                "levels": rendered,
                "options_url": reverse("governance:division-options"),
                "fallback_id": f"{base_id}_all",
                "fallback": [
                    {"code": division.code, "name": division.name, "indent": "　" * (division.depth - top)}
                    for division in fallback[: self.fallback_limit]
                ],
                "fallback_too_long": len(fallback) > self.fallback_limit,
                "selected": chain[-1].code if chain else "",
            }
        )
        return context

    @staticmethod
    def _chain(scope, value, entries) -> list[Division]:
        """The chosen division and its choosable ancestors, top first; a lone entry point is chosen
        for the user (one tap fewer on a phone). A value outside the scope shows nothing of it."""
        chosen = scope.filter(code=str(value)).first() if value else None
        if chosen is None:
            return entries[:1] if len(entries) == 1 else []
        return list(scope.filter(path__in=path_ancestors(chosen.path)).order_by("depth"))

    @staticmethod
    def _level_labels(scope, entries) -> list[str]:
        """One label per level below the entry points, named after the levels found there
        (``乡镇／街道``, ``村／社区``, ``屋场／小区``…)."""
        if not entries:
            return [str(_("区划"))]
        top = min(division.depth for division in entries)
        found: dict[int, set[str]] = {}
        for depth, level in scope.filter(depth__gte=top).order_by().values_list("depth", "level").distinct():
            found.setdefault(depth, set()).add(level)
        order = list(DivisionLevel.values)
        return [
            "／".join(str(DivisionLevel(level).label) for level in sorted(found[depth], key=order.index))
            for depth in sorted(found)
        ]

    @staticmethod
    def _children(scope, chain) -> dict[int, list[Division]]:
        children: dict[int, list[Division]] = {}
        if chain:
            for child in scope.filter(parent__in=[division.pk for division in chain]):
                children.setdefault(child.parent_id, []).append(child)
        return children


class DivisionCascadeField(forms.ModelChoiceField):
    """A place chosen level by level (see ``DivisionCascadeWidget``), by code. Deny by default: it
    offers nothing until ``scope_to_user`` (called by ``ScopedFormMixin``) narrows ``queryset`` to
    the active divisions of the user's subtree; a code from elsewhere, or no such code, is one Chinese
    error on the field (``ERR_DIVISION_CHOICE``), so nothing is written."""

    widget = DivisionCascadeWidget
    default_error_messages = {"invalid_choice": _("请在您管辖的范围内逐级选择区划。")}

    def __init__(self, *, queryset=None, **kwargs):
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("empty_label", None)
        self.base_queryset = (Division.objects.all() if queryset is None else queryset).filter(is_active=True)
        super().__init__(queryset=Division.objects.none(), **kwargs)

    def scope_to_user(self, user, roles=None) -> None:
        self.queryset = self.base_queryset.for_user(user, roles=roles)

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.queryset = self._queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)


class HouseholdSearchWidget(forms.Select):
    """A household picker that never lists the whole area (2,000 households at demo size, issue 14):
    a search box (户号 or a member's name) whose typing fetches at most 20 matching ``<option>``s of
    the user's subtree with htmx (``governance:household-options``), and a select holding only the
    chosen household and those matches.

    Without JavaScript the search box is posted with the form: the form comes back with the matches
    of the term in the select, to choose from and post again."""

    template_name = "governance/widgets/household_search.html"

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.queryset = None
        self.search_term = ""

    def value_from_datadict(self, data, files, name):
        self.search_term = (data.get(f"{name}_q") or "").strip()[:50]
        return super().value_from_datadict(data, files, name)

    def get_context(self, name, value, attrs):
        rows = []
        if self.queryset is not None:
            chosen = str(value[0] if isinstance(value, (list, tuple)) and value else value or "")
            if chosen.isdigit():
                rows = list(self.queryset.filter(pk=int(chosen)))
            found = households_search(queryset=self.queryset, q=self.search_term)
            rows += [row for row in found if all(row.pk != kept.pk for kept in rows)]
        self.choices = [("", _("请先搜索户号或户主姓名")), *((row.pk, str(row)) for row in rows)]
        context = super().get_context(name, value, attrs)
        context["widget"].update(
            search_name=f"{name}_q",
            search_term=self.search_term,
            options_url=f"{reverse('governance:household-options')}?name={name}",
        )
        return context


class HouseholdSearchField(forms.ModelChoiceField):
    """A required household of the user's subtree, picked with ``HouseholdSearchWidget``."""

    widget = HouseholdSearchWidget
    default_error_messages = {
        "required": _("请先搜索并选择家庭户。"),
        "invalid_choice": _("请选择您管辖范围内的家庭户。"),
    }

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.queryset = self.queryset

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)


#: The largest amount a form takes (yuan): a hundred billion is beyond any case a district records, so a
#: number above it is a typing slip, never a figure.
YUAN_MAX = 10**11


class YuanField(forms.DecimalField):
    """An amount in yuan exact to the fen, as a clerk types it: digits, an optional point and at most
    two decimals (``12000.50``; thousands separators are taken off). Scientific notation (``1e3``, which
    Python's ``Decimal`` reads) and amounts above ``YUAN_MAX`` are refused in Chinese."""

    default_error_messages = {
        "invalid": _("请输入金额数字，例如 12000.50。"),
        "max_decimal_places": _("金额最多保留两位小数（分）。"),
        "max_value": _("金额不能超过 %(limit_value)s 元，请核对。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_value", YUAN_MAX)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace(",", "").replace("，", "")
            if value and any(char in value for char in "eE"):
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)
