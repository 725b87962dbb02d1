"""Division codes (issue 11 item 14): every form of the district's real 统计用区划代码 read one way,
and the division import's renames and doubled names shown as conflicts that need confirming."""

import io
from types import SimpleNamespace

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from openpyxl import Workbook

from governance.demo import TOWNSHIPS, seed_divisions
from governance.division_codes import (
    ERR_DIVISION_CODE_FORMAT,
    ERR_DIVISION_CODE_PARENT,
    division_code_fits_parent,
    division_code_normalize,
    stored_division_codes_normalize,
    validate_division_code,
)
from governance.forms import DivisionCascadeField, ScopedFormMixin
from governance.models import Division, DivisionLevel, Person
from governance.resources import ERR_IMPORT_DIVISION_CONFLICT, DivisionResource
from tests.auth import verified_login
from tests.factories import DivisionFactory, user_with_role
from tests.governance.test_import import dataset

# 国家统计局 统计用区划代码 2023, 娄星区 (431302).
REAL_TOWNSHIPS = {
    "431302001": "乐坪街道",
    "431302002": "花山街道",
    "431302003": "黄泥塘街道",
    "431302004": "长青街道",
    "431302005": "大科街道",
    "431302006": "涟滨街道",
    "431302007": "大埠桥街道",
    "431302100": "杉山镇",
    "431302101": "万宝镇",
    "431302104": "石井镇",
    "431302105": "水洞底镇",
    "431302106": "蛇形山镇",
    "431302204": "双江乡",
}
# The demo tree before it took the real codes: the 街道 in another order, the towns numbered on.
OLD_DEMO_TOWNSHIPS = [
    "乐坪街道", "花山街道", "长青街道", "大科街道", "黄泥塘街道", "涟滨街道", "大埠桥街道",
    "万宝镇", "杉山镇", "茶园镇", "石井镇", "双江乡", "水洞底镇", "蛇形山镇",
]  # fmt: skip
HEADERS = ["区划代码", "名称", "层级", "上级区划代码", "排序", "启用"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def level_label(name: str) -> str:
    return "街道" if name.endswith("街道") else "乡镇"


def township_rows(code_form=lambda code: code, parent="431302"):
    """The real list, in the demo's order (排序 1–13)."""
    return [
        [code_form(code), name, level_label(name), parent, index, "是"]
        for index, (code, name) in enumerate(REAL_TOWNSHIPS.items(), start=1)
    ]


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dry_run(client, rows):
    upload = SimpleUploadedFile("divisions.xlsx", xlsx(rows), content_type=XLSX)
    return client.post(reverse("admin:governance_division_import"), {"import_file": upload, "format": "0"})


def confirm(client, preview, confirm_conflicts: bool):
    data = dict(preview.context["confirm_form"].initial)
    if confirm_conflicts:
        data["confirm_conflicts"] = "on"
    return client.post(reverse("admin:governance_division_process_import"), data)


def names() -> dict[str, str]:
    return dict(Division.objects.filter(level__in=["township", "subdistrict"]).values_list("code", "name"))


@pytest.fixture
def old_demo(db):
    """The old demo's district and 14 townships (codes 431302001–014), and its district admin."""
    root = DivisionFactory(code="431302", name="娄星区", level=DivisionLevel.DISTRICT)
    for index, name in enumerate(OLD_DEMO_TOWNSHIPS, start=1):
        level = DivisionLevel.SUBDISTRICT if name.endswith("街道") else DivisionLevel.TOWNSHIP
        DivisionFactory(code=f"431302{index:03d}", name=name, level=level, parent=root)
    return user_with_role("district_admin", root, username="admin_old_demo")


@pytest.fixture
def demo(db):
    """Today's demo tree (seed_demo's division step) and its district admin."""
    seed_divisions(stdout=io.StringIO(), options={})
    return user_with_role("district_admin", Division.objects.get(code="431302"), username="admin_demo")


# --- the normaliser ------------------------------------------------------------------------------

TOWNSHIP_FORMS = {
    "9 digits": lambda code: code,
    "12 digits, padded": lambda code: code + "000",
    "12 digits, a number cell": lambda code: int(code + "000"),
    "12 digits, an Excel float": lambda code: float(code + "000"),
    "full-width": lambda code: code.translate(FULL_WIDTH),
    "12 digits full-width, blanks around": lambda code: f" {(code + '000').translate(FULL_WIDTH)}　",
}


@pytest.mark.parametrize("code", REAL_TOWNSHIPS)
@pytest.mark.parametrize("form", TOWNSHIP_FORMS)
def test_every_form_of_each_real_township_code_reads_as_its_9_digits(code, form):
    value = TOWNSHIP_FORMS[form](code)
    assert division_code_normalize(value) == code
    validate_division_code(value)


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("431302", "431302"),
        ("431302000", "431302"),
        ("431302000000", "431302"),
        (431302000000, "431302"),
        ("431300000000", "431300"),  # 娄底市
        ("430000000000", "430000"),  # 湖南省
        ("431302100201", "431302100201"),  # a village keeps its 12 digits
        ("431302001001", "431302001001"),  # a community
        ("431302100201003", "431302100201003"),  # a 屋场: the platform's own code
        ("T000001", "T000001"),
        ("", ""),
        (None, ""),
    ],
)
def test_district_village_and_platform_codes_are_read_one_way(value, stored):
    assert division_code_normalize(value) == stored


@pytest.mark.parametrize(
    "value", ["12345", "4313021", "43130210", "4313021000", "43130210000", "031302", "431302000201"]
)
def test_codes_no_official_list_can_hold_are_refused(value):
    with pytest.raises(ValidationError) as excinfo:
        validate_division_code(value)
    assert excinfo.value.code == ERR_DIVISION_CODE_FORMAT


@pytest.mark.parametrize(
    ("code", "parent", "fits"),
    [
        ("431302100", "431302", True),
        ("431302100201", "431302100", True),
        ("431302100201003", "431302100201", True),
        ("431302", "431300", True),  # 娄星区 under 娄底市
        ("431300", "430000", True),  # 娄底市 under 湖南省
        ("431302101201", "431302100", False),  # 万宝镇's village under 杉山镇
        ("431302100", "431302100", False),
        ("431399001", "431302", False),
        ("X1", "431302001001", True),  # the platform's codes with letters are not checked
    ],
)
def test_a_child_code_begins_with_its_parents(code, parent, fits):
    assert division_code_fits_parent(code, parent) is fits


# --- the model, lookups, the API and search -------------------------------------------------------


def test_a_padded_code_is_stored_and_found_in_its_normal_form(db):
    root = Division.objects.create(code="431302000000", name="娄星区", level=DivisionLevel.DISTRICT)
    township = Division(code="４３１３０２１００000", name="杉山镇", level=DivisionLevel.TOWNSHIP, parent=root)
    township.full_clean()
    township.save()
    assert (root.code, township.code, township.path) == ("431302", "431302100", "431302/431302100/")
    for form in ("431302100", "431302100000", " ４３１３０２１００ "):
        assert Division.objects.get(code=form) == township
    assert Division.objects.filter(code__in=["431302100000"]).get() == township


def test_a_second_unit_under_a_padded_form_of_a_taken_code_is_refused(db):
    root = DivisionFactory(code="431302", name="娄星区", level=DivisionLevel.DISTRICT)
    DivisionFactory(code="431302100", name="杉山镇", level=DivisionLevel.TOWNSHIP, parent=root)
    third = Division(code="431302100000", name="杉山镇", level=DivisionLevel.TOWNSHIP, parent=root)
    with pytest.raises(ValidationError) as excinfo:
        third.full_clean()
    assert "code" in excinfo.value.error_dict


def test_clean_refuses_a_village_code_outside_its_township(demo):
    village = Division(
        code="431302101299", name="错村", level=DivisionLevel.VILLAGE, parent=Division.objects.get(code="431302100")
    )
    with pytest.raises(ValidationError) as excinfo:
        village.full_clean()
    assert excinfo.value.error_dict["code"][0].code == ERR_DIVISION_CODE_PARENT


def test_api_takes_a_padded_code_and_filters_by_any_form(demo, api_client):
    api_client.force_authenticate(demo)
    people = reverse("api:governance-api:person-list")
    response = api_client.post(people, {"name": "李四", "division": "431302100000"}, format="json")
    assert response.status_code == 201, response.json()
    assert Person.objects.get().division.code == "431302100"
    for form in ("431302100", "431302100000", "４３１３０２１００"):
        assert api_client.get(people, {"division": form}).json()["count"] == 1
        assert api_client.get(people, {"within": form}).json()["count"] == 1
    assert api_client.get(people, {"within": "431302101000"}).json()["count"] == 0
    divisions = reverse("api:governance-api:division-list")
    listed = api_client.get(divisions, {"within": "431302100000", "level": "village", "page_size": 100}).json()
    assert listed["count"] == 24
    assert api_client.get(divisions, {"q": "431302100000", "level": "township"}).json()["count"] == 1


def test_admin_search_finds_a_township_by_its_12_digit_code(client, demo):
    verified_login(client, demo)
    url = reverse("admin:governance_division_changelist")
    response = client.get(url, {"q": "431302105000", "level__exact": "township"})
    assert [d.code for d in response.context["cl"].result_list] == ["431302105"]


# --- the demo tree -----------------------------------------------------------------------------


def test_demo_tree_holds_the_real_codes_and_names_and_its_figures(demo):
    assert names() == REAL_TOWNSHIPS
    villages = Division.objects.filter(level=DivisionLevel.VILLAGE)
    assert villages.count() == 144
    assert Division.objects.filter(level=DivisionLevel.COMMUNITY).count() == sum(t[4] for t in TOWNSHIPS)
    for unit in Division.objects.filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY]):
        assert unit.code.startswith(unit.parent.code) and len(unit.code) == 12
        unit.full_clean()


# --- the import ------------------------------------------------------------------------------------


def test_real_list_over_the_old_demo_tree_shows_renames_and_doubles_and_writes_nothing_unconfirmed(client, old_demo):
    verified_login(client, old_demo)
    before = names()
    rows = township_rows()

    preview = dry_run(client, rows)

    assert preview.status_code == 200
    conflicts = preview.context["result"].division_conflicts
    renames = [line for line in conflicts if "更名" in line]
    doubles = [line for line in conflicts if line.endswith("（重名）。")]
    assert renames == [
        "第4行：区划代码431302003现名“长青街道”，文件中为“黄泥塘街道”（更名）。",
        "第5行：区划代码431302004现名“大科街道”，文件中为“长青街道”（更名）。",
        "第6行：区划代码431302005现名“黄泥塘街道”，文件中为“大科街道”（更名）。",
    ]
    assert "第4行：“娄星区”下已有“黄泥塘街道”（区划代码431302005），文件中的431302003与其重名（重名）。" in doubles
    for row, code, name, twin in [
        (9, "431302100", "杉山镇", "431302009"),
        (10, "431302101", "万宝镇", "431302008"),
        (11, "431302104", "石井镇", "431302011"),
        (12, "431302105", "水洞底镇", "431302013"),
        (13, "431302106", "蛇形山镇", "431302014"),
        (14, "431302204", "双江乡", "431302012"),
    ]:
        assert f"第{row}行：“娄星区”下已有“{name}”（区划代码{twin}），文件中的{code}与其重名（重名）。" in doubles
    assert len(doubles) == 7
    page = preview.content.decode()
    assert "确认更名/重名" in page and "区划代码431302003现名“长青街道”" in page
    assert names() == before

    refused = confirm(client, preview, confirm_conflicts=False)

    assert refused.status_code == 200
    assert names() == before
    invalid = {row.number: row.error.message_dict["名称"] for row in refused.context["result"].invalid_rows}
    assert set(invalid) == {4, 5, 6, 9, 10, 11, 12, 13, 14}
    assert invalid[9][0] == "“娄星区”下已有“杉山镇”（区划代码431302009），文件中的431302100与其重名（重名）。"
    assert all(
        row.error.error_dict["名称"][0].code == ERR_IMPORT_DIVISION_CONFLICT
        for row in refused.context["result"].invalid_rows
    )
    assert "未写入任何数据" in refused.content.decode()


def test_the_12_digit_form_of_a_code_in_the_same_file_is_the_same_key(client, old_demo):
    """431302100000 is 431302100 (杉山镇) again: the file is refused naming both rows, never a third 杉山镇."""
    verified_login(client, old_demo)
    before = names()
    rows = [*township_rows(), ["431302100000", "杉山镇", "乡镇", "431302", 0, "是"]]

    result = dry_run(client, rows).context["result"]

    invalid = {row.number: row.error.message_dict["区划代码"] for row in result.invalid_rows}
    assert set(invalid) == {9, 15}
    assert invalid[15] == ["第9行与第15行区划代码重复：同一文件中每个区划代码只能出现一次。"]
    assert names() == before


def test_confirmed_real_list_renames_and_adds_the_towns_once(client, old_demo):
    verified_login(client, old_demo)
    rows = township_rows()

    response = confirm(client, dry_run(client, rows), confirm_conflicts=True)

    assert response.status_code == 302
    after = names()
    assert {code: after[code] for code in REAL_TOWNSHIPS} == REAL_TOWNSHIPS
    assert Division.objects.filter(name="杉山镇").count() == 2  # the old 009 and 431302100, no third
    assert not Division.objects.filter(code__regex="000$").exists()
    assert Division.objects.get(code="431302100000").path == "431302/431302100/"


DISTRICT_FORMS = {
    "9 digits": "431302",
    "12 digits, padded": "431302000000",
    "12 digits, a number cell": 431302000000,
    "12 digits full-width, blanks around": " ４３１３０２000000　",
}


@pytest.mark.parametrize("form", DISTRICT_FORMS)
def test_real_list_in_any_form_over_the_demo_tree_changes_nothing(client, demo, form):
    verified_login(client, demo)
    before = (Division.objects.count(), names())
    rows = township_rows(TOWNSHIP_FORMS[form], parent=DISTRICT_FORMS[form])

    preview = dry_run(client, rows)

    result = preview.context["result"]
    assert not result.has_validation_errors(), [r.error for r in result.invalid_rows]
    assert result.division_conflicts == []
    assert {row.import_type for row in result.rows} == {"skip"}
    assert confirm(client, preview, confirm_conflicts=False).status_code == 302
    assert (Division.objects.count(), names()) == before


@pytest.mark.parametrize("parent", ["431302100", "431302100000", 431302100000])
@pytest.mark.parametrize("code", ["431302100299", 431302100299])
def test_a_village_under_a_real_township_code_imports(client, demo, parent, code):
    verified_login(client, demo)
    preview = dry_run(client, [[code, "新塘村", "村", parent, 30, "是"]])
    assert not preview.context["result"].has_validation_errors()
    assert confirm(client, preview, confirm_conflicts=False).status_code == 302
    village = Division.objects.get(code="431302100299")
    assert (village.parent.name, village.path) == ("杉山镇", "431302/431302100/431302100299/")


def test_a_village_code_outside_its_parent_township_is_refused_naming_the_row(demo):
    rows = [["431302101299", "新塘村", "村", "431302100", 30, "是"]]
    result = DivisionResource(user=demo).import_data(dataset(HEADERS, rows), dry_run=True)
    (row,) = result.invalid_rows
    assert row.number == 2
    assert row.error.error_dict["区划代码"][0].code == ERR_DIVISION_CODE_PARENT


def test_a_new_name_doubled_under_its_village_is_a_conflict_and_a_unique_one_is_not(demo):
    village = Division.objects.get(code="431302100201")
    rows = [
        ["431302100299", village.name, "村", "431302100", 0, "是"],
        ["431302100298", "测试新村", "村", "431302100", 0, "是"],
    ]
    resource = DivisionResource(user=demo)

    result = resource.import_data(dataset(HEADERS, rows), dry_run=True)

    assert result.division_conflicts == [
        f"第2行：“杉山镇”下已有“{village.name}”（区划代码431302100201），文件中的431302100299与其重名（重名）。"
    ]
    result = DivisionResource(user=demo, confirm_conflicts=True).import_data(dataset(HEADERS, rows), dry_run=False)
    assert not result.has_validation_errors()
    assert Division.objects.filter(parent__code="431302100", name=village.name).count() == 2


class PlaceForm(ScopedFormMixin, forms.Form):
    place = DivisionCascadeField(label="发生地")


@pytest.mark.parametrize("form", ["431302100", "431302100000", "４３１３０２１００"])
def test_officers_forms_take_a_township_by_any_form_of_its_code(demo, form):
    bound = PlaceForm({"place": form}, user=demo)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["place"].name == "杉山镇"
    assert not PlaceForm({"place": "431302999000"}, user=demo).is_valid()


def test_codes_stored_padded_take_their_normal_form_unless_it_is_taken(db):
    root = DivisionFactory(code="431302", name="娄星区", level=DivisionLevel.DISTRICT)
    DivisionFactory(code="431302101", name="万宝镇", level=DivisionLevel.TOWNSHIP, parent=root)
    with connection.cursor() as cursor:
        for code, name in (("431302100000", "杉山镇"), ("431302101000", "万宝镇")):
            cursor.execute(
                "INSERT INTO governance_division (code, name, level, parent_id, sort_order, is_active, created_at,"
                " updated_at) VALUES (%s, %s, 'township', %s, 0, true, now(), now())",
                [code, name, root.pk],
            )

    stored_division_codes_normalize(None, SimpleNamespace(connection=connection))

    with connection.cursor() as cursor:
        cursor.execute("SELECT code, path FROM governance_division WHERE level = 'township' ORDER BY code")
        rows = cursor.fetchall()
    assert rows == [
        ("431302100", "431302/431302100/"),
        ("431302101", "431302/431302101/"),
        ("431302101000", "431302/431302101000/"),  # 万宝镇 twice: left for a clerk to merge
    ]
