"""factory_boy factories for the core registers (other apps keep theirs in tests/<app>/factories.py)."""

from __future__ import annotations

import random

import factory
from factory.django import DjangoModelFactory

from governance.models import (
    Division,
    DivisionLevel,
    Household,
    HouseholdMember,
    Organization,
    OrganizationKind,
    Person,
    PoliticalStatus,
    Post,
    Relation,
    Role,
)
from governance.services import role_grant
from governance.validators import id_number_check_char

_rng = random.Random(20261127)


def make_id_number(region: str = "431302", birth: str | None = None, seq: int | None = None) -> str:
    """A 身份证号 with a correct GB 11643 check character."""
    birth = birth or f"{_rng.randint(1940, 2005)}{_rng.randint(1, 12):02d}{_rng.randint(1, 28):02d}"
    seq = _rng.randint(0, 999) if seq is None else seq
    first17 = f"{region}{birth}{seq:03d}"
    return first17 + id_number_check_char(first17)


class DivisionFactory(DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"T{n:06d}")
    name = factory.Sequence(lambda n: f"测试区划{n}")
    level = DivisionLevel.DISTRICT
    parent = None


def tree(district_code: str = "431302") -> dict[str, Division]:
    """A small tree: district → 2 townships → 2 villages each (v11, v12, v21, v22)."""
    district = DivisionFactory(code=district_code, name="娄星区", level=DivisionLevel.DISTRICT)
    nodes = {"district": district}
    for t in (1, 2):
        township = DivisionFactory(
            code=f"{district_code}{t:03d}", name=f"乡镇{t}", level=DivisionLevel.TOWNSHIP, parent=district
        )
        nodes[f"t{t}"] = township
        for v in (1, 2):
            nodes[f"v{t}{v}"] = DivisionFactory(
                code=f"{district_code}{t:03d}{v:03d}", name=f"村{t}{v}", level=DivisionLevel.VILLAGE, parent=township
            )
    return nodes


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"张{n}")
    id_number = factory.LazyFunction(make_id_number)
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    political_status = PoliticalStatus.MASSES
    division = factory.SubFactory(DivisionFactory)


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"H{n:08d}")
    address = factory.Sequence(lambda n: f"{n}号")
    division = factory.SubFactory(DivisionFactory)
    head = None

    @factory.post_generation
    def with_head(self, create, extracted, **kwargs):
        """``HouseholdFactory(with_head=True)`` adds a head who is a member and lives there."""
        if create and extracted:
            person = PersonFactory(division=self.division)
            HouseholdMember.objects.create(household=self, person=person, relation=Relation.HEAD)
            self.head = person
            self.save(update_fields=["head"])


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization

    kind = OrganizationKind.PARTY_BRANCH
    name = factory.Sequence(lambda n: f"第{n}党支部")
    division = factory.SubFactory(DivisionFactory)


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    organization = factory.SubFactory(OrganizationFactory)
    person = factory.SubFactory(PersonFactory)
    title = "委员"


def user_with_role(role: str = Role.COMMUNITY_OFFICER, division: Division | None = None, username: str | None = None):
    """A user holding ``role`` over ``division`` (created with a password "pw-test-123")."""
    division = division or DivisionFactory()
    username = username or f"{role}-{division.code}-{_rng.randint(0, 10**9)}"
    return role_grant(username=username, role=role, division=division, password="pw-test-123")
