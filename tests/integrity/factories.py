"""factory_boy factories of the integrity app."""

from __future__ import annotations

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from integrity.choices import (
    CleanUnitKind,
    CleanUnitStatus,
    ClueCategory,
    ClueSource,
    ClueStatus,
    Disposition,
    MeasureKind,
    ProjectLevel,
    RecoveryKind,
    SanctionKind,
    VisitMethod,
)
from integrity.crypto import identity_seal
from integrity.models import (
    Campaign,
    CampaignMatter,
    CleanUnit,
    Clue,
    ClueReporter,
    IntegrityCase,
    LivelihoodProject,
    Measure,
    Milestone,
    Recovery,
    Sanction,
    Subject,
    SupervisionVisit,
    UnitRule,
)
from tests.factories import DivisionFactory, OrganizationFactory


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign

    name = factory.Sequence(lambda n: f"集中整治{n}")
    division = factory.SubFactory(DivisionFactory)
    start_date = datetime.date(2024, 4, 1)


class SubjectFactory(DjangoModelFactory):
    class Meta:
        model = Subject

    division = factory.SubFactory(DivisionFactory)
    name = factory.Sequence(lambda n: f"王{n}")
    unit = "某村民委员会"
    post = "村会计"
    is_party_member = True


class ClueFactory(DjangoModelFactory):
    class Meta:
        model = Clue
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"XS-{n:05d}")
    division = factory.SubFactory(DivisionFactory)
    source = ClueSource.PETITION
    received_on = datetime.date(2025, 1, 10)
    category = ClueCategory.NEAR_THE_PEOPLE
    summary = "反映优亲厚友"

    @factory.post_generation
    def subjects(self, create, extracted, **kwargs):
        if create:
            self.subjects.set(extracted if extracted is not None else [SubjectFactory(division=self.division)])


class DisposedClueFactory(ClueFactory):
    """A clue given 初步核实: ready for 立案 (``case_file`` files only disposed clues)."""

    disposition = Disposition.VERIFY
    disposed_on = datetime.date(2025, 1, 15)
    decided_by = "纪委书记"
    status = ClueStatus.DISPOSED


class ClueReporterFactory(DjangoModelFactory):
    class Meta:
        model = ClueReporter

    class Params:
        name = "举报人赵秘密"
        phone = "13912345678"
        address = "某村某组"

    clue = factory.SubFactory(ClueFactory)
    # Sealed as the service seals it (integrity.crypto): the table never holds the clear text.
    identity = factory.LazyAttribute(lambda o: identity_seal({"name": o.name, "phone": o.phone, "address": o.address}))


class IntegrityCaseFactory(DjangoModelFactory):
    """A case filed from one clue, against that clue's subject."""

    class Meta:
        model = IntegrityCase
        skip_postgeneration_save = True

    number = factory.Sequence(lambda n: f"LA-{n:05d}")
    division = factory.SubFactory(DivisionFactory)
    filed_on = datetime.date(2025, 2, 1)

    @factory.post_generation
    def clue(self, create, extracted, **kwargs):
        if create:
            clue = extracted or ClueFactory(division=self.division, campaign=self.campaign)
            self.clues.set([clue])
            self.subjects.set(clue.subjects.all())


class MeasureFactory(DjangoModelFactory):
    class Meta:
        model = Measure

    case = factory.SubFactory(IntegrityCaseFactory)
    subject = factory.LazyAttribute(lambda o: o.case.subjects.first())
    kind = MeasureKind.DETENTION
    start_on = datetime.date(2025, 2, 2)


class SanctionFactory(DjangoModelFactory):
    class Meta:
        model = Sanction

    case = factory.SubFactory(IntegrityCaseFactory)
    subject = factory.LazyAttribute(lambda o: o.case.subjects.first())
    kind = SanctionKind.PARTY_WARNING
    decided_on = datetime.date(2025, 3, 1)


class RecoveryFactory(DjangoModelFactory):
    class Meta:
        model = Recovery

    case = factory.SubFactory(IntegrityCaseFactory)
    amount = Decimal("1000.50")
    kind = RecoveryKind.SEIZED
    recovered_on = datetime.date(2025, 3, 2)


class CampaignMatterFactory(DjangoModelFactory):
    class Meta:
        model = CampaignMatter

    campaign = factory.SubFactory(CampaignFactory)
    division = factory.SubFactory(DivisionFactory)
    title = factory.Sequence(lambda n: f"民生事项{n}")
    opened_on = datetime.date(2025, 1, 1)
    resolved_on = datetime.date(2025, 2, 1)


class LivelihoodProjectFactory(DjangoModelFactory):
    class Meta:
        model = LivelihoodProject

    year = 2025
    level = ProjectLevel.DISTRICT
    title = factory.Sequence(lambda n: f"民生实事{n}")
    division = factory.SubFactory(DivisionFactory)
    owner_unit = factory.LazyAttribute(lambda o: OrganizationFactory(division=o.division))
    budget = Decimal("100000.00")


class MilestoneFactory(DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(LivelihoodProjectFactory)
    title = "全面完成"
    planned_on = datetime.date(2025, 12, 31)
    progress = 50


class SupervisionVisitFactory(DjangoModelFactory):
    class Meta:
        model = SupervisionVisit

    project = factory.SubFactory(LivelihoodProjectFactory)
    visited_on = datetime.date(2025, 6, 1)
    method = VisitMethod.SITE


class CleanUnitFactory(DjangoModelFactory):
    class Meta:
        model = CleanUnit

    organization = factory.SubFactory(OrganizationFactory)
    kind = CleanUnitKind.VILLAGE
    status = CleanUnitStatus.BUILDING
    started_on = datetime.date(2024, 3, 1)


class UnitRuleFactory(DjangoModelFactory):
    class Meta:
        model = UnitRule

    unit = factory.SubFactory(CleanUnitFactory)
    title = factory.Sequence(lambda n: f"制度{n}")
    adopted_on = datetime.date(2024, 9, 1)
