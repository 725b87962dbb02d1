"""Chainable reads of the villages registers, all standing on the core's ``ScopedQuerySet``."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db import models
from django.db.models import Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from governance.follow_ups import FollowUpQuerySet
from governance.models import Organization, OrganizationKind, Post
from governance.models.people import PARTY_STATUSES
from governance.querysets import ScopedQuerySet
from villages.choices import BODY_KINDS, FollowUpStatus, TransferStatus


def _current_posts(kind: str) -> QuerySet[Post]:
    """Current posts of the hamlet's body of ``kind`` (correlated to the outer hamlet's division)."""
    return Post.objects.current().filter(
        organization__division_id=OuterRef("division_id"), organization__kind=kind, organization__is_active=True
    )


def completeness_conditions() -> dict[str, Q]:
    """What "三屋同治" needs of a 屋场, as conditions on the outer 屋场 row: each of ``lacks_body``,
    ``lacks_head`` and ``lacks_party_member`` is true when the 屋场 falls short. Correlated EXISTS
    subqueries, so annotating or counting any subtree is one query."""

    def body(kind: str) -> Exists:
        return Exists(Organization.objects.filter(division_id=OuterRef("division_id"), kind=kind, is_active=True))

    def headed(kind: str) -> Exists:
        return Exists(_current_posts(kind).filter(is_head=True))

    party = Exists(_current_posts(OrganizationKind.PARTY_GROUP).filter(person__political_status__in=PARTY_STATUSES))
    return {
        "lacks_body": Q(~body(BODY_KINDS[0])) | Q(~body(BODY_KINDS[1])) | Q(~body(BODY_KINDS[2])),
        "lacks_head": Q(~headed(BODY_KINDS[0])) | Q(~headed(BODY_KINDS[1])) | Q(~headed(BODY_KINDS[2])),
        "lacks_party_member": Q(~party),
    }


def any_gap(conditions: dict[str, Q]) -> Q:
    """True when the 屋场 falls short on any of ``conditions`` (those of ``completeness_conditions``)."""
    return reduce(or_, conditions.values())


class HamletQuerySet(ScopedQuerySet):
    def with_completeness(self) -> HamletQuerySet:
        """Annotate ``lacks_body``, ``lacks_head``, ``lacks_party_member`` and ``is_complete``."""
        conditions = completeness_conditions()
        return self.annotate(
            **{name: ExpressionWrapper(c, output_field=models.BooleanField()) for name, c in conditions.items()},
            is_complete=ExpressionWrapper(~any_gap(conditions), output_field=models.BooleanField()),
        )

    def incomplete(self) -> HamletQuerySet:
        """屋场 lacking a body, a head or a Party member in the Party group."""
        return self.filter(any_gap(completeness_conditions()))

    def complete(self) -> HamletQuerySet:
        """屋场 with all three bodies, each headed, and a Party member in the Party group."""
        return self.exclude(any_gap(completeness_conditions()))


class ShareHoldingQuerySet(ScopedQuerySet):
    def current(self) -> ShareHoldingQuerySet:
        """The versions in force (no end date): one per household and cooperative."""
        return self.filter(valid_to__isnull=True)


class LandTransferQuerySet(ScopedQuerySet):
    def active(self) -> LandTransferQuerySet:
        """Transfers being performed (履约中): their plots are taken."""
        return self.filter(status=TransferStatus.ACTIVE)


class HamletResolutionQuerySet(FollowUpQuerySet):
    """屋场会决议 as a follow-up list (``governance.follow_ups``, the states of the residential follow-ups):
    done when 落实情况 is 已办结; due by its 办结时限 (``due_on``); a resolution without one is still open."""

    due_field = "due_on"
    open_needs_due = False

    def done_condition(self) -> Q:
        return Q(follow_up=FollowUpStatus.DONE)
