"""Writes of the integrity app. Every service checks the model's own rules (``full_clean``) before
saving, inside one transaction: bad input raises ``ValidationError`` naming the field (with a code
from ``integrity.choices``), and nothing is written."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import TypedDict

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from governance.models import Division, User
from governance.services import record_save
from integrity.choices import (
    ERR_CASE_NEEDS_CLUE,
    ERR_CASE_NEEDS_SUBJECT,
    ERR_DATES_ORDER,
    ERR_EVALUATION_NEEDS_ITEMS,
    ERR_INVALID_CHOICE,
    ERR_RECOVERY_NEEDS_CASE,
    AccessVia,
    ClueStatus,
    Disposition,
)
from integrity.models import (
    AccessLog,
    Campaign,
    Clue,
    ClueReporter,
    Evaluation,
    IntegrityCase,
    Measure,
    Recovery,
    Sanction,
    Subject,
)


class ReporterData(TypedDict, total=False):
    """Who reported a clue (举报人), as ``clue_register`` takes it."""

    name: str
    phone: str
    address: str
    is_anonymous: bool


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
    reporter: ReporterData | None = None,
) -> Clue:
    """Register a problem clue with the people it is about; the reporter, if given, goes to the
    separate, permission-guarded table.

    Raises ``ValidationError`` for a row the model refuses (a duplicate number, a choice outside
    ``ClueSource``/``ClueCategory``…), naming the field."""
    clue = record_save(
        instance=Clue(
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
        record_save(instance=ClueReporter(clue=clue, **reporter))
    return clue


@transaction.atomic
def clue_dispose(*, clue: Clue, disposition: str, disposed_on: datetime.date, decided_by: str) -> Clue:
    """Give a clue one of the four dispositions (谈话函询、初步核实、暂存待查、予以了结). A clue still
    waiting is then disposed (已处置), or concluded (已办结) when the disposition closes it; a clue
    already filed or concluded keeps its status.

    Raises ``ValidationError`` naming ``disposition`` (``ERR_INVALID_CHOICE``) for a disposition
    outside the four, ``disposed_on`` (``ERR_DATES_ORDER``) for a date before the clue was received,
    and ``disposed_on``/``decided_by`` (``ERR_DISPOSITION_INCOMPLETE``) when either is missing."""
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
    """File a case (立案) from one clue or several, against the people under review; the clues are
    marked filed (已立案).

    Raises ``ValidationError`` naming ``clues`` (``ERR_CASE_NEEDS_CLUE``) or ``subjects``
    (``ERR_CASE_NEEDS_SUBJECT``) when either is empty, ``filed_on`` (``ERR_DATES_ORDER``) for a date
    before the latest clue was received, or the field of any other rule the case breaks."""
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
    case = record_save(
        instance=IntegrityCase(
            number=number, division=division, filed_on=filed_on, campaign=campaign, findings=findings
        )
    )
    case.clues.set(clues)
    case.subjects.set(subjects)
    Clue.objects.filter(pk__in=[clue.pk for clue in clues]).update(status=ClueStatus.FILED)
    return case


@transaction.atomic
def case_close(*, case: IntegrityCase, closed_on: datetime.date) -> IntegrityCase:
    """Close a case (结案) on ``closed_on``: the clues it was filed from are concluded (已办结).

    Raises ``ValidationError`` naming ``closed_on`` (``ERR_DATES_ORDER``) for a date before the case
    was filed."""
    case.closed_on = closed_on
    case.full_clean()
    case.save(update_fields=["closed_on", "updated_at"])
    Clue.objects.filter(cases=case).update(status=ClueStatus.CONCLUDED)
    return case


@transaction.atomic
def measure_take(
    *, case: IntegrityCase, subject: Subject, kind: str, start_on: datetime.date, end_on: datetime.date | None = None
) -> Measure:
    """A measure (留置 with its dates, 谈话…) against one of the case's people under review.

    Raises ``ValidationError`` naming ``subject`` (``ERR_SANCTION_SUBJECT_NOT_IN_CASE``) for someone
    not under review in the case, ``start_on``/``end_on`` (``ERR_DATES_ORDER``) for a start before
    the filing or an end before the start."""
    return record_save(instance=Measure(case=case, subject=subject, kind=kind, start_on=start_on, end_on=end_on))


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
    the kind), or an organisational handling after a case or a clue.

    Raises ``ValidationError`` naming ``kind`` (``ERR_PARTY_SANCTION_NON_MEMBER``,
    ``ERR_GOVERNMENT_SANCTION_NON_OFFICIAL``), ``case`` (``ERR_SANCTION_NEEDS_CASE``), ``subject``
    (``ERR_SANCTION_SUBJECT_NOT_IN_CASE``) or ``decided_on`` (``ERR_DATES_ORDER``)."""
    return record_save(instance=Sanction(subject=subject, kind=kind, decided_on=decided_on, case=case, clue=clue))


@transaction.atomic
def recovery_record(*, case: IntegrityCase | None, amount: Decimal, kind: str, recovered_on: datetime.date) -> Recovery:
    """Money recovered (追缴) or returned (退缴) in a case, in yuan (exact to the fen).

    Raises ``ValidationError`` naming ``case`` (``ERR_RECOVERY_NEEDS_CASE``) without a case,
    ``amount`` (``ERR_AMOUNT_NOT_POSITIVE``) for zero or less, ``recovered_on`` (``ERR_DATES_ORDER``)
    for a date before the case was filed."""
    if case is None:
        raise ValidationError({"case": ValidationError(_("追缴退缴须对应一起案件。"), code=ERR_RECOVERY_NEEDS_CASE)})
    return record_save(instance=Recovery(case=case, amount=amount, kind=kind, recovered_on=recovered_on))


def access_log_record(*, user: User, obj: Clue | IntegrityCase, via: str, path: str) -> AccessLog:
    """One row per view of a clue or case (the path cut to 500 characters). Not atomic on purpose:
    it joins the caller's transaction, if any, and otherwise commits at once.

    Raises ``ValueError`` for a ``via`` outside ``AccessVia`` (a programming error, not user input)."""
    if via not in AccessVia.values:
        raise ValueError(via)
    clue = obj if isinstance(obj, Clue) else None
    case = obj if isinstance(obj, IntegrityCase) else None
    return AccessLog.objects.create(
        user=user,
        division_id=obj.division_id,
        clue=clue,
        case=case,
        via=via,
        path=path[:500],
    )


@transaction.atomic
def evaluation_record(*, evaluation: Evaluation) -> Evaluation:
    """Take a saved evaluation round, with its scored items, as its clean unit's standing: the unit's
    status becomes the result of its latest round (创建中、达标、示范).

    Raises ``ValidationError`` naming ``items`` (``ERR_EVALUATION_NEEDS_ITEMS``) for a round without
    a scored item."""
    if not evaluation.items.exists():
        raise ValidationError(
            {"items": ValidationError(_("评估须至少有一个评分项。"), code=ERR_EVALUATION_NEEDS_ITEMS)}
        )
    unit = evaluation.unit
    latest = unit.evaluations.order_by("-round").values_list("result", flat=True).first()
    if latest is not None:
        unit.status = latest
    unit.full_clean()
    unit.save(update_fields=["status"])
    return evaluation
