"""factory_boy factories and a small body/rule setup for the security tests."""

from __future__ import annotations

import factory
from factory.django import DjangoModelFactory

from security.models import (
    BodyKind,
    BodyLevel,
    Category,
    Channel,
    MediationBody,
    PartyRole,
    PatrolKind,
    PatrolLog,
    PatrolTeam,
    RoutingRule,
    SecurityStat,
)
from security.services import PartyInput, dispute_intake
from tests.factories import PersonFactory, user_with_role


class MediationBodyFactory(DjangoModelFactory):
    class Meta:
        model = MediationBody

    name = factory.Sequence(lambda n: f"调委会{n}")
    kind = BodyKind.PEOPLES_MEDIATION
    level = BodyLevel.VILLAGE


class PatrolTeamFactory(DjangoModelFactory):
    class Meta:
        model = PatrolTeam

    name = factory.Sequence(lambda n: f"巡防队{n}")
    kind = PatrolKind.VOLUNTEER


class PatrolLogFactory(DjangoModelFactory):
    class Meta:
        model = PatrolLog

    team = factory.SubFactory(PatrolTeamFactory)
    date = factory.Faker("date_this_year")
    duration_minutes = 60


class SecurityStatFactory(DjangoModelFactory):
    class Meta:
        model = SecurityStat


def make_bodies(divisions) -> dict[str, MediationBody]:
    """District centre; per township a centre, a police station and its 矛调中心; a committee per village."""
    bodies = {
        "district_centre": MediationBodyFactory(
            name="区综治中心", kind=BodyKind.CENTRE, level=BodyLevel.DISTRICT, division=divisions["district"]
        )
    }
    for t in ("t1", "t2"):
        township = divisions[t]
        bodies[f"{t}_centre"] = MediationBodyFactory(
            name=f"{t}综治中心", kind=BodyKind.CENTRE, level=BodyLevel.TOWNSHIP, division=township
        )
        station = MediationBodyFactory(
            name=f"{t}派出所", kind=BodyKind.POLICE_STATION, level=BodyLevel.TOWNSHIP, division=township
        )
        bodies[f"{t}_station"] = station
        bodies[f"{t}_station_centre"] = MediationBodyFactory(
            name=f"{t}派出所矛调中心",
            kind=BodyKind.STATION_CENTRE,
            level=BodyLevel.TOWNSHIP,
            division=township,
            parent=station,
            on_duty_24h=True,
        )
    for v in ("v11", "v12", "v21", "v22"):
        bodies[v] = MediationBodyFactory(name=f"{v}调委会", division=divisions[v])
    return bodies


def police_rule() -> RoutingRule:
    return RoutingRule.objects.create(
        name="可调解警情", channel=Channel.POLICE, target_kind=BodyKind.STATION_CENTRE, deadline_days=7
    )


def staff(role: str, division, *bodies: MediationBody, username: str | None = None):
    user = user_with_role(role, division, username=username)
    for body in bodies:
        body.staff.add(user)
    return user


def intake(division, *, by=None, channel=Channel.POLICE, category=Category.NEIGHBOUR, external_id=None, **kwargs):
    people = kwargs.pop("people", None) or [PersonFactory(division=division), PersonFactory(division=division)]
    roles = (PartyRole.APPLICANT, PartyRole.RESPONDENT)
    parties = [PartyInput(person=p, role=r) for p, r in zip(people, roles, strict=False)]
    dispute, _created = dispute_intake(
        channel=channel,
        category=category,
        division=division,
        description="邻里因排水沟发生争执",
        parties=parties,
        received_by=by,
        external_id=external_id,
        **kwargs,
    )
    return dispute
