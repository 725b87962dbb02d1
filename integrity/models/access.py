"""查阅记录: the append-only log of who viewed which clue or case, which lists of them, and whose
reporter identity."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.querysets import ScopedQuerySet
from integrity.choices import DISCIPLINE_ROLES, AccessAction, AccessTarget, AccessVia
from integrity.models.cases import IntegrityCase
from integrity.models.clues import Clue


class AccessLog(models.Model):
    """查阅记录 — who viewed which clue or case (``open``), which list of clues or cases (``list``: one
    row per request, with the ids shown on that page and the path with its filters), or whose reporter
    identity (``reveal``), when and where (page, API or admin). Append-only: a database trigger refuses
    every update and delete, whoever asks."""

    audit_exempt = "an append-only record in itself: a database trigger refuses every update and delete"
    scope_roles = DISCIPLINE_ROLES

    division = models.ForeignKey(
        "governance.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查阅人"), on_delete=models.PROTECT, related_name="+"
    )
    clue = models.ForeignKey(
        Clue, verbose_name=_("问题线索"), null=True, blank=True, on_delete=models.PROTECT, related_name="access_logs"
    )
    case = models.ForeignKey(
        IntegrityCase,
        verbose_name=_("案件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="access_logs",
    )
    action = models.CharField(_("操作"), max_length=8, choices=AccessAction.choices, default=AccessAction.OPEN)
    target = models.CharField(_("列表类别"), max_length=8, choices=AccessTarget.choices, blank=True)
    row_ids = ArrayField(models.BigIntegerField(), verbose_name=_("列表中的记录ID"), default=list, blank=True)
    via = models.CharField(_("途径"), max_length=8, choices=AccessVia.choices)
    path = models.CharField(_("地址"), max_length=500)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("查阅记录")
        verbose_name_plural = _("查阅记录")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(action=AccessAction.OPEN, clue__isnull=False, case__isnull=True)
                    | Q(action=AccessAction.OPEN, clue__isnull=True, case__isnull=False)
                    | Q(action=AccessAction.REVEAL, clue__isnull=False, case__isnull=True)
                    | Q(action=AccessAction.LIST, clue__isnull=True, case__isnull=True, target__in=AccessTarget.values)
                ),
                name="integrity_access_log_one_object",
                violation_error_message=_("查看与查看举报人对应一条线索或一起案件；列表记录不指向单条记录。"),
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="integrity_access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        what = self.clue or self.case or f"{self.get_target_display()}{self.get_action_display()}"
        return f"{self.user} · {what} · {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
