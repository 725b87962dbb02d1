"""Chainable reads shared by every app. ``for_user`` is the one scoping mechanism: the admin,
the pages, the API and every export call it, so an object outside the user's division subtree
is simply not found (404)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Q


def minimal_prefixes(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the list (a subtree of a subtree)."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def user_scope_paths(user, roles: Iterable[str] | None = None) -> list[str]:
    """The division paths a user may see, cached on the user object for the request."""
    from governance.models import RoleAssignment

    key = "_scope_paths" if roles is None else "_scope_paths_" + ",".join(sorted(roles))
    cached = getattr(user, key, None)
    if cached is None:
        assignments = RoleAssignment.objects.filter(user_id=user.pk)
        if roles is not None:
            assignments = assignments.filter(role__in=list(roles))
        cached = minimal_prefixes(assignments.values_list("division__path", flat=True))
        setattr(user, key, cached)
    return cached


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every model that lives somewhere in the division tree.

    The model names the way to its division with ``scope_lookup`` (``"division"``,
    ``"household__division"``…; empty for ``Division`` itself).
    """

    def _path_lookup(self) -> str:
        scope = getattr(self.model, "scope_lookup", "division")
        return f"{scope}__path__startswith" if scope else "path__startswith"

    def in_subtree(self, division) -> ScopedQuerySet:
        """Rows in ``division`` and everything below it: one indexed prefix match."""
        return self.filter(**{self._path_lookup(): division.path})

    def for_user(self, user, roles: Iterable[str] | None = None) -> ScopedQuerySet:
        """Rows inside the subtrees of the user's role assignments (optionally only some roles).
        Deny by default: anonymous, inactive or unassigned users see nothing."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        paths = user_scope_paths(user, roles)
        if not paths:
            return self.none()
        lookup = self._path_lookup()
        return self.filter(reduce(or_, (Q(**{lookup: path}) for path in paths)))
