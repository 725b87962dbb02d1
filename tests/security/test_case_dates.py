"""An agreement or a visit is dated within the case: not before it was received, not in the future
(found by a tester: an agreement signed in 2099 and a visit in 1900 were accepted)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from security.models import ERR_DATE_BEFORE_CASE, ERR_DATE_IN_FUTURE, MediationAgreement
from security.services import (
    dispute_accept,
    dispute_close,
    dispute_mediate,
    dispute_record_agreement,
    dispute_transfer,
    dispute_visit,
)
from tests.errors import codes
from tests.security.factories import intake

pytestmark = [pytest.mark.django_db]


def _mediating(divisions, bodies, centre_mediator, village_mediator):
    dispute = intake(divisions["v11"], by=centre_mediator)
    dispute = dispute_transfer(dispute=dispute, to_body=bodies["v11"], by=centre_mediator, reason="转村")
    dispute = dispute_accept(dispute=dispute, by=village_mediator)
    return dispute_mediate(dispute=dispute, by=village_mediator)


@pytest.mark.parametrize(
    ("shift", "code"),
    [(datetime.timedelta(days=1), ERR_DATE_IN_FUTURE), (-datetime.timedelta(days=400), ERR_DATE_BEFORE_CASE)],
)
def test_agreement_outside_the_case_is_refused_and_nothing_written(
    divisions, bodies, rule, centre_mediator, village_mediator, shift, code
):
    dispute = _mediating(divisions, bodies, centre_mediator, village_mediator)
    with pytest.raises(ValidationError) as error:
        dispute_record_agreement(
            dispute=dispute, by=village_mediator, terms="赔偿", signed_on=timezone.localdate() + shift
        )
    assert codes(error, "signed_on") == [code]
    assert not MediationAgreement.objects.exists()


def test_visit_before_the_case_is_refused(divisions, bodies, rule, centre_mediator, village_mediator):
    dispute = _mediating(divisions, bodies, centre_mediator, village_mediator)
    agreement = dispute_record_agreement(
        dispute=dispute, by=village_mediator, terms="赔偿", signed_on=timezone.localdate()
    )
    dispute = dispute_close(dispute=agreement.dispute, by=village_mediator)
    with pytest.raises(ValidationError) as error:
        dispute_visit(dispute=dispute, by=village_mediator, visited_on=datetime.date(1900, 1, 1), satisfaction=3)
    assert codes(error, "visited_on") == [ERR_DATE_BEFORE_CASE]
    assert not dispute.visits.exists()
