"""Writes of the residential app that take more than one step or check more than one row."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.errors import Conflict
from governance.follow_ups import (  # noqa: F401  (the error codes, re-exported for callers)
    ERR_FOLLOW_UP_DATE,
    ERR_FOLLOW_UP_DONE,
    ERR_FOLLOW_UP_STATUS,
    follow_up_check,
    follow_up_note,
)
from governance.models import (
    Division,
    DivisionLevel,
    HouseholdMember,
    Organization,
    OrganizationKind,
    Person,
    Post,
    Role,
    User,
)
from governance.notices import NoticeDraft, notices_send, recipients_in_area
from governance.querysets import path_ancestors
from residential.choices import (
    ERR_EVALUATION_PUBLISHED,
    ERR_LIST_PUBLISHED,
    ERR_SCORE_RANGE,
    NOTICE_LIST_PUBLISHED,
    EvaluationStatus,
    Grade,
    ListSide,
    WorkStatus,
)
from residential.models import (
    BuildingCouncilMeeting,
    CommitteeRectification,
    Compound,
    CreditEvaluation,
    CreditPeriod,
    CreditScore,
    EnforcementVisit,
    MeetingParticipant,
    MeetingResolution,
    OwnersCommittee,
    Petition,
    PropertyCompany,
    RedBlackEntry,
    RedBlackList,
    ScoringItem,
)

# One write path (issue 13, ``governance.write_path``): the fields only these services set — read-only
# in every admin, refused (400 ``service_owned_field``) by every API write. Model → field → service.
SERVICE_OWNED_FIELDS: dict[str, dict[str, str]] = {
    "residential.ownerscommittee": {"organization": "committee_create"},
    "residential.creditevaluation": {
        **dict.fromkeys(
            ("evaluator", "item_total", "petition_count", "petition_deduction", "total", "grade"), "evaluation_save"
        ),
        **dict.fromkeys(("status", "published_at", "published_by"), "credit_evaluation_publish"),
    },
    "residential.redblacklist": {
        "published_at": "red_black_list_publish",
        "published_by": "red_black_list_publish",
    },
    "residential.redblackentry": dict.fromkeys(("side", "rank", "company", "total", "grade"), "red_black_list_draft"),
    "residential.buildingcouncilmeeting": {"recorded_by": "meeting_record"},
    # 跟进 (issue 13): a follow-up's state, record and completion date only ``follow_up_record`` sets
    "residential.meetingresolution": dict.fromkeys(("status", "follow_up", "done_on"), "follow_up_record"),
    "residential.committeerectification": dict.fromkeys(("status", "done_on"), "follow_up_record"),
    "residential.enforcementvisit": {"rectified_on": "follow_up_record"},
}

ERR_NOT_RESIDENT = "committee_member_not_resident"
ERR_ALREADY_MEMBER = "committee_member_duplicate"
ERR_SCORE_MISSING = "score_missing"
ERR_SCORE_UNKNOWN_ITEM = "score_unknown_item"
ERR_COMMUNITY_LEVEL = "compound_community_level"


@transaction.atomic
def compound_save(
    *,
    compound: Compound | None = None,
    code: str,
    name: str,
    community: Division,
    address: str = "",
    joined_on: datetime.date | None = None,
    party_branch: Organization | None = None,
) -> Compound:
    """Create or change a compound together with its own division node (level 小区) under
    ``community``; ``code`` and ``name`` are the node's.

    Raises ``ValidationError``: ``community`` not a 社区 (``ERR_COMMUNITY_LEVEL``), or the node's or the
    compound's own checks (a duplicate code, a Party branch that is not a Party organisation of the
    compound or its community…)."""
    if community.level != DivisionLevel.COMMUNITY:
        raise ValidationError({"community": ValidationError(_("小区必须设在社区之下。"), code=ERR_COMMUNITY_LEVEL)})
    division = compound.division if compound is not None and compound.division_id else Division()
    division.code, division.name, division.parent, division.level = code, name, community, DivisionLevel.COMPOUND
    division.full_clean()
    division.save()
    compound = compound or Compound()
    compound.division = division
    compound.address, compound.joined_on, compound.party_branch = address, joined_on, party_branch
    compound.full_clean()
    compound.save()
    return compound


def _is_resident(person: Person, compound: Compound) -> bool:
    return HouseholdMember.objects.filter(person=person, household__division_id=compound.division_id).exists()


def committee_post_check(post: Post) -> None:
    """The 业主委员会 rule for every post in an owners' committee's organisation, however it is written
    (``committee_member_add``, the generic 职务 admin and API): only residents of the compound (a member
    of a household living in the compound's division) may sit on it, and once at a time. Registered with
    ``registry.post_rule`` in ``ResidentialConfig.ready``; a post whose person is unchanged is not
    checked again (a member who moved away can still have the post ended).

    Raises ``ValidationError`` on ``person``: not a resident (``ERR_NOT_RESIDENT``) or already a current
    member (``ERR_ALREADY_MEMBER``). Source: 《业主大会和业主委员会指导规则》 art. 31 (members are owners)."""
    committee = OwnersCommittee.objects.filter(organization_id=post.organization_id).select_related("compound").first()
    if committee is None:
        return
    if post.pk is not None and Post.objects.filter(pk=post.pk, person_id=post.person_id).exists():
        return
    person = post.person
    if not _is_resident(person, committee.compound):
        raise ValidationError(
            {
                "person": ValidationError(
                    _("%(name)s 不是“%(compound)s”的住户，不能担任业委会委员。"),
                    code=ERR_NOT_RESIDENT,
                    params={"name": person.name, "compound": committee.compound.name},
                )
            }
        )
    if Post.objects.current().filter(organization_id=post.organization_id, person=person).exclude(pk=post.pk).exists():
        raise ValidationError(
            {
                "person": ValidationError(
                    _("%(name)s 已是该业委会委员。"), code=ERR_ALREADY_MEMBER, params={"name": person.name}
                )
            }
        )


@transaction.atomic
def committee_create(
    *, compound: Compound, term_start: datetime.date, term_end: datetime.date, name: str = ""
) -> OwnersCommittee:
    """A new term of a compound's owners' committee, with its organisation (kind 业主委员会, named after
    the compound and the term's years unless ``name`` is given).

    Raises ``ValidationError`` from the organisation's or the committee's checks (a term ending
    before it starts…)."""
    org = Organization(
        kind=OrganizationKind.OWNERS_COMMITTEE,
        name=name or f"{compound.name}业主委员会（{term_start.year}—{term_end.year}）",
        division=compound.division,
    )
    org.full_clean()
    org.save()
    committee = OwnersCommittee(compound=compound, organization=org, term_start=term_start, term_end=term_end)
    committee.full_clean()
    committee.save()
    return committee


@transaction.atomic
def committee_member_add(
    *,
    committee: OwnersCommittee,
    person: Person,
    title: str = "委员",
    is_head: bool = False,
    start_date: datetime.date | None = None,
    end_date: datetime.date | None = None,
) -> Post:
    """Add a member to an owners' committee: only residents of the compound (a member of a household
    living in the compound's division) may sit on it. The post runs from the term's start until it is
    ended (a member stays until the next election).

    Raises ``ValidationError`` on ``person`` from ``committee_post_check`` (not a resident,
    ``ERR_NOT_RESIDENT``; already a current member, ``ERR_ALREADY_MEMBER``) or from the post's own checks."""
    post = Post(
        organization_id=committee.organization_id,
        person=person,
        title=title,
        is_head=is_head,
        start_date=start_date or committee.term_start,
        end_date=end_date,
    )
    post.full_clean()
    post.save()
    return post


# --- 信用评价与红黑榜 ----------------------------------------------------------------------------------


def _check_scores(scores: Sequence[tuple[ScoringItem, int]], items: Iterable[ScoringItem]) -> None:
    expected = {item.pk: item for item in items}
    given = {item.pk for item, _score in scores}
    for item, score in scores:
        if item.pk not in expected:
            raise ValidationError(
                {
                    "scores": ValidationError(
                        _("“%(item)s”不是本周期启用的评分项。"), code=ERR_SCORE_UNKNOWN_ITEM, params={"item": item.name}
                    )
                }
            )
        if score is None or score < 0 or score > item.max_score:
            raise ValidationError(
                {
                    "scores": ValidationError(
                        _("“%(item)s”的得分应在 0 到 %(max)s 之间，收到 %(score)s。"),
                        code=ERR_SCORE_RANGE,
                        params={"item": item.name, "max": item.max_score, "score": score},
                    )
                }
            )
    missing = [item.name for pk, item in expected.items() if pk not in given]
    if missing:
        raise ValidationError(
            {
                "scores": ValidationError(
                    _("缺少评分项：%(items)s。"), code=ERR_SCORE_MISSING, params={"items": "、".join(missing)}
                )
            }
        )


def period_items(period: CreditPeriod) -> QuerySet[ScoringItem]:
    """The scoring template in force for a period: the active items of its division and above."""
    return ScoringItem.objects.filter(is_active=True, division__path__in=path_ancestors(period.division.path))


@transaction.atomic
def evaluation_save(
    *,
    company: PropertyCompany,
    period: CreditPeriod,
    scores: Sequence[tuple[ScoringItem, int]],
    evaluated_on: datetime.date,
    evaluator: User | None = None,
    note: str = "",
    evaluation: CreditEvaluation | None = None,
) -> CreditEvaluation:
    """Score a company for a period (``scores``: ``(item, points)`` pairs; a given ``evaluation`` is
    rescored). Each item's score must lie in its range and every active item be scored; petitions
    against the company received in the period cost the period's penalty each (up to its cap).
    Total and grade follow from the period's thresholds.

    The evaluation is saved as a draft (草稿): it appears on no 红黑榜 until ``credit_evaluation_publish``.

    Raises ``Conflict`` (``ERR_EVALUATION_PUBLISHED``) when ``evaluation`` is published (frozen);
    ``ValidationError`` on ``scores``: an item not in the period's template (``ERR_SCORE_UNKNOWN_ITEM``),
    a score out of range (``ERR_SCORE_RANGE``), an item left unscored (``ERR_SCORE_MISSING``); or from
    the evaluation's own checks (one per company and period)."""
    if evaluation is not None and evaluation.pk:
        evaluation = CreditEvaluation.objects.select_for_update().get(pk=evaluation.pk)
        _refuse_if_evaluation_published(evaluation)
    _check_scores(scores, period_items(period))
    petitions = Petition.objects.filter(company=company).received_between(period.start_date, period.end_date).count()
    deduction = min(petitions * period.petition_penalty, period.petition_penalty_cap)
    item_total = sum(score for _item, score in scores)
    evaluation = evaluation or CreditEvaluation()
    evaluation.company, evaluation.period = company, period
    evaluation.evaluated_on, evaluation.evaluator, evaluation.note = evaluated_on, evaluator, note
    evaluation.item_total = item_total
    evaluation.petition_count = petitions
    evaluation.petition_deduction = deduction
    evaluation.total = max(item_total - deduction, 0)
    evaluation.grade = period.grade_for(evaluation.total)
    evaluation.full_clean()
    evaluation.save()
    evaluation.scores.all().delete()
    rows = [CreditScore(evaluation=evaluation, item=item, score=score) for item, score in scores]
    for row in rows:
        row.full_clean(exclude=["evaluation"])
    CreditScore.objects.bulk_create(rows)
    return evaluation


def _refuse_if_evaluation_published(evaluation: CreditEvaluation) -> None:
    if evaluation.status == EvaluationStatus.PUBLISHED:
        raise Conflict(
            {"non_field_errors": ValidationError(_("该评价已发布，不能再修改。"), code=ERR_EVALUATION_PUBLISHED)}
        )


@transaction.atomic
def credit_evaluation_publish(*, evaluation: CreditEvaluation, by: User | None) -> CreditEvaluation:
    """Publish a draft evaluation (草稿 → 已发布, who and when recorded): from now on it counts on the
    period's 红黑榜 and is frozen (database triggers refuse any change to it or its scores).
    Raises ``Conflict`` (``ERR_EVALUATION_PUBLISHED``, 409 in the API) when it already is published."""
    evaluation = CreditEvaluation.objects.select_for_update().get(pk=evaluation.pk)
    _refuse_if_evaluation_published(evaluation)
    evaluation.status = EvaluationStatus.PUBLISHED
    evaluation.published_at, evaluation.published_by = timezone.now(), by
    evaluation.full_clean()
    evaluation.save(update_fields=["status", "published_at", "published_by"])
    return evaluation


def _refuse_if_published(red_black_list: RedBlackList) -> None:
    if red_black_list.pk and RedBlackList.objects.filter(pk=red_black_list.pk, published_at__isnull=False).exists():
        raise Conflict({"non_field_errors": ValidationError(_("红黑榜已发布，不能再修改。"), code=ERR_LIST_PUBLISHED)})


@transaction.atomic
def red_black_list_draft(
    *,
    period: CreditPeriod,
    title: str = "",
    red_size: int = 3,
    black_size: int = 3,
    note: str = "",
    red_black_list: RedBlackList | None = None,
) -> RedBlackList:
    """Make (or remake) the draft 红黑榜 of a period from its published evaluations (drafts never count):
    the best ``red_size`` grade-A companies on the red side, the worst ``black_size`` grade-C/D
    companies on the black side.

    Raises ``Conflict`` (``ERR_LIST_PUBLISHED``) for a published list, ``ValidationError`` from the
    list's own checks."""
    red_black_list = red_black_list or RedBlackList.objects.filter(period=period).first() or RedBlackList()
    _refuse_if_published(red_black_list)
    red_black_list.period = period
    red_black_list.title = title or red_black_list.title or f"{period.name}物业服务企业红黑榜"
    red_black_list.red_size, red_black_list.black_size, red_black_list.note = red_size, black_size, note
    red_black_list.full_clean()
    red_black_list.save()
    red_black_list.entries.all().delete()
    evaluations = CreditEvaluation.objects.filter(period=period, status=EvaluationStatus.PUBLISHED)
    red = list(evaluations.filter(grade=Grade.A).order_by("-total", "company__name")[:red_size])
    black = list(
        evaluations.filter(grade__in=[Grade.C, Grade.D])
        .exclude(pk__in=[e.pk for e in red])
        .order_by("total", "company__name")[:black_size]
    )
    RedBlackEntry.objects.bulk_create(
        [
            RedBlackEntry(
                list=red_black_list, company_id=e.company_id, side=side, rank=rank, total=e.total, grade=e.grade
            )
            for side, chosen in ((ListSide.RED, red), (ListSide.BLACK, black))
            for rank, e in enumerate(chosen, start=1)
        ]
    )
    return red_black_list


@transaction.atomic
def red_black_list_publish(*, red_black_list: RedBlackList, by: User | None) -> RedBlackList:
    """Publish a draft: from now on the list and its entries are a frozen snapshot (the database
    refuses any change). Raises ``Conflict`` (``ERR_LIST_PUBLISHED``) when it is already published."""
    red_black_list = RedBlackList.objects.select_for_update().get(pk=red_black_list.pk)
    _refuse_if_published(red_black_list)
    red_black_list.published_at = timezone.now()
    red_black_list.published_by = by
    red_black_list.save(update_fields=["published_at", "published_by"])
    _published_notify(red_black_list)
    return red_black_list


def _published_notify(red_black_list: RedBlackList) -> int:
    """站内通知 to the township and community officers of the list's area: a 红黑榜 was published."""
    division = red_black_list.period.division
    title = _("红黑榜已发布：%(title)s") % {"title": red_black_list.title}
    return notices_send(
        NoticeDraft(
            user_id, NOTICE_LIST_PUBLISHED, f"redblack:{red_black_list.pk}:published", str(title), "", "", division.pk
        )
        for user_id in recipients_in_area(division, (Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER))
    )


# --- 楼宇会 -------------------------------------------------------------------------------------


@transaction.atomic
def meeting_record(
    *,
    compound: Compound,
    held_on: datetime.date,
    topics: str,
    place: str = "",
    participants: Sequence[dict],
    resolutions: Sequence[dict],
    recorded_by: User | None = None,
) -> BuildingCouncilMeeting:
    """Record a 楼宇会 with its participants (``{kind, name}``) and resolutions
    (``{content, owner_kind, owner, deadline, status?, follow_up?, done_on?}``), all or nothing. A new
    resolution starts 待办; a ``status`` given is recorded through ``follow_up_record`` (``follow_up`` its
    note, ``done_on`` its day), so its rules hold here too.

    Raises ``ValidationError`` from the meeting's checks, or keyed ``participants.<i>.<field>`` /
    ``resolutions.<i>.<field>`` for a bad participant or resolution."""
    meeting = BuildingCouncilMeeting(
        compound=compound, held_on=held_on, topics=topics, place=place, recorded_by=recorded_by
    )
    meeting.full_clean()
    meeting.save()
    for index, data in enumerate(participants):
        _save_child(MeetingParticipant(meeting=meeting, **data), "participants", index)
    for index, data in enumerate(resolutions):
        _resolution_save(MeetingResolution(meeting=meeting), data, index)
    return meeting


ERR_RESOLUTION_OTHER_MEETING = "meeting_resolution_other_meeting"


@transaction.atomic
def meeting_update(
    *,
    meeting: BuildingCouncilMeeting,
    fields: dict[str, Any] | None = None,
    participants: Sequence[dict] | None = None,
    resolutions: Sequence[dict] | None = None,
) -> BuildingCouncilMeeting:
    """Change a 楼宇会 in one transaction: its plain ``fields`` (compound, held_on, topics, place);
    ``participants`` given (``{kind, name}``) are the whole list and replace the old one; each of
    ``resolutions`` with an ``id`` changes that resolution of this meeting, one without is added —
    none is removed (a resolution is followed up, not deleted). ``None``: left as they are. A
    resolution's follow-up (``status``, ``follow_up``, ``done_on``) is never set here: one whose
    ``status`` is named and differs goes through ``follow_up_record``; otherwise it is kept.

    Raises ``ValidationError`` from the meeting's checks, keyed ``participants.<i>.<field>`` /
    ``resolutions.<i>.<field>`` for a bad row, or ``resolutions`` (``ERR_RESOLUTION_OTHER_MEETING``)
    for an id of another meeting; nothing is written then."""
    for name, value in (fields or {}).items():
        setattr(meeting, name, value)
    meeting.full_clean()
    meeting.save()
    if participants is not None:
        meeting.participants.all().delete()
        for index, data in enumerate(participants):
            _save_child(MeetingParticipant(meeting=meeting, **data), "participants", index)
    if resolutions is not None:
        ids = [data["id"] for data in resolutions if data.get("id")]
        existing = {row.pk: row for row in MeetingResolution.objects.filter(meeting=meeting, pk__in=ids)}
        if len(existing) != len(set(ids)):
            raise ValidationError(
                {
                    "resolutions": ValidationError(
                        _("决议编号 %(ids)s 不属于该楼宇会。"),
                        code=ERR_RESOLUTION_OTHER_MEETING,
                        params={"ids": "、".join(str(i) for i in ids if i not in existing)},
                    )
                }
            )
        for index, data in enumerate(resolutions):
            row = existing.get(data.get("id") or 0) or MeetingResolution(meeting=meeting)
            _resolution_save(row, {name: value for name, value in data.items() if name != "id"}, index)
    return meeting


_FOLLOW_UP_FIELDS = ("status", "follow_up", "done_on")


def _resolution_save(row: MeetingResolution, data: dict, index: int) -> None:
    """Save a resolution's own fields from ``data``; its follow-up, when ``status`` is named and differs,
    through ``follow_up_record`` (errors keyed ``resolutions.<index>.<field>``)."""
    for name, value in data.items():
        if name not in _FOLLOW_UP_FIELDS:
            setattr(row, name, value)
    _save_child(row, "resolutions", index)
    status = data.get("status")
    if status and status != row.status:
        try:
            follow_up_record(row=row, status=status, note=data.get("follow_up") or "", done_on=data.get("done_on"))
        except ValidationError as error:
            raise ValidationError(
                {f"resolutions.{index}.{field}": errs for field, errs in error.error_dict.items()}
            ) from None


def _save_child(row, prefix: str, index: int) -> None:
    try:
        row.full_clean(exclude=["meeting"])
    except ValidationError as error:
        raise ValidationError({f"{prefix}.{index}.{field}": errs for field, errs in error.error_dict.items()}) from None
    row.save()


# --- 跟进：业委会整治、执法进小区整改、楼宇会决议 ---------------------------------------------------------

FollowUpRow = CommitteeRectification | EnforcementVisit | MeetingResolution


def _follow_up_start(row: FollowUpRow) -> datetime.date:
    if isinstance(row, CommitteeRectification):
        return row.found_on
    if isinstance(row, EnforcementVisit):
        return row.visited_on
    return row.meeting.held_on


@transaction.atomic
def follow_up_record(
    *,
    row: FollowUpRow,
    status: str,
    note: str = "",
    done_on: datetime.date | None = None,
    by: User | None = None,
) -> FollowUpRow:
    """Record the follow-up of a 业委会整治, a 执法进小区 rectification or a 楼宇会决议 (issue 13 item 5):
    ``status`` is a ``WorkStatus`` value (办理中 or 已办结; a 执法进小区 visit knows only 已办结, i.e. its
    ``rectified_on``), ``note`` is appended to the row's measures / follow-up text (up to 2000 characters,
    ``governance.follow_ups.follow_up_note``),
    ``done_on`` (default today, Asia/Shanghai) is the day it was done. A row already done is not
    reopened here. Writes the audit trail through the models' triggers.

    Raises ``ValidationError`` on ``status`` (not allowed for this row, ``ERR_FOLLOW_UP_STATUS``; already
    done, ``ERR_FOLLOW_UP_DONE``) or ``done_on`` (in the future, or before the row was found / the
    visit / the meeting, ``ERR_FOLLOW_UP_DATE``)."""
    row = type(row).objects.select_for_update().get(pk=row.pk)
    visit = isinstance(row, EnforcementVisit)
    done_on = follow_up_check(
        status=status,
        allowed=(WorkStatus.DONE,) if visit else (WorkStatus.IN_PROGRESS, WorkStatus.DONE),
        done_status=WorkStatus.DONE,
        already_done=type(row).objects.filter(pk=row.pk).done().exists(),
        done_on=done_on,
        start=_follow_up_start(row),
    )
    if isinstance(row, EnforcementVisit):
        row.rectified_on = done_on
        fields = ["rectified_on"]
    else:
        text_field = "measures" if isinstance(row, CommitteeRectification) else "follow_up"
        setattr(row, text_field, follow_up_note(getattr(row, text_field), note))
        row.status = status
        row.done_on = done_on
        fields = [text_field, "status", "done_on"]
    row.full_clean()
    row.save(update_fields=fields)
    return row
