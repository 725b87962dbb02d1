"""One write path for integrity (issue 13 item 1): walks every integrity admin and every integrity API
write and proves that none of them sets a service-owned field (``services.SERVICE_OWNED_FIELDS``)
directly — the admin shows them read-only and ignores them in a post, the API answers 400 naming the
field and writes nothing — and that every admin and API save goes through the services."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from rest_framework import mixins
from rest_framework.test import APIClient

from integrity import services
from integrity.admin import IntegrityAdmin
from integrity.api.urls import router
from integrity.api.views import WriteViewSet
from integrity.choices import ERR_SERVICE_OWNED, CleanUnitStatus, ClueStatus, Disposition
from tests.auth import verified_login
from tests.integrity.factories import CleanUnitFactory, ClueFactory, IntegrityCaseFactory

pytestmark = [pytest.mark.django_db]

ROW_FACTORIES = {
    "clue": lambda d: ClueFactory(division=d),
    "integritycase": lambda d: IntegrityCaseFactory(division=d),
    "cleanunit": lambda d: CleanUnitFactory(organization__division=d, status=CleanUnitStatus.BUILDING),
}


def _forbidden_values(divisions) -> dict[str, dict]:
    """For each owned field, a value different from what a fresh row holds."""
    other_clue = ClueFactory(division=divisions["v11"])
    return {
        "clue": {
            "status": ClueStatus.CONCLUDED,
            "disposition": Disposition.CLOSE,
            "disposed_on": "2025-02-01",
            "decided_by": "某人",
        },
        "integritycase": {"closed_on": "2025-04-01", "clues": [other_clue.pk]},
        "cleanunit": {"status": CleanUnitStatus.MODEL},
    }


def _snapshot(row, fields) -> dict:
    row = type(row).objects.get(pk=row.pk)
    return {
        name: sorted(getattr(row, name).values_list("pk", flat=True))
        if row._meta.get_field(name).many_to_many
        else getattr(row, name)
        for name in fields
    }


def _integrity_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "integrity"
    ]


def test_every_model_with_owned_fields_is_walked_below():
    assert set(services.SERVICE_OWNED_FIELDS) == set(ROW_FACTORIES)
    registered = {model._meta.model_name for model, _admin in _integrity_admins()}
    assert set(services.SERVICE_OWNED_FIELDS) <= registered


def test_every_integrity_admin_saves_through_the_services():
    for model, model_admin in _integrity_admins():
        if model._meta.model_name == "accesslog":
            continue  # read-only: nobody saves it
        assert isinstance(model_admin, IntegrityAdmin), model
        # No admin replaces the service-calling save (record_edit / create_row) with a plain ``obj.save()``:
        # an override must call it through ``super()``.
        if type(model_admin).save_model is not IntegrityAdmin.save_model:
            names = type(model_admin).save_model.__code__.co_names
            assert "super" in names and "save" not in names, model


def _post_data(form) -> dict:
    """What the change form would post unchanged."""
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        if value is True:
            data[name] = "on"
        elif isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif isinstance(value, datetime.date):
            data[name] = value.isoformat()
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


def test_no_integrity_admin_form_or_inline_offers_an_owned_field(client, inspector, divisions):
    verified_login(client, inspector)
    for model, _model_admin in _integrity_admins():
        owned = set(services.service_owned(model))
        name = model._meta.model_name
        response = client.get(reverse(f"admin:integrity_{name}_add"))
        if response.status_code == 403:  # the access log: nobody adds to it
            continue
        form_fields = set(response.context["adminform"].form.fields)
        allowed_on_add = {"clues"} if name == "integritycase" else set()  # handed to case_file
        assert not (owned - allowed_on_add) & form_fields, name
        for inline in response.context["inline_admin_formsets"]:
            inline_owned = set(services.service_owned(inline.formset.model))
            assert not inline_owned & set(inline.formset.form.base_fields), (name, inline.formset.model)


@pytest.mark.parametrize("model_name", sorted(ROW_FACTORIES))
def test_an_admin_post_cannot_set_an_owned_field(client, inspector, divisions, model_name):
    row = ROW_FACTORIES[model_name](divisions["v11"])
    forbidden = _forbidden_values(divisions)[model_name]
    before = _snapshot(row, forbidden)
    verified_login(client, inspector)
    url = reverse(f"admin:integrity_{model_name}_change", args=[row.pk])
    page = client.get(url)
    assert not set(forbidden) & set(page.context["adminform"].form.fields)
    data = _post_data(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        prefix = inline.formset.prefix
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = client.post(url, {**data, **forbidden})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _snapshot(row, forbidden) == before


def _api_routes():
    return [(prefix, viewset, basename) for prefix, viewset, basename in router.registry]


def test_every_integrity_api_write_calls_the_services():
    writable = [viewset for _p, viewset, _b in _api_routes() if issubclass(viewset, mixins.CreateModelMixin)]
    assert writable
    for viewset in writable:
        assert issubclass(viewset, WriteViewSet), viewset
        assert viewset.perform_create is WriteViewSet.perform_create, viewset
        assert viewset.perform_update is WriteViewSet.perform_update, viewset
        serializer = viewset.serializer_class
        # The serializer only validates: ``create``/``update`` are never reached (perform_* call services).
        assert "create" not in vars(serializer) and "update" not in vars(serializer), serializer


@pytest.mark.parametrize("model_name", sorted(ROW_FACTORIES))
def test_an_api_write_cannot_set_an_owned_field(inspector, divisions, model_name):
    row = ROW_FACTORIES[model_name](divisions["v11"])
    forbidden = _forbidden_values(divisions)[model_name]
    before, count = _snapshot(row, forbidden), type(row).objects.count()
    api = APIClient()
    verified_login(api, inspector)
    routes = [(p, v, b) for p, v, b in _api_routes() if v.queryset.model is type(row)]
    assert routes, model_name
    for _prefix, viewset, basename in routes:
        detail = reverse(f"api:integrity-api:{basename}-detail", args=[row.pk])
        listing = reverse(f"api:integrity-api:{basename}-list")
        for field, value in forbidden.items():
            patch = api.patch(detail, {field: value}, format="json")
            if not issubclass(viewset, mixins.UpdateModelMixin):
                assert patch.status_code == 405
                continue
            assert patch.status_code == 400, (field, patch.content)
            assert patch.json()["errors"][field][0]["code"] == ERR_SERVICE_OWNED
            if field == "clues":
                continue  # a new case names its clues: case_file takes them
            created = api.post(listing, {field: value}, format="json")
            if issubclass(viewset, mixins.CreateModelMixin):
                assert created.status_code == 400 and field in created.json()["errors"], (field, created.content)
            else:
                assert created.status_code == 405
    assert _snapshot(row, forbidden) == before and type(row).objects.count() == count
