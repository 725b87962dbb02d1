"""Scope is declared by each model and applied by the one ``ScopedQuerySet.for_user``. This file
enumerates every scoped model and proves that every path to its rows — admin changelists, change
forms' related choices, exports, API lists and details, officers' pages — goes through ``for_user``
for it. A new model, admin, endpoint or page that forgets is caught here, not by a leak."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import models
from django.forms import ModelChoiceField
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from import_export.admin import ExportMixin
from rest_framework.viewsets import ViewSetMixin

from governance.admin import ScopedChoicesMixin
from governance.models import User
from governance.querysets import Reach, ScopedQuerySet
from governance.selectors import users_in_scope
from tests.auth import verified_login
from tests.factories import user_with_role

OUR_APPS = {"governance", "security", "villages", "residential", "integrity", "civility"}


def scoped_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS and isinstance(model._default_manager.all(), ScopedQuerySet)
    ]


@pytest.fixture
def for_user_models(monkeypatch):
    """The models ``for_user`` has been asked to scope since the fixture started."""
    seen: list[type[models.Model]] = []
    original = ScopedQuerySet.for_user

    def spy(self, user, roles=None):
        seen.append(self.model._meta.concrete_model)
        return original(self, user, roles)

    monkeypatch.setattr(ScopedQuerySet, "for_user", spy)
    return seen


@pytest.fixture
def superuser(db):
    from governance.models import User

    return User.objects.create_superuser("scope_root", "root@example.gov.cn", "x-Pass-2026")


def test_every_scoped_model_declares_a_path_that_resolves_to_a_division(divisions):
    assert len(scoped_models()) > 30
    for model in scoped_models():
        lookup = getattr(model, "scope_lookup", "division")
        field = f"{lookup}__path" if lookup else "path"
        # Builds the SQL (FieldError if the path is wrong) without reading rows.
        str(model._default_manager.filter(**{f"{field}__startswith": "x/"}).query)
        assert getattr(model, "scope_reach", Reach.SUBTREE) in (Reach.SUBTREE, Reach.ANCESTORS), model
        roles = getattr(model, "scope_roles", None)
        assert roles is None or (roles and isinstance(roles, frozenset)), model


def test_no_queryset_reimplements_for_user():
    """One opening: subclasses add chainable reads, never their own scoping."""
    overriding = {
        model._meta.label
        for model in scoped_models()
        if type(model._default_manager.all()).for_user is not ScopedQuerySet.for_user
    }
    assert overriding == set()


def _admins():
    return [(model, model_admin) for model, model_admin in admin.site._registry.items() if model in scoped_models()]


def test_every_admin_of_a_scoped_model_stands_on_the_scoped_base():
    for model, model_admin in _admins():
        assert isinstance(model_admin, ScopedChoicesMixin), model
        for inline in model_admin.inlines:
            # Inlines too: their rows and their own related choices.
            assert issubclass(inline, ScopedChoicesMixin), (model, inline)


@pytest.mark.django_db
def test_admin_changelists_and_exports_go_through_for_user(client, divisions, superuser, for_user_models):
    verified_login(client, superuser)
    request = RequestFactory().get("/")
    request.user = superuser
    for model, model_admin in _admins():
        for_user_models.clear()
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url
        assert model in for_user_models, f"changelist of {model._meta.label}"
        if isinstance(model_admin, ExportMixin):
            for_user_models.clear()
            list(model_admin.get_export_queryset(request))
            assert model in for_user_models, f"export of {model._meta.label}"


@pytest.mark.django_db
def test_admin_forms_offer_only_scoped_related_rows(divisions):
    """A staff user with a role but no rows in scope is offered no row of any scoped related model, and
    no staff account from elsewhere (报备人, 劝导人…)."""
    user_with_role("discipline_inspector", divisions["district"], username="elsewhere_inspector")
    user = user_with_role("district_admin", divisions["v22"], username="choices_probe")
    user.is_staff = True
    user.is_superuser = False
    user.save()
    request = RequestFactory().get("/")
    request.user = user
    for model, model_admin in _admins():
        for db_field in model._meta.get_fields():
            if not (db_field.is_relation and db_field.concrete and (db_field.many_to_one or db_field.many_to_many)):
                continue
            related = db_field.related_model
            if related is User:
                allowed = users_in_scope(user)
            elif isinstance(related._default_manager.all(), ScopedQuerySet):
                allowed = related._default_manager.for_user(user, roles=getattr(model, "scope_roles", None))
            else:
                continue
            if db_field.many_to_many:
                formfield = model_admin.formfield_for_manytomany(db_field, request)
            else:
                formfield = model_admin.formfield_for_foreignkey(db_field, request)
            if formfield is None or not isinstance(formfield, ModelChoiceField):
                continue
            offered = formfield.queryset
            outside = offered.exclude(pk__in=allowed.values("pk"))
            assert not outside.exists(), f"{model._meta.label}.{db_field.name} offers rows outside the scope"


def _patterns(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _patterns(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry


def _api_viewsets():
    """(url, model, is_list) of every router-registered list and detail route under /api/v1/."""
    out = []
    for route, pattern in _patterns(get_resolver()):
        callback = pattern.callback
        cls = getattr(callback, "cls", None)
        actions = getattr(callback, "actions", None) or {}
        if not (route.startswith("api/v1/") and cls and issubclass(cls, ViewSetMixin)):
            continue
        queryset = getattr(cls, "queryset", None)
        if queryset is None or not isinstance(queryset, ScopedQuerySet):
            continue
        is_list = actions.get("get") == "list"
        is_detail = actions.get("get") == "retrieve"
        if not (is_list or is_detail):
            continue
        route = route.replace("(?P<pk>[^/.]+)", "{pk}").replace("<pk>", "{pk}").replace("^", "").replace("$", "")
        out.append((route, queryset.model, is_list))
    return out


@pytest.mark.django_db
def test_api_lists_and_details_go_through_for_user(api_client, divisions, superuser, for_user_models):
    routes = _api_viewsets()
    assert len(routes) > 40
    api_client.force_authenticate(superuser)
    for route, model, is_list in routes:
        for_user_models.clear()
        url = "/" + route.format(pk=0)
        status = api_client.get(url).status_code
        assert status == (200 if is_list else 404), (url, status)
        assert model._meta.concrete_model in for_user_models, url


def _page_views():
    """(route, model or None) of every officers' page: the registers' pages and each app's pages."""
    from governance.registry import registry

    prefixes = {f"{prefix}/" for prefix in registry.page_routes} | {"people/", "households/", "dashboard/"}
    out = []
    for route, pattern in _patterns(get_resolver()):
        if not any(route.startswith(p) for p in prefixes):
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        model = getattr(view_class, "model", None)
        scoped = model is not None and isinstance(model._default_manager.all(), ScopedQuerySet)
        out.append((route, model if scoped else None))
    return out


# Pages that read no scoped row by design (a form's empty page reads its choices: those count).
PAGES_WITHOUT_ROWS = {
    "divisions/options/",
    # 一案一码: the citizens' public page, reached by an unguessable code without login (no user to
    # scope by); a wrong code is a 404 (tests/security/test_tracking.py).
    "t/<str:token>/",
}


@pytest.mark.django_db
def test_pages_go_through_for_user(client, divisions, superuser, for_user_models):
    """Every page reads its rows through ``for_user`` (for its own model, when it names one); a page
    with an argument is asked for a row that does not exist and must answer 404 after scoping."""
    pages = _page_views()
    assert len(pages) >= 20
    verified_login(client, superuser)
    for route, model in pages:
        if route in PAGES_WITHOUT_ROWS:
            continue
        for_user_models.clear()
        url = "/" + re.sub(r"<(?:int:|str:|slug:)?[a-z_]+>", "0", route)
        status = client.get(url).status_code
        assert status in (200, 404, 405), (url, status)
        if status == 405:
            continue
        assert for_user_models, f"{url} reads no row through for_user"
        if model is not None:
            assert model._meta.concrete_model in for_user_models, url
