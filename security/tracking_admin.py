"""Admin of 一案一码 codes (revoke and issue anew) and of 群众评价 (read only). Imported by
``security.admin``."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin
from security.models import DisputeRating, TrackingCode
from security.services.tracking import tracking_code_revoke


@admin.register(TrackingCode)
class TrackingCodeAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The codes of the cases in scope; the token itself is never shown here (print it from the case).
    "作废并重新生成" revokes a lost or leaked code: the old one answers 404 from then on."""

    list_display = ("dispute", "created_at", "revoked_at", "revoked_by", "failed_attempts", "locked_until")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("dispute", "revoked_by")
    search_fields = ("dispute__number",)
    exclude = ("nonce", "token_hash")
    actions = ["revoke"]

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm("security.change_trackingcode")

    @admin.action(description=_("作废并重新生成查询码"), permissions=["revoke"])
    def revoke(self, request, queryset):
        done = 0
        for code in queryset.filter(revoked_at__isnull=True).select_related("dispute"):
            tracking_code_revoke(code=code, by=request.user)
            done += 1
        self.message_user(request, _("已作废 %(n)d 个查询码并重新生成。") % {"n": done}, messages.SUCCESS)


@admin.register(DisputeRating)
class DisputeRatingAdmin(ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    """The parties' ratings: written only from the public page, never edited."""

    list_display = ("dispute", "satisfaction", "solved", "body", "round", "created_at")
    list_filter = ("satisfaction", "solved")
    list_select_related = ("dispute", "body")
    search_fields = ("dispute__number",)
