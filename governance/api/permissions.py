from rest_framework.permissions import DjangoModelPermissions


class ScopedModelPermissions(DjangoModelPermissions):
    """Model permissions from the user's roles, reads included. Which rows are visible is decided by
    the viewset's queryset (``for_user``), so a row outside the user's subtree answers 404."""

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }
