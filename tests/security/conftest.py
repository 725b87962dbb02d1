import pytest

from governance.models import Role
from tests.security.factories import make_bodies, police_rule, staff


@pytest.fixture
def bodies(divisions):
    return make_bodies(divisions)


@pytest.fixture
def rule(bodies):
    return police_rule()


@pytest.fixture
def centre_mediator(divisions, bodies):
    """A mediator on duty at t1's police-station 矛调中心."""
    return staff(Role.MEDIATOR, divisions["t1"], bodies["t1_station_centre"], username="centre_mediator")


@pytest.fixture
def village_mediator(divisions, bodies):
    """A mediator of v11's people's mediation committee."""
    return staff(Role.MEDIATOR, divisions["t1"], bodies["v11"], username="village_mediator")


@pytest.fixture
def station_police(divisions, bodies):
    return staff(Role.POLICE, divisions["t1"], bodies["t1_station"], username="station_police")
