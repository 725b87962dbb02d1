"""The admin of webhooks (``governance.webhooks``): subscriptions of other systems' keys, and every
delivery with its attempts, replayable (重新推送)."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from governance.admin import ReadOnlyAdminMixin, ScopedAdminMixin, ScopedChoicesMixin
from governance.admin_site import BigTableAdminMixin
from governance.models import DeliveryStatus, WebhookAttempt, WebhookDelivery, WebhookSubscription
from governance.registry import registry
from governance.webhooks import webhook_private_address, webhook_replay, webhook_subscribe


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(label=_("事件类型"), widget=forms.CheckboxSelectMultiple, choices=())
    url = forms.URLField(label=_("接收地址"), max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookSubscription
        fields = ("api_key", "event_types", "division", "url", "is_active")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].choices = sorted(registry.webhook_events.items())

    def clean(self):
        """The same rules as ``webhook_subscribe``, on add and on change: the division within the key's,
        no loopback or private receiver."""
        data = super().clean()
        key, division, url = data.get("api_key"), data.get("division"), data.get("url")
        if key and division and not division.path.startswith(key.division.path):
            self.add_error("division", _("订阅范围必须在接口密钥的区划之内。"))
        if url and webhook_private_address(url):
            self.add_error("url", _("接收地址不能是本机或内网地址。"))
        types = data.get("event_types") or []
        same = WebhookSubscription.objects.filter(api_key=key, url=url, division=division, is_active=True)
        if key and division and url and same.exclude(pk=self.instance.pk).filter(event_types__overlap=types).exists():
            self.add_error("url", _("已有相同接收地址和区划的启用订阅，不必重复订阅。"))
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """A key's subscriptions. The signing secret is shown here to those who manage the key (the
    receiving system needs it); changing the URL or types keeps it."""

    form = SubscriptionForm
    list_display = ("api_key", "url", "division", "types", "is_active", "created_at")
    list_filter = ("is_active",)
    list_select_related = ("api_key", "division")
    search_fields = ("url", "api_key__name")
    readonly_fields = ("secret", "created_at")

    def get_fields(self, request, obj=None):
        return ("api_key", "event_types", "division", "url", "is_active", "secret", "created_at")

    @admin.display(description=_("事件类型"))
    def types(self, subscription: WebhookSubscription) -> str:
        return "、".join(str(registry.webhook_events.get(t, t)) for t in subscription.event_types)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = webhook_subscribe(key=obj.api_key, event_types=obj.event_types, division=obj.division, url=obj.url)
        obj.pk, obj.secret = created.pk, created.secret

    def has_delete_permission(self, request, obj=None):
        return False  # switched off (启用), kept with its deliveries


class AttemptInline(ReadOnlyAdminMixin, ScopedChoicesMixin, admin.TabularInline):
    model = WebhookAttempt
    fields = ("at", "status_code", "error", "duration_ms")
    readonly_fields = fields
    extra = 0


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(BigTableAdminMixin, ReadOnlyAdminMixin, ScopedAdminMixin, admin.ModelAdmin):
    list_display = ("event_type", "event_id", "subscription", "status", "attempts", "last_status_code", "created_at")
    list_filter = ("status", "event_type")
    list_select_related = ("subscription__api_key",)
    search_fields = ("=event_id", "subscription__url", "subscription__api_key__name")
    inlines = [AttemptInline]
    actions = ["replay"]

    @admin.action(description=_("重新推送"), permissions=["view"])
    def replay(self, request, queryset):
        count = 0
        for delivery in queryset.exclude(status=DeliveryStatus.PENDING):
            webhook_replay(delivery=delivery)
            count += 1
        self.message_user(request, _("已重新推送 %(n)d 条。") % {"n": count}, messages.SUCCESS)
