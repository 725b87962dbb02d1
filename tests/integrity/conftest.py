import pytest

from tests.factories import user_with_role


@pytest.fixture
def inspector(divisions):
    """A discipline inspector of township t1 (villages v11, v12)."""
    return user_with_role("discipline_inspector", divisions["t1"], username="inspector_t1")


@pytest.fixture
def district_inspector(divisions):
    return user_with_role("discipline_inspector", divisions["district"], username="inspector_district")


@pytest.fixture
def leader(divisions):
    return user_with_role("leader", divisions["district"], username="leader_district")
