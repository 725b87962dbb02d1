"""Factories of the villages app."""

from __future__ import annotations

import itertools
from decimal import Decimal

from governance.models import Division, Household, OrganizationKind, PoliticalStatus
from governance.validators import uscc_check_char
from tests.factories import HouseholdFactory, PersonFactory, PostFactory
from villages import services
from villages.models import Hamlet, Operator, OperatorKind

_seq = itertools.count(1)


def make_hamlet(village: Division, *, complete: bool = True, name: str | None = None) -> Hamlet:
    """A 屋场 under ``village`` with its three bodies; ``complete`` also gives each a head (the Party
    group's a Party member)."""
    n = next(_seq)
    hamlet = services.hamlet_create(village=village, code=f"{village.code}{n:04d}", name=name or f"屋场{n}")
    if complete:
        for body in hamlet.division.organizations.all():
            status = (
                PoliticalStatus.PARTY_MEMBER if body.kind == OrganizationKind.PARTY_GROUP else PoliticalStatus.MASSES
            )
            person = PersonFactory(division=hamlet.division, political_status=status)
            PostFactory(organization=body, person=person, title="负责人", is_head=True)
    return hamlet


def make_household(hamlet: Hamlet, **kwargs) -> Household:
    household = HouseholdFactory(division=hamlet.division.parent, with_head=True, **kwargs)
    services.hamlet_households_assign(hamlet=hamlet, households=[household])
    household.refresh_from_db()
    return household


def make_uscc(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    first17 = f"93431302{n:09d}"
    return first17 + uscc_check_char(first17)


def make_operator(division: Division) -> Operator:
    return services.operator_save(
        operator=Operator(
            kind=OperatorKind.FAMILY_FARM, name=f"家庭农场{next(_seq)}", uscc=make_uscc(), division=division
        )
    )


def make_plot(household: Household, area: str = "1.50"):
    return services.contract_plot_create(
        household=household, contract_number=f"CB-{next(_seq):06d}", area=Decimal(area), location="屋前垅"
    )
