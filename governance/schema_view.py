"""The OpenAPI document's view, cached (apart from ``governance.schema``, which DRF imports as the
schema class while ``drf_spectacular.views`` is being loaded)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.http import HttpResponse
from django.utils import translation
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView


class CachedSchemaView(SpectacularAPIView):
    """``/api/schema/``: the OpenAPI document, generated once per process for each (language, API
    version, format) and then served from memory. Generating it walks every viewset and serializer
    (2–3 s at demo size, issue 14); it only changes with the code, i.e. with a new process. The
    schema is public (``SERVE_PUBLIC``), so one copy serves every user; authentication and
    permissions still run on each request. A ``lang`` outside ``LANGUAGES`` is served uncached."""

    _rendered: ClassVar[dict[tuple, tuple[bytes, str, str]]] = {}

    @extend_schema(exclude=True)  # as drf-spectacular's own view: the document is not in itself
    def get(self, request, *args, **kwargs):
        asked = request.GET.get("lang")
        if asked and asked not in dict(settings.LANGUAGES):
            return super().get(request, *args, **kwargs)
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (asked or translation.get_language(), version, request.accepted_media_type)
        hit = self._rendered.get(key)
        if hit is None:
            response = self.finalize_response(request, super().get(request, *args, **kwargs))
            response.render()
            if response.status_code != 200:
                return response
            hit = (response.content, response["Content-Type"], response["Content-Disposition"])
            self._rendered[key] = hit
        content, content_type, disposition = hit
        return HttpResponse(content, content_type=content_type, headers={"Content-Disposition": disposition})
