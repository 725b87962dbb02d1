"""Issue 11 (clerk trial, part B), item 4: what the clerk reads in Chinese — export file names, the
column every row error names, the error page's heading, numbers as typed, a refused row's reasons."""

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from governance.import_jobs import refused_rows
from governance.models import Person
from governance.resources import PersonResource
from governance.texts import sentences_join
from residential.resources import CompoundResource
from tests.auth import verified_login
from tests.factories import DivisionFactory, PersonFactory
from tests.governance.test_import import PERSON_HEADERS, XLSX_CONTENT_TYPE, bad_checksum, dataset, person_rows, xlsx
from villages.resources import HamletResource

pytestmark = pytest.mark.django_db

HAMLET_HEADERS = ["屋场代码", "屋场名称", "村代码", "备注"]
COMPOUND_HEADERS = ["小区代码", "小区名称", "所属社区代码", "地址", "纳入星物管日期"]


def error_columns(result) -> set[str]:
    return {column for row in result.invalid_rows for column in row.error.error_dict}


def test_a_hamlet_code_outside_its_village_is_named_under_its_chinese_column(district_admin, divisions):
    rows = [["431302002002501", "上塘屋场", divisions["v11"].code, ""], ["43130200100x", "下塘", "", ""]]
    result = HamletResource(user=district_admin).import_data(dataset(HAMLET_HEADERS, rows), dry_run=True)
    assert result.has_validation_errors()
    assert error_columns(result) <= set(HAMLET_HEADERS), error_columns(result)
    assert "屋场代码" in error_columns(result)


def test_a_compound_code_outside_its_community_is_named_under_its_chinese_column(district_admin, divisions):
    township = divisions["t1"]
    community = DivisionFactory(code=township.code + "101", name="社区", level="community", parent=township)
    rows = [["431302002101501", "阳光小区", community.code, "1号", "2025-06-01"]]
    result = CompoundResource(user=district_admin).import_data(dataset(COMPOUND_HEADERS, rows), dry_run=True)
    assert result.has_validation_errors()
    assert error_columns(result) <= set(COMPOUND_HEADERS), error_columns(result)


@pytest.mark.parametrize(
    ("url", "name", "data"),
    [
        ("admin:governance_person_export", "人员", {"personresource_name": "on"}),
        ("admin:villages_hamlet_export", "屋场", {"hamletresource_name": "on"}),
    ],
)
def test_export_files_are_named_in_chinese(client, district_admin, divisions, url, name, data):
    PersonFactory(division=divisions["v11"])
    verified_login(client, district_admin)
    response = client.post(reverse(url), {"format": "0", "resource": "0", **data})
    assert response.status_code == 200
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.xlsx"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename=") and disposition.isascii()
    assert disposition.endswith(f"filename*=UTF-8''{quote(filename)}")
    assert "Person" not in disposition and "Hamlet" not in disposition


def test_the_error_page_is_headed_in_plain_chinese_and_shows_numbers_as_typed(client, officer, divisions):
    rows = person_rows("431302001001", 2)
    rows[1][1] = bad_checksum(rows[1][1])
    rows[1][4] = 431302001001  # a number cell: calamine reads it as 431302001001.0
    rows[1][2] = 13800000001
    verified_login(client, officer)
    upload = SimpleUploadedFile("people.xlsx", xlsx(PERSON_HEADERS, rows), content_type=XLSX_CONTENT_TYPE)

    response = client.post(
        reverse("admin:governance_person_import"), {"import_file": upload, "format": "0", "resource": "0"}
    )

    page = response.content.decode()
    assert "部分行未通过校验" in page and "验数据证" not in page
    (invalid,) = response.context["result"].invalid_rows
    assert "431302001001" in invalid.values and "13800000001" in invalid.values
    assert "431302001001.0" not in page and "13800000001.0" not in page
    assert not Person.objects.exists()


def test_a_refused_rows_reasons_are_joined_cleanly(district_admin, divisions):
    rows = person_rows("431302001001", 1)
    rows[0][1] = bad_checksum(rows[0][1])
    rows[0][4] = "431302009009"  # no such village
    result = PersonResource(user=district_admin).import_data(dataset(PERSON_HEADERS, rows), dry_run=True)
    ((number, _values, reason),) = refused_rows(result, PERSON_HEADERS)
    assert number == 2 and "。；" not in reason and reason.endswith("。")
    assert reason == (
        "区划代码：区划代码“431302009009”不存在或不在您的管辖范围内；身份证号：身份证号校验位错误，请核对号码。"
    )


def test_sentences_join():
    assert sentences_join(["身份证号校验位错误。", " 区划代码不存在。 ", ""]) == "身份证号校验位错误；区划代码不存在。"
    assert sentences_join([]) == ""
