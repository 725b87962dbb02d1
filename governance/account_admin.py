"""The admin of staff accounts and other systems' API keys: roles, the second-factor reset, key
expiry and revocation. django-otp's own device admins are removed (they would show secrets)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.admin import ScopedAdminMixin, ScopedChoicesMixin
from governance.masking import mask_phone
from governance.models import ApiKey, Role, RoleAssignment, User
from governance.second_factor import devices_reset
from governance.services import api_key_revoke, record_save, role_group_name, user_role_groups_sync

# --- 角色组 --------------------------------------------------------------------------------------

ROLE_GROUP_LABELS = {role_group_name(value): label for value, label in Role.choices}


def group_label(group: Group) -> str:
    """A role's group by the role's Chinese name (区级管理员), its code (``role:district_admin``) kept
    as the stored name that ``roles_sync`` and permissions rely on; any other group by its name."""
    label = ROLE_GROUP_LABELS.get(group.name)
    return str(label) if label is not None else group.name


admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(DjangoGroupAdmin):
    """Auth groups: one per role, kept by ``roles_sync``; listed by the role's Chinese name."""

    list_display = ("role_name", "name")

    @admin.display(description=_("角色"), ordering="name")
    def role_name(self, group: Group) -> str:
        return group_label(group)


# --- 用户与接口密钥 ------------------------------------------------------------------------------


class RoleAssignmentInline(ScopedChoicesMixin, admin.TabularInline):
    model = RoleAssignment
    autocomplete_fields = ("division",)
    fields = ("role", "division", "created_at")
    readonly_fields = ("created_at",)
    extra = 1


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    """Staff accounts. Only district admins and superusers hold the permissions to reach it; a district
    admin sees the accounts with a role in their scope, and accounts without any role yet."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("个人信息"), {"fields": ("full_name", "phone", "email")}),
        (_("权限"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    list_display = ("username", "full_name", "is_active", "is_staff", "last_login")
    list_filter = ("is_active", "is_staff")
    search_fields = ("username", "full_name")
    phone_search_fields = ("phone",)
    inlines = [RoleAssignmentInline]
    personal_data_fields = {"phone": mask_phone}
    actions = ["second_factor_reset"]

    @admin.action(description=_("重置双因素认证（删除身份验证器与恢复码，下次登录重新绑定）"), permissions=["change"])
    def second_factor_reset(self, request, queryset):
        """A lost phone: remove the chosen accounts' devices. Audited twice: the device tables' trigger
        events (with this request's user and URL) and the account's admin history."""
        for user in queryset:
            removed = devices_reset(user)
            self.log_change(request, user, _("重置双因素认证：删除 %(n)d 个设备") % {"n": removed})
        self.message_user(request, _("已重置 %(n)d 个账号的双因素认证。") % {"n": len(queryset)}, messages.SUCCESS)

    def scope_queryset(self, request, queryset):
        if request.user.is_superuser:
            return queryset
        in_scope = RoleAssignment.objects.for_user(request.user).filter(user_id=OuterRef("pk"))
        any_role = RoleAssignment.objects.filter(user_id=OuterRef("pk"))
        return queryset.filter(is_superuser=False).filter(Exists(in_scope) | ~Exists(any_role))

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            # Permissions come from roles; only a superuser hands out anything else.
            readonly += ["is_superuser", "groups_shown", "user_permissions"]
        return readonly

    def get_fieldsets(self, request, obj=None):
        """A read-only 组 reads as the roles' Chinese names (``groups_shown``), not their codes."""
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (title, {**options, "fields": [("groups_shown" if f == "groups" else f) for f in options["fields"]]})
            for title, options in fieldsets
        ]

    @admin.display(description=_("组"))
    def groups_shown(self, user: User) -> str:
        return "、".join(sorted(group_label(group) for group in user.groups.all())) or "—"

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if db_field.name == "groups" and formfield is not None:
            formfield.label_from_instance = group_label
        return formfield

    def save_model(self, request, obj, form, change):
        # UserCreationForm/UserChangeForm have already set the password hash.
        record_save(instance=obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        user_role_groups_sync(user=form.instance)


@admin.register(ApiKey)
class ApiKeyAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Keys are made by ``manage.py create_api_key`` (the plain key is shown once); here they are
    looked at, given an expiry date and revoked, never added or deleted."""

    list_display = ("name", "prefix", "role", "division", "created_at", "expires_at", "revoked_at", "last_used_at")
    list_filter = ("role",)
    list_select_related = ("division",)
    search_fields = ("name", "prefix")
    readonly_fields = (
        "name",
        "prefix",
        "user",
        "role",
        "division",
        "created_at",
        "revoked_at",
        "last_used_at",
    )
    # Only the expiry date is edited here; revoking is the action below.
    fields = ("name", "prefix", "user", "role", "division", "created_at", "expires_at", "revoked_at", "last_used_at")
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("吊销"), permissions=["change"])
    def revoke(self, request, queryset):
        count = 0
        for key in queryset:
            if key.revoked_at is None:
                api_key_revoke(key=key)
                count += 1
        self.message_user(request, _("已吊销 %(count)d 个接口密钥。") % {"count": count}, messages.SUCCESS)


# django-otp's own device admins would show (and let one edit) secrets: a device is enrolled by its
# owner on /account/otp/ and removed by the reset action above, nothing else.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)
