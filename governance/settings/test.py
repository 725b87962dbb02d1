"""Settings for the test suite (pytest-django)."""

from .base import *  # noqa: F403
from .base import REST_FRAMEWORK, redis_caches

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The dashboard recomputes dirty roll-up cells before reading, so a test sees its own writes at once
# (in production the beat task does it every 15 seconds).
ROLLUPS_REFRESH_ON_READ = True
# Tasks run in-process unless a test starts a real worker (tests marked ``celery_worker``).
CELERY_TASK_ALWAYS_EAGER = True
CACHES = redis_caches("")  # in memory; the fault tests point them at a Redis of their own
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "1000/min", "user": "10000/min"},
}

# A fresh reporter-identity key per test run unless the environment gives one.
if not REPORTER_KEYS:  # noqa: F405
    from cryptography.fernet import Fernet

    REPORTER_KEYS = [Fernet.generate_key().decode()]

# Tests run their webhook receivers on 127.0.0.1; the SSRF rule itself is tested with this off.
WEBHOOK_ALLOW_PRIVATE = True

# Replicas configured in the environment are test mirrors of the primary's test database, which they
# cannot see inside a test's transaction: tests route to the primary unless they enable replicas
# themselves (tests/governance/test_replica_router.py).
DATABASE_REPLICAS: list[str] = []
