"""Demo data of issue 16 items 4–5 (registered from ``security.demo``): judicial and administrative
mediation at township and village level, so the 三调联治 report has every kind at every level
(人民调解 already sits at all three, 司法调解 and 行政调解 at the district), and the draws that send
some demo cases to them and some 警情 between a police station and its 矛调中心. Idempotent."""

from __future__ import annotations

import random

from governance.demo import district
from governance.models import Division, DivisionLevel
from governance.registry import registry
from security.choices import BodyKind, BodyLevel
from security.models import MediationBody

# The share of mediable cases (not 警情) that go to another mediation body than their village's
# people's mediation committee, and how those spread over kinds and levels.
OTHER_BODY_SHARE = 0.45
KIND_WEIGHTS = {BodyKind.PEOPLES_MEDIATION: 4, BodyKind.JUDICIAL: 3, BodyKind.ADMINISTRATIVE: 3}
LEVEL_WEIGHTS = {BodyLevel.DISTRICT: 3, BodyLevel.TOWNSHIP: 4, BodyLevel.VILLAGE: 3}
# 警情 a police station receives first and hands to its 矛调中心 (派出所受理的可调处警情移交矛调中心), and
# the share of a 矛调中心's transfers that go back to the station (矛调中心受理的警情警务移交派出所).
VIA_STATION_SHARE = 0.3
BACK_TO_STATION_SHARE = 0.5


# Villages and communities per township with a 法官联络点 and a 行政调解工作站 (not every one has them).
UNITS_WITH_STATIONS = 3


def _first_units(root: Division) -> list[Division]:
    """The first ``UNITS_WITH_STATIONS`` villages or communities (by code) of each township."""
    units = (
        Division.objects.in_subtree(root)
        .filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY])
        .order_by("parent_id", "code")
    )
    taken: dict[int | None, int] = {}
    chosen = []
    for unit in units:
        if taken.get(unit.parent_id, 0) < UNITS_WITH_STATIONS:
            taken[unit.parent_id] = taken.get(unit.parent_id, 0) + 1
            chosen.append(unit)
    return chosen


@registry.demo("security.bodies_mediation", order=40)
def seed_mediation_bodies(*, stdout, options) -> None:
    """Per township a 人民法庭诉调对接工作室 (司法调解) and a 行政调解委员会; in the first three villages
    or communities of each township a 法官联络点 and a 行政调解工作站."""
    root = district()
    existing = set(MediationBody.objects.values_list("division_id", "kind", "name"))
    bodies = []
    for township in root.children.order_by("code"):
        short = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        bodies += [
            MediationBody(name=f"{short}人民法庭诉调对接工作室", kind=BodyKind.JUDICIAL, level=BodyLevel.TOWNSHIP,
                          division=township),
            MediationBody(name=f"{township.name}行政调解委员会", kind=BodyKind.ADMINISTRATIVE,
                          level=BodyLevel.TOWNSHIP, division=township),
        ]  # fmt: skip
    for unit in _first_units(root):
        bodies += [
            MediationBody(name=f"{unit.name}法官联络点", kind=BodyKind.JUDICIAL, level=BodyLevel.VILLAGE,
                          division=unit),
            MediationBody(name=f"{unit.name}行政调解工作站", kind=BodyKind.ADMINISTRATIVE, level=BodyLevel.VILLAGE,
                          division=unit),
        ]  # fmt: skip
    new = [b for b in bodies if (b.division_id, b.kind, b.name) not in existing]
    MediationBody.objects.bulk_create(new)
    stdout.write(f"  三调联治调处主体：新建 {len(new)} 个（乡镇、村级司法调解和行政调解）")


def mediation_body(
    pick: random.Random, *, unit_id: int, township_id: int, root_id: int, by_kind_division: dict
) -> tuple[int, str] | None:
    """For a mediable case that is not a 警情: another mediation body than the village committee
    (``(pk, kind)``), or None to keep the village committee. ``pick`` is the case's own draw."""
    if pick.random() >= OTHER_BODY_SHARE:
        return None
    kind = pick.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
    level = pick.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]
    division_id = {BodyLevel.DISTRICT: root_id, BodyLevel.TOWNSHIP: township_id, BodyLevel.VILLAGE: unit_id}[level]
    body = by_kind_division.get((kind, division_id))
    return (body, kind) if body is not None else None
