import pytest

from tests.villages.factories import make_hamlet


@pytest.fixture
def hamlet(divisions):
    """A complete 屋场 of village v11 (the officer's)."""
    return make_hamlet(divisions["v11"])


@pytest.fixture
def other_hamlet(divisions):
    """A complete 屋场 of village v21 (outside the officer's scope)."""
    return make_hamlet(divisions["v21"])
