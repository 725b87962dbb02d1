from governance.models import Person, PoliticalStatus
from governance.registry import registry
from governance.selectors import count_by_child, division_register_counts
from tests.factories import HouseholdFactory, PersonFactory


def test_count_by_child_breaks_a_subtree_down_in_one_query(divisions, django_assert_num_queries):
    PersonFactory.create_batch(2, division=divisions["v11"])
    PersonFactory(division=divisions["v12"])
    PersonFactory(division=divisions["t1"])  # attached to the township itself
    PersonFactory(division=divisions["v21"])  # another township: not counted
    with django_assert_num_queries(1):
        result = count_by_child(Person.objects.all(), divisions["t1"])
    assert result == {"": 1, "431302001001": 2, "431302001002": 1}


def test_count_by_child_follows_the_scope_lookup(divisions):
    HouseholdFactory(division=divisions["v21"], with_head=True)
    from governance.models import HouseholdMember

    assert count_by_child(HouseholdMember.objects.all(), divisions["district"]) == {"431302002": 1}


def test_register_counts_and_indicators_agree(divisions):
    PersonFactory(division=divisions["v11"], political_status=PoliticalStatus.PARTY_MEMBER)
    PersonFactory(division=divisions["v11"], political_status=PoliticalStatus.PROBATIONARY)
    PersonFactory(division=divisions["v12"])
    HouseholdFactory(division=divisions["v11"])
    counts = division_register_counts(division=divisions["t1"])
    assert counts == {"people": 3, "party_members": 2, "households": 1}
    compute = {key: registry.indicators[f"governance.{key}"].compute for key in counts}
    assert {key: func(division=divisions["t1"]) for key, func in compute.items()} == counts
    assert registry.indicators["governance.people"].compute(division=divisions["t2"]) == 0
