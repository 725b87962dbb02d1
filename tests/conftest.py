import pytest
from rest_framework.test import APIClient

from tests.factories import tree, user_with_role


@pytest.fixture
def divisions(db):
    """district 431302 → townships t1, t2 → villages v11, v12, v21, v22."""
    return tree()


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def officer(divisions):
    """A community officer of village v11."""
    return user_with_role("community_officer", divisions["v11"], username="officer_v11")


@pytest.fixture
def district_admin(divisions):
    return user_with_role("district_admin", divisions["district"], username="admin_district")
