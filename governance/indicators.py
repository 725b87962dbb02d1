"""What the core adds to the leaders' dashboard: the size of the area's registers."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from governance.models import Household, Person
from governance.models.people import PARTY_STATUSES
from governance.registry import SNAPSHOT, Indicator, Rollup, RollupSource, RollupTrigger, registry

# How things stand: the registers' sizes per division (a snapshot, whatever the period).
registry.rollup_source(
    RollupSource(
        key="governance.people",
        from_sql="governance_person t",
        measures={
            "people": "count(*)",
            "party_members": "count(*) FILTER (WHERE t.political_status IN ({}))".format(
                ", ".join(f"'{status}'" for status in PARTY_STATUSES)
            ),
        },
        triggers=(RollupTrigger("governance_person"),),
    )
)
registry.rollup_source(
    RollupSource(
        key="governance.households",
        from_sql="governance_household t",
        measures={"households": "count(*)"},
        triggers=(RollupTrigger("governance_household"),),
    )
)


def _people(*, division, start=None, end=None) -> int:
    return Person.objects.in_subtree(division).count()


def _party_members(*, division, start=None, end=None) -> int:
    return Person.objects.in_subtree(division).party_members().count()


def _households(*, division, start=None, end=None) -> int:
    return Household.objects.in_subtree(division).count()


registry.indicator(
    Indicator(
        "governance.people",
        _("登记人口"),
        "organisation",
        _people,
        _("人"),
        10,
        dated=False,
        rollup=Rollup("governance.people", "people", kind=SNAPSHOT),
    )
)
registry.indicator(
    Indicator(
        "governance.party_members",
        _("党员"),
        "organisation",
        _party_members,
        _("人"),
        11,
        dated=False,
        rollup=Rollup("governance.people", "party_members", kind=SNAPSHOT),
    )
)
registry.indicator(
    Indicator(
        "governance.households",
        _("家庭户"),
        "organisation",
        _households,
        _("户"),
        12,
        dated=False,
        charts=("by_child",),
        rollup=Rollup("governance.households", "households", kind=SNAPSHOT),
    )
)
