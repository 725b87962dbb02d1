"""Casework pages (issue 13): register a clue, dispose, file a case, measures, sanctions, recoveries,
close; clean-unit evaluation. Scoping (404), bad input (Chinese errors, nothing written), the access
log, the reporter kept behind its permission, query counts of the new list."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from integrity.choices import (
    AccessAction,
    CleanUnitStatus,
    ClueStatus,
    Disposition,
    MeasureKind,
    SanctionKind,
)
from integrity.crypto import identity_open
from integrity.models import (
    AccessLog,
    Clue,
    ClueReporter,
    Evaluation,
    IntegrityCase,
    Measure,
    Recovery,
    Sanction,
    Subject,
)
from tests.auth import verified_login
from tests.integrity.factories import (
    CleanUnitFactory,
    ClueFactory,
    DisposedClueFactory,
    IntegrityCaseFactory,
    SubjectFactory,
)

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def page(client, inspector):
    verified_login(client, inspector)
    return client


def _intake(divisions, **extra):
    return {
        "number": "XS-2025-0001",
        "division": divisions["v11"].code,
        "source": "petition",
        "received_on": "2025-03-01",
        "category": "corruption",
        "summary": "反映村会计虚报冒领补贴",
        "subject_name": "李四",
        "subject_unit": "某村民委员会",
        "subject_post": "会计",
        "subject_is_party_member": "on",
        "subject_is_public_official": "on",
        "reporter_name": "张三",
        "reporter_phone": "13800138000",
        **extra,
    }


def test_intake_registers_the_clue_its_new_subject_and_the_sealed_reporter(page, divisions):
    response = page.post(reverse("integrity:clue-intake"), _intake(divisions))
    clue = Clue.objects.get()
    assert response.status_code == 302 and response.url == reverse("integrity:clue-detail", args=[clue.pk])
    assert (clue.status, clue.division) == (ClueStatus.RECEIVED, divisions["v11"])
    subject = clue.subjects.get()
    assert (subject.name, subject.is_party_member, subject.division) == ("李四", True, divisions["v11"])
    reporter = ClueReporter.objects.get(clue=clue)
    assert "张三" not in reporter.identity and identity_open(reporter.identity)["name"] == "张三"
    # The inspector has no reveal permission: the clue's page never shows the reporter.
    html = page.get(response.url).content.decode()
    assert "张三" not in html and "13800138000" not in html


def test_intake_bad_input_shows_chinese_errors_and_writes_nothing(page, divisions):
    data = _intake(divisions, received_on="2025-13-01", subject_unit="", reporter_phone="12")
    response = page.post(reverse("integrity:clue-intake"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert {"received_on", "subject_unit", "reporter_phone"} <= set(form.errors)
    assert "新增被反映人须填写工作单位" in response.content.decode()
    assert not Clue.objects.exists() and not Subject.objects.exists() and not ClueReporter.objects.exists()


def test_intake_refuses_a_division_outside_the_inspectors_subtree(page, divisions):
    response = page.post(reverse("integrity:clue-intake"), _intake(divisions, division=divisions["v21"].code))
    assert response.status_code == 400 and "division" in response.context["form"].errors
    assert not Clue.objects.exists()


def test_intake_duplicate_number_is_a_chinese_error_on_the_field(page, divisions):
    ClueFactory(number="XS-2025-0001", division=divisions["v11"])
    response = page.post(reverse("integrity:clue-intake"), _intake(divisions))
    assert response.status_code == 400 and "number" in response.context["form"].errors
    assert Clue.objects.count() == 1 and not Subject.objects.filter(name="李四").exists()


def test_dispose_through_the_page_moves_the_status_and_logs_the_view(page, divisions):
    clue = ClueFactory(division=divisions["v11"])
    url = reverse("integrity:clue-dispose", args=[clue.pk])
    data = {
        "dispose-disposition": Disposition.VERIFY,
        "dispose-decided_by": "王书记",
        "dispose-disposed_on": "2025-01-15",
    }
    assert page.post(url, data).status_code == 302
    clue.refresh_from_db()
    assert (clue.disposition, clue.status, clue.decided_by) == (Disposition.VERIFY, ClueStatus.DISPOSED, "王书记")
    assert AccessLog.objects.filter(clue=clue, action=AccessAction.OPEN).exists()


def test_dispose_bad_input_is_refused_and_nothing_changes(page, divisions):
    clue = ClueFactory(division=divisions["v11"])
    url = reverse("integrity:clue-dispose", args=[clue.pk])
    bad = {"dispose-disposition": "transfer", "dispose-decided_by": "", "dispose-disposed_on": "2025-01-15"}
    response = page.post(url, bad)
    assert response.status_code == 400 and {"disposition", "decided_by"} <= set(response.context["dispose_form"].errors)
    early = {"dispose-disposition": Disposition.TALK, "dispose-decided_by": "王", "dispose-disposed_on": "2024-01-01"}
    response = page.post(url, early)
    assert response.status_code == 400 and "处置日期不能早于受理日期" in response.content.decode()
    clue.refresh_from_db()
    assert (clue.disposition, clue.status) == ("", ClueStatus.RECEIVED)


def test_case_filed_from_two_clues_marks_both_filed(page, divisions):
    subject = SubjectFactory(division=divisions["v11"])
    clues = [DisposedClueFactory(division=divisions["v11"], subjects=[subject]) for _ in range(2)]
    data = {
        "number": "LA-2025-01",
        "division": divisions["v11"].code,
        "clues": [c.pk for c in clues],
        "subjects": [subject.pk],
        "filed_on": "2025-02-01",
    }
    response = page.post(reverse("integrity:case-file"), data)
    case = IntegrityCase.objects.get()
    assert response.status_code == 302 and response.url == reverse("integrity:case-detail", args=[case.pk])
    assert set(Clue.objects.values_list("status", flat=True)) == {ClueStatus.FILED}
    # The filing form opened from a clue ticks it and its people.
    other = ClueFactory(division=divisions["v11"])
    form = page.get(reverse("integrity:case-file"), {"clue": other.pk}).context["form"]
    assert form.initial["clues"] == [other.pk]


def test_case_filing_bad_input_writes_nothing(page, divisions):
    clue = DisposedClueFactory(division=divisions["v11"])
    data = {"number": "", "division": divisions["v11"].code, "clues": [], "subjects": [], "filed_on": "2025-02-01"}
    response = page.post(reverse("integrity:case-file"), data)
    assert response.status_code == 400 and {"number", "clues", "subjects"} <= set(response.context["form"].errors)
    early = {
        **data,
        "number": "LA-1",
        "clues": [clue.pk],
        "subjects": [clue.subjects.get().pk],
        "filed_on": "2024-01-01",
    }
    response = page.post(reverse("integrity:case-file"), early)
    assert response.status_code == 400 and "立案日期不能早于线索受理日期" in response.content.decode()
    assert not IntegrityCase.objects.exists()
    clue.refresh_from_db()
    assert clue.status == ClueStatus.DISPOSED


def test_the_filing_form_offers_and_accepts_only_disposed_clues(page, divisions):
    """A trial filed a case by posting a clue not yet disposed: the form now neither offers nor
    accepts one (the service refuses it too)."""
    ready = DisposedClueFactory(division=divisions["v11"])
    waiting = ClueFactory(division=divisions["v11"])
    form = page.get(reverse("integrity:case-file")).context["form"]
    offered = set(form.fields["clues"].queryset.values_list("pk", flat=True))
    assert ready.pk in offered and waiting.pk not in offered
    data = {
        "number": "LA-9",
        "division": divisions["v11"].code,
        "clues": [waiting.pk],
        "subjects": [waiting.subjects.get().pk],
        "filed_on": "2025-02-01",
    }
    response = page.post(reverse("integrity:case-file"), data)
    assert response.status_code == 400 and response.context["form"].errors["clues"]
    assert not IntegrityCase.objects.exists()
    waiting.refresh_from_db()
    assert waiting.status == ClueStatus.RECEIVED


def test_measure_sanction_recovery_and_closing_on_the_case_page(page, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    subject = case.subjects.get()
    url = lambda name: reverse(f"integrity:{name}", args=[case.pk])  # noqa: E731
    measure = {"measure-subject": subject.pk, "measure-kind": MeasureKind.DETENTION, "measure-start_on": "2025-02-05"}
    assert page.post(url("measure-take"), {**measure, "measure-end_on": "2025-03-01"}).status_code == 302
    sanction = {"sanction-subject": subject.pk, "sanction-kind": SanctionKind.PARTY_WARNING}
    assert page.post(url("sanction-decide"), {**sanction, "sanction-decided_on": "2025-03-10"}).status_code == 302
    recovery = {"recovery-kind": "seized", "recovery-amount": "12000.55", "recovery-recovered_on": "2025-03-12"}
    assert page.post(url("recovery-record"), recovery).status_code == 302
    assert page.post(url("case-close"), {"close-closed_on": "2025-04-01"}).status_code == 302
    assert Measure.objects.get().end_on == datetime.date(2025, 3, 1)
    assert Sanction.objects.get().kind == SanctionKind.PARTY_WARNING
    assert Recovery.objects.get().amount == Decimal("12000.55")
    assert set(case.clues.values_list("status", flat=True)) == {ClueStatus.CONCLUDED}
    response = page.get(reverse("integrity:case-detail", args=[case.pk]))
    html = response.content.decode()
    for step in ("留置", "党内警告", "12,000.55", "结案"):
        assert step in html
    # A closed case offers no more forms, and a second closing is refused.
    assert "measure_form" not in response.context and 'action="' + url("case-close") not in html
    response = page.post(url("case-close"), {"close-closed_on": "2025-05-01"})
    assert response.status_code == 400
    case.refresh_from_db()
    assert case.closed_on == datetime.date(2025, 4, 1)


def test_party_sanction_for_a_non_member_is_a_chinese_error_and_nothing_written(page, divisions):
    subject = SubjectFactory(division=divisions["v11"], is_party_member=False, name="赵五")
    case = IntegrityCaseFactory(
        division=divisions["v11"], clue=ClueFactory(division=divisions["v11"], subjects=[subject])
    )
    data = {
        "sanction-subject": subject.pk,
        "sanction-kind": SanctionKind.PARTY_WARNING,
        "sanction-decided_on": "2025-03-10",
    }
    response = page.post(reverse("integrity:sanction-decide", args=[case.pk]), data)
    assert response.status_code == 400
    assert "赵五 不是中共党员，不能给予党纪处分" in response.content.decode()
    assert not Sanction.objects.exists()


def test_bad_amounts_and_dates_on_the_case_page_write_nothing(page, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    url = reverse("integrity:recovery-record", args=[case.pk])
    for amount in ("abc", "0", "1.234", "-5"):
        data = {"recovery-kind": "seized", "recovery-amount": amount, "recovery-recovered_on": "2025-03-12"}
        response = page.post(url, data)
        assert response.status_code == 400 and "amount" in response.context["recovery_form"].errors, amount
    measure = {"measure-subject": case.subjects.get().pk, "measure-kind": "detention", "measure-start_on": "2025-01-01"}
    response = page.post(reverse("integrity:measure-take", args=[case.pk]), measure)
    assert response.status_code == 400 and "措施不能早于立案日期" in response.content.decode()
    outsider = SubjectFactory(division=divisions["v11"])
    response = page.post(reverse("integrity:measure-take", args=[case.pk]), {**measure, "measure-subject": outsider.pk})
    assert response.status_code == 400 and "subject" in response.context["measure_form"].errors
    assert not Recovery.objects.exists() and not Measure.objects.exists()


def test_ending_a_measure(page, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    page.post(
        reverse("integrity:measure-take", args=[case.pk]),
        {"measure-subject": case.subjects.get().pk, "measure-kind": "detention", "measure-start_on": "2025-02-05"},
    )
    measure = Measure.objects.get()
    url = reverse("integrity:measure-end", args=[case.pk, measure.pk])
    assert page.post(url, {"end-end_on": "2025-02-01"}).status_code == 400  # before the start
    assert page.post(url, {"end-end_on": "2025-03-05"}).status_code == 302
    measure.refresh_from_db()
    assert measure.end_on == datetime.date(2025, 3, 5)


def test_every_casework_url_is_404_out_of_scope_and_for_non_discipline_users(client, page, divisions, leader):
    clue = ClueFactory(division=divisions["v21"])
    case = IntegrityCaseFactory(division=divisions["v21"])
    unit = CleanUnitFactory(organization__division=divisions["v21"])
    posts = [
        reverse("integrity:clue-dispose", args=[clue.pk]),
        reverse("integrity:measure-take", args=[case.pk]),
        reverse("integrity:sanction-decide", args=[case.pk]),
        reverse("integrity:recovery-record", args=[case.pk]),
        reverse("integrity:case-close", args=[case.pk]),
        reverse("integrity:unit-evaluate", args=[unit.pk]),
    ]
    for url in posts:
        assert page.post(url, {}).status_code == 404, url
    assert page.get(reverse("integrity:case-file"), {"clue": clue.pk}).status_code == 404
    other = type(client)()
    verified_login(other, leader)
    for url in [
        *posts,
        reverse("integrity:clue-intake"),
        reverse("integrity:case-file"),
        reverse("integrity:unit-list"),
    ]:
        assert other.get(url).status_code in (404, 405), url
        assert other.post(url, {}).status_code == 404, url
    assert not Sanction.objects.exists() and not Recovery.objects.exists()


def test_evaluation_by_form_sets_the_unit_status(page, divisions):
    unit = CleanUnitFactory(organization__division=divisions["v11"], status=CleanUnitStatus.BUILDING)
    url = reverse("integrity:unit-evaluate", args=[unit.pk])
    data = {"round": "1", "evaluated_on": "2025-06-20", "result": CleanUnitStatus.MODEL}
    response = page.post(url, data)  # no scored item
    assert response.status_code == 400 and "评估须至少有一个评分项" in response.content.decode()
    response = page.post(url, {**data, "item_0": "制度建设", "max_0": "10", "score_0": "12"})
    assert response.status_code == 400 and "得分不能超过满分" in response.content.decode()
    assert not Evaluation.objects.exists()
    response = page.post(url, {**data, "item_0": "制度建设", "max_0": "10", "score_0": "9"})
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.status == CleanUnitStatus.MODEL
    assert "示范" in page.get(reverse("integrity:unit-list")).content.decode()
    response = page.post(url, {**data, "item_0": "制度建设", "max_0": "10", "score_0": "9"})  # the same round again
    assert response.status_code == 400 and Evaluation.objects.count() == 1


def test_unit_list_query_count_does_not_grow_with_rows(page, divisions):
    for _i in range(3):
        CleanUnitFactory(organization__division=divisions["v11"])
    with CaptureQueriesContext(connection) as few:
        assert page.get(reverse("integrity:unit-list")).status_code == 200
    for _i in range(27):
        CleanUnitFactory(organization__division=divisions["v12"])
    with CaptureQueriesContext(connection) as many:
        assert page.get(reverse("integrity:unit-list")).status_code == 200
    assert len(many) == len(few)


def test_reporter_page_only_with_the_permission_and_each_view_is_logged(page, client, inspector, divisions):
    from django.contrib.auth.models import Permission

    page.post(reverse("integrity:clue-intake"), _intake(divisions))
    clue = Clue.objects.get()
    url = reverse("integrity:clue-reporter", args=[clue.pk])
    assert page.get(url).status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL).exists()
    inspector.user_permissions.add(Permission.objects.get(codename="view_cluereporter"))
    verified_login(client, type(inspector).objects.get(pk=inspector.pk))
    assert "查看举报人" in client.get(reverse("integrity:clue-detail", args=[clue.pk])).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and "张三" in response.content.decode()
    assert AccessLog.objects.filter(action=AccessAction.REVEAL, clue=clue).count() == 1
    other = ClueFactory(division=divisions["v21"])
    assert client.get(reverse("integrity:clue-reporter", args=[other.pk])).status_code == 404


@pytest.mark.parametrize("typed", ["1e3", "1E+3", "100000000000.01", "12.345", "十二元"])
def test_a_recovery_amount_not_typed_as_yuan_is_refused_in_chinese_and_nothing_written(page, divisions, typed):
    """A trial recorded "1e3" (shown as 1E+3 元) and 99 999 999 999.99 yuan: an amount is digits, at most
    two decimals, up to a hundred billion yuan."""
    case = IntegrityCaseFactory(division=divisions["v11"])
    data = {"recovery-kind": "seized", "recovery-amount": typed, "recovery-recovered_on": "2025-03-12"}
    response = page.post(reverse("integrity:recovery-record", args=[case.pk]), data)
    assert response.status_code == 400
    assert any("金额" in message for message in response.context["recovery_form"].errors["amount"])
    assert not case.recoveries.exists()


def test_a_recovery_amount_with_thousands_separators_is_taken(page, divisions):
    case = IntegrityCaseFactory(division=divisions["v11"])
    data = {"recovery-kind": "seized", "recovery-amount": "12,000.50", "recovery-recovered_on": "2025-03-12"}
    assert page.post(reverse("integrity:recovery-record", args=[case.pk]), data).status_code == 302
    assert case.recoveries.get().amount == Decimal("12000.50")
