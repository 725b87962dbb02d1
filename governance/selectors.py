"""Non-trivial reads of the core."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, Exists, F, Func, OuterRef, Q, QuerySet, Value
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from governance.models import Division, Household, HouseholdMember, Person, RoleAssignment, User
from governance.models.people import PARTY_STATUSES
from governance.querysets import ScopedQuerySet, is_active_user


def division_in_scope(user: Any, code: str | None = None, roles: Iterable[str] | None = None) -> Division:
    """The area a report is about: the division with ``code`` if it lies in the user's scope (with
    ``roles``), else — when no code is given — the user's own highest division.

    Raises ``Http404`` for a code outside the scope or unknown (never someone else's figures, never an
    empty page that looks like "nothing happened there") and for a user with no division at all."""
    divisions = Division.objects.for_user(user, roles=roles)
    if code:
        return get_object_or_404(divisions, code=code)
    division = divisions.order_by("depth", "path").first()
    if division is None:
        raise Http404(_("您没有管辖区划。"))
    return division


def users_in_scope(user: Any, roles: Iterable[str] | None = None) -> QuerySet[User]:
    """The staff accounts ``user`` may pick (as 报备人, 劝导人, a body's staff…): those holding a role
    somewhere in ``user``'s subtree (through ``roles``, if given). A village officer is never offered
    the district's administrators, discipline staff or other systems' service accounts. Everyone for a
    superuser; nobody for a user without a role."""
    if is_active_user(user) and user.is_superuser:
        return User.objects.all()
    assignments = RoleAssignment.objects.for_user(user, roles).filter(user_id=OuterRef("pk"))
    return User.objects.filter(Exists(assignments), is_active=True)


def choices_in_scope(queryset: QuerySet, user: Any, roles: Iterable[str] | None = None) -> QuerySet | None:
    """``queryset`` narrowed to the rows ``user`` may pick, for every related-choice field (admin
    dropdowns, API related fields, page pickers): a scoped model through ``for_user`` (with
    ``roles``), staff accounts through ``users_in_scope``; ``None`` for a model that is not scoped
    (its rows are a shared register, e.g. the goods of a catalogue)."""
    if queryset.model is User:
        return queryset.filter(pk__in=users_in_scope(user).values("pk"))
    if isinstance(queryset, ScopedQuerySet):
        return choice_queryset(queryset.for_user(user, roles=roles))
    return None


def choice_queryset(queryset: QuerySet) -> QuerySet:
    """``queryset`` with the relations its rows' labels read (the model's ``choice_select_related``,
    e.g. a household's head) joined in, so a dropdown of N rows is one query, not N + 1."""
    related = getattr(queryset.model, "choice_select_related", ())
    return queryset.select_related(*related) if related else queryset


def division_tree_breaks() -> list[str]:
    """Codes of divisions whose stored path does not follow from their parent's (should be none:
    triggers keep it; this is the nightly proof)."""
    table = Division._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT child.code FROM {table} child
            LEFT JOIN {table} parent ON parent.id = child.parent_id
            WHERE child.path IS DISTINCT FROM COALESCE(parent.path, '') || child.code || '/'
            ORDER BY child.code
            """
        )
        return [row[0] for row in cursor.fetchall()]


def child_code_expression(path_lookup: str, division: Division) -> Func:
    """For rows under ``division``: the code of the child of ``division`` they lie in ("" for rows
    attached to ``division`` itself), computed in SQL from the materialised path."""
    rest = Func(F(path_lookup), Value(len(division.path) + 1), function="substr", output_field=CharField())
    return Func(rest, Value("/"), Value(1), function="split_part", output_field=CharField())


def count_by_child(queryset: ScopedQuerySet, division: Division) -> dict[str, int]:
    """Rows of a scoped queryset in ``division``'s subtree, counted per child division, in one
    query: the breakdown behind every "by township / by village" chart."""
    scope = getattr(queryset.model, "scope_lookup", "division")
    path_lookup = f"{scope}__path" if scope else "path"
    rows = (
        queryset.in_subtree(division)
        .annotate(child_code=child_code_expression(path_lookup, division))
        .values("child_code")
        .annotate(n=Count("pk"))
        .order_by("child_code")
    )
    return {row["child_code"]: row["n"] for row in rows}


def division_register_counts(*, division: Division) -> dict[str, int]:
    """People, Party members and households in a subtree (two queries)."""
    people = Person.objects.in_subtree(division).aggregate(
        people=Count("pk"), party_members=Count("pk", filter=Q(political_status__in=PARTY_STATUSES))
    )
    return {**people, "households": Household.objects.in_subtree(division).count()}


def household_member_ids(household_ids) -> list[int]:
    """The ids of the people in these households, fetched first so that a following
    ``Person.objects.filter(pk__in=…).update(…)`` is planned as lookups by primary key. Written as
    one UPDATE with a semi-join instead, PostgreSQL chose a nested loop over full index scans when
    freshly bulk-inserted rows had no statistics yet, and took minutes."""
    return list(
        HouseholdMember.objects.filter(household_id__in=list(household_ids)).values_list("person_id", flat=True)
    )


def change_pct(current, previous) -> Decimal | None:
    """Change from ``previous`` to ``current`` in per cent, unrounded; None when there is nothing to
    compare with (no figure, or a previous figure of zero). Callers round for display."""
    if current is None or not previous:
        return None
    return (Decimal(str(current)) - Decimal(str(previous))) * 100 / abs(Decimal(str(previous)))


HOUSEHOLD_SEARCH_LIMIT = 20


def households_search(*, queryset: QuerySet[Household], q: str, limit: int = HOUSEHOLD_SEARCH_LIMIT) -> list[Household]:
    """Households of ``queryset`` (already the caller's ``for_user``) whose number contains ``q`` or
    one of whose members' names (the head's too) contains it, the name normalised like every search
    term (``governance.names``): at most ``limit`` rows, by number, heads joined. One query; an empty
    or blank term finds nothing. The search behind every household picker (issue 12 item 4)."""
    from governance.names import name_normalize

    q = q.strip()[:50]
    if not q:
        return []
    name = name_normalize(q)
    members = HouseholdMember.objects.filter(household_id=OuterRef("pk"), person__name__icontains=name)
    return list(
        queryset.filter(Q(number__icontains=q) | Q(head__name__icontains=name) | Exists(members))
        .select_related("head")
        .order_by("number")[:limit]
    )
