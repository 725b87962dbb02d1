"""Writes of the villages app: 屋场 with their bodies, households moved into 屋场, contract plots and
the share register they drive, land transfers and 屋场会 meetings."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.models import Division, DivisionLevel, Household, Organization, OrganizationKind, Person, User
from governance.selectors import household_member_ids
from villages.choices import BODY_KINDS, ERR_HOLDING_OVERLAP, ZERO, FollowUpStatus, TransferFrom, TransferStatus
from villages.follow_ups import hamlet_resolution_follow_up
from villages.models import (
    ContractPlot,
    Hamlet,
    HamletMeeting,
    LandTransfer,
    MeetingResolution,
    Operator,
    ShareHolding,
    ShareRule,
)

# One write path (issue 13, ``governance.write_path``): the fields only these services set — read-only
# in every admin, refused (400 ``service_owned_field``) by every API write. Model → field → service.
SERVICE_OWNED_FIELDS: dict[str, dict[str, str]] = {
    "villages.hamlet": {"division": "hamlet_create"},
    "villages.shareholding": dict.fromkeys(
        ("cooperative", "household", "contracted_area", "shares", "valid_from", "valid_to", "reason"),
        "share_holding_recompute",
    ),
    "villages.hamletmeeting": {"recorded_by": "hamlet_meeting_record"},
    "villages.meetingresolution": dict.fromkeys(
        ("follow_up", "follow_up_note", "done_on"), "hamlet_resolution_follow_up"
    ),
}

ERR_NOT_VILLAGE = "hamlet_village_required"
ERR_HOUSEHOLD_OTHER_HAMLET = "household_in_other_hamlet"
ERR_HOUSEHOLD_OTHER_VILLAGE = "household_in_other_village"
ERR_TRANSFER_TOO_LARGE = "land_transfer_exceeds_plots"
ERR_PLOT_OTHER_HAMLET = "land_transfer_plot_other_hamlet"
ERR_PLOT_ALREADY_TRANSFERRED = "land_transfer_plot_taken"
ERR_TRANSFER_HOUSEHOLD = "land_transfer_household"
ERR_MEETING_ATTENDEE = "meeting_attendee_other_village"

BODY_NAMES = {
    OrganizationKind.PARTY_GROUP: _("{name}党小组"),
    OrganizationKind.COUNCIL: _("{name}理事会"),
    OrganizationKind.COOPERATIVE: _("{name}合作社"),
}
DEFAULT_RULE = ShareRule(shares_per_mu=Decimal("1.00"), base_shares=ZERO)


def body_name(kind: OrganizationKind, hamlet_name: str) -> str:
    """The default name of a 屋场's body of ``kind``: 「<屋场>党小组」「<屋场>理事会」「<屋场>合作社」."""
    return str(BODY_NAMES[kind]).format(name=hamlet_name)


@transaction.atomic
def hamlet_create(*, village: Division, code: str, name: str, note: str = "", with_bodies: bool = True) -> Hamlet:
    """A 屋场: its own division node (level 屋场, ``code``/``name``) under ``village`` and, by default,
    its three bodies (党小组、理事会、合作社) with no members yet.

    Raises ``ValidationError``: ``village`` not a 村 (``ERR_NOT_VILLAGE``), or the node's own checks
    (a duplicate code…)."""
    if village.level != DivisionLevel.VILLAGE:
        raise ValidationError({"village": ValidationError(_("屋场只能设在村之下。"), code=ERR_NOT_VILLAGE)})
    division = Division(code=code, name=name, level=DivisionLevel.HAMLET, parent=village)
    division.full_clean()
    division.save()
    hamlet = Hamlet(division=division, note=note)
    hamlet.full_clean()
    hamlet.save()
    if with_bodies:
        for kind in BODY_KINDS:
            body = Organization(kind=kind, name=body_name(kind, name), division=division)
            body.full_clean()
            body.save()
    return hamlet


@transaction.atomic
def hamlet_update(*, hamlet: Hamlet, name: str | None = None, note: str | None = None) -> Hamlet:
    """Rename a 屋场 (its division node) and/or change its note; ``None`` leaves a value as it is.
    Raises ``ValidationError`` from the node's or the 屋场's own checks."""
    if name is not None and name != hamlet.division.name:
        division = hamlet.division
        division.name = name
        division.full_clean()
        division.save(update_fields=["name", "updated_at"])
    if note is not None:
        hamlet.note = note
    hamlet.full_clean()
    hamlet.save()
    return hamlet


@transaction.atomic
def hamlet_households_assign(*, hamlet: Hamlet, households: Sequence[Household]) -> int:
    """Move households of the 屋场's village into the 屋场 (their division and their members'
    become its node). A household already in another 屋场 is refused: it must be released first
    (``hamlet_household_release``), so a household is never recorded in two 屋场. All or nothing;
    returns how many moved (those already in the 屋场 are left as they are). Each moved household with
    contract land has its rights are quantified anew as shares in the 屋场合作社 from today
    (``share_holding_recompute``: the village-level holding, if any, is closed, and the old version
    stays in the register). The one way a household's division changes to a 屋场: the officers' page
    (``/villages/hamlets/<id>/households/``), the 家庭户 admin's action 划入屋场 and the API call it.

    Raises ``ValidationError`` on ``households``: one in another 屋场 (``ERR_HOUSEHOLD_OTHER_HAMLET``)
    or outside the 屋场's village (``ERR_HOUSEHOLD_OTHER_VILLAGE``)."""
    village_id = hamlet.division.parent_id
    ids = [h.pk for h in households]
    rows = list(Household.objects.select_for_update().filter(pk__in=ids).select_related("division"))
    for household in rows:
        if household.division_id == hamlet.division_id:
            continue
        if household.division.level == DivisionLevel.HAMLET:
            raise ValidationError(
                {
                    "households": ValidationError(
                        _("家庭户 %(number)s 已属于屋场“%(other)s”，一户只能属于一个屋场，请先将其移出。"),
                        code=ERR_HOUSEHOLD_OTHER_HAMLET,
                        params={"number": household.number, "other": household.division.name},
                    )
                }
            )
        if household.division_id != village_id:
            raise ValidationError(
                {
                    "households": ValidationError(
                        _("家庭户 %(number)s 不在本屋场所在的村，不能划入。"),
                        code=ERR_HOUSEHOLD_OTHER_VILLAGE,
                        params={"number": household.number},
                    )
                }
            )
    moving = [h.pk for h in rows if h.division_id != hamlet.division_id]
    if moving:
        now = timezone.now()
        Household.objects.filter(pk__in=moving).update(division_id=hamlet.division_id, updated_at=now)
        Person.objects.filter(pk__in=household_member_ids(moving)).update(
            division_id=hamlet.division_id, updated_at=now
        )
        today = timezone.localdate()
        # Only households with contract land (or a holding to close) have shares to quantify.
        landed = Household.objects.filter(pk__in=moving).filter(
            Exists(ContractPlot.objects.filter(household_id=OuterRef("pk"), is_active=True))
            | Exists(ShareHolding.objects.current().filter(household_id=OuterRef("pk")))
        )
        for household in landed.order_by("pk"):
            share_holding_recompute(household=household, on=today, reason=str(_("划入屋场")))
    return len(moving)


@transaction.atomic
def hamlet_household_release(*, hamlet: Hamlet, household: Household) -> Household:
    """Take a household (and its members) out of its 屋场, back to the village, closing its current
    share holding today. A household not in ``hamlet`` is returned unchanged. Raises nothing."""
    if household.division_id != hamlet.division_id:
        return household
    today = timezone.localdate()
    ShareHolding.objects.current().filter(household=household).update(valid_to=today)
    village_id = hamlet.division.parent_id
    Household.objects.filter(pk=household.pk).update(division_id=village_id, updated_at=timezone.now())
    Person.objects.filter(pk__in=household_member_ids([household.pk])).update(division_id=village_id)
    household.refresh_from_db()
    return household


def hamlet_cooperative(division_id: int) -> Organization | None:
    """The active 屋场合作社 of the 屋场 whose division node is ``division_id`` (the oldest one if
    there are several; ``None`` outside any 屋场)."""
    return (
        Organization.objects.filter(division_id=division_id, kind=OrganizationKind.COOPERATIVE, is_active=True)
        .order_by("id")
        .first()
    )


def share_compute(*, cooperative: Organization, area: Decimal) -> Decimal:
    """Shares for ``area`` 亩 of contract land under the cooperative's rule (1 share per 亩 without
    one), to two decimals."""
    rule = ShareRule.objects.filter(cooperative=cooperative).first() or DEFAULT_RULE
    return rule.shares_for(area)


@transaction.atomic
def share_holding_recompute(
    *, household: Household, on: datetime.date | None = None, reason: str = ""
) -> ShareHolding | None:
    """Quantify a household's contract rights as shares in its 屋场合作社.

    If the contracted area (or the rule) gives a different figure from the current version, the
    current version is closed on ``on`` (periods are half-open) and a new one starts on ``on``; the
    old version stays in the register. A household outside any 屋场 (or one without a cooperative)
    holds none: its versions are closed and ``None`` is returned.

    Raises ``ValidationError`` on ``valid_from`` when the new version would overlap a later one
    (``ERR_HOLDING_OVERLAP``)."""
    on = on or timezone.localdate()
    household = Household.objects.select_for_update().get(pk=household.pk)
    cooperative = hamlet_cooperative(household.division_id)
    current = list(ShareHolding.objects.current().select_for_update().filter(household=household))
    area = ContractPlot.objects.filter(household=household, is_active=True).aggregate(total=Sum("area"))["total"]
    area = area or ZERO
    if cooperative is None:
        for holding in current:
            _close(holding, on)
        return None
    shares = share_compute(cooperative=cooperative, area=area)
    for holding in current:
        if holding.cooperative_id == cooperative.pk and holding.shares == shares and holding.contracted_area == area:
            return holding
    for holding in current:
        _close(holding, on)
    holding = ShareHolding(
        cooperative=cooperative,
        household=household,
        contracted_area=area,
        shares=shares,
        valid_from=on,
        reason=reason,
    )
    _check_no_overlap(holding)
    holding.full_clean()
    holding.save()
    return holding


def _close(holding: ShareHolding, on: datetime.date) -> None:
    # Half-open periods [from, to): the old version ends where the new one begins.
    holding.valid_to = max(on, holding.valid_from)
    holding.full_clean()
    holding.save(update_fields=["valid_to"])


def _check_no_overlap(holding: ShareHolding) -> None:
    """The exclusion constraint is the guarantee; this names the field for people."""
    clash = ShareHolding.objects.filter(household_id=holding.household_id, cooperative_id=holding.cooperative_id)
    if holding.pk:
        clash = clash.exclude(pk=holding.pk)
    clash = clash.filter(valid_to__isnull=True) | clash.filter(valid_to__gt=holding.valid_from)
    if holding.valid_to is not None:
        clash = clash.filter(valid_from__lt=holding.valid_to)
    if clash.exists():
        raise ValidationError(
            {"valid_from": ValidationError(_("该农户在该合作社的股权期间与已有记录重叠。"), code=ERR_HOLDING_OVERLAP)}
        )


@transaction.atomic
def contract_plot_create(
    *, household: Household, contract_number: str, area: Decimal, location: str = ""
) -> ContractPlot:
    """A household's contract plot (``area`` in 亩); its shares are recomputed
    (``share_holding_recompute``). Raises ``ValidationError`` from the plot's own checks (a
    duplicate contract number, an area not above 0) or from the recomputation."""
    plot = ContractPlot(household=household, contract_number=contract_number, area=area, location=location)
    plot.full_clean()
    plot.save()
    share_holding_recompute(household=household, reason=str(_("新增承包地")))
    return plot


@transaction.atomic
def contract_plot_update(*, plot: ContractPlot, **fields) -> ContractPlot:
    """Change a plot (``fields``: model field values); a change of area (or of holder) makes a new
    share-holding version for each household concerned. Raises ``ValidationError`` from the plot's
    own checks or from the recomputation."""
    old_household = plot.household
    for name, value in fields.items():
        setattr(plot, name, value)
    plot.full_clean()
    plot.save()
    share_holding_recompute(household=plot.household, reason=str(_("承包地变更")))
    if old_household.pk != plot.household_id:
        share_holding_recompute(household=old_household, reason=str(_("承包地变更")))
    return plot


def _transferred_area(plots: Iterable[ContractPlot], exclude: LandTransfer | None) -> set[int]:
    taken = LandTransfer.objects.active().filter(plots__in=list(plots))
    if exclude is not None and exclude.pk:
        taken = taken.exclude(pk=exclude.pk)
    return set(taken.values_list("plots__id", flat=True))


def _validate_transfer(transfer: LandTransfer, plots: Sequence[ContractPlot]) -> None:
    hamlet = transfer.hamlet
    household = transfer.household if transfer.transferor == TransferFrom.HOUSEHOLD else None
    if household is not None and household.division_id != hamlet.division_id:
        raise ValidationError({"household": ValidationError(_("流出农户不在该屋场。"), code=ERR_TRANSFER_HOUSEHOLD)})
    for plot in plots:
        if plot.household.division_id != hamlet.division_id:
            raise ValidationError(
                {
                    "plots": ValidationError(
                        _("地块 %(number)s 不属于该屋场的农户。"),
                        code=ERR_PLOT_OTHER_HAMLET,
                        params={"number": plot.contract_number},
                    )
                }
            )
        if household is not None and plot.household_id != household.pk:
            raise ValidationError(
                {
                    "plots": ValidationError(
                        _("地块 %(number)s 不属于流出农户。"),
                        code=ERR_PLOT_OTHER_HAMLET,
                        params={"number": plot.contract_number},
                    )
                }
            )
    if transfer.status == TransferStatus.ACTIVE:
        taken = _transferred_area(plots, transfer)
        if taken:
            numbers = "、".join(p.contract_number for p in plots if p.pk in taken)
            raise ValidationError(
                {
                    "plots": ValidationError(
                        _("地块 %(numbers)s 已在其他履约中的流转合同里。"),
                        code=ERR_PLOT_ALREADY_TRANSFERRED,
                        params={"numbers": numbers},
                    )
                }
            )
    if plots:
        available = sum((p.area for p in plots if p.is_active), ZERO)
        scope = _("所选地块")
    else:
        holders = ContractPlot.objects.filter(household__division_id=hamlet.division_id, is_active=True)
        if household is not None:
            holders = holders.filter(household=household)
        total = holders.aggregate(total=Sum("area"))["total"] or ZERO
        others = LandTransfer.objects.active().filter(hamlet=hamlet)
        if transfer.pk:
            others = others.exclude(pk=transfer.pk)
        if household is not None:
            others = others.filter(household=household)
        available = total - (others.aggregate(total=Sum("area"))["total"] or ZERO)
        scope = _("可流转的承包地")
    if transfer.area is not None and transfer.area > available:
        raise ValidationError(
            {
                "area": ValidationError(
                    _("流转面积 %(area)s 亩超过了%(scope)s的面积 %(available)s 亩。"),
                    code=ERR_TRANSFER_TOO_LARGE,
                    params={"area": transfer.area, "scope": scope, "available": available},
                )
            }
        )


@transaction.atomic
def land_transfer_create(
    *,
    hamlet: Hamlet,
    operator: Operator,
    transferor: str,
    area: Decimal,
    start_date: datetime.date,
    end_date: datetime.date,
    annual_rent: Decimal,
    plots: Sequence[ContractPlot] = (),
    household: Household | None = None,
    status: str = TransferStatus.ACTIVE,
) -> LandTransfer:
    """Record a 流转 of plots (or area, in 亩) to an operator. The area may not exceed what the plots
    (or, without plots, the 屋场's or household's untransferred contract land) hold.

    Raises ``ValidationError``: the transfer's own checks; ``household`` not in the 屋场
    (``ERR_TRANSFER_HOUSEHOLD``); on ``plots``, a plot of another 屋场 or household
    (``ERR_PLOT_OTHER_HAMLET``) or already in an active transfer (``ERR_PLOT_ALREADY_TRANSFERRED``);
    on ``area``, more than is available (``ERR_TRANSFER_TOO_LARGE``)."""
    transfer = LandTransfer(
        hamlet=hamlet,
        operator=operator,
        transferor=transferor,
        household=household,
        area=area,
        start_date=start_date,
        end_date=end_date,
        annual_rent=annual_rent,
        status=status,
    )
    transfer.full_clean()
    plots = list(plots)
    _validate_transfer(transfer, plots)
    transfer.save()
    if plots:
        transfer.plots.set(plots)
    return transfer


@transaction.atomic
def land_transfer_update(
    *, transfer: LandTransfer, plots: Sequence[ContractPlot] | None = None, **fields
) -> LandTransfer:
    """Change a transfer (``fields``: model field values) and, when ``plots`` is given, the plots it
    covers (every link added or removed is in the audit trail). Raises ``ValidationError`` as
    ``land_transfer_create`` does."""
    for name, value in fields.items():
        setattr(transfer, name, value)
    transfer.full_clean()
    plot_list = list(plots) if plots is not None else list(transfer.plots.select_related("household"))
    _validate_transfer(transfer, plot_list)
    transfer.save()
    if plots is not None:
        transfer.plots.set(plot_list)
    return transfer


ERR_RESOLUTION_OTHER_MEETING = "meeting_resolution_other_meeting"
ERR_RESOLUTION_DUE_BEFORE_MEETING = "meeting_resolution_due_before_meeting"


def meeting_attendees_check(*, hamlet: Hamlet, attendees: Iterable[Person]) -> None:
    """Attendees of a 屋场会 are people of the 屋场's village. Raises ``ValidationError`` naming
    ``attendees`` (``ERR_MEETING_ATTENDEE``) with the names of those from elsewhere."""
    village = hamlet.village
    outsiders = [p.name for p in attendees if not p.division.is_within(village)]
    if outsiders:
        raise ValidationError(
            {
                "attendees": ValidationError(
                    _("参会人员 %(names)s 不是本村人员。"),
                    code=ERR_MEETING_ATTENDEE,
                    params={"names": "、".join(outsiders)},
                )
            }
        )


ResolutionInput = str | Mapping[str, Any]


def _resolutions_save(meeting: HamletMeeting, resolutions: Sequence[ResolutionInput]) -> None:
    """Add or change the meeting's resolutions: a text alone, or ``{"id"?, "text", "follow_up"?,
    "due_on"?}`` — with an ``id``, that resolution of this meeting is changed; without, a new one
    (待落实) is added; blank texts are skipped. Resolutions not named are kept (a resolution is followed
    up, never deleted). A resolution's 落实情况 is never written here: one named and different from what
    it is goes through ``hamlet_resolution_follow_up`` (so a done one is not reopened); one not named is
    kept. Raises ``ValidationError`` naming ``resolutions`` (``ERR_RESOLUTION_OTHER_MEETING``) for an id
    of another meeting, ``ERR_RESOLUTION_DUE_BEFORE_MEETING`` for a 办结时限 (``due_on``) before the
    meeting's 召开日期, or the resolution's and the follow-up's checks."""
    wanted: list[dict[str, Any]] = [{"text": r} if isinstance(r, str) else dict(r) for r in resolutions]
    ids = [r["id"] for r in wanted if r.get("id")]
    existing = {row.pk: row for row in MeetingResolution.objects.filter(meeting=meeting, pk__in=ids)}
    if len(existing) != len(set(ids)):
        raise ValidationError(
            {
                "resolutions": ValidationError(
                    _("决议编号 %(ids)s 不属于该屋场会。"),
                    code=ERR_RESOLUTION_OTHER_MEETING,
                    params={"ids": "、".join(str(i) for i in ids if i not in existing)},
                )
            }
        )
    for data in wanted:
        text = (data.get("text") or "").strip()
        if not text:
            continue
        row = existing.get(data.get("id") or 0) or MeetingResolution(meeting=meeting, follow_up=FollowUpStatus.PENDING)
        row.text = text
        if "due_on" in data:
            row.due_on = data["due_on"]
        if row.due_on and row.due_on < meeting.held_on:
            raise ValidationError(
                {
                    "resolutions": ValidationError(
                        _("决议“%(text)s”的办结时限 %(due_on)s 早于召开日期 %(held_on)s。"),
                        code=ERR_RESOLUTION_DUE_BEFORE_MEETING,
                        params={"text": text, "due_on": row.due_on, "held_on": meeting.held_on},
                    )
                }
            )
        row.full_clean()
        row.save()
        status = data.get("follow_up")
        if status and status != row.follow_up:
            hamlet_resolution_follow_up(resolution=row, status=status)


@transaction.atomic
def hamlet_meeting_record(
    *,
    hamlet: Hamlet,
    held_on: datetime.date,
    topics: str,
    attendees: Sequence[Person] = (),
    resolutions: Sequence[ResolutionInput] = (),
    recorded_by: User | None = None,
) -> HamletMeeting:
    """Record a 屋场会 with its attendees (people of the 屋场's village) and resolutions (a text each,
    or ``{"text", "follow_up"?, "due_on"?}``; blank ones skipped; 待落实 unless given). Raises
    ``ValidationError``: an attendee from outside the village (``ERR_MEETING_ATTENDEE`` on
    ``attendees``), or the meeting's or a resolution's checks; nothing is written."""
    meeting_attendees_check(hamlet=hamlet, attendees=attendees)
    meeting = HamletMeeting(hamlet=hamlet, held_on=held_on, topics=topics, recorded_by=recorded_by)
    meeting.full_clean()
    meeting.save()
    if attendees:
        meeting.attendees.set(attendees)
    _resolutions_save(meeting, resolutions)
    return meeting


@transaction.atomic
def hamlet_meeting_update(
    *,
    meeting: HamletMeeting,
    hamlet: Hamlet | None = None,
    held_on: datetime.date | None = None,
    topics: str | None = None,
    attendees: Sequence[Person] | None = None,
    resolutions: Sequence[ResolutionInput] | None = None,
) -> HamletMeeting:
    """Change a 屋场会 in one transaction: the values given (``None``: unchanged), its attendees
    (the whole list, people of the 屋场's village) and its resolutions (added or changed as in
    ``hamlet_meeting_record``; ``{"id", …}`` changes that one; none is removed). Raises
    ``ValidationError`` as ``hamlet_meeting_record`` does (attendees are checked again when the
    meeting moves to another 屋场), or ``ERR_RESOLUTION_OTHER_MEETING`` on ``resolutions``; nothing
    is written then."""
    if hamlet is not None:
        meeting.hamlet = hamlet
    if held_on is not None:
        meeting.held_on = held_on
    if topics is not None:
        meeting.topics = topics
    people = list(attendees) if attendees is not None else list(meeting.attendees.select_related("division"))
    meeting_attendees_check(hamlet=meeting.hamlet, attendees=people)
    meeting.full_clean()
    meeting.save()
    if attendees is not None:
        meeting.attendees.set(people)
    if resolutions is not None:
        _resolutions_save(meeting, resolutions)
    return meeting


@transaction.atomic
def operator_save(*, operator: Operator) -> Operator:
    """Create or change an operator, its 统一社会信用代码 trimmed and upper-cased. Raises
    ``ValidationError`` from its own checks (a bad or duplicate code…)."""
    operator.uscc = (operator.uscc or "").strip().upper()
    operator.full_clean()
    operator.save()
    return operator
