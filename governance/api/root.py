"""``/api/v1/``: the API root lists every app's router, discovered through the registry."""

from __future__ import annotations

from django.http import HttpResponsePermanentRedirect
from django.urls import Resolver404, include, path, re_path, resolve
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from governance.querysets import model_open_to
from governance.registry import registry


class ApiRootView(APIView):
    """Each app's resources, by app: only those whose model is open to the caller (``model_open_to``),
    so the integrity endpoints are listed to discipline staff alone, as they answer 404 to everyone
    else. A viewset without a list (only actions on one row, e.g. a case's duplicate suggestions) has
    no address of its own to list. An app with nothing open to the caller is left out."""

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
                if hasattr(viewset, "list") and model_open_to(request.user, viewset.queryset.model)
            }
            if links:
                body[prefix] = links
        return Response(body)


class ApiNotFoundView(APIView):
    """Any path under ``/api/v1/`` that names no resource: the API's JSON error body with 404, never
    the site's HTML page. A path that only lacks its trailing slash is redirected, as Django does."""

    permission_classes: list = []
    authentication_classes: list = []

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        if request.method in ("GET", "HEAD") and not request.path.endswith("/"):
            try:
                match = resolve(request.path + "/")
            except Resolver404:
                match = None
            if match is not None and getattr(match.func, "view_class", None) is not ApiNotFoundView:
                query = request.META.get("QUERY_STRING", "")
                return HttpResponsePermanentRedirect(request.path + "/" + (f"?{query}" if query else ""))
        raise NotFound(_("接口路径不存在：%(path)s") % {"path": request.path})

    post = put = patch = delete = head = options = get


def api_v1_patterns() -> list:
    patterns = [path("", ApiRootView.as_view(), name="root")]
    for prefix, urlconf in sorted(registry.api_routes.items()):
        patterns.append(path(f"{prefix}/", include((urlconf, f"{prefix}-api"), namespace=f"{prefix}-api")))
    # Last: whatever the routers above did not match.
    patterns.append(re_path(r"^.*$", ApiNotFoundView.as_view(), name="not-found"))
    return patterns
