"""URL configuration: pages, admin, and the API under /api/v1/ (one router per app, from the registry)."""

from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from governance.api.root import api_v1_patterns
from governance.registry import registry

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1_patterns(), "api"), namespace="api")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("governance.pages")),
    # Each app's officer pages, from the registry (the core imports no app).
    *(path(f"{prefix}/", include(urlconf)) for prefix, urlconf in sorted(registry.page_routes.items())),
]

# A path under /api/ that no route matches (an id that is not a number, say) answers the API's one
# error body, not an HTML page: the schema promises JSON for every answer of the API.
handler404 = "governance.api.errors.not_found"
