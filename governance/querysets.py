"""Chainable reads shared by every app. ``for_user`` is the one scoping mechanism: the admin,
the pages, the API and every export call it, so an object outside the user's division subtree
is simply not found (404).

Each scoped model declares how it is scoped, and nothing else re-implements it [NetBox
``RestrictedQuerySet.restrict()``]:

- ``scope_lookup``: its path to a division (``"division"``, ``"household__division"``…; ``""`` for
  ``Division`` itself);
- ``scope_roles``: the roles that may see it at all (``None``: any role). Integrity models name
  discipline staff only, so a caller that forgets ``roles=`` still sees no integrity row;
- ``scope_reach``: ``Reach.SUBTREE`` (rows in the user's subtrees) or ``Reach.ANCESTORS`` (also
  rows attached to the divisions above them: a district's points rule or campaign is visible to
  the villages below it);
- ``scope_rules``: for roles whose rows are not found by place, ``{role: rule(queryset, user) -> Q}``
  (a mediator sees the cases of the bodies they staff and those they handled, wherever they are);
  the other roles see by division;
- ``scope_through``: a row visible exactly when a related row is (``"dispute"`` for a case's events).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from governance.models import Division


class Reach(enum.Enum):
    """How far up the tree a scoped row is visible (``scope_reach``)."""

    SUBTREE = "subtree"
    ANCESTORS = "ancestors"


def path_ancestors(path: str) -> list[str]:
    """Every path from the root down to ``path`` itself: ``"a/b/c/"`` → ``["a/", "a/b/", "a/b/c/"]``.
    The one parser of materialised paths (``Division.path``)."""
    out: list[str] = []
    for index, char in enumerate(path):
        if char == "/":
            out.append(path[: index + 1])
    return out


def path_codes(path: str) -> list[str]:
    """The division codes along ``path``, root first: ``"a/b/"`` → ``["a", "b"]``."""
    return [code for code in path.split("/") if code]


def minimal_prefixes(paths: Iterable[str]) -> list[str]:
    """Drop paths that lie inside another path of the list (a subtree of a subtree)."""
    result: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(kept) for kept in result):
            result.append(path)
    return result


def scope_roles_of(model: type[models.Model], roles: Iterable[str] | None = None) -> list[str] | None:
    """The roles whose assignments open ``model`` to a user: those asked for, narrowed to the
    model's own ``scope_roles`` (``None`` means any role)."""
    declared = getattr(model, "scope_roles", None)
    if roles is None:
        return None if declared is None else sorted(declared)
    asked = set(roles)
    return sorted(asked if declared is None else asked & set(declared))


def user_scope_paths(user: Any, roles: Iterable[str] | None = None) -> list[str]:
    """The division paths a user may see (through any role, or only ``roles``), cached on the user
    object for the request."""
    key = "_scope_paths" if roles is None else "_scope_paths_" + ",".join(sorted(roles))
    cached = getattr(user, key, None)
    if cached is None:
        # The user's assignments as one cached list (``User.role_paths``): no query per scope asked.
        wanted = None if roles is None else set(roles)
        cached = minimal_prefixes(path for role, path in user.role_paths if wanted is None or role in wanted)
        setattr(user, key, cached)
    return cached


def is_active_user(user: Any) -> bool:
    return user is not None and user.is_authenticated and user.is_active


class ScopedQuerySet(models.QuerySet):
    """Base queryset of every model that lives somewhere in the division tree (see the module)."""

    def _scope_field(self) -> str:
        scope = getattr(self.model, "scope_lookup", "division")
        return f"{scope}__path" if scope else "path"

    def in_subtree(self, division: Division) -> Self:
        """Rows in ``division`` and everything below it: one indexed prefix match."""
        return self.filter(**{f"{self._scope_field()}__startswith": division.path})

    def for_user(self, user: Any, roles: Iterable[str] | None = None, *, reach: Reach | None = None) -> Self:
        """Rows the user may see: inside the subtrees of their role assignments (only ``roles``, and
        only the model's ``scope_roles``), plus, for ``Reach.ANCESTORS`` models, rows of the divisions
        above them; for roles with a ``scope_rules`` entry, the rows that rule finds instead; for a
        ``scope_through`` model, the rows whose related row the user sees. Deny by default:
        anonymous, inactive or unassigned users see nothing; a superuser sees everything. One SQL
        condition, however many assignments. ``reach`` overrides the model's ``scope_reach``."""
        if not is_active_user(user):
            return self.none()
        if user.is_superuser:
            return self
        effective = scope_roles_of(self.model, roles)
        if effective is not None and not effective:
            return self.none()
        through = getattr(self.model, "scope_through", "")
        if through:
            related: Any = self.model._meta.get_field(through).related_model
            visible = related._default_manager.all().for_user(user, effective)
            return self.filter(**{f"{through}__in": visible.values("pk")})
        rules: dict[str, Any] = getattr(self.model, "scope_rules", {})
        conditions: list[Q] = []
        if rules:
            held = set(user.roles) if effective is None else set(user.roles) & set(effective)
            # Each rule once, however many of its roles the user holds (a mediator who is also police).
            for rule in dict.fromkeys(rule for role, rule in rules.items() if role in held):
                conditions.append(rule(self, user))
            # Roles with a rule of their own do not also see by place; the rest do.
            by_place = sorted(held - set(rules))
            paths = user_scope_paths(user, by_place) if by_place else []
        else:
            paths = user_scope_paths(user, effective)
        if paths:
            field = self._scope_field()
            conditions += [Q(**{f"{field}__startswith": path}) for path in paths]
            if (reach or getattr(self.model, "scope_reach", Reach.SUBTREE)) is Reach.ANCESTORS:
                above = sorted({a for path in paths for a in path_ancestors(path)} - set(paths))
                if above:
                    conditions.append(Q(**{f"{field}__in": above}))
                lookup = getattr(self.model, "scope_lookup", "division")
                if lookup and self.model._meta.get_field(lookup.split("__")[0]).null:
                    # A row tied to no division (a rule for everywhere) stands above every division.
                    conditions.append(Q(**{f"{lookup}__isnull": True}))
        if not conditions:
            return self.none()
        return self.filter(reduce(or_, conditions))

    def editable_by(self, user: Any, roles: Iterable[str] | None = None) -> Self:
        """The rows ``user`` may change: those of their own subtrees only. A ``Reach.ANCESTORS`` row
        issued above them (a district's rule) is visible to them but not theirs to change."""
        return self.for_user(user, roles, reach=Reach.SUBTREE)


def model_open_to(user: Any, model: type[models.Model]) -> bool:
    """Whether ``user`` may see ``model`` at all: any signed-in active user for most models, only
    holders of its ``scope_roles`` (or a superuser) for closed ones such as the integrity app's. For
    everyone else such a model does not exist: its pages, admin and API answer 404."""
    if not is_active_user(user):
        return False
    declared = getattr(model, "scope_roles", None)
    return declared is None or user.is_superuser or bool(set(user.roles) & set(declared))


def row_editable_by(obj: models.Model, user: Any) -> bool:
    """Whether ``user`` may change ``obj``: always for a ``Reach.SUBTREE`` row they can see; for a
    ``Reach.ANCESTORS`` row only when it lies in their own subtree (a district's rule seen from a
    village is read-only there). One query for ANCESTORS rows, none otherwise."""
    model = type(obj)
    if getattr(model, "scope_reach", Reach.SUBTREE) is not Reach.ANCESTORS:
        return True
    rows: Any = model._default_manager.all()  # a ScopedQuerySet: the model declares scope_reach
    return rows.editable_by(user).filter(pk=obj.pk).exists()
