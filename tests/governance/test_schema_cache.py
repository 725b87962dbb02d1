"""``/api/schema/`` is generated once per process and format, then served from memory (issue 14:
2–3 s a request at demo size)."""

import time

import pytest
from django.urls import reverse

from governance.schema_view import CachedSchemaView

pytestmark = pytest.mark.django_db


def test_schema_is_generated_once_and_served_the_same(client, monkeypatch):
    CachedSchemaView._rendered.clear()
    calls = []
    original = CachedSchemaView._get_schema_response

    def counting(self, request):
        calls.append(request.path)
        return original(self, request)

    monkeypatch.setattr(CachedSchemaView, "_get_schema_response", counting)
    first = client.get(reverse("api-schema"), {"format": "json"})
    started = time.perf_counter()
    second = client.get(reverse("api-schema"), {"format": "json"})
    elapsed = time.perf_counter() - started

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert second["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert "paths" in second.json()
    assert len(calls) == 1
    assert elapsed < 0.5


def test_yaml_and_json_are_cached_apart(client):
    CachedSchemaView._rendered.clear()
    as_json = client.get(reverse("api-schema"), {"format": "json"})
    as_yaml = client.get(reverse("api-schema"))
    assert as_json.content.startswith(b"{")
    assert as_yaml.content.startswith(b"openapi:")


def test_unknown_language_is_not_cached(client):
    CachedSchemaView._rendered.clear()
    response = client.get(reverse("api-schema"), {"format": "json", "lang": "xx-unknown"})
    assert response.status_code == 200
    assert CachedSchemaView._rendered == {}


def test_the_schema_view_is_not_in_its_own_document(client):
    CachedSchemaView._rendered.clear()
    paths = client.get(reverse("api-schema"), {"format": "json"}).json()["paths"]
    assert "/api/schema/" not in paths
