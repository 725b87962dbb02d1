"""红黑榜 and 文明家庭: propose → confirm → publish, by the transition tables in ``civility.choices``.
Published lists and ratings are frozen (database triggers)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civility.choices import (
    BOARD_BLACK_THRESHOLD,
    BOARD_RED_TOP,
    BOARD_TRANSITIONS,
    FAMILY_TRANSITIONS,
    BoardKind,
    BoardStatus,
    FamilyStatus,
)
from civility.errors import (
    ERR_BOARD_EXISTS,
    ERR_BOARD_SAME_PERSON,
    ERR_BOARD_TRANSITION,
    ERR_FAMILY_CONFIRMER_ROLE,
    ERR_RANKING_NOT_PUBLISHED,
    field_error,
)
from civility.models import CivilizedFamily, HonorList, HonorListEntry
from civility.selectors import black_list, ranking_published_for, red_list
from governance.models import Division, Role, User

BOARD_ACTION_LABELS = {"confirm": _("审核通过"), "publish": _("公布")}


def _own_proposal(record: HonorList | CivilizedFamily, user: User | None) -> bool:
    return user is not None and record.proposed_by_id is not None and record.proposed_by_id == user.pk


def board_actions(board: HonorList, user: User | None = None) -> list[str]:
    """The actions the list's status allows next (``"confirm"``, ``"publish"``), as the table says —
    for ``user`` when given, without 审核 of a list they proposed themselves (``honor_list_advance``
    refuses it: the buttons follow the service's rule)."""
    return [
        action
        for (status, action) in BOARD_TRANSITIONS
        if status == board.status and not (action == "confirm" and _own_proposal(board, user))
    ]


@transaction.atomic
def honor_list_propose(*, village: Division, month: datetime.date, kind: str, by: User | None) -> HonorList:
    """Propose the village's 红榜 (best ``BOARD_RED_TOP`` households, ties at the edge included) or 黑榜
    (deductions reaching ``BOARD_BLACK_THRESHOLD`` points) of ``month``, copied from its published
    ranking. Raises ``ValidationError`` on ``month`` (``ERR_RANKING_NOT_PUBLISHED``: no published
    ranking covers the village that month) or on ``kind`` (``ERR_BOARD_EXISTS``)."""
    run = ranking_published_for(division=village, month=month)
    if run is None:
        raise field_error(
            "month", _("%(month)s 的评比尚未公布，不能提名榜单。"), ERR_RANKING_NOT_PUBLISHED, month=f"{month:%Y-%m}"
        )
    if HonorList.objects.filter(village=village, ranking_month=run, kind=kind).exists():
        raise field_error("kind", _("该村该月的此榜单已提名。"), ERR_BOARD_EXISTS)
    board = HonorList(village=village, ranking_month=run, kind=kind, proposed_by=by)
    board.full_clean()
    board.save()
    rows: QuerySet = (
        red_list(run=run, village=village, top=BOARD_RED_TOP)
        if kind == BoardKind.RED
        else black_list(run=run, village=village, threshold=BOARD_BLACK_THRESHOLD)
    )
    HonorListEntry.objects.bulk_create(
        [
            HonorListEntry(
                board=board, household_id=r.household_id, rank=r.rank, points=r.points, deductions=r.deductions
            )
            for r in rows
        ]
    )
    return board


@transaction.atomic
def honor_list_advance(*, board: HonorList, action: str, by: User) -> HonorList:
    """Move a list along the table: ``"confirm"`` (待审核 → 已审核) or ``"publish"`` (已审核 → 已公布,
    frozen from then on). Raises ``ValidationError`` on ``status`` (``ERR_BOARD_TRANSITION``) for an
    action its status does not allow (a published list allows none, an unconfirmed one cannot be
    published), and on ``confirmed_by`` (``ERR_BOARD_SAME_PERSON``) when the proposer would confirm
    their own list — separation of duties: 提名 and 审核 by two different people."""
    board = HonorList.objects.select_for_update().get(pk=board.pk)
    target = BOARD_TRANSITIONS.get((BoardStatus(board.status), action))
    if target is None:
        raise field_error(
            "status", _("当前状态“%(status)s”不能执行此操作。"), ERR_BOARD_TRANSITION, status=board.get_status_display()
        )
    if action == "confirm" and board.proposed_by_id is not None and board.proposed_by_id == by.pk:
        raise field_error("confirmed_by", _("提名人不能审核自己提名的榜单，须由另一人审核。"), ERR_BOARD_SAME_PERSON)
    now = timezone.now()
    board.status = target
    if action == "confirm":
        board.confirmed_by, board.confirmed_at = by, now
        fields = ["status", "confirmed_by", "confirmed_at"]
    else:
        board.published_by, board.published_at = by, now
        fields = ["status", "published_by", "published_at"]
    board.save(update_fields=fields)
    return board


# Who confirms and publishes a 文明家庭: a township (street) or district officer — the village or
# community officer proposes from the rankings, the level above decides (issue 13).
FAMILY_DECIDERS = (Role.TOWNSHIP_OFFICER, Role.DISTRICT_ADMIN)


def family_can_decide(user: User) -> bool:
    """Whether ``user`` may confirm and publish 文明家庭 (``FAMILY_DECIDERS``, or a superuser)."""
    return user.has_role(*FAMILY_DECIDERS)


@transaction.atomic
def civilized_family_advance(*, family: CivilizedFamily, action: str, by: User) -> CivilizedFamily:
    """Move a 文明家庭 along the table: ``"confirm"`` (推荐 → 已评定) or ``"publish"`` (已评定 → 已公布, frozen),
    who and when recorded. Only a township or district officer decides (``FAMILY_DECIDERS``), and not
    the one who proposed it (separation of duties, as for 红黑榜).

    Raises ``ValidationError`` on ``status`` (``ERR_BOARD_TRANSITION``) for an action its status does
    not allow; on ``confirmed_by`` for a user of another role (``ERR_FAMILY_CONFIRMER_ROLE``) or the
    proposer confirming (``ERR_BOARD_SAME_PERSON``); nothing is written then."""
    family = CivilizedFamily.objects.select_for_update().get(pk=family.pk)
    target = FAMILY_TRANSITIONS.get((FamilyStatus(family.status), action))
    if target is None:
        raise field_error(
            "status",
            _("当前状态“%(status)s”不能执行此操作。"),
            ERR_BOARD_TRANSITION,
            status=family.get_status_display(),
        )
    if not family_can_decide(by):
        raise field_error(
            "confirmed_by", _("文明家庭须由乡镇（街道）或区级干部评定和公布。"), ERR_FAMILY_CONFIRMER_ROLE
        )
    if action == "confirm" and family.proposed_by_id is not None and family.proposed_by_id == by.pk:
        raise field_error(
            "confirmed_by", _("推荐人不能评定自己推荐的文明家庭，须由另一人评定。"), ERR_BOARD_SAME_PERSON
        )
    family.status = target
    if action == "confirm":
        family.confirmed_by, family.confirmed_at = by, timezone.now()
        fields = ["status", "confirmed_by", "confirmed_at"]
    else:
        family.published_by, family.published_at = by, timezone.now()
        fields = ["status", "published_by", "published_at"]
    family.save(update_fields=fields)
    return family


def family_actions(family: CivilizedFamily, user: User | None = None) -> list[str]:
    """The actions the rating's status allows next — for ``user`` when given (none unless they decide,
    and no 评定 of a family they proposed themselves: ``civilized_family_advance`` refuses it)."""
    if user is not None and not family_can_decide(user):
        return []
    return [
        action
        for (status, action) in FAMILY_TRANSITIONS
        if status == family.status and not (action == "confirm" and _own_proposal(family, user))
    ]
