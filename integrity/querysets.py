"""Chainable reads of the integrity app. Scope is not handled here: every integrity model declares
``scope_roles`` (discipline staff only) and the core ``ScopedQuerySet.for_user`` applies it."""

from __future__ import annotations

import datetime

from django.db.models import F, Q
from django.utils import timezone

from governance.querysets import ScopedQuerySet


class MilestoneQuerySet(ScopedQuerySet):
    def overdue(self, on: datetime.date | None = None) -> MilestoneQuerySet:
        """Milestones whose planned date has passed without being reached (or reached late)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(actual_on__isnull=True, planned_on__lt=on) | Q(actual_on__isnull=False, actual_on__gt=F("planned_on"))
        )
