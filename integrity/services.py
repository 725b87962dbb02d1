"""Writes of the integrity app. Every service checks the model's own rules (``full_clean``) before
saving, inside one transaction: bad input raises ``ValidationError`` naming the field, and nothing
is written."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from governance.models import Division, User
from integrity.models import (
    ERR_DATES_ORDER,
    ERR_INVALID_CHOICE,
    AccessLog,
    AccessVia,
    Campaign,
    CleanUnit,
    Clue,
    ClueReporter,
    ClueStatus,
    Disposition,
    Evaluation,
    EvaluationItem,
    IntegrityCase,
    Measure,
    Recovery,
    Sanction,
    Subject,
)

ERR_CASE_NEEDS_CLUE = "case_needs_clue"
ERR_CASE_NEEDS_SUBJECT = "case_needs_subject"
ERR_RECOVERY_NEEDS_CASE = "recovery_needs_case"
ERR_EVALUATION_NEEDS_ITEMS = "evaluation_needs_items"


def _save(instance):
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def clue_register(
    *,
    number: str,
    division: Division,
    source: str,
    received_on: datetime.date,
    category: str,
    summary: str,
    subjects: Sequence[Subject] = (),
    campaign: Campaign | None = None,
    reporter: dict | None = None,
) -> Clue:
    """Register a problem clue with the people it is about; the reporter, if given
    (``{"name", "phone", "address", "is_anonymous"}``), goes to the separate, permission-guarded table."""
    clue = _save(
        Clue(
            number=number,
            division=division,
            source=source,
            received_on=received_on,
            category=category,
            summary=summary,
            campaign=campaign,
        )
    )
    if subjects:
        clue.subjects.set(subjects)
    if reporter:
        _save(ClueReporter(clue=clue, **reporter))
    return clue


@transaction.atomic
def clue_dispose(*, clue: Clue, disposition: str, disposed_on: datetime.date, decided_by: str) -> Clue:
    """Give a clue one of the four dispositions (谈话函询、初步核实、暂存待查、予以了结)."""
    if disposition not in Disposition.values:
        raise ValidationError(
            {
                "disposition": ValidationError(
                    _("处置方式只能是谈话函询、初步核实、暂存待查、予以了结之一。"), code=ERR_INVALID_CHOICE
                )
            }
        )
    clue.disposition = disposition
    clue.disposed_on = disposed_on
    clue.decided_by = decided_by
    if clue.status == ClueStatus.RECEIVED:
        clue.status = ClueStatus.CONCLUDED if disposition == Disposition.CLOSE else ClueStatus.DISPOSED
    clue.full_clean()
    clue.save(update_fields=["disposition", "disposed_on", "decided_by", "status", "updated_at"])
    return clue


@transaction.atomic
def case_file(
    *,
    number: str,
    division: Division,
    clues: Iterable[Clue],
    subjects: Iterable[Subject],
    filed_on: datetime.date,
    campaign: Campaign | None = None,
    findings: str = "",
) -> IntegrityCase:
    """File a case (立案) from one clue or several, against the people under review; the clues are marked filed."""
    clues, subjects = list(clues), list(subjects)
    if not clues:
        raise ValidationError({"clues": ValidationError(_("立案须来自至少一条问题线索。"), code=ERR_CASE_NEEDS_CLUE)})
    if not subjects:
        raise ValidationError(
            {"subjects": ValidationError(_("立案须至少有一名被审查调查人。"), code=ERR_CASE_NEEDS_SUBJECT)}
        )
    latest = max(clue.received_on for clue in clues)
    if filed_on and filed_on < latest:
        raise ValidationError({"filed_on": ValidationError(_("立案日期不能早于线索受理日期。"), code=ERR_DATES_ORDER)})
    case = _save(
        IntegrityCase(number=number, division=division, filed_on=filed_on, campaign=campaign, findings=findings)
    )
    case.clues.set(clues)
    case.subjects.set(subjects)
    Clue.objects.filter(pk__in=[clue.pk for clue in clues]).update(status=ClueStatus.FILED)
    return case


@transaction.atomic
def case_close(*, case: IntegrityCase, closed_on: datetime.date) -> IntegrityCase:
    case.closed_on = closed_on
    case.full_clean()
    case.save(update_fields=["closed_on", "updated_at"])
    Clue.objects.filter(cases=case).update(status=ClueStatus.CONCLUDED)
    return case


@transaction.atomic
def measure_take(
    *, case: IntegrityCase, subject: Subject, kind: str, start_on: datetime.date, end_on: datetime.date | None = None
) -> Measure:
    """A measure (留置 with its dates, …) against one of the case's people under review."""
    return _save(Measure(case=case, subject=subject, kind=kind, start_on=start_on, end_on=end_on))


@transaction.atomic
def sanction_decide(
    *,
    subject: Subject,
    kind: str,
    decided_on: datetime.date,
    case: IntegrityCase | None = None,
    clue: Clue | None = None,
) -> Sanction:
    """A Party or government sanction (needs a case, and a Party member or a public official as fits
    the kind), or an organisational handling after a case or a clue."""
    return _save(Sanction(subject=subject, kind=kind, decided_on=decided_on, case=case, clue=clue))


@transaction.atomic
def recovery_record(*, case: IntegrityCase | None, amount: Decimal, kind: str, recovered_on: datetime.date) -> Recovery:
    """Money recovered (追缴) or returned (退缴) in a case: a positive amount, never without a case."""
    if case is None:
        raise ValidationError({"case": ValidationError(_("追缴退缴须对应一起案件。"), code=ERR_RECOVERY_NEEDS_CASE)})
    return _save(Recovery(case=case, amount=amount, kind=kind, recovered_on=recovered_on))


def access_log_record(*, user: User, obj: Clue | IntegrityCase, via: str, path: str) -> AccessLog:
    """One row per view of a clue or case. Not atomic on purpose: it joins the caller's transaction,
    if any, and otherwise commits at once."""
    if via not in AccessVia.values:
        raise ValueError(via)
    is_clue = isinstance(obj, Clue)
    return AccessLog.objects.create(
        user=user,
        division_id=obj.division_id,
        clue=obj if is_clue else None,
        case=None if is_clue else obj,
        via=via,
        path=path[:500],
    )


@transaction.atomic
def evaluation_record(
    *, unit: CleanUnit, round: int, evaluated_on: datetime.date, result: str, items: Sequence[tuple[str, int, int]]
) -> Evaluation:
    """An evaluation round with its scored items ``(item, max_score, score)``; the unit takes the result as status."""
    if not items:
        raise ValidationError(
            {"items": ValidationError(_("评估须至少有一个评分项。"), code=ERR_EVALUATION_NEEDS_ITEMS)}
        )
    evaluation = _save(Evaluation(unit=unit, round=round, evaluated_on=evaluated_on, result=result))
    for item, max_score, score in items:
        _save(EvaluationItem(evaluation=evaluation, item=item, max_score=max_score, score=score))
    unit.status = result
    unit.full_clean()
    unit.save(update_fields=["status"])
    return evaluation
