"""Bad input gets a clear error naming the field, and nothing is written."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from integrity import services
from integrity.choices import (
    ERR_AMOUNT_NOT_POSITIVE,
    ERR_CLUE_NOT_READY,
    ERR_DATES_ORDER,
    ERR_GOVERNMENT_SANCTION_NON_OFFICIAL,
    ERR_INVALID_CHOICE,
    ERR_PARTY_SANCTION_NON_MEMBER,
    ERR_SANCTION_NEEDS_CASE,
    ClueStatus,
    Disposition,
    RecoveryKind,
    SanctionKind,
)
from integrity.models import CaseClueLink, CaseSubjectLink, Clue, ClueSubjectLink, IntegrityCase, Recovery, Sanction
from tests.api_mixin import assert_error_body
from tests.auth import verified_login
from tests.errors import codes
from tests.integrity.factories import ClueFactory, DisposedClueFactory, IntegrityCaseFactory, SubjectFactory

pytestmark = pytest.mark.django_db


def test_party_sanction_for_a_non_member_is_refused_and_nothing_is_written(divisions):
    subject = SubjectFactory(division=divisions["v11"], is_party_member=False)
    case = IntegrityCaseFactory(
        division=divisions["v11"], clue=ClueFactory(division=divisions["v11"], subjects=[subject])
    )
    with pytest.raises(ValidationError) as error:
        services.sanction_decide(subject=subject, case=case, kind=SanctionKind.PARTY_WARNING, decided_on=case.filed_on)
    assert codes(error.value, "kind") == [ERR_PARTY_SANCTION_NON_MEMBER]
    assert not Sanction.objects.exists()


def test_government_sanction_for_a_non_official_is_refused(divisions):
    subject = SubjectFactory(division=divisions["v11"], is_public_official=False)
    case = IntegrityCaseFactory(
        division=divisions["v11"], clue=ClueFactory(division=divisions["v11"], subjects=[subject])
    )
    with pytest.raises(ValidationError) as error:
        services.sanction_decide(subject=subject, case=case, kind=SanctionKind.GOV_DEMERIT, decided_on=case.filed_on)
    assert codes(error.value, "kind") == [ERR_GOVERNMENT_SANCTION_NON_OFFICIAL]


def test_formal_sanction_without_a_case_is_refused(divisions):
    clue = ClueFactory(division=divisions["v11"])
    with pytest.raises(ValidationError) as error:
        services.sanction_decide(
            subject=clue.subjects.get(), clue=clue, kind=SanctionKind.PARTY_WARNING, decided_on=clue.received_on
        )
    assert codes(error.value, "case") == [ERR_SANCTION_NEEDS_CASE]
    assert not Sanction.objects.exists()


def test_sanction_before_the_case_was_filed_is_refused(divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    with pytest.raises(ValidationError) as error:
        services.sanction_decide(
            subject=case.subjects.get(),
            case=case,
            kind=SanctionKind.PARTY_WARNING,
            decided_on=case.filed_on - datetime.timedelta(days=1),
        )
    assert codes(error.value, "decided_on") == [ERR_DATES_ORDER]


def test_recovery_without_a_case_or_with_a_negative_amount_is_refused(divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    with pytest.raises(ValidationError) as error:
        services.recovery_record(case=None, amount=Decimal("10"), kind=RecoveryKind.SEIZED, recovered_on=case.filed_on)
    assert "case" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.recovery_record(
            case=case, amount=Decimal("-1.00"), kind=RecoveryKind.SEIZED, recovered_on=case.filed_on
        )
    assert ERR_AMOUNT_NOT_POSITIVE in codes(error.value, "amount")
    assert not Recovery.objects.exists()


def test_disposition_outside_the_four_is_refused(divisions):
    clue = ClueFactory(division=divisions["v11"])
    with pytest.raises(ValidationError) as error:
        services.clue_dispose(clue=clue, disposition="ignore", disposed_on=clue.received_on, decided_by="书记")
    assert codes(error.value, "disposition") == [ERR_INVALID_CHOICE]
    clue.refresh_from_db()
    assert clue.disposition == "" and clue.status == ClueStatus.RECEIVED


def test_disposition_before_the_clue_was_received_is_refused(divisions):
    clue = ClueFactory(division=divisions["v11"])
    with pytest.raises(ValidationError) as error:
        services.clue_dispose(
            clue=clue,
            disposition=Disposition.TALK,
            disposed_on=clue.received_on - datetime.timedelta(days=1),
            decided_by="书记",
        )
    assert ERR_DATES_ORDER in codes(error.value, "disposed_on")
    assert Clue.objects.get(pk=clue.pk).disposition == ""


def test_case_filed_before_its_clue_is_refused_and_nothing_is_written(divisions):
    clue = DisposedClueFactory(division=divisions["v11"])
    with pytest.raises(ValidationError) as error:
        services.case_file(
            number="LA-1",
            division=divisions["v11"],
            clues=[clue],
            subjects=clue.subjects.all(),
            filed_on=clue.received_on - datetime.timedelta(days=1),
        )
    assert codes(error.value, "filed_on") == [ERR_DATES_ORDER]
    assert not IntegrityCase.objects.exists()


def test_case_file_marks_its_clues_filed(divisions):
    clue = DisposedClueFactory(division=divisions["v11"])
    case = services.case_file(
        number="LA-1", division=divisions["v11"], clues=[clue], subjects=clue.subjects.all(), filed_on=clue.received_on
    )
    clue.refresh_from_db()
    assert clue.status == ClueStatus.FILED
    assert list(case.clues.all()) == [clue]


def test_case_close_concludes_the_clues_it_was_filed_from(divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    with pytest.raises(ValidationError) as error:
        services.case_close(case=case, closed_on=case.filed_on - datetime.timedelta(days=1))
    assert ERR_DATES_ORDER in codes(error.value, "closed_on")
    services.case_close(case=case, closed_on=case.filed_on + datetime.timedelta(days=30))
    assert set(case.clues.values_list("status", flat=True)) == {ClueStatus.CONCLUDED}


def test_who_a_clue_or_case_is_about_is_in_the_audit_trail(divisions):
    clue = DisposedClueFactory(division=divisions["v11"])
    other = SubjectFactory(division=divisions["v11"])
    case = services.case_file(
        number="LA-1", division=divisions["v11"], clues=[clue], subjects=clue.subjects.all(), filed_on=clue.received_on
    )
    clue.subjects.add(other)
    case.subjects.set([other])
    assert ClueSubjectLink.pgh_event_model.objects.filter(clue=clue, subject=other, pgh_label="add").exists()
    assert CaseClueLink.pgh_event_model.objects.filter(integritycase=case, clue=clue, pgh_label="add").exists()
    assert list(
        CaseSubjectLink.pgh_event_model.objects.filter(integritycase=case).order_by("pgh_id").values_list("pgh_label")
    ) == [("add",), ("remove",), ("add",)]


# --- the same through the API ---------------------------------------------------------------------


@pytest.fixture
def api(inspector):
    client = APIClient()
    verified_login(client, inspector)
    return client


def test_api_refuses_a_negative_recovery_naming_amount(api, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    data = {"case": case.pk, "amount": "-5.00", "kind": "seized", "recovered_on": "2025-03-01"}
    body = assert_error_body(api.post(reverse("api:integrity-api:recovery-list"), data, format="json"), 400, "amount")
    assert body["errors"]["amount"][0]["code"] == ERR_AMOUNT_NOT_POSITIVE
    assert not Recovery.objects.exists()


def test_api_refuses_a_recovery_without_a_case(api):
    data = {"amount": "5.00", "kind": "seized", "recovered_on": "2025-03-01"}
    assert_error_body(api.post(reverse("api:integrity-api:recovery-list"), data, format="json"), 400, "case")
    assert not Recovery.objects.exists()


def test_api_refuses_a_party_sanction_for_a_non_member(api, divisions):
    subject = SubjectFactory(division=divisions["v11"], is_party_member=False)
    case = IntegrityCaseFactory(
        division=divisions["v11"], clue=ClueFactory(division=divisions["v11"], subjects=[subject])
    )
    data = {"subject": subject.pk, "case": case.pk, "kind": "party_expulsion", "decided_on": "2025-03-01"}
    body = assert_error_body(api.post(reverse("api:integrity-api:sanction-list"), data, format="json"), 400, "kind")
    assert body["errors"]["kind"][0]["code"] == ERR_PARTY_SANCTION_NON_MEMBER
    assert not Sanction.objects.exists()


def test_api_refuses_a_disposition_outside_the_four(api, divisions):
    clue = ClueFactory(division=divisions["v11"])
    data = {"disposition": "ignore", "disposed_on": "2025-02-01", "decided_by": "书记"}
    url = reverse("api:integrity-api:clue-dispose", args=[clue.pk])
    body = assert_error_body(api.post(url, data, format="json"), 400, "disposition")
    assert body["errors"]["disposition"][0]["code"] == ERR_INVALID_CHOICE
    assert Clue.objects.get(pk=clue.pk).disposition == ""


def test_api_disposes_a_clue(api, divisions):
    clue = ClueFactory(division=divisions["v11"])
    data = {"disposition": "talk", "disposed_on": "2025-02-01", "decided_by": "书记"}
    response = api.post(reverse("api:integrity-api:clue-dispose", args=[clue.pk]), data, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["disposition"] == Disposition.TALK
    assert "reporter" not in response.json()


@pytest.mark.parametrize("state", ["received", "in_a_case", "closed"])
def test_case_file_refuses_a_clue_not_ready_for_filing_and_writes_nothing(divisions, state):
    """A user trial filed cases (API 201, form 302) from a clue never disposed, from one already in
    another case (it then belonged to two) and from one closed by 予以了结 (its 已办结 flipped back)."""
    if state == "received":
        clue = ClueFactory(division=divisions["v11"])
    elif state == "in_a_case":
        clue = DisposedClueFactory(division=divisions["v11"])
        services.case_file(
            number="LA-FIRST",
            division=divisions["v11"],
            clues=[clue],
            subjects=list(clue.subjects.all()),
            filed_on=datetime.date(2025, 2, 1),
        )
        clue.status = ClueStatus.DISPOSED  # a stale instance: the service reads the row itself
    else:
        clue = DisposedClueFactory(
            division=divisions["v11"], disposition=Disposition.CLOSE, status=ClueStatus.CONCLUDED
        )
    before = IntegrityCase.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.case_file(
            number="LA-SECOND",
            division=divisions["v11"],
            clues=[clue],
            subjects=list(clue.subjects.all()),
            filed_on=datetime.date(2025, 2, 2),
        )
    assert refused.value.error_dict["clues"][0].code == ERR_CLUE_NOT_READY
    assert clue.number in refused.value.messages[0]
    assert IntegrityCase.objects.count() == before
    clue.refresh_from_db()
    unchanged = {"received": ClueStatus.RECEIVED, "in_a_case": ClueStatus.FILED, "closed": ClueStatus.CONCLUDED}
    assert clue.status == unchanged[state]
    assert clue.cases.count() == (1 if state == "in_a_case" else 0)
