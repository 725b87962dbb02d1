"""Chainable reads of the security app, and the scope rule of its cases.

Disputes are scoped by who works where (declared on ``Dispute.scope_rules``, applied by the one
``for_user``): a mediator sees the cases of the bodies they staff and those they handled; police see
their station's (the station and the bodies under it, such as its 矛调中心) and those they handled;
everyone else (officers, leaders, other systems) sees the cases that happened in their division
subtree. A user with several roles sees the union. All of it is one SQL condition."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.utils import timezone

from governance.models import Role
from governance.querysets import ScopedQuerySet
from governance.todo import due_soon_horizon
from security.choices import AWAITING_ACCEPTANCE, OPEN_STATUSES, RiskLevel, Status

if TYPE_CHECKING:
    from governance.models import User

BODY_ROLES = frozenset({Role.MEDIATOR, Role.POLICE})
#: A case being worked on: accepted by its body, or in mediation.
HANDLING = (Status.ACCEPTED, Status.MEDIATING)


# The work-list conditions, written once: 我的待办 counts with them (``security.todo``) and the list's
# filters (``acting=``, ``due_soon=``, ``overdue=``) select with them, so "查看全部" opens exactly the
# counted cases. Each is a ``Q`` so a filter can also exclude it (``?overdue=false``).


def awaiting_condition() -> Q:
    """Cases routed, transferred, escalated or returned to a body and not yet accepted."""
    return Q(status__in=AWAITING_ACCEPTANCE)


def due_soon_condition(today: datetime.date | None = None) -> Q:
    """Cases being handled whose deadline falls from ``today`` (Asia/Shanghai date, default now) to
    three working days on (``governance.todo.due_soon_horizon``, the official calendar), both included."""
    today = today or timezone.localdate()
    return Q(status__in=HANDLING, deadline__gte=today, deadline__lte=due_soon_horizon(today))


def overdue_condition(today: datetime.date | None = None) -> Q:
    """Open cases whose deadline (a date) is before ``today`` (Asia/Shanghai date, default now)."""
    return Q(status__in=OPEN_STATUSES, deadline__lt=today or timezone.localdate())


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


def cases_filed_by_me(queryset: ScopedQuerySet, user: User) -> Q:
    """The scope rule of other systems' keys (``Role.API_CLIENT``, ``Dispute.scope_rules``): a hotline,
    police dispatch or 信访 system reads back the cases it filed itself (``received_by`` its key's service
    account) and no other case of its area — least privilege for a system outside the portal."""
    return Q(received_by_id=user.pk)


class DisputeQuerySet(ScopedQuerySet):
    def open(self) -> DisputeQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def awaiting(self) -> DisputeQuerySet:
        return self.filter(awaiting_condition())

    def due_soon(self) -> DisputeQuerySet:
        return self.filter(due_soon_condition())

    def overdue(self) -> DisputeQuerySet:
        return self.filter(overdue_condition())

    def acting_condition(self, user: User) -> Q:
        """Cases now with a body ``user`` acts for (``MediationBodyQuerySet.acting_for``), as a ``Q``."""
        bodies: Any = self.model._meta.get_field("current_body").related_model
        return Q(current_body__in=bodies.objects.acting_for(user).values("pk"))

    def with_bodies_of(self, user: User) -> DisputeQuerySet:
        """Cases now with a body ``user`` acts for: what 我的待办 counts."""
        return self.filter(self.acting_condition(user))

    def high_risk(self) -> DisputeQuerySet:
        return self.filter(risk_level__gte=RiskLevel.HIGH)

    def open_first(self) -> DisputeQuerySet:
        """Work-list order (issue 14): open cases before resolved ones, then the nearest deadline (none
        last), then the newest received."""
        rank = Case(When(status__in=OPEN_STATUSES, then=Value(0)), default=Value(1))
        return self.alias(open_rank=rank).order_by(
            "open_rank", F("deadline").asc(nulls_last=True), "-received_at", "-id"
        )


def cases_of_my_bodies(queryset: ScopedQuerySet, user: User) -> Q:
    """The scope rule of mediators and police (``Dispute.scope_rules``): the cases now with a body
    they work for (a station's staff see its 矛调中心 too) and those they handled, wherever they are.
    The body and event models are reached through the case's own relations: no import of the models."""
    model = queryset.model
    body_model = model._meta.get_field("current_body").related_model
    event_model = model._meta.get_field("events").related_model
    bodies = body_model.objects.filter(acting_bodies_condition(user)).values("pk")
    handled = event_model.objects.filter(dispute_id=OuterRef("pk"), actor_id=user.pk)
    return Q(current_body__in=bodies) | Q(Exists(handled))
