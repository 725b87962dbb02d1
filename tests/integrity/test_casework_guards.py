"""The tester's faults in integrity casework, each refused in the service so the page, the API and
the admin all refuse: writes to a closed case (409 / Chinese error), 留置 dates (future start, over
six months, overlap), closing with open measures, a refused close not shown as closed, dates out of
range, re-disposing a clue, an over-long clue summary. Nothing is written in any refused case."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance.errors import Conflict
from integrity import services
from integrity.choices import CleanUnitStatus, ClueStatus, Disposition, MeasureKind, SanctionKind
from integrity.models import Clue, Evaluation, IntegrityCase, Measure, Recovery, Sanction
from integrity.models.clues import SUMMARY_MAX_LENGTH
from tests.api_mixin import assert_error_body
from tests.auth import verified_login
from tests.integrity.factories import CleanUnitFactory, ClueFactory, IntegrityCaseFactory

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def page(client, inspector):
    verified_login(client, inspector)
    return client


@pytest.fixture
def api(inspector):
    api = APIClient()
    verified_login(api, inspector)
    return api


def _closed_case(divisions) -> IntegrityCase:
    case = IntegrityCaseFactory(division=divisions["v11"])
    services.case_close(case=case, closed_on=datetime.date(2025, 4, 1))
    return case


def _counts() -> tuple[int, int, int]:
    return Measure.objects.count(), Sanction.objects.count(), Recovery.objects.count()


def test_a_closed_case_refuses_measures_sanctions_recoveries_on_the_page(page, divisions):
    case = _closed_case(divisions)
    subject = case.subjects.get()
    posts = {
        "measure-take": {"measure-subject": subject.pk, "measure-kind": "talk", "measure-start_on": "2025-04-05"},
        "sanction-decide": {
            "sanction-subject": subject.pk,
            "sanction-kind": SanctionKind.PARTY_WARNING,
            "sanction-decided_on": "2025-04-05",
        },
        "recovery-record": {"recovery-kind": "seized", "recovery-amount": "100", "recovery-recovered_on": "2025-04-05"},
    }
    for name, data in posts.items():
        response = page.post(reverse(f"integrity:{name}", args=[case.pk]), data)
        assert response.status_code == 400, name
        assert "该案件已结案，不能再登记或变更" in response.content.decode(), name
    assert _counts() == (0, 0, 0)


def test_a_closed_case_refuses_writes_in_the_api_with_409(api, divisions):
    case = _closed_case(divisions)
    subject = case.subjects.get()
    posts = {
        "recovery-list": {"case": case.pk, "amount": "100.00", "kind": "seized", "recovered_on": "2025-04-05"},
        "measure-list": {"case": case.pk, "subject": subject.pk, "kind": "talk", "start_on": "2025-04-05"},
        "sanction-list": {
            "case": case.pk,
            "subject": subject.pk,
            "kind": SanctionKind.PARTY_WARNING,
            "decided_on": "2025-04-05",
        },
    }
    for name, data in posts.items():
        response = api.post(reverse(f"api:integrity-api:{name}"), data, format="json")
        assert_error_body(response, 409, "case")
    assert _counts() == (0, 0, 0)


def test_a_recorded_row_of_a_closed_case_cannot_be_edited_nor_its_measure_ended(divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    recovery = services.recovery_record(
        case=case, amount=Decimal("10"), kind="seized", recovered_on=datetime.date(2025, 3, 1)
    )
    services.case_close(case=case, closed_on=datetime.date(2025, 4, 1))
    with pytest.raises(Conflict):
        services.record_edit(instance=recovery, data={"amount": Decimal("99")})
    recovery.refresh_from_db()
    assert recovery.amount == Decimal("10")


def test_a_clue_of_a_closed_case_cannot_be_disposed(divisions):
    clue = ClueFactory(division=divisions["v11"])
    case = IntegrityCaseFactory(division=divisions["v11"], clue=clue)
    services.case_close(case=case, closed_on=datetime.date(2025, 4, 1))
    with pytest.raises(Conflict):
        services.clue_dispose(
            clue=clue, disposition=Disposition.TALK, disposed_on=datetime.date(2025, 4, 2), decided_by="王"
        )
    clue.refresh_from_db()
    assert clue.disposition == ""


def _measure(case, start, end="", kind=MeasureKind.DETENTION) -> dict:
    subject = case.subjects.get()
    return {"measure-subject": subject.pk, "measure-kind": kind, "measure-start_on": start, "measure-end_on": end}


def test_detention_dates_are_checked(page, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    url = reverse("integrity:measure-take", args=[case.pk])
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for start, end, message in (
        ("2099-01-01", "", "日期不能晚于今天"),
        (tomorrow, "", "日期不能晚于今天"),
        ("2025-02-05", "2025-08-06", "合计不超过六个月"),
        ("2025-02-05", "2027-02-05", "合计不超过六个月"),
    ):
        response = page.post(url, _measure(case, start, end))
        assert response.status_code == 400 and message in response.content.decode(), (start, end)
    assert not Measure.objects.exists()
    # Exactly six months is allowed; a second 留置 overlapping it (or an open one) is refused.
    assert page.post(url, _measure(case, "2025-02-05", "2025-08-05")).status_code == 302
    for start, end in (("2025-08-05", ""), ("2025-01-01", "2025-02-05"), ("2025-03-01", "2025-04-01")):
        response = page.post(url, _measure(case, max(start, "2025-02-01"), end))
        assert response.status_code == 400 and "时间重叠的留置" in response.content.decode(), (start, end)
    assert page.post(url, _measure(case, "2025-08-06")).status_code == 302  # after the first one ended
    assert Measure.objects.count() == 2
    # Other measures are not 留置: no length or overlap rule.
    assert page.post(url, _measure(case, "2025-03-01", kind=MeasureKind.TALK)).status_code == 302


def test_lifting_a_detention_beyond_six_months_is_refused(divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    measure = services.measure_take(
        case=case, subject=case.subjects.get(), kind=MeasureKind.DETENTION, start_on=datetime.date(2025, 2, 5)
    )
    with pytest.raises(ValidationError) as error:
        services.measure_end(measure=measure, end_on=datetime.date(2025, 9, 1))
    assert "end_on" in error.value.message_dict and measure.end_on is None
    measure.refresh_from_db()
    assert measure.end_on is None


def test_closing_with_open_measures_is_refused_naming_them(page, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    subject = case.subjects.get()
    page.post(reverse("integrity:measure-take", args=[case.pk]), _measure(case, "2025-02-05"))
    response = page.post(reverse("integrity:case-close", args=[case.pk]), {"close-closed_on": "2025-04-01"})
    html = response.content.decode()
    assert response.status_code == 400 and "尚有未解除的措施" in html and f"留置（{subject.name}）" in html
    case.refresh_from_db()
    assert case.closed_on is None
    assert set(case.clues.values_list("status", flat=True)) != {ClueStatus.CONCLUDED}


def test_a_refused_close_is_not_shown_as_closed(page, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    url = reverse("integrity:case-close", args=[case.pk])
    response = page.post(url, {"close-closed_on": "2025-01-01"})  # before 立案 (2025-02-01)
    assert response.status_code == 400
    assert "结案日期不能早于立案日期。" in response.content.decode()
    assert response.context["object"].closed_on is None
    assert "close_form" in response.context  # the page still offers the close form: the case is open
    with pytest.raises(ValidationError):
        services.case_close(case=case, closed_on=datetime.date(2025, 1, 1))
    assert case.closed_on is None
    services.case_close(case=case, closed_on=datetime.date(2025, 4, 1))
    response = page.post(url, {"close-closed_on": "2025-05-01"})
    assert response.status_code == 400 and "该案件已结案。" in response.content.decode()
    case.refresh_from_db()
    assert case.closed_on == datetime.date(2025, 4, 1)


def _intake(divisions, **extra) -> dict:
    return {
        "number": "XS-2025-0009",
        "division": divisions["v11"].code,
        "source": "petition",
        "received_on": "2025-03-01",
        "category": "corruption",
        "summary": "反映村会计虚报冒领补贴",
        "subject_name": "李四",
        "subject_unit": "某村民委员会",
        **extra,
    }


def test_clue_and_evaluation_dates_are_range_checked(page, divisions):
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    for day in ("0001-01-01", "1900-01-01", "2099-01-01", future):
        response = page.post(reverse("integrity:clue-intake"), _intake(divisions, received_on=day))
        assert response.status_code == 400 and "received_on" in response.context["form"].errors, day
    assert not Clue.objects.exists()
    unit = CleanUnitFactory(organization__division=divisions["v11"])
    url = reverse("integrity:unit-evaluate", args=[unit.pk])
    for day in ("0001-01-01", future):
        data = {
            "round": 1,
            "evaluated_on": day,
            "result": CleanUnitStatus.MODEL,
            "item_0": "制度",
            "max_0": 10,
            "score_0": 8,
        }
        response = page.post(url, data)
        assert response.status_code == 400 and "evaluated_on" in response.context["form"].errors, day
    assert not Evaluation.objects.exists()
    with pytest.raises(ValidationError):
        services.clue_register(
            number="XS-1",
            division=divisions["v11"],
            source="petition",
            received_on=datetime.date(1, 1, 1),
            category="corruption",
            summary="x",
        )


def test_the_api_refuses_an_out_of_range_received_on_and_a_long_summary(api, divisions):
    url = reverse("api:integrity-api:clue-list")
    base = {
        "number": "XS-API-1",
        "division": divisions["v11"].code,
        "source": "petition",
        "received_on": "2025-03-01",
        "category": "corruption",
        "summary": "摘要",
    }
    assert_error_body(api.post(url, {**base, "received_on": "1900-01-01"}, format="json"), 400, "received_on")
    long = "长" * (SUMMARY_MAX_LENGTH + 1)
    assert_error_body(api.post(url, {**base, "summary": long}, format="json"), 400, "summary")
    assert not Clue.objects.exists()


def test_a_clue_summary_is_capped(page, divisions):
    response = page.post(reverse("integrity:clue-intake"), _intake(divisions, summary="长" * 20000))
    assert response.status_code == 400 and "summary" in response.context["form"].errors
    assert not Clue.objects.exists()
    clue = ClueFactory(division=divisions["v11"])
    with pytest.raises(ValidationError):
        services.record_edit(instance=clue, data={"summary": "长" * (SUMMARY_MAX_LENGTH + 1)})
    assert page.post(reverse("integrity:clue-intake"), _intake(divisions, summary="长" * 2000)).status_code == 302


def test_a_clue_is_disposed_only_once(page, api, divisions):
    clue = ClueFactory(division=divisions["v11"])
    url = reverse("integrity:clue-dispose", args=[clue.pk])
    data = {
        "dispose-disposition": Disposition.TALK,
        "dispose-decided_by": "王书记",
        "dispose-disposed_on": "2025-03-05",
    }
    assert page.post(url, data).status_code == 302
    response = page.post(url, {**data, "dispose-disposition": Disposition.CLOSE})
    assert response.status_code == 400 and "该线索已处置，不能重复处置" in response.content.decode()
    api_url = reverse("api:integrity-api:clue-dispose", args=[clue.pk])
    body = {"disposition": Disposition.CLOSE, "decided_by": "王", "disposed_on": "2025-03-06"}
    assert_error_body(api.post(api_url, body, format="json"), 409, "disposition")
    clue.refresh_from_db()
    assert (clue.disposition, clue.disposed_on) == (Disposition.TALK, datetime.date(2025, 3, 5))


def _no_inline_forms(*prefixes: str) -> dict[str, str]:
    data = {}
    for prefix in prefixes:
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


def test_the_admin_refuses_on_the_form_recoveries_of_a_closed_case_and_closing_with_open_measures(
    client, inspector, divisions
):
    verified_login(client, inspector)
    closed = _closed_case(divisions)
    data = {"case": closed.pk, "kind": "seized", "amount": "100.00", "recovered_on": "2025-04-05"}
    response = client.post(reverse("admin:integrity_recovery_add"), data)
    assert response.status_code == 200 and "该案件已结案，不能再登记或变更" in response.content.decode()
    assert not Recovery.objects.exists()

    case = IntegrityCaseFactory(division=divisions["v11"])
    services.measure_take(
        case=case, subject=case.subjects.get(), kind=MeasureKind.DETENTION, start_on=datetime.date(2025, 2, 5)
    )
    data = {
        "number": case.number,
        "division": case.division_id,
        "clues": [c.pk for c in case.clues.all()],
        "subjects": [s.pk for s in case.subjects.all()],
        "filed_on": "2025-02-01",
        "close_on": "2025-04-01",
        **_no_inline_forms("measures", "sanctions", "recoveries"),
    }
    data.update({"measures-INITIAL_FORMS": "1", "measures-TOTAL_FORMS": "1"})
    data["measures-0-id"] = str(case.measures.get().pk)
    data["measures-0-case"] = str(case.pk)
    response = client.post(reverse("admin:integrity_integritycase_change", args=[case.pk]), data)
    assert response.status_code == 200 and "尚有未解除的措施" in response.content.decode()
    case.refresh_from_db()
    assert case.closed_on is None
