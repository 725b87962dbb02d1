from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import SimpleLazyObject

from governance.notices import notices_unread_count
from governance.registry import registry


def nav_links(user) -> list[dict]:
    """The top navigation for ``user``: the links apps registered (``registry.nav``) that the user's
    permissions or roles open, in order; a link to a page not mounted is left out."""
    if not user.is_authenticated:
        return []
    links = []
    for link in sorted(registry.nav_links.values(), key=lambda link: (link.order, link.url_name)):
        allowed = user.has_perm(link.permission) if link.permission else user.has_role(*link.roles)
        if not allowed:
            continue
        try:
            links.append({"title": link.title, "url": reverse(link.url_name)})
        except NoReverseMatch:
            continue
    return links


def portal(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "PORTAL_TITLE": settings.PORTAL_TITLE,
        "DISTRICT_NAME": settings.DISTRICT_NAME,
        "nav_links": SimpleLazyObject(lambda: nav_links(user)) if user is not None else [],
        # The bell's number: one COUNT on the inbox index, only when a page shows the bell.
        "notices_unread": SimpleLazyObject(lambda: notices_unread_count(user))
        if user is not None and user.is_authenticated
        else 0,
    }
