"""Who may enter the integrity app at all: discipline inspectors (纪检监察干部) and superusers.
Everyone else gets 404 — the app does not exist for them — on pages, API paths and admin views."""

from __future__ import annotations

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from governance.models import Role

REPORTER_PERMISSION = "integrity.view_cluereporter"


def is_discipline_staff(user) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.has_role(Role.DISCIPLINE_INSPECTOR)


def can_view_reporter(user) -> bool:
    """The reporter's identity: discipline staff who also hold the special permission (given to no role by default)."""
    return is_discipline_staff(user) and user.has_perm(REPORTER_PERMISSION)


def require_discipline_staff(user) -> None:
    if not is_discipline_staff(user):
        raise Http404(_("未找到，或不在您的管辖范围内。"))
