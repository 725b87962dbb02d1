from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from governance.models import ApiKey, Division, DivisionLevel, Household, Person, Role, User
from governance.services import api_key_authenticate


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_grant_role_creates_the_user_with_a_scoped_role(divisions):
    run("grant_role", "wang", "township_officer", "431302001", "--password", "s3cret-pass")
    user = User.objects.get(username="wang")
    assert user.check_password("s3cret-pass")
    assert user.is_staff
    assert list(user.role_assignments.values_list("role", "division__code")) == [("township_officer", "431302001")]
    assert user.has_perm("governance.change_person")


def test_grant_role_refuses_an_unknown_division_and_writes_nothing(divisions):
    with pytest.raises(CommandError, match="431399"):
        run("grant_role", "wang", "township_officer", "431399")
    assert not User.objects.filter(username="wang").exists()


def test_grant_role_refuses_an_unknown_role(divisions):
    with pytest.raises(CommandError, match="mayor"):
        run("grant_role", "wang", "mayor", "431302")
    assert not User.objects.filter(username="wang").exists()


def test_create_api_key_prints_the_key_once_and_stores_only_a_hash(divisions):
    output = run("create_api_key", "12345热线", "--role", "api_client", "--division", "431302001")
    plain = output.strip().splitlines()[-1]
    key = ApiKey.objects.get(name="12345热线")
    assert plain.startswith(f"lx_{key.prefix}_")
    assert plain.split("_", 2)[2] not in key.key_hash
    assert api_key_authenticate(plain) == key
    assert not key.user.is_staff
    assert key.user.role_assignments.get().division.code == "431302001"


def test_seed_demo_builds_the_district_and_is_idempotent(db):
    run("seed_demo", "--households", "30")
    counts = (Division.objects.count(), Person.objects.count(), Household.objects.count(), User.objects.count())
    run("seed_demo", "--households", "30")
    assert (Division.objects.count(), Person.objects.count(), Household.objects.count(), User.objects.count()) == counts

    district = Division.objects.get(code="431302", name="娄星区")
    assert Division.objects.in_subtree(district).filter(level=DivisionLevel.VILLAGE).count() == 144
    assert Household.objects.count() == 30
    for role in Role.values:
        user = User.objects.get(username=f"demo_{role}")
        assert user.role_assignments.filter(role=role).exists()
        assert user.check_password("Louxing-2026")
    # every household head is one of its members, every person has a valid ID number
    for household in Household.objects.prefetch_related("members"):
        assert household.head_id in {m.person_id for m in household.members.all()}
    for person in Person.objects.all():
        person.full_clean()
