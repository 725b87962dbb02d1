"""``governance.auth.PermissionBackend``: Django's permissions (the user's own and their groups'), read in
one query and cached for the request; inactive users and object permissions get nothing."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from governance.models import User
from tests.factories import user_with_role


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_own_and_group_permissions_in_one_query(divisions):
    user = user_with_role("community_officer", divisions["v11"], username="perm_user")
    held = ModelBackend().get_all_permissions(_fresh(user))  # the role's group already gives some
    spare = [
        p
        for p in Permission.objects.select_related("content_type")
        if f"{p.content_type.app_label}.{p.codename}" not in held
    ]
    own, grouped = spare[0], spare[1]
    own_name = f"{own.content_type.app_label}.{own.codename}"
    grouped_name = f"{grouped.content_type.app_label}.{grouped.codename}"
    group = Group.objects.create(name="档案员")
    group.permissions.add(grouped)
    user.user_permissions.add(own)
    user.groups.add(group)
    user = _fresh(user)
    with CaptureQueriesContext(connection) as captured:
        assert user.has_perm(own_name)
        assert user.has_perm(grouped_name)
        assert not user.has_perm(f"{spare[2].content_type.app_label}.{spare[2].codename}")
        ours = user.get_all_permissions()
    assert len(captured) == 1
    assert ours == ModelBackend().get_all_permissions(_fresh(user))  # what Django's backend gives, in two
    assert {own_name, grouped_name} <= ours
    group.permissions.remove(grouped)
    assert not _fresh(user).has_perm(grouped_name)


def test_superuser_has_every_permission_and_inactive_users_none(divisions):
    admin = User.objects.create_superuser("perm_root", password="x-Long-Passw0rd!")
    assert _fresh(admin).has_perm("security.delete_dispute")
    assert _fresh(admin).get_all_permissions() == ModelBackend().get_all_permissions(_fresh(admin))
    user = user_with_role("community_officer", divisions["v11"], username="perm_inactive")
    user.user_permissions.add(Permission.objects.get(codename="view_household"))
    User.objects.filter(pk=user.pk).update(is_active=False)
    inactive = _fresh(user)
    assert not inactive.has_perm("governance.view_household")
    assert inactive.get_all_permissions() == set()
    assert _fresh(admin).get_all_permissions(obj=object()) == set()
