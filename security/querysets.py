"""Chainable reads of the security app, and its scoping.

Disputes are scoped by who works where: a mediator sees the cases of the bodies they staff and those
they handled; police see their station's (the station and the bodies under it, such as its 矛调中心)
and those they handled; everyone else (officers, leaders, other systems) sees the cases that happened
in their division subtree. A user with several roles sees the union. All of it is one SQL condition."""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from governance.models import Role
from governance.querysets import ScopedQuerySet, is_active_user, user_scope_paths
from security.choices import OPEN_STATUSES, RiskLevel

if TYPE_CHECKING:
    from governance.models import User

BODY_ROLES = frozenset({Role.MEDIATOR, Role.POLICE})


def _user_roles(user: User, roles: Iterable[str] | None) -> set[str]:
    held = set(user.roles)
    return held if roles is None else held & set(roles)


def acting_bodies_condition(user: User) -> Q:
    """Bodies ``user`` works for: those they staff and the bodies under them (a station's 矛调中心)."""
    return Q(staff=user) | Q(parent__staff=user)


class MediationBodyQuerySet(ScopedQuerySet):
    def active(self) -> MediationBodyQuerySet:
        return self.filter(is_active=True)

    def acting_for(self, user: User) -> MediationBodyQuerySet:
        """Bodies on whose behalf ``user`` may accept, mediate and close cases."""
        if user.is_superuser:
            return self
        body_ids = (
            self.model.objects.filter(acting_bodies_condition(user)).values("pk")
            if user.roles & BODY_ROLES
            else self.none().values("pk")
        )
        officer_roles = user.roles - BODY_ROLES - {Role.API_CLIENT}
        in_scope = self.model.objects.for_user(user, roles=officer_roles).values("pk") if officer_roles else None
        condition = Q(pk__in=body_ids)
        if in_scope is not None:
            condition |= Q(pk__in=in_scope)
        return self.filter(condition)


class DisputeQuerySet(ScopedQuerySet):
    def open(self) -> DisputeQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def high_risk(self) -> DisputeQuerySet:
        return self.filter(risk_level__gte=RiskLevel.HIGH)

    def for_user(self, user: User | None, roles: Iterable[str] | None = None) -> DisputeQuerySet:
        if not is_active_user(user):
            return self.none()
        if user.is_superuser:
            return self
        held = _user_roles(user, roles)
        conditions: list[Q] = []
        if held & BODY_ROLES:
            # The body and event models through the case's own relations: no import of the models.
            body_model = self.model._meta.get_field("current_body").related_model
            event_model = self.model._meta.get_field("events").related_model
            bodies = body_model.objects.filter(acting_bodies_condition(user)).values("pk")
            handled = event_model.objects.filter(dispute_id=OuterRef("pk"), actor_id=user.pk)
            conditions += [Q(current_body__in=bodies), Q(Exists(handled))]
        area_roles = held - BODY_ROLES
        if area_roles:
            paths = user_scope_paths(user, area_roles)
            conditions += [Q(division__path__startswith=path) for path in paths]
        if not conditions:
            return self.none()
        return self.filter(reduce(or_, conditions))


class DisputeEventQuerySet(ScopedQuerySet):
    def for_user(self, user: User | None, roles: Iterable[str] | None = None) -> DisputeEventQuerySet:
        dispute_model = self.model._meta.get_field("dispute").related_model
        return self.filter(dispute__in=dispute_model.objects.for_user(user, roles).values("pk"))
