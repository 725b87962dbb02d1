"""The cross-scope matrix (issue 19): every list, detail, write, admin changelist, change form and its
dropdowns (every FK and many-to-many choice), export and page — generated from the URL conf, the admin
registry and the roles — asked by a user of every role at district, township and village level, in
a world of two sibling townships holding a row of every scoped model each
(``tests/governance/scope_world.py``). Every text of every row carries a marker (``@<model>.<pk>@``),
so an answer that names a row the user may not see is caught wherever it shows it (a list, a
detail's nested field, a dropdown, an export, a page's table).

Asserted: 0 leaks (no out-of-scope row named in any answer, no out-of-scope id in any list, every
out-of-scope detail 404), 0 out-of-scope writes (the tables are unchanged after every refused PATCH,
PUT, DELETE, action, create, admin change, delete and add), and every non-inspector gets 404 on all
of the integrity app. The run prints ``scope matrix: … requests … leaks`` at the end."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest
from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.db.models import CharField, TextField
from django.forms.models import model_to_dict
from django.test import Client
from import_export.admin import ExportMixin
from rest_framework.test import APIClient

from governance.models import Division, Person, Role
from integrity.models import AccessLog
from security.models import TrackingCode
from tests.auth import verified_login
from tests.governance.scope_probe import (
    WITHIN_REPORTS,
    Probe,
    admin_entries,
    api_routes,
    page_routes,
    table_fingerprint,
)
from tests.governance.scope_world import PROBES, build
from tests.governance.test_scope_coverage import scoped_models

pytestmark = pytest.mark.django_db
TOTALS: Counter = Counter()
SELECT = re.compile(r'<select name="([a-z_]+)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r'<option value="(\d+)"')
CLOSED = {"integrity"}  # apps whose every model is for discipline staff only


@pytest.fixture(scope="module")
def world(request, django_db_setup, django_db_blocker):
    """Built once for the module inside a transaction rolled back at its end; each test runs in a
    savepoint of it (``db``), so a write that got through would not outlive its test either."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build(scoped_models())
        transaction.set_rollback(True)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None and TOTALS["requests"]:
        with capture.global_and_fixture_disabled():
            reporter.write_line(
                f"\nscope matrix: {TOTALS['requests']} requests by {len(PROBES)} users, {TOTALS['leaks']} leaks, "
                f"{TOTALS['writes refused']} out-of-scope writes refused, {TOTALS['writes through']} written, "
                f"{TOTALS['choices checked']} dropdown choices checked, "
                f"{TOTALS['rows named']} in-scope rows named in answers"
            )


def _probe(world, name: str) -> Probe:
    return Probe(name, world.users[name], world)


def _finish(probe: Probe, problems: list[str]) -> None:
    TOTALS.update({k: v for k, v in probe.counts.items() if k != "rows named"})
    TOTALS["leaks"] += len(probe.leaks_found)
    TOTALS["rows named"] += probe.counts["rows named"]
    assert not probe.leaks_found, "\n".join(probe.leaks_found[:40])
    assert not problems, "\n".join(problems[:40])


def _client(world, name: str):
    if name.startswith("api_client"):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Api-Key {world.api_keys[name]}")
        return client
    client = APIClient()
    verified_login(client, world.users[name])
    return client


def _same_as_missing(name: str, what: str, response, ask_missing) -> list[str]:
    """An out-of-scope row answers 404, or exactly as a row that does not exist (403/405 for a user
    who may not use the route at all; asked only then): the answer tells nothing of it, and it is
    never a success."""
    if response.status_code == 404:
        return []
    missing = ask_missing().status_code
    if response.status_code == missing and missing >= 400:
        return []
    return [f"{name}: {what} (outside) → {response.status_code}, a missing row → {missing}"]


def _closed_to(probe: Probe, model) -> bool:
    return model._meta.app_label in CLOSED and Role.DISCIPLINE_INSPECTOR not in probe.user.roles


# --- the world and the detector ------------------------------------------------------------------


def test_the_world_holds_every_scoped_model_in_both_townships(world):
    """A new scoped model fails here until the world makes a row of it on each side."""
    missing = [
        f"{model._meta.label} in {side}"
        for model in world.models
        for side in ("t1", "t2")
        if not model._default_manager.all().in_subtree(world.divisions[side]).exists()
    ]
    assert not missing, missing


def test_the_detector_finds_a_row_of_the_other_township(world):
    probe = _probe(world, "township_officer_t1")
    theirs = Person.objects.filter(division=world.divisions["v21"]).first().name
    mine = Person.objects.filter(division=world.divisions["v11"]).first().name
    assert probe.leaks(f"<td>{theirs}</td>") == [(Person, int(theirs.split(".")[1].split("@")[0]))]
    assert probe.leaks(f"<td>{mine}</td>") == []


# --- the API --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PROBES))
def test_api_reads(world, name):
    probe, client, problems = _probe(world, name), _client(world, name), []
    routes = api_routes()
    assert len(routes) > 90
    t2 = world.divisions["t2"].code
    for route in routes:
        action = route.methods.get("get")
        if action is None:
            continue
        closed = _closed_to(probe, route.model)
        if not route.detail:
            response = client.get(route.url)
            text = probe.check(f"GET {route.url}", response)
            if closed:
                if response.status_code != 404:
                    problems.append(f"{name}: GET {route.url} → {response.status_code}, not 404 (closed)")
                continue
            needs_within = action in WITHIN_REPORTS and response.status_code == 400
            if response.status_code not in (200, 403) and not needs_within:
                problems.append(f"{name}: GET {route.url} → {response.status_code}")
            if action == "list" and response.status_code == 200:
                ids = {row["id"] for row in json.loads(text)["results"]} - probe.visible[route.model]
                # Rows made during the test (an access log of a clue just opened) are asked for again.
                if ids - set(route.model._default_manager.for_user(probe.user).values_list("pk", flat=True)):
                    problems.append(f"{name}: GET {route.url} lists ids {sorted(ids)}")
            if action in WITHIN_REPORTS and world.divisions["t2"].pk not in probe.visible[Division]:
                response = client.get(route.url, {"within": t2})
                probe.check(f"GET {route.url}?within={t2}", response)
                missing = lambda url=route.url: client.get(url, {"within": "999999"})  # noqa: E731
                problems += _same_as_missing(name, f"GET {route.url}?within={t2}", response, missing)
            continue
        for pk in probe.inside(route.model)[:1]:
            probe.check(f"GET {route.url}", client.get(route.url.format(pk=pk)))
        for pk in probe.outside(route.model)[:1]:
            url = route.url.format(pk=pk)
            response = client.get(url)
            probe.check(f"GET {url}", response)
            missing = lambda u=route.url: client.get(u.format(pk=0))  # noqa: E731
            problems += _same_as_missing(name, f"GET {url}", response, missing)
    _finish(probe, problems)


WRITERS = [name for name in PROBES if name not in ("district_admin", "leader_t1")]


@pytest.mark.parametrize("name", WRITERS)
def test_api_writes_outside_the_scope_write_nothing(world, name):
    """PUT, PATCH, DELETE and every action on an out-of-scope row is 404; a create pointing at
    out-of-scope rows (the other township's row, as the district sees it) is refused; nothing changes."""
    probe, client, problems = _probe(world, name), _client(world, name), []
    root = APIClient()
    root.force_authenticate(world.users["root"])
    routes = api_routes()
    # What a create would send: the other township's row as the district sees it (read before the
    # fingerprint: reading a clue writes its access log).
    bodies = {
        route.url: root.get(f"{route.url}{pk}/").json()
        for route in routes
        # A create; a list-level action (e.g. converting the caller's own area's hours) takes no row
        # and is scoped by its own test.
        if not route.detail and route.methods.get("post") == "create"
        for pk in probe.outside_by_place(route.model)[:1]
    }
    before = table_fingerprint(world.models)
    for route in routes:
        writes = {m: a for m, a in route.methods.items() if m in ("post", "put", "patch", "delete")}
        if not writes:
            continue
        if route.detail:
            for pk in probe.outside(route.model)[:1]:
                url = route.url.format(pk=pk)
                for method in writes:
                    send = getattr(client, method)
                    response = send(url, {"note": "越权"}, format="json")
                    probe.check(f"{method.upper()} {url}", response)
                    probe.counts["writes refused"] += response.status_code >= 400
                    missing = lambda send=send, u=route.url: send(u.format(pk=0), {"note": "越权"}, format="json")  # noqa: E731
                    problems += _same_as_missing(name, f"{method.upper()} {url}", response, missing)
            continue
        if route.url in bodies:
            body = {k: v for k, v in bodies[route.url].items() if k != "id"}
            response = client.post(route.url, body, format="json", HTTP_IDEMPOTENCY_KEY=f"matrix-{name}")
            probe.check(f"POST {route.url}", response)
            probe.counts["writes refused"] += response.status_code >= 400
            if response.status_code < 400:
                problems.append(f"{name}: POST {route.url} with the other township's rows → {response.status_code}")
    after = table_fingerprint(world.models)
    changed = [table for table in before if before[table] != after[table]]
    probe.counts["writes through"] += len(changed)
    problems += [f"{name}: the API wrote to {table}" for table in changed]
    _finish(probe, problems)


# --- the admin ------------------------------------------------------------------------------------

STAFF = [name for name in PROBES if not name.startswith("api_client")]
# The district administrator sees every row of the world (nothing is outside their scope but the
# integrity app, probed below): the admin and pages are probed for the users below the district.
LOCAL_STAFF = [name for name in STAFF if name != "district_admin"]


def _dropdowns(probe: Probe, model, text: str, what: str, problems: list[str]) -> None:
    """Every choice of every FK/M2M select of the form is a row the user may see."""
    for field_name, options in SELECT.findall(text):
        try:
            field = model._meta.get_field(field_name)
        except FieldDoesNotExist:  # a select that is no model field (a filter, an action)
            continue
        if not field.is_relation or field.related_model not in probe.visible:
            continue
        offered = {int(v) for v in OPTION.findall(options)}
        probe.counts["choices checked"] += len(offered)
        outside = offered - probe.visible[field.related_model]
        if outside:
            problems.append(f"{probe.name}: {what} offers {field.name} = {sorted(outside)} (outside)")


def _autocomplete(probe: Probe, client, model, model_admin, problems: list[str]) -> None:
    for field_name in model_admin.autocomplete_fields:
        field = model._meta.get_field(field_name)
        params = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": field_name}
        response = client.get("/admin/autocomplete/", params)
        text = probe.check(f"autocomplete {model._meta.label}.{field_name}", response)
        if response.status_code == 200:
            offered = {int(row["id"]) for row in json.loads(text)["results"]}
            probe.counts["choices checked"] += len(offered)
            if offered - probe.visible.get(field.related_model, offered):
                problems.append(f"{probe.name}: autocomplete {model._meta.label}.{field_name} offers outside rows")


@pytest.mark.parametrize("name", LOCAL_STAFF)
def test_admin_reads(world, name):
    probe, problems = _probe(world, name), []
    client = Client()
    verified_login(client, probe.user)
    entries = admin_entries(world.models)
    assert len(entries) > 60
    for model, model_admin in entries:
        info = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        closed = _closed_to(probe, model)
        response = client.get(info)
        probe.check(f"GET {info}", response)
        if closed and response.status_code != 404:
            problems.append(f"{name}: GET {info} → {response.status_code}, not 404 (closed)")
        if response.status_code != 200:
            continue  # no view permission (403) or closed (404): nothing more to open
        response = client.get(f"{info}add/")
        _dropdowns(probe, model, probe.check(f"GET {info}add/", response), f"{info}add/", problems)
        for pk in probe.inside(model)[:1]:
            response = client.get(f"{info}{pk}/change/")
            _dropdowns(probe, model, probe.check(f"GET {info}{pk}/change/", response), info, problems)
        for pk in probe.outside(model)[:1]:
            response = client.get(f"{info}{pk}/change/")
            probe.check(f"GET {info}{pk}/change/", response)
            if response.status_code == 200:
                problems.append(f"{name}: GET {info}{pk}/change/ (outside) → 200")
        _autocomplete(probe, client, model, model_admin, problems)
        if isinstance(model_admin, ExportMixin):
            resource = model_admin.get_export_resource_classes(None)[0]
            prefix = resource.__name__.lower()
            fields = {f"{prefix}_{f}": "on" for f in resource().fields}
            response = client.post(f"{info}export/", {"format": "1", "resource": "0", **fields})
            probe.check(f"export {info}", response)
    _finish(probe, problems)


@pytest.mark.parametrize("name", [n for n in STAFF if n not in ("district_admin", "leader_t1")])
def test_admin_writes_outside_the_scope_write_nothing(world, name):
    """Change and delete of an out-of-scope row, and an add pointing at the other township's rows,
    leave every table as it was."""
    probe, problems = _probe(world, name), []
    client = Client()
    verified_login(client, probe.user)
    before = table_fingerprint(world.models)
    for model, _model_admin in admin_entries(world.models):
        info = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pk in probe.outside(model)[:1]:
            row = model._default_manager.get(pk=pk)
            data = {k: v for k, v in model_to_dict(row).items() if v is not None}
            data = {k: ([getattr(x, "pk", x) for x in v] if isinstance(v, list) else v) for k, v in data.items()}
            for url, body in ((f"{info}{pk}/change/", data), (f"{info}{pk}/delete/", {"post": "yes"})):
                probe.check(f"POST {url}", client.post(url, body))
                probe.counts["writes refused"] += 1
            # The add form echoes what it was sent: the other township's texts are left out.
            texts = {f.name for f in model._meta.concrete_fields if isinstance(f, CharField | TextField)}
            picks = {k: v for k, v in data.items() if k not in texts}
            probe.check(f"POST {info}add/", client.post(f"{info}add/", picks))
            probe.counts["writes refused"] += 1
    after = table_fingerprint(world.models)
    changed = [table for table in before if before[table] != after[table]]
    probe.counts["writes through"] += len(changed)
    probe.counts["writes refused"] -= len(changed)
    problems += [f"{name}: the admin wrote to {table}" for table in changed]
    _finish(probe, problems)


# --- pages and the integrity app -------------------------------------------------------------------


def _page_value(route, pk: int) -> object:
    return Division.objects.get(pk=pk).code if "<str:code>" in route.route else pk


@pytest.mark.parametrize("name", LOCAL_STAFF)
def test_pages(world, name):
    """Every page opens or refuses without naming an outside row; a page about an outside row is 404,
    and a POST to it writes nothing."""
    probe, problems = _probe(world, name), []
    client = Client()
    verified_login(client, probe.user)
    pages = page_routes()
    assert len(pages) >= 30
    # A case's tracking code (一案一码) is issued the first time its receipt is printed (by design, of a
    # case the user may open: an outside case is 404 before); every other table must stay unchanged.
    unchanged = [m for m in world.models if m not in (AccessLog, TrackingCode)]
    before = table_fingerprint(unchanged)
    for page in pages:
        if page.model is None:
            url = page.url(None)
            response = client.get(url)
            probe.check(f"GET {url}", response)
            if response.status_code >= 500:
                problems.append(f"{name}: GET {url} → {response.status_code}")
            continue
        for pk in probe.inside(page.model)[:1]:
            url = page.url(_page_value(page, pk))
            probe.check(f"GET {url}", client.get(url))
        for pk in probe.outside(page.model)[:1]:
            url = page.url(_page_value(page, pk))
            for method in ("get", "post"):
                send = getattr(client, method)
                response = send(url)
                probe.check(f"{method.upper()} {url}", response)
                missing = lambda s=send, p=page: s(p.url(0))  # noqa: E731
                problems += _same_as_missing(name, f"{method.upper()} {url}", response, missing)
    after = table_fingerprint(unchanged)
    problems += [f"{name}: a page wrote to {table}" for table in before if before[table] != after[table]]
    # Opening a clue or a case writes its access log (by design): of rows the user may open only.
    opened = AccessLog.objects.filter(user=probe.user).exclude(pk__in=probe.visible[AccessLog])
    outside = opened.exclude(division__in=Division.objects.for_user(probe.user).values("pk"))
    problems += [f"{name}: a page logged the opening of an outside row: {log.path}" for log in outside]
    _finish(probe, problems)


NON_INSPECTORS = [n for n, (role, _level) in PROBES.items() if role != Role.DISCIPLINE_INSPECTOR]


@pytest.mark.parametrize("name", NON_INSPECTORS)
def test_integrity_is_404_for_everyone_but_discipline_staff(world, name):
    """Every integrity API path (list, detail, write, action), page and admin page answers 404, and
    the API root does not list the app."""
    probe, client, problems = _probe(world, name), _client(world, name), []
    urls = []
    for route in api_routes():
        if route.model._meta.app_label in CLOSED:
            target = route.url.format(pk=route.model._default_manager.order_by("pk").first().pk)
            urls += [(method, target) for method in route.methods]
    for page in page_routes() if not name.startswith("api_client") else []:  # an API key opens no page
        if page.route.startswith("integrity/"):
            urls.append(("get", page.url(page.model._default_manager.order_by("pk").first().pk if page.model else 0)))
    if not name.startswith("api_client"):
        for model in admin.site._registry:
            if model._meta.app_label in CLOSED:
                info = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
                row = model._default_manager.order_by("pk").first()
                urls += [("get", info), ("get", f"{info}add/"), ("get", f"{info}{row.pk}/change/")]
    for method, url in urls:
        response = getattr(client, method)(url, {}, format="json") if method != "get" else client.get(url)
        probe.check(f"{method.upper()} {url}", response)
        if response.status_code != 404:
            problems.append(f"{name}: {method.upper()} {url} → {response.status_code}, not 404")
    root = client.get("/api/v1/")
    if "integrity" in probe.check("GET /api/v1/", root):
        problems.append(f"{name}: /api/v1/ lists the integrity app")
    _finish(probe, problems)
