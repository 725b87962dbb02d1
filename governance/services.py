"""Writes of the core registers that take more than one step or have a side effect."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import ApiKey, Division, Household, HouseholdMember, Person, Relation, Role, RoleAssignment, User
from governance.registry import registry

ERR_HEAD_NOT_MEMBER = "household_head_not_member"
ERR_DUPLICATE_MEMBER = "household_duplicate_member"
ERR_UNKNOWN_ROLE = "unknown_role"
ERR_HOUSEHOLD_DIVISION_MOVE = "household_division_move"

# One write path (issue 13, ``governance.write_path``): fields of the core registers only a service
# sets. (A household's ``division`` moves through ``villages.services.hamlet_households_assign``:
# declared where that move is built.)
SERVICE_OWNED_FIELDS: dict[str, dict[str, str]] = {
    "governance.apikey": {
        "user": "api_key_create",
        "role": "api_key_create",
        "division": "api_key_create",
        "revoked_at": "api_key_revoke",
        "last_used_at": "api_key_touch",
    },
    "governance.webhookdelivery": {
        "status": "webhook_attempt",
        "attempts": "webhook_attempt",
        "next_attempt_at": "webhook_attempt / webhook_replay",
        "last_status_code": "webhook_attempt",
        "delivered_at": "webhook_attempt",
    },
    "governance.importjob": dict.fromkeys(
        ("status", "total_rows", "new_rows", "updated_rows", "skipped_rows", "refused_rows", "finished_at"),
        "import_job_run",
    ),
}

API_KEY_PREFIX = "lx"


ModelT = TypeVar("ModelT", bound=models.Model)


def role_group_name(role: str) -> str:
    return f"role:{role}"


def roles_sync(*, using: str = "default") -> None:
    """One auth group per role, holding exactly the permissions the registry grants it."""
    wanted = {role: registry.role_permissions.get(role, set()) for role in Role.values}
    all_perms = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.using(using).select_related("content_type")
    }
    for role, perms in wanted.items():
        group, _created = Group.objects.using(using).get_or_create(name=role_group_name(role))
        group.permissions.set([all_perms[p] for p in perms if p in all_perms])


def schedules_sync() -> int:
    """Create the registry's default periodic tasks that are missing; existing ones (and edits made
    in the admin) are left alone. Returns how many were created."""
    import json

    from django.conf import settings
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

    created = 0
    for schedule in registry.schedules.values():
        if PeriodicTask.objects.filter(name=schedule.name).exists():
            continue
        when: dict = {}
        if schedule.every_seconds:
            when["interval"], _new = IntervalSchedule.objects.get_or_create(
                every=schedule.every_seconds, period=IntervalSchedule.SECONDS
            )
        else:
            when["crontab"], _new = CrontabSchedule.objects.get_or_create(
                **schedule.crontab, timezone=settings.TIME_ZONE
            )
        PeriodicTask.objects.create(
            name=schedule.name,
            task=schedule.task,
            **when,
            description=schedule.description,
            kwargs=json.dumps(schedule.kwargs),
        )
        created += 1
    return created


@transaction.atomic
def role_grant(*, username: str, role: str, division: Division, password: str | None = None) -> User:
    """Give ``username`` a role over ``division``'s subtree, creating the account when missing (with
    ``password``, or none usable); the user's role groups follow.

    Raises ``ValidationError`` naming ``role`` (``ERR_UNKNOWN_ROLE``) for a role the portal does not have."""
    if role not in Role.values:
        raise ValidationError(
            {"role": ValidationError(_("未知角色：%(role)s"), code=ERR_UNKNOWN_ROLE, params={"role": role})}
        )
    user, created = User.objects.get_or_create(username=username)
    if password:
        user.set_password(password)
    elif created:
        user.set_unusable_password()
    # Every role but machine clients works in the admin for its registers.
    user.is_staff = user.is_staff or role != Role.API_CLIENT
    user.save()
    assignment = RoleAssignment(user=user, role=role, division=division)
    if not RoleAssignment.objects.filter(user=user, role=role, division=division).exists():
        assignment.full_clean()
        assignment.save()
    user_role_groups_sync(user=user)
    return user


def user_role_groups_sync(*, user: User) -> None:
    """The user's "role:*" groups follow their role assignments (the groups carry the permissions)."""
    wanted = {role_group_name(role) for role in user.role_assignments.values_list("role", flat=True)}
    current = set(user.groups.filter(name__startswith="role:").values_list("name", flat=True))
    if current - wanted:
        user.groups.remove(*Group.objects.filter(name__in=current - wanted))
    for name in wanted - current:
        user.groups.add(Group.objects.get_or_create(name=name)[0])


def _hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_key_create(
    *, name: str, role: str, division: Division, expires_at: datetime | None = None
) -> tuple[ApiKey, str]:
    """Make a key for another system, with a service account holding ``role`` over ``division``.
    Returns the key row and the plain key ``lx_<prefix>_<secret>``, which is never stored (only its
    SHA-256 hash); ``expires_at`` is an aware datetime or None (never expires).

    Raises ``ValidationError`` naming ``name`` (``unique``) when a key of that name exists, or ``role``
    (``ERR_UNKNOWN_ROLE``)."""
    if ApiKey.objects.filter(name=name).exists():
        raise ValidationError({"name": ValidationError(_("已有同名的接口密钥。"), code="unique")})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    user = role_grant(username=f"api-{prefix}", role=role, division=division)
    user.is_staff = False
    user.full_name = name
    user.save(update_fields=["is_staff", "full_name"])
    key = ApiKey(
        name=name,
        prefix=prefix,
        key_hash=_hash_secret(secret),
        user=user,
        role=role,
        division=division,
        expires_at=expires_at,
    )
    key.full_clean()
    key.save()
    return key, f"{API_KEY_PREFIX}_{prefix}_{secret}"


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The usable key matching ``raw`` (constant-time comparison), or None. Writes nothing: a request
    may still be refused after it (permissions, throttling), and only answered ones count as a use
    (``api_key_touch``)."""
    parts = (raw or "").split("_", 2)
    if len(parts) != 3 or parts[0] != API_KEY_PREFIX:
        return None
    key = ApiKey.objects.usable().select_related("user").filter(prefix=parts[1]).first()
    if key is None or not hmac.compare_digest(key.key_hash, _hash_secret(parts[2])):
        return None
    return key


def api_key_touch(*, key: ApiKey) -> bool:
    """Record that ``key`` was just used for a request the API answered (``last_used_at``, an aware
    datetime), at most once a minute: a client may call many times a second. ``last_used_at`` is
    not audited (``ApiKey`` excludes it from tracking), so the touch writes no audit row attributed
    to the request. Returns whether it wrote; raises nothing."""
    now = timezone.now()
    if key.last_used_at is not None and (now - key.last_used_at).total_seconds() <= 60:
        return False
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    key.last_used_at = now
    return True


def api_key_revoke(*, key: ApiKey) -> ApiKey:
    """Revoke a key from now on (idempotent: a revoked key keeps its first revocation time). Raises nothing."""
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
    return key


def _validate_members(head: Person | None, members: Sequence[tuple[Person, str]]) -> None:
    people = [person.pk for person, _relation in members]
    if len(people) != len(set(people)):
        raise ValidationError(
            {"members": ValidationError(_("同一人员不能在一户中重复登记。"), code=ERR_DUPLICATE_MEMBER)}
        )
    if head is not None and head.pk not in people:
        raise ValidationError(
            {"head": ValidationError(_("户主必须是本户成员，请先把户主加入家庭成员。"), code=ERR_HEAD_NOT_MEMBER)}
        )


def _write_members(household: Household, head: Person | None, members: Sequence[tuple[Person, str]]) -> None:
    household.members.exclude(person__in=[p for p, _r in members]).delete()
    for person, relation in members:
        if head is not None and person.pk == head.pk:
            relation = Relation.HEAD
        elif relation == Relation.HEAD:
            relation = Relation.OTHER
        member, _created = HouseholdMember.objects.get_or_create(
            person=person, defaults={"household": household, "relation": relation}
        )
        if member.household_id != household.pk:
            raise ValidationError(
                {
                    "members": ValidationError(
                        _("%(name)s 已登记在其他家庭户中。"),
                        code="member_in_other_household",
                        params={"name": person.name},
                    )
                }
            )
        if member.relation != relation:
            member.relation = relation
            member.full_clean()
            member.save(update_fields=["relation"])


@transaction.atomic
def household_create(
    *, number: str, division: Division, address: str = "", head: Person | None, members: Sequence[tuple[Person, str]]
) -> Household:
    """Register a household with its members (``(person, relation)`` pairs); the head must be one of
    them and is given the relation 户主.

    Raises ``ValidationError`` naming ``members`` (``ERR_DUPLICATE_MEMBER``; ``member_in_other_household``
    for a person registered elsewhere), ``head`` (``ERR_HEAD_NOT_MEMBER``), or the model's own fields."""
    _validate_members(head, members)
    household = Household(number=number, division=division, address=address, head=head)
    household.full_clean()
    household.save()
    _write_members(household, head, members)
    return household


@transaction.atomic
def household_update(
    *,
    household: Household,
    head: Person | None,
    members: Sequence[tuple[Person, str]],
    **fields,
) -> Household:
    """Change a household (``fields``: its model fields) and replace its member list; members left out
    are removed from it. Its division is not changed here (API, import or any caller): moving a
    household moves its members and its shares, which only the villages app's services do (划入屋场 /
    移出屋场). Raises as ``household_create``, and ``ValidationError`` on ``division``
    (``ERR_HOUSEHOLD_DIVISION_MOVE``) for a different division."""
    stored = Household.objects.filter(pk=household.pk).values_list("division_id", flat=True).first()
    moved_to = fields["division"].pk if fields.get("division") is not None else household.division_id
    if stored is not None and moved_to != stored:
        raise ValidationError(
            {
                "division": ValidationError(
                    _("家庭户的所属区划不能在此修改，请使用“划入屋场”或“移出屋场”（户内成员与股权随之变更）。"),
                    code=ERR_HOUSEHOLD_DIVISION_MOVE,
                )
            }
        )
    _validate_members(head, members)
    for name, value in fields.items():
        setattr(household, name, value)
    household.head = head
    household.full_clean()
    household.save()
    _write_members(household, head, members)
    return household


@transaction.atomic
def record_save(*, instance: ModelT) -> ModelT:
    """Save one register row after the model's own checks (field validators, ``clean()`` and
    constraints), so the API, forms and imports apply the same rules.

    Raises ``ValidationError`` with the model's field and ``__all__`` errors; nothing is written."""
    instance.full_clean()
    instance.save()
    return instance
