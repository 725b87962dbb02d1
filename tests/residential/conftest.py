import pytest

from governance.models import DivisionLevel
from tests.factories import DivisionFactory, tree


@pytest.fixture
def divisions(db):
    """The shared small tree plus one community per township: c11 (under t1) and c21 (under t2)."""
    nodes = tree()
    for t in (1, 2):
        township = nodes[f"t{t}"]
        nodes[f"c{t}1"] = DivisionFactory(
            code=f"{township.code}101", name=f"社区{t}1", level=DivisionLevel.COMMUNITY, parent=township
        )
    return nodes
