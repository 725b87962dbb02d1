"""A test-only URLconf for the replica tests: a GET that reads, writes and reads again, answering which
server (primary or hot standby) each read was made on and whether the row it wrote was seen."""

from __future__ import annotations

from django.db.models.expressions import RawSQL
from django.http import JsonResponse
from django.urls import path

from governance.models import Division, DivisionLevel


def _read_in_recovery() -> bool:
    """A read of Division through the router, answering ``pg_is_in_recovery()`` of the server it ran on."""
    return bool(
        Division.objects.annotate(in_recovery=RawSQL("pg_is_in_recovery()", ())).values_list("in_recovery", flat=True)[
            0
        ]
    )


def read_write_read(request):
    """GET: read (replica if routing allows), create a village under the district, read again."""
    before = _read_in_recovery()
    district = Division.objects.get(level=DivisionLevel.DISTRICT)
    village = Division.objects.create(
        code=request.GET["code"], name="读写测试村", level=DivisionLevel.VILLAGE, parent=district
    )
    seen = Division.objects.filter(pk=village.pk).exists()
    after = _read_in_recovery()
    return JsonResponse({"before_on_standby": before, "after_on_standby": after, "written_row_seen": seen})


def read_only(request):
    """GET: one read, answering whether it ran on the standby."""
    return JsonResponse({"on_standby": _read_in_recovery()})


urlpatterns = [
    path("rwr/", read_write_read),
    path("read/", read_only),
]
