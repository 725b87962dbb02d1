"""Demo data of the core: the 娄星区 division tree, synthetic people and households, organisations
and posts, one account per role. Every step is idempotent (safe to run again)."""

from __future__ import annotations

import random
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from governance.audit import bulk_create_audited
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
    User,
)
from governance.registry import registry
from governance.services import role_grant
from governance.validators import id_number_check_char

DEMO_PASSWORD = "Louxing-2026"

# 娄星区's 7 subdistricts, 5 towns and 1 township under their 统计用区划代码 (国家统计局, 2023: the
# 3 digits after 431302); per unit: (code, name, level, villages, communities). Villages and
# communities are synthetic, numbered under their real township (communities 001–, villages 201–).
TOWNSHIPS: list[tuple[str, str, str, int, int]] = [
    ("001", "乐坪街道", DivisionLevel.SUBDISTRICT, 0, 10),
    ("002", "花山街道", DivisionLevel.SUBDISTRICT, 0, 9),
    ("003", "黄泥塘街道", DivisionLevel.SUBDISTRICT, 4, 8),
    ("004", "长青街道", DivisionLevel.SUBDISTRICT, 0, 9),
    ("005", "大科街道", DivisionLevel.SUBDISTRICT, 0, 8),
    ("006", "涟滨街道", DivisionLevel.SUBDISTRICT, 0, 9),
    ("007", "大埠桥街道", DivisionLevel.SUBDISTRICT, 4, 7),
    ("100", "杉山镇", DivisionLevel.TOWNSHIP, 24, 0),
    ("101", "万宝镇", DivisionLevel.TOWNSHIP, 26, 0),
    ("104", "石井镇", DivisionLevel.TOWNSHIP, 23, 0),
    ("105", "水洞底镇", DivisionLevel.TOWNSHIP, 25, 0),
    ("106", "蛇形山镇", DivisionLevel.TOWNSHIP, 20, 0),
    ("204", "双江乡", DivisionLevel.TOWNSHIP, 18, 0),
]
# The township of the demo's township officer, mediator and police, and of its first village's officers.
DEMO_TOWNSHIP = "101"  # 万宝镇
VILLAGE_COUNT = sum(t[3] for t in TOWNSHIPS)  # 144, as in the seed article
COMMUNITY_COUNT = sum(t[4] for t in TOWNSHIPS)

_FIRST = "石枫竹青塘湾坪岭溪荷桃李新龙凤安和丰福宝金银松柏梅兰泉井田湖光明春秋星月云霞"
_SECOND = "桥山塘冲湾坪岭溪林源园港洲台峰塅坳坝铺庄垅"
_SURNAMES = "李王张刘陈杨黄赵周吴徐孙朱胡郭何罗谢曾彭邓肖唐蒋贺龙谭颜廖邹欧阳"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅兰德福春生海燕"


# Prefixes of numbers mobile operators really hand out: every demo number passes ``phone_normalize``.
DEMO_MOBILE_PREFIXES = ("135", "136", "138", "139", "150", "151", "158", "159", "186", "187", "188")


def _names(rng: random.Random, count: int, suffix: str) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(_FIRST) + rng.choice(_SECOND) + suffix
        if name not in names:
            names.append(name)
    return names


def district() -> Division:
    return Division.objects.get(code=settings.DISTRICT_CODE)


@registry.demo("governance.divisions", order=10)
def seed_divisions(*, stdout, options) -> None:
    """One district with its 13 townships/subdistricts (real codes and names), 144 villages and their
    communities."""
    rng = random.Random(431302)
    root, _created = Division.objects.get_or_create(
        code=settings.DISTRICT_CODE, defaults={"name": settings.DISTRICT_NAME, "level": DivisionLevel.DISTRICT}
    )
    for t_index, (t_code, name, level, villages, communities) in enumerate(TOWNSHIPS, start=1):
        township, _created = Division.objects.get_or_create(
            code=f"{root.code}{t_code}",
            defaults={"name": name, "level": level, "parent": root, "sort_order": t_index},
        )
        for c_index, c_name in enumerate(_names(rng, communities, "社区"), start=1):
            Division.objects.get_or_create(
                code=f"{township.code}{c_index:03d}",
                defaults={"name": c_name, "level": DivisionLevel.COMMUNITY, "parent": township, "sort_order": c_index},
            )
        for v_index, v_name in enumerate(_names(rng, villages, "村"), start=1):
            Division.objects.get_or_create(
                code=f"{township.code}{200 + v_index:03d}",
                defaults={"name": v_name, "level": DivisionLevel.VILLAGE, "parent": township, "sort_order": v_index},
            )
    stdout.write(f"  区划：{root.name}，乡镇街道 {len(TOWNSHIPS)} 个，村 {VILLAGE_COUNT} 个，社区 {COMMUNITY_COUNT} 个")


def _person_id(rng: random.Random, used: set[str], birth_year: int) -> str:
    while True:
        first17 = f"431302{birth_year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
        number = first17 + id_number_check_char(first17)
        if number not in used:
            used.add(number)
            return number


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@registry.demo("governance.households", order=20)
def seed_households(*, stdout, options) -> None:
    """Synthetic households spread over villages and communities, 1–5 members each, with valid 身份证号."""
    wanted = options.get("households") or 2000
    root = district()
    units = list(
        Division.objects.in_subtree(root)
        .filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY])
        .order_by("path")
    )
    numbers = [f"H{units[i % len(units)].code}{i // len(units) + 1:04d}" for i in range(wanted)]
    existing = set(Household.objects.filter(number__in=numbers).values_list("number", flat=True))
    todo = [(i, n) for i, n in enumerate(numbers) if n not in existing]
    used = set(Person.objects.exclude(id_number=None).values_list("id_number", flat=True))
    for batch in _chunks(todo, 1000):
        with transaction.atomic():
            _create_households(batch, units, used)
    stdout.write(f"  家庭户：新建 {len(todo)} 户（共 {Household.objects.in_subtree(root).count()} 户）")


def _create_households(batch: list[tuple[int, str]], units: list[Division], used: set[str]) -> None:
    people: list[Person] = []
    plan: list[tuple[str, Division, list[tuple[int, str]]]] = []
    for index, number in batch:
        rng = random.Random(number)
        unit = units[index % len(units)]
        surname = rng.choice(_SURNAMES)
        members: list[tuple[int, str]] = []
        head_year = rng.randint(1945, 1995)
        roles = [(Relation.HEAD, head_year)]
        if rng.random() < 0.85:
            roles.append((Relation.SPOUSE, head_year + rng.randint(-3, 3)))
        for _child in range(rng.choice([0, 1, 1, 2, 2, 3])):
            roles.append((Relation.CHILD, min(head_year + rng.randint(22, 32), 2020)))
        for relation, year in roles:
            status = PoliticalStatus.PARTY_MEMBER if year < 2000 and rng.random() < 0.09 else PoliticalStatus.MASSES
            name = (surname if relation != Relation.SPOUSE else rng.choice(_SURNAMES)) + rng.choice(_GIVEN)
            if rng.random() < 0.5:
                name += rng.choice(_GIVEN)
            people.append(
                Person(
                    name=name,
                    id_number=_person_id(rng, used, year),
                    phone=f"{rng.choice(DEMO_MOBILE_PREFIXES)}{rng.randint(0, 99999999):08d}",
                    political_status=status,
                    division=unit,
                )
            )
            members.append((len(people) - 1, relation))
        plan.append((number, unit, members))
    bulk_create_audited(Person, people)
    households = bulk_create_audited(
        Household,
        [
            Household(number=number, division=unit, head=people[members[0][0]], address=f"{unit.name}{number[-4:]}号")
            for number, unit, members in plan
        ],
    )
    bulk_create_audited(
        HouseholdMember,
        [
            HouseholdMember(household=household, person=people[p_index], relation=relation)
            for household, (_number, _unit, members) in zip(households, plan, strict=True)
            for p_index, relation in members
        ],
    )


@registry.demo("governance.organizations", order=30)
def seed_organizations(*, stdout, options) -> None:
    """A Party branch and a villagers'/residents' committee in every village and community, with posts."""
    root = district()
    units = Division.objects.in_subtree(root).filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY])
    existing = set(Organization.objects.in_subtree(root).values_list("division_id", "kind"))
    new_orgs = []
    for unit in units:
        committee_kind = (
            OrganizationKind.VILLAGERS_COMMITTEE
            if unit.level == DivisionLevel.VILLAGE
            else OrganizationKind.RESIDENTS_COMMITTEE
        )
        for kind, name in (
            (OrganizationKind.PARTY_BRANCH, f"中共{unit.name}支部委员会"),
            (committee_kind, f"{unit.name}{'村民' if unit.level == DivisionLevel.VILLAGE else '居民'}委员会"),
        ):
            if (unit.pk, kind) not in existing:
                new_orgs.append(Organization(kind=kind, name=name, division=unit))
    Organization.objects.bulk_create(new_orgs)
    # The branch secretary is a Party member of the unit who also chairs the committee (一肩挑).
    first_member = dict(
        Person.objects.filter(
            division_id__in={org.division_id for org in new_orgs}, political_status=PoliticalStatus.PARTY_MEMBER
        )
        .order_by("division_id", "id")
        .distinct("division_id")
        .values_list("division_id", "id")
    )
    posts = [
        Post(
            organization=org,
            person_id=first_member[org.division_id],
            title="书记" if org.kind == OrganizationKind.PARTY_BRANCH else "主任",
            is_head=True,
        )
        for org in new_orgs
        if org.division_id in first_member
    ]
    Post.objects.bulk_create(posts)
    stdout.write(f"  组织：新建 {len(new_orgs)} 个，职务 {len(posts)} 个")


def demo_account_division(role: str) -> Division:
    root = district()
    township = Division.objects.get(code=f"{root.code}{DEMO_TOWNSHIP}")
    village = Division.objects.filter(parent=township).order_by("code").first()
    return {
        Role.DISTRICT_ADMIN: root,
        Role.LEADER: root,
        Role.DISCIPLINE_INSPECTOR: root,
        Role.API_CLIENT: root,
        Role.TOWNSHIP_OFFICER: township,
        Role.MEDIATOR: township,
        Role.POLICE: township,
        Role.COMMUNITY_OFFICER: village,
        Role.SHOP_OPERATOR: village,
    }[role]


@registry.demo("governance.accounts", order=90)
def seed_accounts(*, stdout, options) -> None:
    """One demo account per role, named ``demo_<role>``."""
    password = options.get("password") or DEMO_PASSWORD
    stdout.write(f"  演示账号（密码均为 {password}）：")
    for role in Role:
        division = demo_account_division(role)
        role_grant(username=f"demo_{role.value}", role=role.value, division=division)
        stdout.write(f"    demo_{role.value:<22} {role.label} @ {division.name}")
    # One hash for the nine accounts (a PBKDF2 hash costs a third of a second; these share a password anyway).
    User.objects.filter(username__in=[f"demo_{role.value}" for role in Role]).update(password=make_password(password))
