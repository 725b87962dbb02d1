"""站内通知 — what a person must act on (a case awaiting their body's acceptance, a deadline near…),
in their inbox, and by e-mail when they chose so for that kind."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeQuerySet(models.QuerySet):
    def for_recipient(self, user) -> NoticeQuerySet:
        """A person's own notices: nobody reads another's inbox (not even above them)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient_id=user.pk)

    def unread(self) -> NoticeQuerySet:
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    """One notice to one person. ``key`` makes it once per event (a transfer, a case reaching one
    deadline threshold): the same key for the same person is never written twice."""

    audit_exempt = "a delivery record written by the system about rows that are themselves audited"

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(_("类型"), max_length=40)
    key = models.CharField(_("去重键"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True, default="")
    url = models.CharField(_("链接"), max_length=300, blank=True, default="")
    division = models.ForeignKey(
        "governance.Division",
        verbose_name=_("区划"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    email_wanted = models.BooleanField(_("需发邮件"), default=False)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("邮件尝试次数"), default=0)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="notice_once_per_key")]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notice_inbox"),
            models.Index(
                fields=["id"], name="notice_email_pending", condition=models.Q(email_wanted=True, emailed_at=None)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class NoticePreference(models.Model):
    """A person's choice per kind of notice: in the portal only (the default), or by e-mail too."""

    audit_exempt = "a person's own delivery setting, changed only by them"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="notice_preferences"
    )
    kind = models.CharField(_("类型"), max_length=40)
    email = models.BooleanField(_("同时发邮件"), default=False)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notice_preference_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.kind}"
