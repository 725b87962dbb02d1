"""擅长纠纷类型 is a choice of dispute categories with Chinese labels, not a text of English codes
(issue 14 item 5): check boxes in the admin, codes in the column, typed values mapped by a migration."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse

from governance.models import User
from security.choices import Category
from security.models import MediationBody
from tests.auth import verified_login
from tests.security.factories import make_bodies

pytestmark = pytest.mark.django_db


@pytest.fixture
def body(divisions):
    return make_bodies(divisions)["t1_centre"]


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root_specialities", password="pw-test-123")


def test_admin_offers_categories_as_chinese_check_boxes(client, superuser, body):
    verified_login(client, superuser)
    response = client.get(reverse("admin:security_mediationbody_change", args=[body.pk]))
    field = response.context["adminform"].form.fields["specialities"]
    assert dict(field.choices)[Category.MARRIAGE_FAMILY] == "婚姻家庭"
    html = response.content.decode()
    assert 'type="checkbox" name="specialities" value="marriage_family"' in html
    assert "婚姻家庭" in html


def test_admin_form_saves_codes_and_refuses_an_unknown_one(body):
    from django.contrib import admin

    form_class = admin.site._registry[MediationBody].get_form(None, body, fields=["specialities"])
    form = form_class(data={"specialities": ["marriage_family", "land"]}, instance=body)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["specialities"] == ["marriage_family", "land"]
    bad = form_class(data={"specialities": ["marriage"]}, instance=body)
    assert not bad.is_valid()
    assert "specialities" in bad.errors


def test_labels_join_the_chinese_names():
    field = MediationBody._meta.get_field("specialities")
    assert field.labels(["marriage_family", "neighbour"]) == "婚姻家庭、邻里纠纷"


def test_migration_maps_typed_labels_to_codes(body):
    MediationBody.objects.filter(pk=body.pk).update(
        specialities=["婚姻家庭", "neighbour", " 土地山林", "杂项", "neighbour"]
    )
    migration = importlib.import_module("security.migrations.0006_specialities_as_choices")

    migration.specialities_to_codes(apps, None)

    body.refresh_from_db()
    assert body.specialities == ["marriage_family", "neighbour", "land", "other"]
