"""Search-as-you-type multi-pickers (issue 12 item 4): a big many-to-many choice (屋场会 attendees,
the people a clue is about) is never rendered as a full list. The page shows a search box, the rows
already chosen (ticked boxes) and at most ``PICKER_MATCH_LIMIT`` matches of the typed term; typing
fetches new matches with htmx from an options view, which swaps only the matches area, so what is
already chosen stays on the page.

Without JavaScript the search button posts the form with the term: the form comes back (not saved)
with the matches to tick, as ``HouseholdSearchWidget`` does for one household.

The pieces, generic over a queryset and a search function ``search(queryset, term) -> rows``:

- ``SearchMultiSelectField``: a ``ModelMultipleChoiceField`` drawn by ``SearchMultiSelectWidget``;
  ``ScopedFormMixin`` narrows its queryset to the user's subtree, so a posted id from elsewhere is
  "not a valid choice" (a Chinese error on the field) and nothing is written;
- ``SearchOptionsView``: the options endpoint; an app subclasses it with the same scoped queryset
  the form offers (``candidates``)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views import View

from governance.names import name_normalize

PICKER_MATCH_LIMIT = 20  # matches shown per search, on the page and from the options view
PICKER_CHOSEN_LIMIT = 300  # ids one post may tick: a bound on the ``IN (…)`` the form runs
SEARCH_TERM_MAX = 50
ERR_PICKER_SEARCHING = "searching"
ERR_PICKER_TOO_MANY = "too_many"
FIELD_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]{0,60}$")

SearchFunction = Callable[[QuerySet, str], Sequence[Model]]


def name_search(queryset: QuerySet, term: str, *, fields: Iterable[str] = ("name",)) -> list[Model]:
    """Rows of ``queryset`` (already scoped by the caller) one of whose ``fields`` contains ``term``,
    the term normalised like every name (``governance.names``: ``阿依古丽.买买提`` finds
    ``阿依古丽·买买提``); at most ``PICKER_MATCH_LIMIT`` rows in the queryset's order. A blank term
    finds nothing (no browsing the whole area). One query."""
    from django.db.models import Q

    term = name_normalize(term[:SEARCH_TERM_MAX])
    if not term:
        return []
    condition = Q()
    for field in fields:
        condition |= Q(**{f"{field}__icontains": term})
    return list(queryset.filter(condition)[:PICKER_MATCH_LIMIT])


def picked_ids(values: Iterable[Any], limit: int = PICKER_CHOSEN_LIMIT) -> list[int]:
    """The integer ids among posted values, in order, at most ``limit``; anything else is dropped
    (the form's field reports it, a page render just does not show it)."""
    ids: list[int] = []
    for value in values:
        value = getattr(value, "pk", value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            ids.append(int(value))
        if len(ids) >= limit:
            break
    return ids


class SearchMultiSelectWidget(forms.Widget):
    """A search box, the chosen rows as ticked checkboxes, and the matches of the term (≤ 20) as
    checkboxes in an area the options view refills (``hx-get`` on typing; ``hx-include`` sends the
    boxes ticked there, so the view keeps them). Posts ``<name>`` (ids), ``<name>_q`` (the term) and,
    from the no-JS search button, ``<name>_search``."""

    template_name = "governance/widgets/search_multi.html"
    use_fieldset = True

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.queryset: QuerySet | None = None
        self.search: SearchFunction | None = None
        self.label: Callable[[Model], str] = str
        self.options_url = ""
        self.search_term = ""
        self.searching = False

    def value_from_datadict(self, data, files, name):
        self.search_term = (data.get(f"{name}_q") or "").strip()[:SEARCH_TERM_MAX]
        self.searching = f"{name}_search" in data
        getter = getattr(data, "getlist", None)
        return getter(name) if getter is not None else data.get(name)

    def value_omitted_from_data(self, data, files, name):
        return False  # like checkboxes: nothing ticked posts nothing, which means "none"

    def format_value(self, value):
        if value is None:
            return []
        return [str(v) for v in (value if isinstance(value, (list, tuple)) else [value])]

    def id_for_label(self, id_):
        return f"{id_}_q" if id_ else id_

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        chosen: list[Model] = []
        matches: list[Model] = []
        if self.queryset is not None:
            ids = picked_ids(self.format_value(value))
            chosen = list(self.queryset.filter(pk__in=ids)) if ids else []
            if self.search is not None and self.search_term:
                kept = {row.pk for row in chosen}
                matches = [row for row in self.search(self.queryset, self.search_term) if row.pk not in kept]
        context["widget"].update(
            base_id=base_id,
            matches_id=f"{base_id}_matches",
            search_name=f"{name}_q",
            search_term=self.search_term,
            options_url=f"{self.options_url}?{urlencode({'name': name})}" if self.options_url else "",
            chosen=[(row.pk, self.label(row)) for row in chosen],
            matches=[(row.pk, self.label(row)) for row in matches],
        )
        return context


class SearchMultiSelectField(forms.ModelMultipleChoiceField):
    """Rows of ``queryset`` picked with ``SearchMultiSelectWidget``. ``search(queryset, term)`` finds
    the matches (default ``name_search``); ``row_label(row)`` names a row (default ``str``);
    ``options_url`` is the app's ``SearchOptionsView`` (set in the form's ``__init__`` when it
    depends on the page, e.g. the 屋场). A search-button post is refused with ``ERR_PICKER_SEARCHING``
    so the form comes back with the matches instead of being saved; more than
    ``PICKER_CHOSEN_LIMIT`` ids is ``ERR_PICKER_TOO_MANY``."""

    widget = SearchMultiSelectWidget
    default_error_messages = {
        "invalid_choice": _("所选的“%(value)s”不在可选范围内（须在您的管辖范围内），请重新搜索选择。"),
        "invalid_pk_value": _("编号“%(pk)s”无效，请重新搜索选择。"),
        ERR_PICKER_SEARCHING: _("已列出搜索结果，请勾选后再保存。"),
        ERR_PICKER_TOO_MANY: _("一次最多选择 %(limit)s 项。"),
    }

    def __init__(
        self,
        *,
        queryset: QuerySet,
        search: SearchFunction = name_search,
        row_label: Callable[[Model], str] | None = None,
        options_url: str = "",
        **kwargs,
    ):
        super().__init__(queryset=queryset, **kwargs)
        self.widget.search = search
        self.widget.label = row_label or str
        self.widget.options_url = options_url

    def _set_queryset(self, queryset):
        super()._set_queryset(queryset)
        self.widget.queryset = self.queryset

    queryset = property(forms.ModelMultipleChoiceField._get_queryset, _set_queryset)

    def clean(self, value):
        if getattr(self.widget, "searching", False):
            raise ValidationError(self.error_messages[ERR_PICKER_SEARCHING], code=ERR_PICKER_SEARCHING)
        if value and len(value) > PICKER_CHOSEN_LIMIT:
            message = self.error_messages[ERR_PICKER_TOO_MANY]
            raise ValidationError(message, code=ERR_PICKER_TOO_MANY, params={"limit": PICKER_CHOSEN_LIMIT})
        return super().clean(value)


class SearchOptionsView(LoginRequiredMixin, View):
    """The matches area of a ``SearchMultiSelectWidget``: ``?name=<field>&<field>_q=<term>`` plus the
    ids ticked in that area (``<field>=<id>``, kept ticked at the top, ≤ ``PICKER_CHOSEN_LIMIT``), then
    at most ``PICKER_MATCH_LIMIT`` matches. Rows come only from ``candidates()`` — the subclass returns
    the same scoped queryset its form offers (raising 404 for a page object out of scope) — so an id
    from elsewhere is silently not shown. A field name that is not an identifier is 400; no name (or
    no term) gives an empty area."""

    search: SearchFunction = staticmethod(name_search)

    def candidates(self) -> QuerySet:
        raise NotImplementedError

    def label(self, row: Model) -> str:
        return str(row)

    def get(self, request, *args, **kwargs):
        queryset = self.candidates()  # first: a page object out of scope is 404 whatever else is asked
        name = request.GET.get("name", "")
        if name and not FIELD_NAME_RE.match(name):
            return HttpResponseBadRequest(str(_("参数 name 须为字段名。")), content_type="text/plain; charset=utf-8")
        ids = picked_ids(request.GET.getlist(name))
        ticked = list(queryset.filter(pk__in=ids)) if ids else []
        kept = {row.pk for row in ticked}
        term = (request.GET.get(f"{name}_q") or "").strip()[:SEARCH_TERM_MAX]
        matches = [row for row in self.search(queryset, term) if row.pk not in kept] if term else []
        context = {
            "name": name,
            "term": term,
            "ticked": [(row.pk, self.label(row)) for row in ticked],
            "matches": [(row.pk, self.label(row)) for row in matches],
        }
        return render(request, "governance/widgets/_search_multi_matches.html", context)
