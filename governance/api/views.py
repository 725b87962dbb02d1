from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, viewsets
from rest_framework.permissions import SAFE_METHODS

from governance.api import serializers
from governance.filtersets import (
    DivisionFilterSet,
    HouseholdFilterSet,
    OrganizationFilterSet,
    PersonFilterSet,
    PostFilterSet,
)
from governance.models import Division, Household, Organization, Person, Post
from governance.querysets import row_editable_by


class ScopedViewSetMixin:
    """Rows come from ``for_user``: a row outside the caller's subtree is simply not found (404); a
    row issued above it (``Reach.ANCESTORS``: a district's property company seen from a community)
    is read-only there (403 on a write)."""

    def get_queryset(self):
        return super().get_queryset().for_user(self.request.user)

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj)
        if request.method not in SAFE_METHODS and not row_editable_by(obj, request.user):
            self.permission_denied(request, message=_("该记录由上级区划登记，您只能查看。"))


class RegisterViewSet(
    ScopedViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """List, read, create and update. Registers are never deleted through the API: people and
    organisations are referenced by cases and ledgers, and corrections are edits that the audit
    trail keeps."""

    def _reread(self, serializer) -> None:
        # The answer to a write is the row as a read shows it: figures the queryset annotates
        # (a committee's compliance counts) were missing from it, against the schema.
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)

    def perform_create(self, serializer):
        super().perform_create(serializer)
        self._reread(serializer)

    def perform_update(self, serializer):
        super().perform_update(serializer)
        self._reread(serializer)


class DivisionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """行政区划 (kept by district staff in the admin; read-only here)."""

    queryset = Division.objects.select_related("parent")
    serializer_class = serializers.DivisionSerializer
    filterset_class = DivisionFilterSet
    ordering_fields = ["path", "code", "name"]


class PersonViewSet(RegisterViewSet):
    """人员. 身份证号 and phone are masked for callers without the "view personal data" permission."""

    queryset = Person.objects.select_related("division")
    serializer_class = serializers.PersonSerializer
    filterset_class = PersonFilterSet
    ordering_fields = ["name", "id", "created_at"]


class HouseholdViewSet(RegisterViewSet):
    """家庭户 with members; the head must be one of the members."""

    queryset = Household.objects.select_related("division", "head").prefetch_related("members__person")
    serializer_class = serializers.HouseholdSerializer
    filterset_class = HouseholdFilterSet
    ordering_fields = ["number", "id"]


class OrganizationViewSet(RegisterViewSet):
    """组织: Party organisations, councils, cooperatives, owners' committees…"""

    queryset = Organization.objects.select_related("division")
    serializer_class = serializers.OrganizationSerializer
    filterset_class = OrganizationFilterSet
    ordering_fields = ["name", "id"]


class PostViewSet(RegisterViewSet):
    """职务: who holds which post in which organisation."""

    queryset = Post.objects.select_related("organization", "person")
    serializer_class = serializers.PostSerializer
    filterset_class = PostFilterSet
    ordering_fields = ["id", "start_date"]
