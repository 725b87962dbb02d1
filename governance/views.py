"""Officers' pages: home, people and households. Views stay thin: rows come from ``for_user`` (out of
scope answers 404) and filtering from the models' FilterSets, the same ones the API uses."""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.contrib.auth.mixins import LoginRequiredMixin, PermissionRequiredMixin
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Prefetch
from django.http import Http404
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from governance.filtersets import HouseholdFilterSet, PersonFilterSet
from governance.forms import DivisionCascadeWidget
from governance.masking import can_view_personal_data, mask_id_number, mask_phone
from governance.models import Division, Household, HouseholdMember, Person, Post
from governance.querysets import model_open_to
from governance.registry import registry
from governance.selectors import choices_in_scope, households_search

PAGE_SIZE = 50


def _show_personal_data(people, user) -> None:
    """Give each person ``id_number_shown`` and ``phone_shown``, masked unless the user may see them."""
    full = can_view_personal_data(user)
    for person in people:
        person.id_number_shown = (person.id_number or "") if full else mask_id_number(person.id_number)
        person.phone_shown = person.phone if full else mask_phone(person.phone)


class HomeView(LoginRequiredMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        links = []
        for link in sorted(registry.home_links, key=lambda link: (link.order, str(link.title))):
            if not (user.is_superuser or user.roles & link.roles):
                continue
            try:
                url = reverse(link.url_name)
            except NoReverseMatch:  # an app may register a link to a page it has not built yet
                continue
            count = link.count(user) if link.count else None
            links.append({"title": link.title, "description": link.description, "url": url, "count": count})
        assignments = user.role_assignments.select_related("division").order_by("role", "division__path")
        return super().get_context_data(assignments=assignments, links=links, **kwargs)


# A related-row picker is a plain <select> up to this many choices; beyond it the filter stays usable
# from links (a hidden field) but is not offered as a box to type an internal id into.
PICKER_LIMIT = 200
YES_NO_ALL = [("", _("全部")), ("true", _("是")), ("false", _("否"))]


def page_filter_form(filterset: Any, user: Any) -> None:
    """Adapt a FilterSet's form (shared with the API) for officers' pages, so no page asks for an
    internal id (issue 14): ``within`` becomes the division cascade of the user's scope; ``division``
    and ``division_id`` ride along hidden; other ``…_id`` filters become a picker of the related rows
    the user may see (hidden when there are too many); yes/no filters default to 全部. Query strings
    keep working unchanged, so links and the API's parameters mean the same on the page."""
    form = filterset.form
    model = filterset.queryset.model
    for name, field in list(form.fields.items()):
        filter_ = filterset.filters.get(name)
        if name == "within":
            widget = DivisionCascadeWidget()
            widget.queryset = Division.objects.for_user(user).filter(is_active=True)
            field.widget = widget
        elif name in ("division", "division_id"):
            field.widget = forms.HiddenInput()
        elif name.endswith("_id") and isinstance(filter_, django_filters.NumberFilter):
            field.widget = _related_picker(model, filter_.field_name or name, user) or forms.HiddenInput()
        elif isinstance(filter_, django_filters.BooleanFilter):
            field.widget = forms.Select(choices=YES_NO_ALL)


def _related_picker(model: Any, field_name: str, user: Any) -> forms.Select | None:
    try:
        related = model._meta.get_field(field_name.removesuffix("_id")).related_model
    except FieldDoesNotExist:
        return None
    scoped = choices_in_scope(related._default_manager.all(), user) if related is not None else None
    if scoped is None:
        return None
    rows = list(scoped[: PICKER_LIMIT + 1])
    if len(rows) > PICKER_LIMIT:
        return None
    return forms.Select(choices=[("", _("全部")), *((row.pk, str(row)) for row in rows)])


class ModelOpenRequiredMixin(LoginRequiredMixin):
    """Pages of a model closed to some roles (``scope_roles``): a signed-in user it is closed to gets
    404, as if the pages did not exist; anonymous users are sent to sign in."""

    model: type

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not model_open_to(request.user, self.model):
            raise Http404(_("未找到。"))
        return super().dispatch(request, *args, **kwargs)


class FilteredListView(ModelOpenRequiredMixin, PermissionRequiredMixin, ListView):
    """A scoped, filtered, paginated list. Bad filter input shows the form's errors and no rows;
    a bad page number falls back to a valid page."""

    model: type
    filterset_class: type
    paginate_by = PAGE_SIZE

    def base_queryset(self):
        return self.model.objects.for_user(self.request.user)

    def list_order(self, queryset):
        """The rows' order on the page. Work lists override it so that open cases come first, then the
        most urgent (issue 14); registers keep their model's order."""
        return queryset

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.base_queryset(), request=self.request
        )
        page_filter_form(self.filterset, self.request.user)
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.filterset.queryset.none()
        queryset = self.list_order(self.filterset.qs)
        return queryset if queryset.ordered else queryset.order_by("pk")

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)


class PersonListView(FilteredListView):
    model = Person
    filterset_class = PersonFilterSet
    permission_required = "governance.view_person"
    template_name = "governance/person_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("division")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _show_personal_data(context["object_list"], self.request.user)
        return context


class PersonDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "governance.view_person"
    template_name = "governance/person_detail.html"

    def get_queryset(self):
        return Person.objects.for_user(self.request.user).select_related("division")

    def get_context_data(self, **kwargs):
        user = self.request.user
        person = self.object
        _show_personal_data([person], user)
        membership = HouseholdMember.objects.for_user(user).select_related("household").filter(person=person).first()
        posts = Post.objects.for_user(user).filter(person=person).select_related("organization")
        return super().get_context_data(membership=membership, posts=posts, **kwargs)


class HouseholdListView(FilteredListView):
    model = Household
    filterset_class = HouseholdFilterSet
    permission_required = "governance.view_household"
    template_name = "governance/household_list.html"

    def base_queryset(self):
        return super().base_queryset().select_related("division", "head").annotate(member_count=Count("members"))


class HouseholdDetailView(LoginRequiredMixin, PermissionRequiredMixin, DetailView):
    permission_required = "governance.view_household"
    template_name = "governance/household_detail.html"

    def get_queryset(self):
        members = HouseholdMember.objects.select_related("person").order_by("id")
        return (
            Household.objects.for_user(self.request.user)
            .select_related("division", "head")
            .prefetch_related(Prefetch("members", queryset=members))
        )

    def get_context_data(self, **kwargs):
        members = list(self.object.members.all())
        _show_personal_data([member.person for member in members], self.request.user)
        return super().get_context_data(members=members, **kwargs)


class DivisionOptionsView(LoginRequiredMixin, View):
    """``<option>``s for a dependent select: the active children of ``?parent=<code>`` (or of the one
    value htmx sends from the select that changed, whatever its name) that lie in the user's scope.
    htmx swaps them into the next select. A parent outside the user's scope answers 404; no parent
    gives only the empty choice."""

    def get(self, request):
        code = request.GET.get("parent") or next((value for value in request.GET.values() if value), "")
        children = Division.objects.none()
        if code:
            scope = Division.objects.for_user(request.user)
            if not scope.filter(code=code).exists():
                raise Http404
            children = scope.filter(parent__code=code, is_active=True).order_by("code")
        return render(request, "governance/_division_options.html", {"children": children})


class HouseholdOptionsView(LoginRequiredMixin, View):
    """``<option>``s for a household picker (``HouseholdSearchWidget``): at most 20 households of the
    user's subtree matching the term typed in ``<name>_q`` (户号 or a member's name). A household
    outside the scope is never offered; no term gives only the empty choice."""

    def get(self, request):
        name = request.GET.get("name", "")
        term = request.GET.get(f"{name}_q") or request.GET.get("q") or ""
        households = households_search(queryset=Household.objects.for_user(request.user), q=term)
        return render(request, "governance/_household_options.html", {"households": households})
