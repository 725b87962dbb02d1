"""Chainable reads of the integrity app. Every read of this app goes through ``for_discipline``:
the rows of the user's *discipline_inspector* assignments, so a district admin or a leader
without that role sees nothing (and every page, API path and admin view answers 404)."""

from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from governance.models import Role
from governance.querysets import ScopedQuerySet, user_scope_paths

DISCIPLINE_ROLES = [Role.DISCIPLINE_INSPECTOR]


class IntegrityQuerySet(ScopedQuerySet):
    def for_discipline(self, user) -> IntegrityQuerySet:
        """Rows in the subtrees where ``user`` is a discipline inspector (nothing for anyone else)."""
        return self.for_user(user, roles=DISCIPLINE_ROLES)


class CampaignQuerySet(IntegrityQuerySet):
    def for_user(self, user, roles=None) -> CampaignQuerySet:
        """Campaigns in the user's subtrees and those run from above them (a district-wide campaign is
        a township inspector's campaign too; its figures are then those of the township only)."""
        scoped = super().for_user(user, roles)
        if user is None or not user.is_authenticated or not user.is_active or user.is_superuser:
            return scoped
        ancestors = {path[: i + 1] for path in user_scope_paths(user, roles) for i, c in enumerate(path) if c == "/"}
        if not ancestors:
            return scoped
        return self.filter(Q(pk__in=scoped.values("pk")) | Q(division__path__in=sorted(ancestors)))


class ClueQuerySet(IntegrityQuerySet):
    def pending(self) -> ClueQuerySet:
        """Clues still waiting for one of the four dispositions."""
        return self.filter(disposition="")


class MilestoneQuerySet(IntegrityQuerySet):
    def overdue(self, on: datetime.date | None = None) -> MilestoneQuerySet:
        """Milestones whose planned date has passed without being reached (or reached late)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(actual_on__isnull=True, planned_on__lt=on) | Q(actual_on__isnull=False, actual_on__gt=F("planned_on"))
        )


class ProjectQuerySet(IntegrityQuerySet):
    def late(self, on: datetime.date | None = None) -> ProjectQuerySet:
        """Projects with at least one overdue milestone."""
        from integrity.models import Milestone

        return self.filter(Exists(Milestone.objects.overdue(on).filter(project_id=OuterRef("pk"))))

    def on_time(self, on: datetime.date | None = None) -> ProjectQuerySet:
        from integrity.models import Milestone

        return self.exclude(Exists(Milestone.objects.overdue(on).filter(project_id=OuterRef("pk"))))
