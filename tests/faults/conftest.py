"""Fault tests: real services of the test's own (a Redis on a free port, a Celery worker process),
stopped or killed mid-test. Never the machine's shared services."""

import pytest

from tests.faults.services import RedisServer
from tests.security.conftest import bodies, centre_mediator, rule  # noqa: F401 (fixtures)


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path).start()
    try:
        yield server
    finally:
        server.stop()
