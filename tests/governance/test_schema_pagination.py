"""The OpenAPI schema says a list is paginated only where the view paginates it.

drf-spectacular documents a ``GET`` action answering ``many=True`` as ``Paginated…`` whenever its
viewset has a paginator, even when the action returns a plain list (CI's schemathesis run found
``GET /api/v1/security/disputes/{id}/suggestions/`` answering a list its schema called an object).
This walks every operation of the generated schema whose 200 answer is a ``Paginated…`` component and
proves its view method calls ``paginate_queryset`` (a viewset's ``list`` does), so the documented
shape is the one returned.
"""

from __future__ import annotations

import inspect

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


def _paginated_operations():
    generator = SchemaGenerator()
    schema = generator.get_schema(request=None, public=True)
    # (path, method) → the view instance the generator documented
    callbacks = {(path, method.lower()): view for path, _, method, view in generator._get_paths_and_endpoints()}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            answer = operation.get("responses", {}).get("200", {})
            ref = answer.get("content", {}).get("application/json", {}).get("schema", {}).get("$ref", "")
            if ref.startswith("#/components/schemas/Paginated"):
                yield path, method, callbacks.get((path, method))


def test_every_paginated_answer_comes_from_a_paginating_view():
    found = list(_paginated_operations())
    assert found, "the schema documents no paginated list at all: the walk found nothing to check"
    wrong = []
    for path, method, view in found:
        assert view is not None, f"{method.upper()} {path}: no view found for a documented operation"
        cls = type(view)  # the generator hands over view instances, their ``action`` set
        action = getattr(view, "action", None) or method
        handler = getattr(cls, action)
        if "paginate_queryset" not in inspect.getsource(handler):
            wrong.append(f"{method.upper()} {path} ({cls.__name__}.{action})")
    assert not wrong, "documented as paginated but returning a plain list: " + ", ".join(wrong)
