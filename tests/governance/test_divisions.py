import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from governance.models import Division, DivisionLevel, Person
from governance.models.divisions import ERR_DIVISION_LEVEL
from tests.factories import DivisionFactory, PersonFactory


def test_paths_follow_the_tree(divisions):
    assert divisions["district"].path == "431302/"
    divisions["v12"].refresh_from_db()
    assert divisions["v12"].path == "431302/431302001/431302001002/"
    assert divisions["v12"].depth == 2


def test_subtree_is_one_query(divisions, django_assert_num_queries):
    with django_assert_num_queries(1):
        codes = set(Division.objects.in_subtree(divisions["t1"]).values_list("code", flat=True))
    assert codes == {"431302001", "431302001001", "431302001002"}


def test_people_in_subtree(divisions):
    inside = PersonFactory(division=divisions["v11"])
    PersonFactory(division=divisions["v21"])
    assert list(Person.objects.in_subtree(divisions["t1"])) == [inside]


def test_moving_a_node_repaths_its_whole_subtree(divisions):
    city = DivisionFactory(code="431300", name="娄底市", level=DivisionLevel.CITY)
    Division.objects.filter(pk=divisions["district"].pk).update(parent=city)  # a bulk update: triggers still run
    assert Division.objects.get(code="431302002001").path == "431300/431302/431302002/431302002001/"
    assert Division.objects.get(code="431302002001").depth == 3


def test_raw_sql_insert_gets_its_path(divisions):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO governance_division (code, name, level, parent_id, sort_order, is_active, created_at,"
            " updated_at) VALUES ('431302001001001', '屋场', 'hamlet', %s, 0, true, now(), now())",
            [divisions["v11"].pk],
        )
    assert Division.objects.get(code="431302001001001").path == "431302/431302001/431302001001/431302001001001/"


def test_database_refuses_a_cycle(divisions):
    with pytest.raises(IntegrityError), transaction.atomic():
        Division.objects.filter(pk=divisions["district"].pk).update(parent=divisions["v11"])


def test_clean_refuses_a_level_above_its_parent(divisions):
    node = Division(code="X1", name="错", level=DivisionLevel.TOWNSHIP, parent=divisions["v11"])
    with pytest.raises(ValidationError) as excinfo:
        node.full_clean()
    assert excinfo.value.error_dict["level"][0].code == ERR_DIVISION_LEVEL


def test_code_with_like_wildcards_is_refused(db):
    with pytest.raises(ValidationError):
        Division(code="43_1", name="坏", level=DivisionLevel.DISTRICT).full_clean()
