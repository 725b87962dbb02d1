"""Who hears of what in the civility app (站内通知): a self-reported entry waiting for confirmation
goes to the village officers over the household; a published month's ranking to the officers of its
area."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from civility.choices import NOTICE_ENTRY_PENDING, NOTICE_RANKING_PUBLISHED
from civility.models import PointEntry, RankingMonth
from governance.models import Role
from governance.notices import NoticeDraft, notices_send, recipients_in_area

CONFIRMERS = (Role.COMMUNITY_OFFICER,)
RANKING_READERS = (Role.TOWNSHIP_OFFICER, Role.COMMUNITY_OFFICER)


def entry_pending_notify(entry: PointEntry) -> int:
    """Tell the village (community) officers over the household that a self-report waits for them.
    Returns how many notices were new."""
    household = entry.account.household
    division = household.division
    title = _("积分待确认：%(household)s 自报 %(points)d 分") % {"household": household, "points": entry.points}
    body = entry.note or (entry.rule.behaviour if entry.rule else "")
    return notices_send(
        NoticeDraft(
            user_id,
            NOTICE_ENTRY_PENDING,
            f"entry:{entry.pk}:pending",
            title,
            body,
            reverse("civility:pending"),
            division.pk,
        )
        for user_id in recipients_in_area(division, CONFIRMERS)
    )


def ranking_published_notify(run: RankingMonth) -> int:
    """Tell the township and village officers of the ranking's area that a month was published."""
    title = _("%(month)s 积分评比已公布（%(division)s）") % {
        "month": f"{run.month:%Y年%m月}",
        "division": run.division.name,
    }
    return notices_send(
        NoticeDraft(user_id, NOTICE_RANKING_PUBLISHED, f"ranking:{run.pk}:published", title, "", "", run.division_id)
        for user_id in recipients_in_area(run.division, RANKING_READERS)
    )
