"""seed_demo's issue-16 civility steps: the “8+N” kinds (eight standing + N), units at every level,
caps per kind and team fees, 无事酒 dissuasions as their own kind, the 三级阵地 linked and located, a
15-minute circle with gaps; run twice to the same counts."""

from io import StringIO

import pytest
from django.core.management import call_command

from civility.choices import BanquetKind, DissuasionKind, StationLevel, UnitLevel
from civility.models import (
    BanquetKindCap,
    BanquetServiceFee,
    CivilityUnit,
    Dissuasion,
    PlaceLocation,
    PracticeStation,
    UnitKind,
    VolunteerTeam,
)
from civility.selectors import service_circle, units_by_level
from governance.models import Division

pytestmark = pytest.mark.django_db

STEPS = [
    "governance.divisions",
    "governance.households",
    "governance.organizations",
    "residential.compounds",
    "villages.hamlets",
    "civility.rules",
    "civility.customs",
    "civility.volunteers",
    "civility.units",
    "civility.customs_kinds",
    "civility.circle",
]


def seed():
    only = [arg for name in STEPS for arg in ("--only", name)]
    call_command("seed_demo", "--households", "60", *only, stdout=StringIO())


def test_issue16_demo_fills_every_item_and_is_idempotent():
    seed()
    counts = (CivilityUnit.objects.count(), BanquetKindCap.objects.count(), PlaceLocation.objects.count())
    seed()
    assert (CivilityUnit.objects.count(), BanquetKindCap.objects.count(), PlaceLocation.objects.count()) == counts
    district = Division.objects.get(code="431302")

    # “8+N”: eight standing kinds plus the added ones; units at every level of the article's extension.
    assert UnitKind.objects.filter(is_standing=True).count() == 8
    assert UnitKind.objects.filter(is_standing=False).exists()
    levels = {row["level"]: row for row in units_by_level(division=district)}
    for level in (UnitLevel.ORGANIZATION, UnitLevel.TOWNSHIP, UnitLevel.VILLAGE, UnitLevel.COMMUNITY, UnitLevel.FAMILY):
        assert levels[level]["total"] > 0 and levels[level]["awarded"] > 0, level

    # Caps per kind, fee lists, 无事酒 as its own kind of dissuasion.
    assert set(BanquetKindCap.objects.values_list("kind", flat=True)) >= {BanquetKind.WEDDING, BanquetKind.SCHOOL}
    assert BanquetServiceFee.objects.filter(per_table=True).exists()
    no_occasion = Dissuasion.objects.filter(declaration__kind=BanquetKind.NO_OCCASION)
    assert no_occasion.exists() and not no_occasion.exclude(kind=DissuasionKind.NO_OCCASION).exists()

    # 三级阵地 linked and located; the circle has both covered places and gaps.
    stations = PracticeStation.objects.filter(level=StationLevel.STATION)
    assert stations.count() == 205 and not stations.filter(parent__level__isnull=True).exists()
    assert not PracticeStation.objects.filter(latitude__isnull=True).exists()
    circle = service_circle(division=district)
    assert circle.total == PlaceLocation.objects.count() > 0
    assert 0 < circle.covered < circle.total
    assert VolunteerTeam.serves.through.objects.exists()
