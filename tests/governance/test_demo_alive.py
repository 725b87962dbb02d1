"""The demo looks like a working district on whatever day it is seeded (issue 14, item 8): the
default dashboard period (this year to date) has figures, officers have open work due soon, owners'
committees are in office, and the seed article's figures still come out in their years."""

import datetime
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from governance.models import Division, User
from governance.registry import registry
from integrity.models import Campaign
from integrity.selectors import campaign_funnel
from residential.models import CommitteeRectification, OwnersCommittee
from residential.selectors import petition_yoy
from security.models import Dispute
from security.reports.selectors import three_mediations, three_situations
from security.selectors import security_stats_yoy

pytestmark = pytest.mark.django_db

# Early in a year (the default period is only days long), and years after the article, when
# the committees first elected in 2021–2023 have served out a term or two.
DAYS = [
    datetime.datetime(2027, 1, 6, 9, 0, tzinfo=datetime.UTC),
    datetime.datetime(2031, 8, 15, 3, 0, tzinfo=datetime.UTC),
]


def seed_steps() -> list[str]:
    """The steps the checks below read (the villages' and the ledger's steps take most of the time)."""
    names = [step.name for step in registry.ordered_demo_steps()]
    return [n for n in names if n.split(".")[0] in ("governance", "residential", "security")] + [
        "integrity.campaign",
        "integrity.ongoing",
    ]


def figure(key: str, division: Division, start: datetime.date, end: datetime.date):
    return registry.indicators[key].compute(division=division, start=start, end=end)


@pytest.mark.parametrize("moment", DAYS, ids=["2027-01-06", "2031-08-15"])
def test_demo_seeded_on_any_day_is_alive_and_keeps_the_seed_figures(moment):
    with time_machine.travel(moment, tick=False):
        only = [arg for name in seed_steps() for arg in ("--only", name)]
        call_command("seed_demo", "--households", "60", *only, stdout=StringIO())
        today = datetime.date(moment.year, moment.month, moment.day)
        district = Division.objects.get(code="431302")
        start = datetime.date(today.year, 1, 1)

        # The default dashboard period: this year to date.
        assert figure("security.received", district, start, today) > 0
        assert figure("integrity.funnel.clues", district, start, today) > 0
        # 接处警同比 compares ended months only: early in January no month of the year has ended, so
        # there is no figure yet ("无数据", not −100 %); later in the year there is one.
        yoy = figure("security.police_incidents_yoy", district, start, today)
        assert (yoy is None) if today.month == 1 else (yoy is not None)
        last_year = (datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31))
        assert figure("security.police_incidents_yoy", district, *last_year) is not None
        assert petition_yoy(division=district, start=start, end=today).current > 0

        # Officers' work lists: open cases of the mediator's bodies, some due in the coming days.
        mediator = User.objects.get(username="demo_mediator")
        open_cases = Dispute.objects.for_user(mediator).open()
        assert open_cases.filter(deadline__gte=today, deadline__lte=today + datetime.timedelta(days=15)).exists()
        assert CommitteeRectification.objects.filter(deadline__gte=today, done_on__isnull=True).exists()

        # Every owners' committee is in office today.
        committees = OwnersCommittee.objects.all()
        assert committees.exists()
        assert not committees.exclude(term_start__lte=today, term_end__gte=today).exists()

        # 三调联治: every kind of mediation at every level has cases; 三情联处: all three channels, and
        # 警情 handed between police stations and their 矛调中心.
        since = today - datetime.timedelta(days=700)
        mediations = three_mediations(disputes=Dispute.objects.all(), division=district, start=since, end=today)
        empty = [(k, lv) for k, row in mediations["cells"].items() for lv, cell in row.items() if not cell["received"]]
        assert not empty
        situations = three_situations(disputes=Dispute.objects.all(), division=district, start=since, end=today)
        assert all(situations["totals"][channel]["received"]["current"] for channel in situations["totals"])
        assert situations["totals"]["police"]["transferred"]["current"] > 0

        # The seed article's figures, in their years.
        stats = security_stats_yoy(division=district, start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
        assert [
            float(stats[f]["change_pct"]) for f in ("police_incidents", "criminal_cases", "administrative_cases")
        ] == [
            -3.97,
            -30.95,
            -26.02,
        ]
        petitions = petition_yoy(division=district, start=datetime.date(2024, 1, 1), end=datetime.date(2024, 12, 31))
        assert (petitions.current, petitions.previous, petitions.change_pct) == (130, 250, -48.0)
        funnel = campaign_funnel(campaign=Campaign.objects.get(), division=district)
        assert (funnel.clues, funnel.handled, funnel.cases, funnel.sanctioned, funnel.detained) == (
            667,
            602,
            379,
            306,
            21,
        )
        assert funnel.recovered == Decimal("17989600.00")
