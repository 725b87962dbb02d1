"""``/api/v1/``: the API root lists every app's router, discovered through the registry."""

from __future__ import annotations

from django.urls import include, path
from django.utils.module_loading import import_string
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from governance.querysets import model_open_to
from governance.registry import registry


class ApiRootView(APIView):
    """Each app's resources, by app: only those whose model is open to the caller (``model_open_to``),
    so the integrity endpoints are listed to discipline staff alone, as they answer 404 to everyone
    else. An app with nothing open to the caller is left out."""

    permission_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request, format=None):
        body = {}
        for prefix, urlconf in sorted(registry.api_routes.items()):
            router = import_string(f"{urlconf}.router")
            namespace = f"api:{prefix}-api"
            links = {
                name: reverse(f"{namespace}:{basename}-list", request=request, format=format)
                for name, viewset, basename in router.registry
                if model_open_to(request.user, viewset.queryset.model)
            }
            if links:
                body[prefix] = links
        return Response(body)


def api_v1_patterns() -> list:
    patterns = [path("", ApiRootView.as_view(), name="root")]
    for prefix, urlconf in sorted(registry.api_routes.items()):
        patterns.append(path(f"{prefix}/", include((urlconf, f"{prefix}-api"), namespace=f"{prefix}-api")))
    return patterns
