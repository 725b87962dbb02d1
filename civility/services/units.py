"""“8+N” 文明单元: a unit's evaluation rounds; the round's result becomes the unit's status."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from civility.errors import ERR_REVIEW_ROUND, ERR_REVIEW_SCORE, field_error
from civility.models import CivilityUnit, UnitReview
from governance.dates import past_date_validate


@transaction.atomic
def unit_review_record(
    *, unit: CivilityUnit, reviewed_on: datetime.date, result: str, score: int | None = None, note: str = ""
) -> UnitReview:
    """评审: the unit's next round (1, 2, …), dated ``reviewed_on`` (not in the future, not before the
    application), scored 0–100 (optional); the unit's ``status`` becomes ``result`` (a
    ``UnitStatus``). Raises ``ValidationError`` on ``reviewed_on`` (a date in the future, or before
    ``applied_on``: ``ERR_REVIEW_ROUND``), on ``score`` outside 0–100 (``ERR_REVIEW_SCORE``), on
    ``result`` (the review's own checks)."""
    unit = CivilityUnit.objects.select_for_update().get(pk=unit.pk)
    if reviewed_on is not None:
        try:
            past_date_validate(reviewed_on)
        except ValidationError as error:
            raise ValidationError({"reviewed_on": error.error_list}) from None
        if reviewed_on < unit.applied_on:
            raise field_error("reviewed_on", _("评审日期不能早于申报日期。"), ERR_REVIEW_ROUND)
    if score is not None and not 0 <= score <= 100:
        raise field_error("score", _("得分应在 0 至 100 之间。"), ERR_REVIEW_SCORE)
    last = unit.reviews.aggregate(last=Max("round"))["last"] or 0
    review = UnitReview(unit=unit, round=last + 1, reviewed_on=reviewed_on, result=result, score=score, note=note)
    review.full_clean()
    review.save()
    unit.status = result
    unit.save(update_fields=["status"])
    return review
