"""Sessions end after ``SESSION_COOKIE_AGE`` seconds without a request (a working day by default)."""

from __future__ import annotations

import time

from django.conf import settings

RENEWED_KEY = "_renewed_at"


def session_renewed_on_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` receiver: a new session counts as just renewed."""
    if getattr(request, "session", None) is not None:
        request.session[RENEWED_KEY] = time.time()


class SessionIdleMiddleware:
    """Renews a signed-in session's expiry on activity, so idle time, not time since sign-in, ends it.

    Unlike ``SESSION_SAVE_EVERY_REQUEST`` it writes the session at most once per
    ``SESSION_RENEW_SECONDS`` (5 minutes), not on every page: the idle limit is kept to within that."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = time.time()
            every = getattr(settings, "SESSION_RENEW_SECONDS", 300)
            if now - session.get(RENEWED_KEY, 0) >= every:
                session[RENEWED_KEY] = now  # modified: saved with a fresh expiry by SessionMiddleware
        return self.get_response(request)
