"""三率 (issue 20 item 3): response, resolution and satisfaction rates, per body and per division, from
the case records themselves (``DisputeEvent``, ``Dispute``, ``DisputeRating``). Each figure is a
constant number of queries, whatever the number of rows.

- 响应率 (response rate) = assignments answered in time ÷ assignments decided, in per cent. An
  *assignment* is a case sent to a body (分派、移交、上报、退回, or reopened by a rating), dated by its
  event in [start, end]. It is *answered in time* when the next hand-over event of that case is the
  body's 接收 (accept) made on or before ``ACCEPT_WORKING_DAYS`` working days after the assignment's
  date (Asia/Shanghai, ``governance.calendar``, district overrides included). It is *decided* when
  it was answered at all (accepted, or sent on) or its window has ended; one still waiting inside its
  window counts nowhere yet.
- 化解率 (resolution rate) = cases resolved ÷ cases, in per cent. Per body: the cases the body
  accepted in [start, end] that are resolved (``resolved_at`` set) and still with that body. Per
  division: the cases received there in [start, end] that are resolved (as the dashboard's existing
  ``security.resolution_rate``).
- 满意率 (satisfaction rate) = ratings 满意 or 基本满意 ÷ all ratings, in per cent, of the parties'
  ratings (群众评价) made in [start, end]; per body, those of the cases it held when rated.

A rate with nothing to count is ``None`` (shown as "—"), never 0 % or 100 %. Rates are ``Decimal``
rounded half up to 0.1."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from governance.calendar import official_working_day
from governance.models import CalendarDay, Division
from governance.selectors import child_code_expression
from security.choices import RESOLVED_STATUSES, EventAction, Satisfaction
from security.models import Dispute, DisputeEvent, DisputeRating
from security.services.common import ACCEPT_WORKING_DAYS

ASSIGNMENTS = (
    EventAction.ROUTED,
    EventAction.TRANSFERRED,
    EventAction.ESCALATED,
    EventAction.RETURNED,
    EventAction.REOPENED,
)
SATISFIED = (Satisfaction.SATISFIED, Satisfaction.FAIR)
RATES = ("response_rate", "resolution_rate", "satisfaction_rate")


def rate(part: int, whole: int) -> Decimal | None:
    """``part`` of ``whole`` in per cent, rounded half up to 0.1; None when ``whole`` is 0."""
    if not whole:
        return None
    return (Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP)


def accept_deadlines(days: set[datetime.date]) -> dict[datetime.date, datetime.datetime]:
    """For each assignment date: the first instant (aware) after its acceptance window, i.e. the start
    of the day after the ``ACCEPT_WORKING_DAYS``-th working day. One query for the district's calendar
    overrides of the whole span (the calendar's rule, read once for many dates)."""
    if not days:
        return {}
    first, last = min(days), max(days) + datetime.timedelta(days=ACCEPT_WORKING_DAYS * 2 + 30)
    overrides = dict(CalendarDay.objects.filter(date__range=(first, last)).values_list("date", "is_workday"))
    out = {}
    for start in days:
        day, left = start, ACCEPT_WORKING_DAYS
        while left > 0:
            day += datetime.timedelta(days=1)
            override = overrides.get(day)
            if official_working_day(day) if override is None else override:
                left -= 1
        out[start] = timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))
    return out


def _period(field: str, start: datetime.date | None, end: datetime.date | None) -> Q:
    q = Q()
    if start:
        q &= Q(**{f"{field}__date__gte": start})
    if end:
        q &= Q(**{f"{field}__date__lte": end})
    return q


def _assignments(disputes: QuerySet[Dispute], start, end) -> QuerySet[DisputeEvent]:
    """Assignment events of the cases of ``disputes`` in the period, each with its next hand-over's
    action and time and the end of its acceptance window (two queries when evaluated: the dates, then
    the rows or their aggregate)."""
    events = DisputeEvent.objects.filter(
        _period("created_at", start, end), action__in=ASSIGNMENTS, to_body__isnull=False, dispute__in=disputes
    )
    tz = timezone.get_current_timezone()
    days = set(events.annotate(day=TruncDate("created_at", tzinfo=tz)).values_list("day", flat=True).distinct())
    windows = accept_deadlines(days)
    # By id (``pk + 0``: the case's few events found through its ``dispute_id`` index in each monthly
    # partition, not by walking every partition's primary key from this event's id on).
    following = DisputeEvent.objects.filter(
        dispute_id=OuterRef("dispute_id"), pk__gt=OuterRef("pk"), action__in=(EventAction.ACCEPTED, *ASSIGNMENTS)
    ).order_by(F("pk") + 0)
    window_end = Cast(
        Case(
            *(When(day=day, then=Value(at, output_field=DateTimeField())) for day, at in windows.items()),
            default=Value(None, output_field=DateTimeField()),
            output_field=DateTimeField(),
        ),
        DateTimeField(),
    )
    return events.annotate(
        day=TruncDate("created_at", tzinfo=tz),
        next_action=Subquery(following.values("action")[:1]),
        next_at=Subquery(following.values("created_at")[:1]),
    ).annotate(window_end=window_end)


def _response_counts() -> dict[str, Any]:
    now = timezone.now()
    in_time = Q(next_action=EventAction.ACCEPTED, next_at__lt=F("window_end"))
    decided = Q(next_action__isnull=False) | Q(window_end__lte=now)
    return {"responded": Count("pk", filter=in_time), "assigned": Count("pk", filter=decided)}


def rates_for_division(*, division: Division, disputes: QuerySet[Dispute] | None = None, start=None, end=None) -> dict:
    """The three rates (and their counts) of the cases in ``division``'s subtree (within ``disputes``,
    default all), for [start, end]: ``{response_rate, responded, assigned, resolution_rate, resolved,
    received, satisfaction_rate, satisfied, rated}``. Four queries."""
    disputes = (disputes if disputes is not None else Dispute.objects.all()).in_subtree(division)
    response = _assignments(disputes, start, end).aggregate(**_response_counts())
    cases = disputes.filter(_period("received_at", start, end)).aggregate(
        received=Count("pk"), resolved=Count("pk", filter=Q(resolved_at__isnull=False))
    )
    ratings = DisputeRating.objects.filter(_period("created_at", start, end), dispute__in=disputes).aggregate(
        rated=Count("pk"), satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED))
    )
    return _with_rates({**response, **cases, **ratings})


def response_rate_for_division(*, division: Division, start=None, end=None) -> Decimal | None:
    """响应率 alone for ``division``'s subtree and [start, end], as ``rates_for_division`` gives it (per
    cent, 0.1, None with nothing decided): two queries, not that function's four."""
    events = _assignments(Dispute.objects.in_subtree(division), start, end)
    row = events.aggregate(**_response_counts())
    return rate(row["responded"], row["assigned"])


def _with_rates(row: dict) -> dict:
    row["response_rate"] = rate(row.get("responded", 0), row.get("assigned", 0))
    row["resolution_rate"] = rate(row.get("resolved", 0), row.get("received", 0))
    row["satisfaction_rate"] = rate(row.get("satisfied", 0), row.get("rated", 0))
    return row


def rates_by_child(*, division: Division, disputes: QuerySet[Dispute], start=None, end=None) -> dict[str, dict]:
    """``{child division code: rates}`` for the children of ``division`` (code "" for cases attached
    to ``division`` itself), the same formulas as ``rates_for_division``. Four queries."""
    disputes = disputes.in_subtree(division)
    out: dict[str, dict] = {}

    def add(rows, key: str = "child") -> None:
        for row in rows:
            out.setdefault(row.pop(key), {}).update(row)

    child = child_code_expression("dispute__division__path", division)
    add(
        _assignments(disputes, start, end)
        .annotate(child=child)
        .values("child")
        .annotate(**_response_counts())
        .order_by()
    )
    add(
        disputes.filter(_period("received_at", start, end))
        .annotate(child=child_code_expression("division__path", division))
        .values("child")
        .annotate(received=Count("pk"), resolved=Count("pk", filter=Q(resolved_at__isnull=False)))
        .order_by()
    )
    add(
        DisputeRating.objects.filter(_period("created_at", start, end), dispute__in=disputes)
        .annotate(child=child)
        .values("child")
        .annotate(rated=Count("pk"), satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)))
        .order_by()
    )
    return {code: _with_rates(row) for code, row in out.items()}


def rates_by_body(*, division: Division, disputes: QuerySet[Dispute], start=None, end=None) -> dict[int, dict]:
    """``{body id: rates}`` for the bodies that were sent, accepted or rated cases of ``disputes`` in
    ``division``'s subtree in [start, end] (per-body formulas in the module's docstring). Three
    queries."""
    disputes = disputes.in_subtree(division)
    out: dict[int, dict] = {}

    def add(rows, key: str) -> None:
        for row in rows:
            out.setdefault(row.pop(key), {}).update(row)

    add(
        _assignments(disputes, start, end).values("to_body").annotate(**_response_counts()).order_by(),
        "to_body",
    )
    accepted = DisputeEvent.objects.filter(
        _period("created_at", start, end), action=EventAction.ACCEPTED, to_body__isnull=False, dispute__in=disputes
    )
    resolved = Q(dispute__resolved_at__isnull=False, dispute__current_body=F("to_body"))
    add(
        accepted.values("to_body")
        .annotate(
            received=Count("dispute", distinct=True),
            resolved=Count(
                "dispute",
                distinct=True,
                filter=Q(dispute__status__in=RESOLVED_STATUSES) & resolved,
            ),
        )
        .order_by(),
        "to_body",
    )
    add(
        DisputeRating.objects.filter(_period("created_at", start, end), dispute__in=disputes, body__isnull=False)
        .values("body")
        .annotate(rated=Count("pk"), satisfied=Count("pk", filter=Q(satisfaction__in=SATISFIED)))
        .order_by(),
        "body",
    )
    return {body: _with_rates(row) for body, row in out.items() if body is not None}
