"""Error codes the civility services raise (stable, for machines and tests) and the one conflict of
their own: an idempotency key reused for another request."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from governance.errors import Conflict

ERR_RULE_INACTIVE = "point_rule_inactive"
ERR_RULE_CAP = "point_rule_monthly_cap"
ERR_EVIDENCE_REQUIRED = "point_evidence_required"
ERR_INSUFFICIENT_BALANCE = "points_insufficient_balance"
ERR_INSUFFICIENT_STOCK = "reward_insufficient_stock"
ERR_ITEM_NOT_IN_SHOP = "reward_item_not_in_shop"
ERR_EMPTY_REDEMPTION = "redemption_empty"
ERR_REVERSE_REVERSAL = "reverse_reversal"
ERR_REVERSE_OTHER_ACCOUNT = "reverse_other_account"
ERR_ALREADY_REVERSED = "entry_already_reversed"
ERR_REVERSE_UNCONFIRMED = "reverse_unconfirmed"
ERR_NOT_PENDING = "entry_not_pending"
ERR_RANKING_PUBLISHED = "ranking_month_published"
ERR_INVALID_MONTH = "invalid_month"
ERR_ACTIVITY_CONVERTED = "activity_already_converted"
ERR_IDEMPOTENCY_CONFLICT = "idempotency_conflict"
ERR_SHOP_INACTIVE = "shop_inactive"
ERR_NOT_SHOP_OPERATOR = "shop_operator_not_assigned"
ERR_DECLARATION_NOT_FLAGGED = "declaration_not_flagged"
ERR_BANQUET_NEGATIVE = "banquet_negative"
ERR_BANQUET_TABLES = "banquet_tables_min"
ERR_BANQUET_DATE = "banquet_date_out_of_range"
ERR_TEAM_ELSEWHERE = "banquet_team_of_another_village"
ERR_REVIEW_ROUND = "unit_review_round"
ERR_REVIEW_SCORE = "unit_review_score"
ERR_BOARD_TRANSITION = "board_transition_not_allowed"
ERR_RANKING_NOT_PUBLISHED = "ranking_month_not_published"
ERR_BOARD_EXISTS = "board_exists"
ERR_BOARD_SAME_PERSON = "board_confirmer_is_proposer"
ERR_FAMILY_CONFIRMER_ROLE = "family_confirmer_role"


class IdempotencyConflict(Conflict):
    """An idempotency key already used for a different request (another account, rule or shop),
    reported on ``idempotency_key``. The API answers 409 with the code ``idempotency_conflict``."""

    api_code = ERR_IDEMPOTENCY_CONFLICT


def field_error(field: str, message: Any, code: str, /, **params: Any) -> ValidationError:
    """``ValidationError({field: message})`` with a stable ``code`` and the message's ``%(name)s`` params."""
    return ValidationError({field: ValidationError(message, code=code, params=params or None)})


def idempotency_conflict() -> IdempotencyConflict:
    """The error for a key already used for another request, on ``idempotency_key``."""
    return IdempotencyConflict(
        {"idempotency_key": ValidationError(_("该幂等键已用于另一笔请求。"), code=ERR_IDEMPOTENCY_CONFLICT)}
    )
