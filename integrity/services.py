"""Writes of the integrity app. Every service checks the model's own rules (``full_clean``) before
saving, inside one transaction: bad input raises ``ValidationError`` naming the field (with a code
from ``integrity.choices``), and nothing is written."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TypedDict, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from governance.dates import months_add
from governance.errors import Conflict
from governance.models import Division, User
from governance.phones import phone_normalize
from governance.querysets import model_open_to
from governance.selectors import division_in_scope
from governance.services import record_save
from integrity.choices import (
    DISCIPLINE_ROLES,
    ERR_CASE_CLOSED,
    ERR_CASE_NEEDS_CLUE,
    ERR_CASE_NEEDS_SUBJECT,
    ERR_CLUE_NOT_READY,
    ERR_DATES_ORDER,
    ERR_EVALUATION_NEEDS_ITEMS,
    ERR_INVALID_CHOICE,
    ERR_RECOVERY_NEEDS_CASE,
    ERR_SERVICE_OWNED,
    AccessAction,
    AccessTarget,
    AccessVia,
    ClueStatus,
    Disposition,
    MeasureKind,
)
from integrity.crypto import Identity, identity_open, identity_seal, token_rotate
from integrity.models import (
    AccessLog,
    Campaign,
    CleanUnit,
    Clue,
    ClueReporter,
    Evaluation,
    EvaluationItem,
    IntegrityCase,
    Measure,
    Recovery,
    Sanction,
    Subject,
)

REPORTER_PERMISSION = "integrity.view_cluereporter"
ModelT = TypeVar("ModelT", bound=models.Model)

# Fields only a service may set (model name → fields, with the service that owns them). The admin
# shows them read-only, the API refuses them (400 naming the field), and
# tests/integrity/test_one_write_path.py walks every admin and API write to prove it.
SERVICE_OWNED_FIELDS: dict[str, dict[str, str]] = {
    "clue": {
        "disposition": "clue_dispose",
        "disposed_on": "clue_dispose",
        "decided_by": "clue_dispose",
        "status": "clue_dispose / case_file / case_close",
    },
    "integritycase": {"clues": "case_file", "closed_on": "case_close"},
    "cleanunit": {"status": "evaluation_record"},
}


def service_owned(model: type[models.Model]) -> dict[str, str]:
    """The fields of ``model`` that only a service sets, with the service's name ({} for none)."""
    return SERVICE_OWNED_FIELDS.get(model._meta.model_name or "", {})


def service_owned_error(fields: Iterable[str]) -> ValidationError:
    """The error for a write that tried to set service-owned fields, one message per field."""
    return ValidationError(
        {
            name: ValidationError(
                _("该字段只能通过相应的办理环节（处置、立案、结案、评估）变更。"), code=ERR_SERVICE_OWNED
            )
            for name in fields
        }
    )


ERR_CASE_CLOSED_WRITE = "case_closed"
ERR_CLUE_DISPOSED = "clue_already_disposed"
ERR_MEASURES_OPEN = "measures_still_open"
ERR_DETENTION_TOO_LONG = "detention_too_long"
ERR_DETENTION_OVERLAP = "detention_overlap"
# 监察法 第四十三条: 留置 lasts at most three months, extendable once by at most three more.
DETENTION_MAX_MONTHS = 6


def case_open_check(case: IntegrityCase | None, *, field: str = "case") -> None:
    """Refuse any write to a closed case (措施、处分、追缴退缴、线索处置) — read from the database, not
    from the object in memory. Raises ``Conflict`` naming ``field`` (``ERR_CASE_CLOSED_WRITE``: the
    API answers 409, a page shows the Chinese message)."""
    if case is not None and IntegrityCase.objects.filter(pk=case.pk, closed_on__isnull=False).exists():
        raise Conflict({field: ValidationError(_("该案件已结案，不能再登记或变更。"), code=ERR_CASE_CLOSED_WRITE)})


def detention_check(*, measure: Measure) -> None:
    """留置 rules for ``measure`` (other kinds pass): its end no later than ``DETENTION_MAX_MONTHS``
    months after its start (监察法 第四十三条: 3 months, extended once by at most 3), and no other
    留置 of the same person whose dates overlap (an open one runs until lifted).

    Raises ``ValidationError`` naming ``end_on`` (``ERR_DETENTION_TOO_LONG``) or ``start_on``
    (``ERR_DETENTION_OVERLAP``)."""
    if measure.kind != MeasureKind.DETENTION or not measure.start_on:
        return
    if measure.end_on and measure.end_on > months_add(measure.start_on, DETENTION_MAX_MONTHS):
        raise ValidationError(
            {
                "end_on": ValidationError(
                    _("留置时间不得超过三个月，延长一次亦不得超过三个月（监察法第四十三条），合计不超过六个月。"),
                    code=ERR_DETENTION_TOO_LONG,
                )
            }
        )
    others = Measure.objects.filter(kind=MeasureKind.DETENTION, subject_id=measure.subject_id).exclude(pk=measure.pk)
    others = others.filter(models.Q(end_on__isnull=True) | models.Q(end_on__gte=measure.start_on))
    if measure.end_on:
        others = others.filter(start_on__lte=measure.end_on)
    if others.exists():
        raise ValidationError(
            {"start_on": ValidationError(_("该人员已有时间重叠的留置措施。"), code=ERR_DETENTION_OVERLAP)}
        )


class SubjectData(TypedDict, total=False):
    """A person a new clue is about, entered with the clue (姓名、单位、职务、党员、公职人员)."""

    name: str
    unit: str
    post: str
    is_party_member: bool
    is_public_official: bool


class ReporterData(TypedDict, total=False):
    """Who reported a clue (举报人), as ``clue_register`` takes it (name, phone, address are sealed)."""

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
    new_subjects: Sequence[SubjectData] = (),
) -> Clue:
    """Register a problem clue with the people it is about (existing ``subjects`` and/or
    ``new_subjects``, created in the clue's division); the reporter, if given, goes to the
    separate, permission-guarded table.

    Raises ``ValidationError`` for a row the model refuses (a duplicate number, a choice outside
    ``ClueSource``/``ClueCategory``…), naming the field; nothing is written."""
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
    subjects = list(subjects)
    for data in new_subjects:
        subjects.append(record_save(instance=Subject(division=division, **data)))
    if subjects:
        clue.subjects.set(subjects)
    if reporter:
        reporter_save(reporter=ClueReporter(clue=clue), data=reporter)
    return clue


def can_view_reporter(user: User) -> bool:
    """The reporter's identity: discipline staff who also hold ``integrity.view_cluereporter`` (given
    to no role by default; the district grants it to a discipline lead's account by hand)."""
    return model_open_to(user, ClueReporter) and user.has_perm(REPORTER_PERMISSION)


@transaction.atomic
def reporter_save(*, reporter: ClueReporter, data: ReporterData) -> ClueReporter:
    """Save a clue's reporter with the identity sealed (``integrity.crypto``): the phone is normalised
    first (service numbers such as 12345 accepted), then name, phone and address become one token.

    Raises ``ValidationError`` naming ``phone`` for a number that is not one (nothing written)."""
    phone = data.get("phone") or ""
    try:
        phone = phone_normalize(phone, service=True) if phone else ""
    except ValidationError as error:
        raise ValidationError({"phone": error.error_list}) from None
    reporter.is_anonymous = bool(data.get("is_anonymous", reporter.is_anonymous))
    reporter.identity = identity_seal(
        {"name": (data.get("name") or "").strip(), "phone": phone, "address": (data.get("address") or "").strip()}
    )
    return record_save(instance=reporter)


def reporter_keys_rotate(batch: int = 500) -> int:
    """Re-encrypt every reporter identity with the first (newest) configured key, in batches of
    ``batch`` rows, each batch in its own transaction (a rerun after an interruption is harmless:
    a rotated token is rotated again). Returns the number of rows re-encrypted.

    Raises ``InvalidToken`` when a token opens with none of the configured keys (an old key removed
    before rotating); the rows already done stay done."""
    done, last = 0, 0
    while True:
        with transaction.atomic():
            rows = list(
                ClueReporter.objects.filter(pk__gt=last).exclude(identity="").order_by("pk").select_for_update()[:batch]
            )
            if not rows:
                return done
            for row in rows:
                row.identity = token_rotate(row.identity)
            ClueReporter.objects.bulk_update(rows, ["identity"])
        done, last = done + len(rows), rows[-1].pk


def reporter_reveal(*, user: User, clue: Clue, via: str, path: str) -> Identity | None:
    """The clue's reporter identity, opened for ``user``, and one access-log row (``reveal``) saying so;
    ``None`` (and no row) when the clue has no reporter.

    Raises ``PermissionDenied`` for anyone without ``can_view_reporter`` (nothing opened, nothing
    logged), ``InvalidToken`` when no configured key opens the token."""
    if not can_view_reporter(user):
        raise PermissionDenied(_("无权查看举报人信息。"))
    reporter = ClueReporter.objects.for_user(user).filter(clue=clue).first()
    if reporter is None:
        return None
    identity = identity_open(reporter.identity)
    access_log_record(user=user, obj=clue, via=via, path=path, action=AccessAction.REVEAL)
    return identity


@transaction.atomic
def clue_dispose(*, clue: Clue, disposition: str, disposed_on: datetime.date, decided_by: str) -> Clue:
    """Give a clue one of the four dispositions (谈话函询、初步核实、暂存待查、予以了结). A clue still
    waiting is then disposed (已处置), or concluded (已办结) when the disposition closes it; a clue
    already filed or concluded keeps its status.

    Raises ``ValidationError`` naming ``disposition`` (``ERR_INVALID_CHOICE``) for a disposition
    outside the four, ``disposed_on`` (``ERR_DATES_ORDER``) for a date before the clue was received,
    and ``disposed_on``/``decided_by`` (``ERR_DISPOSITION_INCOMPLETE``) when either is missing;
    ``Conflict`` naming ``disposition`` for a clue already disposed (``ERR_CLUE_DISPOSED``) or in a
    closed case (``ERR_CASE_CLOSED_WRITE``)."""
    if Clue.objects.filter(pk=clue.pk).exclude(disposition="").exists():
        raise Conflict({"disposition": ValidationError(_("该线索已处置，不能重复处置。"), code=ERR_CLUE_DISPOSED)})
    for case in IntegrityCase.objects.filter(clues=clue, closed_on__isnull=False)[:1]:
        case_open_check(case, field="disposition")
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
    (``ERR_CASE_NEEDS_SUBJECT``) when either is empty, ``clues`` (``ERR_CLUE_NOT_READY``) for a clue not
    disposed (status other than 已处置) or already in a case, ``filed_on`` (``ERR_DATES_ORDER``) for a date
    before the latest clue was received, or the field of any other rule the case breaks."""
    clues, subjects = list(clues), list(subjects)
    if not clues:
        raise ValidationError({"clues": ValidationError(_("立案须来自至少一条问题线索。"), code=ERR_CASE_NEEDS_CLUE)})
    if not subjects:
        raise ValidationError(
            {"subjects": ValidationError(_("立案须至少有一名被审查调查人。"), code=ERR_CASE_NEEDS_SUBJECT)}
        )
    # 立案 follows a disposition (谈话函询, 初步核实, 暂存待查): never a clue not yet disposed, one already in
    # a case or one closed by 予以了结 — read locked, whatever the caller's instances say.
    ids = [clue.pk for clue in clues]
    list(Clue.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
    in_a_case = Clue.cases.through.objects.filter(clue_id=OuterRef("pk"))
    unready = list(
        Clue.objects.filter(pk__in=ids)
        .filter(~Q(status=ClueStatus.DISPOSED) | Exists(in_a_case))
        .order_by("number")
        .values_list("number", flat=True)
    )
    if unready:
        raise ValidationError(
            {
                "clues": ValidationError(
                    _("线索 %(numbers)s 尚未处置、已立案或已了结，不能据此立案。"),
                    code=ERR_CLUE_NOT_READY,
                    params={"numbers": "、".join(unready)},
                )
            }
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


def case_close_check(*, case: IntegrityCase, closed_on: datetime.date) -> None:
    """The rules of 结案, checked without touching ``case`` (``case_close`` and the admin's form).
    Raises ``ValidationError`` naming ``closed_on``: ``ERR_CASE_CLOSED`` (already closed),
    ``ERR_DATES_ORDER`` (before 立案), ``ERR_MEASURES_OPEN`` (measures not yet lifted, named)."""
    if IntegrityCase.objects.filter(pk=case.pk, closed_on__isnull=False).exists():
        raise ValidationError({"closed_on": ValidationError(_("该案件已结案。"), code=ERR_CASE_CLOSED)})
    if case.filed_on and closed_on < case.filed_on:
        raise ValidationError({"closed_on": ValidationError(_("结案日期不能早于立案日期。"), code=ERR_DATES_ORDER)})
    still_open = list(case.measures.filter(end_on__isnull=True).select_related("subject"))
    if still_open:
        names = "、".join(f"{m.get_kind_display()}（{m.subject.name}）" for m in still_open)
        raise ValidationError(
            {
                "closed_on": ValidationError(
                    _("尚有未解除的措施：%(names)s，请先解除再结案。"), code=ERR_MEASURES_OPEN, params={"names": names}
                )
            }
        )


@transaction.atomic
def case_close(*, case: IntegrityCase, closed_on: datetime.date) -> IntegrityCase:
    """Close a case (结案) on ``closed_on``: the clues it was filed from are concluded (已办结).

    Raises ``ValidationError`` naming ``closed_on`` (``ERR_DATES_ORDER``) for a date before the case
    was filed, (``ERR_CASE_CLOSED``) for a case already closed, (``required``) without a date,
    (``ERR_MEASURES_OPEN``, naming them) while a measure of the case is not yet lifted. Everything
    is checked before ``case`` is touched: a refused close leaves the object as it was."""
    if closed_on is None:
        raise ValidationError({"closed_on": ValidationError(_("请填写结案日期。"), code="required")})
    case_close_check(case=case, closed_on=closed_on)
    previous = case.closed_on
    case.closed_on = closed_on
    try:
        case.full_clean()
    except ValidationError:
        case.closed_on = previous
        raise
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
    the filing or an end before the start, ``start_on`` for a future start, the 留置 rules of
    ``detention_check``; ``Conflict`` naming ``case`` for a closed case (``case_open_check``)."""
    case_open_check(case)
    measure = Measure(case=case, subject=subject, kind=kind, start_on=start_on, end_on=end_on)
    measure.full_clean()
    detention_check(measure=measure)
    return record_save(instance=measure)


@transaction.atomic
def measure_end(*, measure: Measure, end_on: datetime.date) -> Measure:
    """Lift a measure (解除留置…) on ``end_on``.

    Raises ``ValidationError`` naming ``end_on`` (``required``) without a date, (``ERR_DATES_ORDER``)
    for a date before the start, the 留置 rules of ``detention_check``; ``Conflict`` for a closed case."""
    if end_on is None:
        raise ValidationError({"end_on": ValidationError(_("请填写解除日期。"), code="required")})
    case_open_check(measure.case)
    previous = measure.end_on
    measure.end_on = end_on
    try:
        measure.full_clean()
        detention_check(measure=measure)
    except ValidationError:
        measure.end_on = previous
        raise
    measure.save(update_fields=["end_on"])
    return measure


@transaction.atomic
def record_edit(*, instance: ModelT, data: dict[str, Any]) -> ModelT:
    """Change plain fields of an existing integrity row (a clue's summary, a case's findings or
    transfer…) after the model's own checks; many-to-many values in ``data`` are set after saving.

    Raises ``ValidationError`` naming each service-owned field in ``data`` (``ERR_SERVICE_OWNED``:
    a clue's status, a case's closing… change only through their services), ``Conflict`` naming
    ``case`` for a measure, sanction or recovery of a closed case, or the field of any rule the row
    breaks; nothing is written."""
    owned = [name for name in data if name in service_owned(type(instance))]
    if owned:
        raise service_owned_error(owned)
    if isinstance(instance, Measure | Sanction | Recovery) and instance.pk:
        case_open_check(IntegrityCase(pk=instance.case_id) if instance.case_id else None)
    links = {name: data[name] for name in data if instance._meta.get_field(name).many_to_many}
    for name, value in data.items():
        if name not in links:
            setattr(instance, name, value)
    record_save(instance=instance)
    for name, value in links.items():
        getattr(instance, name).set(value)
    return instance


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
    (``ERR_SANCTION_SUBJECT_NOT_IN_CASE``) or ``decided_on`` (``ERR_DATES_ORDER``); ``Conflict``
    naming ``case`` for a closed case."""
    case_open_check(case)
    return record_save(instance=Sanction(subject=subject, kind=kind, decided_on=decided_on, case=case, clue=clue))


@transaction.atomic
def recovery_record(*, case: IntegrityCase | None, amount: Decimal, kind: str, recovered_on: datetime.date) -> Recovery:
    """Money recovered (追缴) or returned (退缴) in a case, in yuan (exact to the fen).

    Raises ``ValidationError`` naming ``case`` (``ERR_RECOVERY_NEEDS_CASE``) without a case,
    ``amount`` (``ERR_AMOUNT_NOT_POSITIVE``) for zero or less, ``recovered_on`` (``ERR_DATES_ORDER``)
    for a date before the case was filed; ``Conflict`` naming ``case`` for a closed case."""
    if case is None:
        raise ValidationError({"case": ValidationError(_("追缴退缴须对应一起案件。"), code=ERR_RECOVERY_NEEDS_CASE)})
    case_open_check(case)
    return record_save(instance=Recovery(case=case, amount=amount, kind=kind, recovered_on=recovered_on))


def access_log_record(
    *, user: User, obj: Clue | IntegrityCase, via: str, path: str, action: str = AccessAction.OPEN
) -> AccessLog:
    """One row per view of a clue or case, or per reveal of a clue's reporter (``action``; the path
    cut to 500 characters). Not atomic on purpose: it joins the caller's transaction, if any, and
    otherwise commits at once.

    Raises ``ValueError`` for a ``via`` outside ``AccessVia`` or an ``action`` other than open/reveal
    (a programming error, not user input)."""
    if via not in AccessVia.values or action not in (AccessAction.OPEN, AccessAction.REVEAL):
        raise ValueError(via if via not in AccessVia.values else action)
    clue = obj if isinstance(obj, Clue) else None
    case = obj if isinstance(obj, IntegrityCase) else None
    return AccessLog.objects.create(
        user=user,
        division_id=obj.division_id,
        clue=clue,
        case=case,
        action=action,
        via=via,
        path=path[:500],
    )


def access_log_list(*, user: User, target: str, ids: Iterable[int], via: str, path: str) -> AccessLog:
    """One row for one list of clues or cases shown to ``user`` (a page, an admin changelist, an API
    page): which register, the ids on it (in order) and the path with its filters. One INSERT plus
    one query for the user's discipline division (the row's scope), whatever the number of rows.

    Raises ``ValueError`` for a ``target`` outside ``AccessTarget`` or a ``via`` outside ``AccessVia``;
    ``Http404`` for a user with no discipline division (who cannot have reached a list)."""
    if target not in AccessTarget.values or via not in AccessVia.values:
        raise ValueError(target if target not in AccessTarget.values else via)
    division = division_in_scope(user, roles=DISCIPLINE_ROLES)
    return AccessLog.objects.create(
        user=user,
        division=division,
        action=AccessAction.LIST,
        target=target,
        row_ids=[int(pk) for pk in ids],
        via=via,
        path=path[:500],
    )


class EvaluationItemData(TypedDict):
    """One scored item of an evaluation round (integer points, ``score`` ≤ ``max_score``)."""

    item: str
    max_score: int
    score: int


@transaction.atomic
def evaluation_enter(
    *,
    unit: CleanUnit,
    round: int,
    evaluated_on: datetime.date,
    result: str,
    items: Sequence[EvaluationItemData],
) -> Evaluation:
    """Enter one evaluation round of a clean unit with its scored items, then take it as the unit's
    standing (``evaluation_record``: the unit's status becomes its latest round's result).

    Raises ``ValidationError`` naming ``items`` (``ERR_EVALUATION_NEEDS_ITEMS``) without an item,
    ``round`` for a round the unit already has, ``score`` (``ERR_SCORE_RANGE``) above the maximum,
    ``result`` for a result outside 创建中/达标/示范; nothing is written."""
    if not items:
        raise ValidationError(
            {"items": ValidationError(_("评估须至少有一个评分项。"), code=ERR_EVALUATION_NEEDS_ITEMS)}
        )
    evaluation = record_save(instance=Evaluation(unit=unit, round=round, evaluated_on=evaluated_on, result=result))
    for item in items:
        record_save(instance=EvaluationItem(evaluation=evaluation, **item))
    return evaluation_record(evaluation=evaluation)


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
