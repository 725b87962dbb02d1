"""seed_demo's issue-16 steps: the 综治中心's 25 departments and 10 committees, 中心警务室 with 警务专干,
三防 resources with some gaps, a duty roster with some open nights, patrol hours converted into
points — and a second run adds nothing."""

from io import StringIO

import pytest
from django.core.management import call_command

from civility.models import PointEntry
from governance.models import Division
from governance.registry import registry
from security.models import DutyShift, MediationBody, PatrolLog, PoliceRoom, PoliceRoomStaff, ProtectiveResource
from security.selectors import duty_gaps

pytestmark = pytest.mark.django_db

STEPS = [
    "governance.divisions",
    "governance.households",
    "security.bodies",
    "security.police_rooms",
    "security.safety",
    "civility.rules",
    "security.patrol_points",
]


def counts() -> list[int]:
    return [m.objects.count() for m in (ProtectiveResource, DutyShift, PoliceRoomStaff, PointEntry, PatrolLog)] + [
        PatrolLog.participants.through.objects.count(),
        PoliceRoom.objects.filter(kind="central").count(),
    ]


def test_demo_safety_steps():
    only = [arg for name in STEPS for arg in ("--only", name)]
    call_command("seed_demo", "--households", "60", *only, stdout=StringIO())
    district = Division.objects.get(code="431302")
    at_centre = MediationBody.objects.filter(division=district, at_centre=True)
    assert at_centre.filter(kind="department").count() == 25
    assert at_centre.filter(kind="peoples_mediation").count() == 10
    assert PoliceRoom.objects.filter(kind="central").exists()
    assert PoliceRoomStaff.objects.filter(kind="affairs_officer").count() >= PoliceRoom.objects.count()
    rate = registry.indicators["security.protection_rate"].compute(division=district)
    assert rate is not None and 0 < rate < 100  # most units covered, some gaps to show
    gaps = duty_gaps(bodies=MediationBody.objects.all())
    assert any(row["gap_hours"] > 0 for row in gaps) and any(row["gap_hours"] == 0 for row in gaps)
    assert PointEntry.objects.filter(idempotency_key__startswith="patrol:").exists()
    before = counts()
    call_command("seed_demo", "--households", "60", *only, stdout=StringIO())
    assert counts() == before
