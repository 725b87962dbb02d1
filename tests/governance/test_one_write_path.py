"""One write path for the core registers, civility, villages, residential and security (issue 13 item 1; integrity has
its own, tests/integrity/test_one_write_path.py). Walks every admin (model admins and their inlines)
and every API write serializer (create, update and the write actions of every router) and proves
that none can set a field only a service sets (``registry.service_owned_fields``, declared by each
app's ``services.SERVICE_OWNED_FIELDS``): the admin shows it read-only, the API marks it read-only
and answers a write naming it with 400 ``service_owned_field`` on that field. Then a few posts end to
end prove nothing is written, and that no API write falls to DRF's bare ``ModelSerializer.create`` /
``update`` (a save without the model's checks or the service)."""

from __future__ import annotations

import datetime
import importlib

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import mixins, serializers
from rest_framework.request import Request
from rest_framework.test import APIClient

from civility.models import PointEntry
from governance.api.fields import ScopedModelSerializer
from governance.api.views import RegisterViewSet
from governance.models import DivisionLevel
from governance.registry import registry
from governance.write_path import ERR_SERVICE_OWNED, service_owned
from residential.models import BuildingCouncilMeeting
from residential.services import meeting_record
from security.models import PatrolLog
from tests.auth import verified_login
from tests.civility.factories import PointAccountFactory, PointRuleFactory
from tests.factories import DivisionFactory, user_with_role
from tests.residential.factories import CompoundFactory
from tests.security.factories import PatrolLogFactory
from tests.villages.factories import make_hamlet
from villages.models import HamletMeeting
from villages.services import hamlet_meeting_record

pytestmark = [pytest.mark.django_db]

APPS = ("governance", "civility", "villages", "residential", "security")


def _model_labels(app: str) -> set[str]:
    return {label for label in registry.service_owned_fields if label.startswith(f"{app}.")}


def test_every_app_declares_its_service_owned_fields_and_each_is_a_real_field():
    from django.apps import apps

    for app in APPS:
        assert _model_labels(app), app
    for label, fields in registry.service_owned_fields.items():
        model = apps.get_model(label)
        for name in fields:
            model._meta.get_field(name)  # raises for a name that is not a field of the model


# --- the admin -------------------------------------------------------------------------------------


def _admins():
    return [(model, ma) for model, ma in admin.site._registry.items() if model._meta.app_label in APPS]


@pytest.fixture
def admin_request(divisions):
    request = RequestFactory().get("/admin/")
    request.user = user_with_role("district_admin", divisions["district"])
    return request


def test_no_admin_form_or_inline_offers_a_service_owned_field(admin_request):
    walked = set()
    for model, model_admin in _admins():
        owned = set(service_owned(model))
        allowed_on_add = set(getattr(model_admin, "service_owned_on_add", ()))
        add_fields = set(model_admin.get_form(admin_request, None).base_fields)
        assert not (owned - allowed_on_add) & add_fields, (model, "add")
        change_fields = set(model_admin.get_form(admin_request, model(), change=False).base_fields)
        assert not owned & change_fields, (model, "change")
        walked |= {model._meta.label_lower} if owned else set()
        for inline_class in model_admin.inlines:
            inline = inline_class(model, admin.site)
            inline_owned = set(service_owned(inline.model))
            if not inline_owned:
                continue
            form = inline.get_formset(admin_request, None).form
            assert not inline_owned & set(form.base_fields), (model, inline.model)
            walked.add(inline.model._meta.label_lower)
    # Every declared model with an admin was walked (the rest have none: no admin can set them).
    with_admin = {m._meta.label_lower for m, _a in _admins()}
    declared = {label for app in APPS for label in _model_labels(app)}
    assert declared & with_admin <= walked


def test_an_admin_post_cannot_set_a_service_owned_field(client, divisions):
    """The 屋场会's 记录人 is whoever recorded it: a post naming another user changes nothing."""
    recorder = user_with_role("district_admin", divisions["district"])
    other = user_with_role("community_officer", divisions["v11"])
    hamlet = make_hamlet(divisions["v11"])
    meeting = hamlet_meeting_record(hamlet=hamlet, held_on=datetime.date(2025, 5, 1), topics="议题", recorded_by=other)
    verified_login(client, recorder)
    url = reverse("admin:villages_hamletmeeting_change", args=[meeting.pk])
    prefix = "resolutions"
    response = client.post(
        url,
        {
            "hamlet": hamlet.pk,
            "held_on": "2025-05-02",
            "topics": "改议题",
            "recorded_by": recorder.pk,
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    meeting.refresh_from_db()
    assert meeting.topics == "改议题" and meeting.recorded_by == other


# --- the API ---------------------------------------------------------------------------------------

WRITE_METHODS = {"post", "put", "patch"}


def _routes():
    for prefix, urlconf in registry.api_routes.items():
        if prefix not in APPS:
            continue
        router = importlib.import_module(urlconf).router
        yield from ((prefix, viewset) for _p, viewset, _b in router.registry)


def _write_serializers(viewset, request) -> set[type]:
    """Every serializer class a write of ``viewset`` validates with: create, update, write actions."""
    actions = []
    if issubclass(viewset, mixins.CreateModelMixin):
        actions.append("create")
    if issubclass(viewset, mixins.UpdateModelMixin):
        actions.append("partial_update")
    extra = {a.__name__: a for a in viewset.get_extra_actions() if WRITE_METHODS & set(a.mapping)}
    found = set()
    for action in [*actions, *extra]:
        view = viewset()
        view.action, view.request, view.kwargs, view.format_kwarg = action, request, {}, None
        declared = extra[action].kwargs.get("serializer_class") if action in extra else None
        found.add(declared or view.get_serializer_class())
    return found


def _model_serializers(serializer: serializers.Serializer, path: str = ""):
    """``serializer`` and every writable nested model serializer in it, with its path."""
    yield path or serializer.__class__.__name__, serializer
    for name, field in serializer.fields.items():
        nested = field.child if isinstance(field, serializers.ListSerializer) else field
        if isinstance(nested, serializers.ModelSerializer) and not field.read_only:
            yield from _model_serializers(nested, f"{path}.{name}" if path else name)


@pytest.fixture
def api_request(divisions):
    request = Request(RequestFactory().post("/api/v1/"))
    request.user = user_with_role("district_admin", divisions["district"])
    return request


def test_every_api_write_serializer_refuses_service_owned_fields(api_request):
    walked = set()
    for prefix, viewset in _routes():
        for serializer_class in _write_serializers(viewset, api_request):
            model = getattr(getattr(serializer_class, "Meta", None), "model", None)
            if model is None:
                continue  # a plain input serializer (a move's reason): no model field to set
            assert issubclass(serializer_class, ScopedModelSerializer), (prefix, serializer_class)
            for instance in (None, model()):
                top = serializer_class(instance=instance, context={"request": api_request})
                for path, serializer in _model_serializers(top):
                    owned = service_owned(serializer.Meta.model)
                    allowed = serializer.allowed_on_create if instance is None and serializer is top else ()
                    for name in owned:
                        if name in serializer.fields and name not in allowed:
                            assert serializer.fields[name].read_only, (prefix, path, name)
                    if serializer is not top:
                        continue
                    for name in owned:
                        if name in allowed:
                            continue
                        probe = serializer_class(
                            instance=instance, data={name: 1}, partial=True, context={"request": api_request}
                        )
                        assert not probe.is_valid(), (prefix, serializer_class, name)
                        assert probe.errors[name][0].code == ERR_SERVICE_OWNED, (prefix, name, probe.errors)
                        walked.add(model._meta.label_lower)
    declared = {label for app in APPS for label in _model_labels(app)}
    assert walked and walked <= declared
    # The written models with owned fields that the API writes at all are all among the walked ones.
    assert {"civility.pointentry", "villages.hamletmeeting", "security.patrollog"} <= walked


def test_no_api_write_falls_to_the_bare_model_serializer_save():
    """A write either has the viewset call a service (``perform_create``/``perform_update``/``create``
    overridden) or a serializer whose ``create``/``update`` calls one — never DRF's own, which saves
    without the model's checks."""
    bare = {
        "create": (mixins.CreateModelMixin.perform_create, RegisterViewSet.perform_create),
        "update": (mixins.UpdateModelMixin.perform_update, RegisterViewSet.perform_update),
    }
    for prefix, viewset in _routes():
        serializer_class = viewset.serializer_class
        for kind, mixin in (("create", mixins.CreateModelMixin), ("update", mixins.UpdateModelMixin)):
            if not issubclass(viewset, mixin) or serializer_class is None:
                continue
            if kind == "create" and viewset.create is not mixins.CreateModelMixin.create:
                continue  # the viewset's own create calls the service
            if getattr(viewset, f"perform_{kind}") not in bare[kind]:
                continue
            written_by = getattr(serializer_class, kind)
            assert written_by is not getattr(serializers.ModelSerializer, kind), (prefix, viewset, kind)


def _api(user) -> APIClient:
    client = APIClient()
    verified_login(client, user)
    return client


def test_posting_a_service_owned_field_writes_nothing(divisions):
    """End to end in three apps: 400 naming the field, nothing written."""
    user = user_with_role("district_admin", divisions["district"])
    api = _api(user)
    hamlet = make_hamlet(divisions["v11"])

    # villages: a 屋场会's 记录人
    meeting = hamlet_meeting_record(hamlet=hamlet, held_on=datetime.date(2025, 5, 1), topics="议题")
    url = reverse("api:villages-api:hamletmeeting-detail", args=[meeting.pk])
    response = api.patch(url, {"topics": "改", "recorded_by": user.pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"]["recorded_by"][0]["code"] == ERR_SERVICE_OWNED
    meeting.refresh_from_db()
    assert meeting.topics == "议题" and meeting.recorded_by is None

    # security: the case a patrol log opened (only ``open-dispute`` sets it)
    log = PatrolLogFactory(division=divisions["v11"], team__division=divisions["v11"])
    before = PatrolLog.objects.count()
    response = api.post(
        reverse("api:security-api:patrol-log-list"),
        {"team": log.team_id, "date": "2025-05-01", "division": divisions["v11"].code, "dispute": 1},
        format="json",
    )
    assert response.status_code == 400 and response.json()["errors"]["dispute"][0]["code"] == ERR_SERVICE_OWNED
    assert PatrolLog.objects.count() == before

    # civility: an entry's status (confirmed only through ``entry_confirm``)
    account = PointAccountFactory(household__division=divisions["v11"])
    rule = PointRuleFactory()
    before = PointEntry.objects.count()
    response = api.post(
        reverse("api:civility-api:pointentry-list"),
        {"account": account.pk, "rule": rule.code, "occurred_on": "2025-05-01", "status": "confirmed"},
        format="json",
        HTTP_IDEMPOTENCY_KEY="wp-1",
    )
    assert response.status_code == 400 and response.json()["errors"]["status"][0]["code"] == ERR_SERVICE_OWNED
    assert PointEntry.objects.count() == before

    # residential: a 楼宇会's 记录人
    community = DivisionFactory(
        code=f"{divisions['t1'].code}101", level=DivisionLevel.COMMUNITY, parent=divisions["t1"]
    )
    compound = CompoundFactory(community=community)
    council = meeting_record(
        compound=compound, held_on=datetime.date(2025, 5, 1), topics="议题", participants=[], resolutions=[]
    )
    url = reverse("api:residential-api:meeting-detail", args=[council.pk])
    response = api.patch(url, {"recorded_by": user.pk}, format="json")
    assert response.status_code == 400 and "recorded_by" in response.json()["errors"]
    assert BuildingCouncilMeeting.objects.get(pk=council.pk).recorded_by is None
    assert HamletMeeting.objects.count() == 1
