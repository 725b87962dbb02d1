"""Chainable reads of the residential registers, all standing on the core's ``ScopedQuerySet``."""

from __future__ import annotations

import datetime

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from governance.follow_ups import FollowUpQuerySet
from governance.models import Post
from governance.models.people import PARTY_STATUSES
from governance.querysets import ScopedQuerySet
from residential.choices import WorkStatus


class CompoundQuerySet(ScopedQuerySet):
    def star(self) -> CompoundQuerySet:
        """Compounds that have joined 星物管."""
        return self.filter(joined_on__isnull=False)


def _current_posts(on: datetime.date):
    return Post.objects.filter(Q(start_date__isnull=True) | Q(start_date__lte=on)).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on)
    )


def _count(subquery) -> Coalesce:
    counted = subquery.order_by().values("organization_id").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


class OwnersCommitteeQuerySet(ScopedQuerySet):
    def with_compliance(self, on: datetime.date | None = None) -> OwnersCommitteeQuerySet:
        """Adds, in the same query: members, Party members among them, 交叉任职 both ways, the
        Party share in per cent, whether the term has expired and whether the ≥ 50 % rule holds."""
        on = on or timezone.localdate()
        posts = _current_posts(on)
        members = posts.filter(organization_id=OuterRef("organization_id"))
        branch_posts = posts.filter(organization_id=OuterRef("compound__party_branch_id"))
        committee_posts = posts.filter(organization_id=OuterRef("organization_id"))
        in_branch = posts.filter(
            organization_id=OuterRef(OuterRef("compound__party_branch_id")), person_id=OuterRef("person_id")
        )
        in_committee = posts.filter(
            organization_id=OuterRef(OuterRef("organization_id")), person_id=OuterRef("person_id")
        )
        return self.annotate(
            member_count=_count(members),
            party_count=_count(members.filter(person__political_status__in=PARTY_STATUSES)),
            cross_in_branch=_count(committee_posts.filter(Exists(in_branch))),
            branch_in_committee=_count(branch_posts.filter(Exists(in_committee))),
        ).annotate(
            party_share=Case(
                When(member_count=0, then=Value(0.0)),
                default=F("party_count") * 100.0 / F("member_count"),
                output_field=FloatField(),
            ),
            term_expired=Case(When(term_end__lt=on, then=Value(True)), default=Value(False)),
            party_rule_met=Case(
                When(member_count__gt=0, party_count__gte=F("member_count") / 2.0, then=Value(True)),
                default=Value(False),
            ),
        )

    def out_of_compliance(self, on: datetime.date | None = None) -> OwnersCommitteeQuerySet:
        """Committees whose Party members are fewer than half of their members (the ≥ 50 % rule)."""
        return self.with_compliance(on).filter(party_rule_met=False)


class PetitionQuerySet(ScopedQuerySet):
    def received_between(self, start: datetime.date, end: datetime.date) -> PetitionQuerySet:
        return self.filter(received_on__gte=start, received_on__lte=end)


class RectificationQuerySet(FollowUpQuerySet):
    """业委会整治: done when its status is 已办结; due by ``deadline``."""

    def done_condition(self) -> Q:
        return Q(status=WorkStatus.DONE)


class EnforcementVisitQuerySet(FollowUpQuerySet):
    """执法进小区: followed when the visit set a rectification deadline (``rectify_by``); done once
    ``rectified_on`` is recorded."""

    due_field = "rectify_by"

    def done_condition(self) -> Q:
        return Q(rectified_on__isnull=False)


class ResolutionQuerySet(FollowUpQuerySet):
    """楼宇会决议: done when its follow-up status is 已办结; due by ``deadline``."""

    def done_condition(self) -> Q:
        return Q(status=WorkStatus.DONE)
