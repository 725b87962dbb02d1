from rest_framework import exceptions
from rest_framework.permissions import DjangoModelPermissions

from governance.querysets import model_open_to


class ScopedModelPermissions(DjangoModelPermissions):
    """Model permissions from the user's roles, reads included. Which rows are visible is decided by
    the viewset's queryset (``for_user``), so a row outside the user's subtree answers 404; a model
    closed to the caller's roles (``scope_roles``: the integrity app for all but discipline staff)
    answers 404 on every route, as if it did not exist."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if user and user.is_authenticated:
            model = self._queryset(view).model
            if not model_open_to(user, model):
                raise exceptions.NotFound()
        return super().has_permission(request, view)

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }
