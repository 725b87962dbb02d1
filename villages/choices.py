"""Choices, constants and error codes of the villages registers, apart from the models so querysets,
filters and services can use them without importing the models."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from governance.models import OrganizationKind

ERR_HAMLET_LEVEL = "hamlet_division_level"
ERR_HAMLET_PARENT = "hamlet_parent_not_village"
ERR_COOPERATIVE_KIND = "share_rule_not_cooperative"
ERR_HOLDING_COOPERATIVE = "share_holding_other_hamlet"
ERR_HOLDING_OVERLAP = "share_holding_overlap"

BODY_KINDS = (OrganizationKind.PARTY_GROUP, OrganizationKind.COUNCIL, OrganizationKind.COOPERATIVE)
ZERO = Decimal("0")


class OperatorKind(models.TextChoices):
    FAMILY_FARM = "family_farm", _("家庭农场")
    SPECIALISED_COOPERATIVE = "specialised_cooperative", _("农民专业合作社")
    ENTERPRISE = "enterprise", _("农业企业")


class TransferStatus(models.TextChoices):
    PENDING = "pending", _("拟流转")
    ACTIVE = "active", _("履约中")
    ENDED = "ended", _("已到期")
    TERMINATED = "terminated", _("已解除")


class TransferFrom(models.TextChoices):
    HOUSEHOLD = "household", _("农户")
    COOPERATIVE = "cooperative", _("屋场合作社")


class FollowUpStatus(models.TextChoices):
    PENDING = "pending", _("待落实")
    IN_PROGRESS = "in_progress", _("落实中")
    DONE = "done", _("已办结")
