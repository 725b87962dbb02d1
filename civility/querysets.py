"""Chainable reads of the civility app, all standing on ``ScopedQuerySet``."""

from __future__ import annotations

import datetime

from django.db.models import Q

from governance.querysets import ScopedQuerySet, user_scope_paths


def ancestor_paths(paths: list[str]) -> set[str]:
    """Every path from the root down to each of ``paths`` (inclusive): "a/b/" → {"a/", "a/b/"}."""
    out: set[str] = set()
    for path in paths:
        codes = [c for c in path.split("/") if c]
        for depth in range(1, len(codes) + 1):
            out.add("/".join(codes[:depth]) + "/")
    return out


class UpwardScopedQuerySet(ScopedQuerySet):
    """Rows a district or township issues for everyone below it (rules, caps): a user sees those of
    their subtree and those issued by the divisions above them."""

    def for_user(self, user, roles=None):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        paths = user_scope_paths(user, roles)
        if not paths:
            return self.none()
        scope = getattr(self.model, "scope_lookup", "division")
        condition = Q(**{f"{scope}__path__in": sorted(ancestor_paths(paths))})
        for path in paths:
            condition |= Q(**{f"{scope}__path__startswith": path})
        return self.filter(condition)

    def applicable_to(self, division) -> UpwardScopedQuerySet:
        """Rows issued by ``division`` or one of its ancestors."""
        scope = getattr(self.model, "scope_lookup", "division")
        return self.filter(**{f"{scope}__path__in": sorted(ancestor_paths([division.path]))})


class PointRuleQuerySet(UpwardScopedQuerySet):
    def active_on(self, day: datetime.date) -> PointRuleQuerySet:
        return self.filter(
            Q(is_active=True), Q(active_from__lte=day), Q(active_to__isnull=True) | Q(active_to__gte=day)
        )


class PointEntryQuerySet(ScopedQuerySet):
    def confirmed(self) -> PointEntryQuerySet:
        return self.filter(status="confirmed")

    def pending(self) -> PointEntryQuerySet:
        return self.filter(status="pending")

    def in_month(self, month: datetime.date) -> PointEntryQuerySet:
        start = month.replace(day=1)
        end = (start + datetime.timedelta(days=32)).replace(day=1)
        return self.filter(occurred_on__gte=start, occurred_on__lt=end)


class BanquetDeclarationQuerySet(ScopedQuerySet):
    def flagged(self) -> BanquetDeclarationQuerySet:
        return self.filter(is_flagged=True)
