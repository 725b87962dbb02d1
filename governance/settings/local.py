"""Settings for ``make run`` on a developer's or an evaluator's machine."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

if not REPORTER_KEYS:  # noqa: F405
    # A key of this machine's own, made once and kept beside the embedded database (.data/, not in git).
    from governance.settings.keys import reporter_key_file_ensure

    REPORTER_KEYS = [reporter_key_file_ensure(BASE_DIR / ".data" / "reporter.key")]  # noqa: F405

# Without Redis there is no worker or beat to refresh the dashboard's roll-ups every 15 seconds
# (``governance.rollups_refresh``), so ``make run`` recomputes the dirty cells when a dashboard is read:
# a case recorded on the demo shows on the dashboard at once. With a worker and beat, leave it off.
ROLLUPS_REFRESH_ON_READ = env.bool("ROLLUPS_REFRESH_ON_READ", default=not REDIS_URL)  # noqa: F405
