"""The API's rate limits, kept in the "throttle" cache: Redis shared by every process when it is up, a
per-process memory while it is down (``governance.cache``), so a dead Redis never fails a request."""

from django.core.cache import caches
from django.utils.connection import ConnectionProxy
from rest_framework import throttling

throttle_cache = ConnectionProxy(caches, "throttle")


class AnonRateThrottle(throttling.AnonRateThrottle):
    cache = throttle_cache


class UserRateThrottle(throttling.UserRateThrottle):
    cache = throttle_cache
