"""One FilterSet per model, shared by the API, the pages and the admin. Foreign keys to the
division tree come in pairs, ``division_id`` and ``division`` (by code), plus ``within`` (a code:
the whole subtree) and ``q`` for search."""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.division_codes import division_code_normalize
from governance.models import Division, DivisionLevel, Household, Organization, OrganizationKind, Person, Post
from governance.models.people import PARTY_STATUSES, PoliticalStatus
from governance.names import name_normalize
from governance.phones import phone_search_form


class SearchField(forms.CharField):
    def to_python(self, value):
        return name_normalize(super().to_python(value))


class SearchFilter(filters.CharFilter):
    """``q``: the term as clerks type it; a name matches whatever middle dot was typed
    (``governance.names``). Every FilterSet's ``q`` is one of these."""

    field_class = SearchField


class DivisionTreeFilterSet(filters.FilterSet):
    """Adds ``division_id``, ``division`` (code) and ``within`` (code of an ancestor) for the model's
    ``scope_lookup``."""

    division_id = filters.NumberFilter(method="filter_division_id", label=_("区划ID"))
    division = filters.CharFilter(method="filter_division_code", label=_("区划代码"))
    within = filters.CharFilter(method="filter_within", label=_("所在区划（含下级，代码）"))

    def _scope(self) -> str:
        return getattr(self.queryset.model, "scope_lookup", "division")

    def filter_division_id(self, queryset, name, value):
        return queryset.filter(**{f"{self._scope()}_id": value})

    def filter_division_code(self, queryset, name, value):
        return queryset.filter(**{f"{self._scope()}__code": value})

    def filter_within(self, queryset, name, value):
        division = Division.objects.filter(code=value).only("path").first()
        if division is None:
            return queryset.none()
        return queryset.in_subtree(division)


class DivisionFilterSet(filters.FilterSet):
    q = SearchFilter(method="search", label=_("搜索"))
    level = filters.MultipleChoiceFilter(choices=DivisionLevel.choices, label=_("层级"))
    parent_id = filters.NumberFilter(field_name="parent_id", label=_("上级区划ID"))
    parent = filters.CharFilter(field_name="parent__code", label=_("上级区划代码"))
    within = filters.CharFilter(method="filter_within", label=_("所在区划（含下级，代码）"))

    class Meta:
        model = Division
        fields = ["q", "level", "parent_id", "parent", "within", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__startswith=division_code_normalize(value)))

    def filter_within(self, queryset, name, value):
        division = Division.objects.filter(code=value).only("path").first()
        return queryset.in_subtree(division) if division else queryset.none()


class PersonFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（姓名、身份证号、电话）"))
    political_status = filters.MultipleChoiceFilter(choices=PoliticalStatus.choices, label=_("政治面貌"))
    party_member = filters.BooleanFilter(method="filter_party_member", label=_("党员"))

    class Meta:
        model = Person
        fields = ["q", "division_id", "division", "within", "political_status", "party_member"]

    def search(self, queryset, name, value):
        # An ID number or a phone number is matched whole, never by fragment: no fishing for people.
        condition = Q(name__icontains=value) | Q(id_number=value.strip().upper())
        phone = phone_search_form(value)
        if phone:
            condition |= Q(phone=phone)
        return queryset.filter(condition)

    def filter_party_member(self, queryset, name, value):
        condition = Q(political_status__in=PARTY_STATUSES)
        return queryset.filter(condition) if value else queryset.exclude(condition)


class HouseholdFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索（户号、住址、户主）"))

    class Meta:
        model = Household
        fields = ["q", "division_id", "division", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(number__icontains=value) | Q(address__icontains=value) | Q(head__name__icontains=value)
        )


class OrganizationFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索"))
    kind = filters.MultipleChoiceFilter(choices=OrganizationKind.choices, label=_("类型"))

    class Meta:
        model = Organization
        fields = ["q", "kind", "division_id", "division", "within", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(name__icontains=value)


class PostFilterSet(DivisionTreeFilterSet):
    q = SearchFilter(method="search", label=_("搜索"))
    organization_id = filters.NumberFilter(field_name="organization_id", label=_("组织ID"))
    person_id = filters.NumberFilter(field_name="person_id", label=_("人员ID"))
    organization_kind = filters.MultipleChoiceFilter(
        field_name="organization__kind", choices=OrganizationKind.choices, label=_("组织类型")
    )
    current = filters.BooleanFilter(method="filter_current", label=_("现任"))

    class Meta:
        model = Post
        fields = ["q", "organization_id", "person_id", "organization_kind", "current", "is_head", "within"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(person__name__icontains=value) | Q(organization__name__icontains=value)
        )

    def filter_current(self, queryset, name, value):
        current = Post.objects.current().values("pk")
        return queryset.filter(pk__in=current) if value else queryset.exclude(pk__in=current)
