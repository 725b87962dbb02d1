"""推送订阅 through the API: a key manages its own subscriptions (``/api/v1/governance/webhooks/``)."""

from __future__ import annotations

from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from governance.api.fields import ScopedModelSerializer, ScopedSlugRelatedField
from governance.api.views import ScopedViewSetMixin
from governance.models import ApiKey, Division, WebhookSubscription
from governance.registry import registry
from governance.webhooks import webhook_subscribe


class WebhookSubscriptionSerializer(ScopedModelSerializer):
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=()), allow_empty=False, help_text=_("事件类型，如 dispute.event")
    )
    division = ScopedSlugRelatedField(
        slug_field="code", queryset=Division.objects.all(), help_text=_("区划代码：只推送该区划（含下级）的事件")
    )
    url = serializers.URLField(
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("接收地址（http 或 https）"),
    )
    secret = serializers.SerializerMethodField(help_text=_("签名密钥：只在创建时返回一次"))

    class Meta:
        model = WebhookSubscription
        fields = ["id", "event_types", "division", "url", "is_active", "secret", "created_at"]
        read_only_fields = ["is_active", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event_types"].child.choices = sorted(registry.webhook_events.items())

    def get_secret(self, subscription) -> str | None:
        return subscription.secret if self.context.get("show_secret") else None

    def create(self, validated_data):
        return webhook_subscribe(key=self.context["request"].auth, **validated_data)


class WebhookSubscriptionViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """推送订阅. Only an API key subscribes, and it sees only its own subscriptions (a signed-in person
    has none: an empty list, 403 on ``POST``); ``DELETE`` switches one off (its deliveries stay in the
    log). Deliveries are signed with HMAC-SHA256: see README "Webhooks" (headers ``X-Portal-Event``,
    ``X-Portal-Delivery``, ``X-Portal-Signature``)."""

    queryset = WebhookSubscription.objects.select_related("division")
    serializer_class = WebhookSubscriptionSerializer

    def get_queryset(self):
        return super().get_queryset().filter(api_key__user=self.request.user)

    def create(self, request, *args, **kwargs):
        if not isinstance(request.auth, ApiKey):
            raise PermissionDenied(_("推送订阅只能用接口密钥创建。"))
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscription = serializer.save()
        body = self.get_serializer(subscription, context={**self.get_serializer_context(), "show_secret": True}).data
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        instance.is_active = False
        instance.save(update_fields=["is_active"])
