"""查阅记录: the append-only log of who viewed which clue or case."""

from __future__ import annotations

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.querysets import ScopedQuerySet
from integrity.choices import DISCIPLINE_ROLES, AccessVia
from integrity.models.cases import IntegrityCase
from integrity.models.clues import Clue


class AccessLog(models.Model):
    """查阅记录 — who viewed which clue or case, when and where (page, API or admin). Append-only:
    a database trigger refuses every update and delete, whoever asks."""

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
                condition=Q(clue__isnull=False, case__isnull=True) | Q(clue__isnull=True, case__isnull=False),
                name="integrity_access_log_one_object",
                violation_error_message=_("一条查阅记录对应一条线索或一起案件。"),
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="integrity_access_log_append_only", operation=pgtrigger.Update | pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.clue or self.case} · {timezone.localtime(self.at):%Y-%m-%d %H:%M}"
