"""``/api/v1/``: the API root lists every app's router, discovered through the registry."""

from __future__ import annotations

from django.urls import include, path
from django.utils.module_loading import import_string
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from governance.registry import registry


class ApiRootView(APIView):
    """Each app's resources, by app."""

    permission_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        body = {}
        for prefix, urlconf in sorted(registry.api_routes.items()):
            router = import_string(f"{urlconf}.router")
            namespace = f"api:{prefix}-api"
            body[prefix] = {
                name: reverse(f"{namespace}:{basename}-list", request=request, format=format)
                for name, _viewset, basename in router.registry
            }
        return Response(body)


def api_v1_patterns() -> list:
    patterns = [path("", ApiRootView.as_view(), name="root")]
    for prefix, urlconf in sorted(registry.api_routes.items()):
        patterns.append(path(f"{prefix}/", include((urlconf, f"{prefix}-api"), namespace=f"{prefix}-api")))
    return patterns
