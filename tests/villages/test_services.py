import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from governance.models import Household, Person
from governance.services import record_save
from governance.validators import ERR_USCC_CHECKSUM
from tests.errors import codes
from tests.factories import HouseholdFactory
from tests.villages.factories import make_hamlet, make_household, make_operator, make_plot
from villages import services
from villages.models import (
    ContractPlot,
    HamletMeetingAttendeeLink,
    LandTransfer,
    LandTransferPlotLink,
    Operator,
    ShareHolding,
    ShareRule,
    TransferFrom,
)
from villages.services import (
    ERR_HOUSEHOLD_OTHER_HAMLET,
    ERR_TRANSFER_TOO_LARGE,
)

pytestmark = pytest.mark.django_db


def test_hamlet_gets_its_own_division_node_and_three_bodies(divisions):
    hamlet = make_hamlet(divisions["v11"], complete=False)
    assert hamlet.division.level == "hamlet"
    assert hamlet.division.parent == divisions["v11"]
    assert sorted(hamlet.division.organizations.values_list("kind", flat=True)) == [
        "cooperative",
        "council",
        "party_group",
    ]


def test_assigning_a_household_moves_it_and_its_members_into_the_hamlet(divisions, hamlet):
    household = HouseholdFactory(division=divisions["v11"], with_head=True)
    assert services.hamlet_households_assign(hamlet=hamlet, households=[household]) == 1
    household.refresh_from_db()
    assert household.division == hamlet.division
    assert Person.objects.get(pk=household.head_id).division == hamlet.division


def test_household_already_in_another_hamlet_is_refused_and_nothing_moves(divisions, hamlet):
    second = make_hamlet(divisions["v11"])
    household = make_household(hamlet)
    with pytest.raises(ValidationError) as caught:
        services.hamlet_households_assign(hamlet=second, households=[household])
    assert codes(caught.value, "households") == [ERR_HOUSEHOLD_OTHER_HAMLET]
    assert Household.objects.get(pk=household.pk).division == hamlet.division


def test_changing_contract_area_makes_a_new_share_version_and_keeps_the_old(hamlet):
    household = make_household(hamlet)
    plot = make_plot(household, "2.00")
    first = ShareHolding.objects.get(household=household)
    assert first.shares == Decimal("2.00") and first.valid_to is None

    services.contract_plot_update(plot=plot, area=Decimal("3.50"))

    versions = list(ShareHolding.objects.filter(household=household).order_by("id"))
    assert len(versions) == 2
    assert versions[0].pk == first.pk and versions[0].shares == Decimal("2.00") and versions[0].valid_to is not None
    assert versions[1].shares == Decimal("3.50") and versions[1].valid_to is None


def test_share_rule_of_the_cooperative_sets_the_shares(hamlet):
    cooperative = services.hamlet_cooperative(hamlet.division_id)
    record_save(instance=ShareRule(cooperative=cooperative, shares_per_mu=Decimal("1.20"), base_shares=Decimal("1")))
    household = make_household(hamlet)
    make_plot(household, "2.00")
    assert ShareHolding.objects.current().get(household=household).shares == Decimal("3.40")


def test_database_refuses_overlapping_versions_even_without_the_service(hamlet):
    from django.db import IntegrityError, transaction

    household = make_household(hamlet)
    make_plot(household, "1.00")
    current = ShareHolding.objects.get(household=household)
    with pytest.raises(IntegrityError), transaction.atomic():
        ShareHolding.objects.create(
            household=household,
            cooperative=current.cooperative,
            shares=Decimal("5"),
            contracted_area=Decimal("5"),
            valid_from=current.valid_from - datetime.timedelta(days=30),
            valid_to=current.valid_from + datetime.timedelta(days=1),
        )


def test_negative_area_is_refused_and_nothing_written(hamlet):
    household = make_household(hamlet)
    with pytest.raises(ValidationError) as caught:
        services.contract_plot_create(household=household, contract_number="X-1", area=Decimal("-1"))
    assert "area" in caught.value.error_dict
    assert not ContractPlot.objects.filter(contract_number="X-1").exists()


def test_transfer_of_more_area_than_the_plots_hold_is_refused(divisions, hamlet):
    household = make_household(hamlet)
    plot = make_plot(household, "1.00")
    operator = make_operator(divisions["v11"])
    with pytest.raises(ValidationError) as caught:
        services.land_transfer_create(
            hamlet=hamlet,
            operator=operator,
            transferor=TransferFrom.HOUSEHOLD,
            household=household,
            plots=[plot],
            area=Decimal("1.50"),
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2030, 1, 1),
            annual_rent=Decimal("600"),
        )
    assert codes(caught.value, "area") == [ERR_TRANSFER_TOO_LARGE]
    assert not LandTransfer.objects.exists()


def test_negative_rent_is_refused(divisions, hamlet):
    household = make_household(hamlet)
    plot = make_plot(household, "1.00")
    with pytest.raises(ValidationError) as caught:
        services.land_transfer_create(
            hamlet=hamlet,
            operator=make_operator(divisions["v11"]),
            transferor=TransferFrom.COOPERATIVE,
            plots=[plot],
            area=Decimal("1.00"),
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2030, 1, 1),
            annual_rent=Decimal("-5"),
        )
    assert "annual_rent" in caught.value.error_dict
    assert not LandTransfer.objects.exists()


def test_operator_with_invalid_uscc_is_refused(divisions):
    operator = Operator(kind="enterprise", name="某公司", uscc="91431302MA4L000000", division=divisions["v11"])
    with pytest.raises(ValidationError) as caught:
        services.operator_save(operator=operator)
    assert codes(caught.value, "uscc") == [ERR_USCC_CHECKSUM]
    assert not Operator.objects.exists()


def test_changing_a_land_transfers_plots_leaves_an_event_per_link(divisions, hamlet):
    household = make_household(hamlet)
    first, second = make_plot(household, "1.00"), make_plot(household, "1.00")
    transfer = services.land_transfer_create(
        hamlet=hamlet,
        operator=make_operator(divisions["v11"]),
        transferor=TransferFrom.HOUSEHOLD,
        household=household,
        plots=[first],
        area=Decimal("1.00"),
        start_date=datetime.date(2025, 1, 1),
        end_date=datetime.date(2030, 1, 1),
        annual_rent=Decimal("600"),
    )
    services.land_transfer_update(transfer=transfer, plots=[second])
    events = LandTransferPlotLink.pgh_event_model.objects.filter(landtransfer_id=transfer.pk).order_by("pgh_id")
    assert list(events.values_list("pgh_label", "contractplot_id")) == [
        ("add", first.pk),
        ("remove", first.pk),
        ("add", second.pk),
    ]


def test_a_meetings_attendees_are_in_the_audit_trail(divisions, hamlet):
    person = make_household(hamlet).head
    meeting = services.hamlet_meeting_record(
        hamlet=hamlet, held_on=datetime.date(2025, 6, 1), topics="修路", attendees=[person]
    )
    meeting.attendees.remove(person)
    events = HamletMeetingAttendeeLink.pgh_event_model.objects.filter(hamletmeeting_id=meeting.pk).order_by("pgh_id")
    assert list(events.values_list("pgh_label", "person_id")) == [("add", person.pk), ("remove", person.pk)]
