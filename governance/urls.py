"""URL configuration: pages, admin, and the API under /api/v1/ (one router per app, from the registry)."""

from django.contrib import admin
from django.http import HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerView

from governance.api.root import api_v1_patterns
from governance.registry import registry
from governance.schema_view import CachedSchemaView

urlpatterns = [
    # Browsers ask for /favicon.ico whatever the page says; answer with the portal's icon, not a 404.
    path("favicon.ico", lambda request: HttpResponsePermanentRedirect(static("favicon.svg"))),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1_patterns(), "api"), namespace="api")),
    path("api/schema/", CachedSchemaView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("governance.pages")),
    # Each app's officer pages, from the registry (the core imports no app).
    *(path(f"{prefix}/", include(urlconf)) for prefix, urlconf in sorted(registry.page_routes.items())),
    # Standard protocols other systems speak (Open311 GeoReport v2), each with its own error form.
    *(path(f"{prefix}/", include(urlconf)) for prefix, urlconf in sorted(registry.protocol_routes.items())),
]

# Chinese error pages inside the portal's frame (DEBUG=False; see governance.error_views).
handler400 = "governance.error_views.bad_request"
handler403 = "governance.error_views.permission_denied"
# Under /api/ the API's one error body (the schema promises JSON), elsewhere the Chinese page.
handler404 = "governance.api.errors.not_found"
handler500 = "governance.error_views.server_error"
