"""Chainable reads of the civility app, all standing on ``ScopedQuerySet`` (which models use them,
and how far up the tree their rows are visible, is declared by the models)."""

from __future__ import annotations

import datetime

from django.db.models import Q

from civility.choices import EntryStatus
from governance.dates import month_bounds
from governance.querysets import ScopedQuerySet


class PointRuleQuerySet(ScopedQuerySet):
    def active_on(self, day: datetime.date) -> PointRuleQuerySet:
        """Rules in force on ``day`` (switched on, ``active_from`` ≤ day ≤ ``active_to``)."""
        return self.filter(
            Q(is_active=True), Q(active_from__lte=day), Q(active_to__isnull=True) | Q(active_to__gte=day)
        )


class PointEntryQuerySet(ScopedQuerySet):
    def confirmed(self) -> PointEntryQuerySet:
        return self.filter(status=EntryStatus.CONFIRMED)

    def pending(self) -> PointEntryQuerySet:
        return self.filter(status=EntryStatus.PENDING)

    def in_month(self, day: datetime.date) -> PointEntryQuerySet:
        """Entries that occurred in ``day``'s calendar month."""
        start, end = month_bounds(day)
        return self.filter(occurred_on__gte=start, occurred_on__lt=end)


class BanquetDeclarationQuerySet(ScopedQuerySet):
    def flagged(self) -> BanquetDeclarationQuerySet:
        return self.filter(is_flagged=True)
