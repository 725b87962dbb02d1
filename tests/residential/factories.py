"""factory_boy factories of the residential app."""

from __future__ import annotations

import datetime

import factory
from factory.django import DjangoModelFactory

from governance.models import DivisionLevel, Organization, OrganizationKind, PoliticalStatus, Post
from governance.validators import uscc_check_char
from residential.models import (
    Compound,
    CreditPeriod,
    OwnersCommittee,
    Petition,
    PetitionCategory,
    PetitionChannel,
    PetitionTarget,
    PropertyCompany,
    ScoringItem,
)
from tests.factories import DivisionFactory, HouseholdFactory


def make_uscc(n: int) -> str:
    first17 = f"91431302MA4T{n:05d}"
    return first17 + uscc_check_char(first17)


class CompoundFactory(DjangoModelFactory):
    """``CompoundFactory(community=...)``: a compound with its own division node under the community."""

    class Meta:
        model = Compound
        exclude = ("community",)

    community = factory.SubFactory(DivisionFactory, level=DivisionLevel.COMMUNITY)
    division = factory.LazyAttributeSequence(
        lambda o, n: DivisionFactory(
            code=f"{o.community.code}C{n:04d}", name=f"小区{n}", level=DivisionLevel.COMPOUND, parent=o.community
        )
    )
    address = factory.Sequence(lambda n: f"幸福路{n}号")
    joined_on = datetime.date(2023, 1, 1)


class PropertyCompanyFactory(DjangoModelFactory):
    class Meta:
        model = PropertyCompany

    name = factory.Sequence(lambda n: f"测试物业{n}有限公司")
    uscc = factory.Sequence(make_uscc)
    division = factory.SubFactory(DivisionFactory)


def resident(compound: Compound, **kwargs):
    """A person living in the compound (a member of a household there)."""
    household = HouseholdFactory(division=compound.division, with_head=True)
    person = household.head
    for name, value in kwargs.items():
        setattr(person, name, value)
    person.save()
    return person


def committee_with_members(compound: Compound, party: int, masses: int, **kwargs) -> OwnersCommittee:
    """A current committee with ``party`` Party members and ``masses`` others, all residents."""
    org = Organization.objects.create(
        kind=OrganizationKind.OWNERS_COMMITTEE, name=f"{compound.division.name}业委会", division=compound.division
    )
    committee = OwnersCommittee.objects.create(
        compound=compound,
        organization=org,
        term_start=kwargs.get("term_start", datetime.date(2023, 1, 1)),
        term_end=kwargs.get("term_end", datetime.date(2099, 12, 31)),
    )
    for i in range(party + masses):
        status = PoliticalStatus.PARTY_MEMBER if i < party else PoliticalStatus.MASSES
        Post.objects.create(organization=org, person=resident(compound, political_status=status), title="委员")
    return committee


class ScoringItemFactory(DjangoModelFactory):
    class Meta:
        model = ScoringItem

    name = factory.Sequence(lambda n: f"评分项{n}")
    max_score = 50
    division = factory.SubFactory(DivisionFactory)


class CreditPeriodFactory(DjangoModelFactory):
    class Meta:
        model = CreditPeriod

    name = factory.Sequence(lambda n: f"{2000 + n}年度")
    start_date = datetime.date(2024, 1, 1)
    end_date = datetime.date(2024, 12, 31)
    division = factory.SubFactory(DivisionFactory)


class PetitionFactory(DjangoModelFactory):
    class Meta:
        model = Petition

    number = factory.Sequence(lambda n: f"XFT{n:06d}")
    compound = factory.SubFactory(CompoundFactory)
    received_on = datetime.date(2024, 3, 1)
    channel = PetitionChannel.VISIT
    category = PetitionCategory.REPAIRS
    against = PetitionTarget.OTHER
    summary = "电梯长期故障"
