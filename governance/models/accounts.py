from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.audit import audited, audited_links
from governance.phones import PhoneNumberField
from governance.querysets import ScopedQuerySet


class Role(models.TextChoices):
    DISTRICT_ADMIN = "district_admin", _("区级管理员")
    LEADER = "leader", _("领导")
    TOWNSHIP_OFFICER = "township_officer", _("乡镇（街道）干部")
    COMMUNITY_OFFICER = "community_officer", _("村（社区）干部")
    MEDIATOR = "mediator", _("调解员")
    POLICE = "police", _("民警")
    DISCIPLINE_INSPECTOR = "discipline_inspector", _("纪检监察干部")
    SHOP_OPERATOR = "shop_operator", _("积分超市管理员")
    API_CLIENT = "api_client", _("接口调用方")


@audited(
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    """用户 — a staff account. What it may see is set by its role assignments (角色 + 区划)."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = PhoneNumberField(_("手机号"))

    class Meta(AbstractUser.Meta):
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def role_paths(self) -> list[tuple[str, str]]:
        """``[(role, division path), …]`` of the user's role assignments: one query, cached on the
        object for the request; ``roles`` and every scope (``governance.querysets.user_scope_paths``)
        are read from it."""
        cached = getattr(self, "_role_paths", None)
        if cached is None:
            cached = list(self.role_assignments.values_list("role", "division__path").order_by())
            self._role_paths = cached
        return cached

    @property
    def roles(self) -> set[str]:
        cached = getattr(self, "_roles", None)
        if cached is None:
            cached = {role for role, _path in self.role_paths}
            self._roles = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))


@audited()
class RoleAssignment(models.Model):
    """角色分配 — a user holds a role over one division's subtree."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    division = models.ForeignKey(
        "governance.Division", verbose_name=_("管辖区划"), on_delete=models.PROTECT, related_name="role_assignments"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        ordering = ["user", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "division"],
                name="role_assignment_unique",
                violation_error_message=_("该用户在该区划已有此角色。"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.division}"


class ApiKeyQuerySet(ScopedQuerySet):
    def usable(self) -> ApiKeyQuerySet:
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


# ``last_used_at`` is bookkeeping, touched by the API's requests: auditing it would attribute a row
# to whichever request happened to touch it.
@audited(exclude=["last_used_at"])
class ApiKey(models.Model):
    """接口密钥 — a key another system (12345, 公安, 信访…) uses to call the API, scoped like a user.

    Only a SHA-256 hash of the secret is stored; the key is shown once, when it is made."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    prefix = models.CharField(_("前缀"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, editable=False)
    user = models.OneToOneField(
        User, verbose_name=_("服务账号"), on_delete=models.PROTECT, related_name="api_key", editable=False
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, editable=False)
    division = models.ForeignKey(
        "governance.Division",
        verbose_name=_("管辖区划"),
        on_delete=models.PROTECT,
        related_name="api_keys",
        editable=False,
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("接口密钥")
        verbose_name_plural = _("接口密钥")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


@audited_links()
class UserGroupLink(User.groups.through):
    """用户所属角色组 — which role groups a user is in (kept by ``roles_sync``); every change is audited."""

    class Meta:
        proxy = True


@audited_links()
class UserPermissionLink(User.user_permissions.through):
    """用户单独权限 — permissions granted to one user outside the role groups; every change is audited."""

    class Meta:
        proxy = True
