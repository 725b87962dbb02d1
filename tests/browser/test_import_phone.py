"""Issue 11 (clerk trial, part B), item 5, in real Chromium at 375 px: the admin import's error table
(and the preview table) scroll sideways inside their own box; the page itself never does."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import PHONE
from tests.factories import make_id_number
from tests.governance.test_import import PERSON_HEADERS, XLSX_CONTENT_TYPE, bad_checksum, xlsx

WIDE_NOTE = "这是一段很长的备注，用来把表格撑宽" * 3


def _upload(page, live_server, rows) -> None:
    page.goto(f"{live_server.url}/admin/governance/person/import/")
    page.locator("input[type=file]").set_input_files(
        {"name": "people.xlsx", "mimeType": XLSX_CONTENT_TYPE, "buffer": xlsx(PERSON_HEADERS, rows)}
    )
    page.get_by_role("button", name="提交").click()


def _scrolls_in_its_box_only(page) -> None:
    expect(page.locator("table.import-preview").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    wrap = page.locator(".import-table-wrap").first
    assert wrap.evaluate("box => box.scrollWidth > box.clientWidth")  # the table is wider: it scrolls


def test_import_tables_scroll_in_their_box_on_a_phone(demo, open_page, live_server):
    from governance.models import Division, DivisionLevel, User

    user = User.objects.get(username="demo_community_officer")
    scope = user.role_assignments.first().division
    village = Division.objects.filter(path__startswith=scope.path, level=DivisionLevel.VILLAGE).first() or scope
    page, steps = open_page("demo_community_officer", viewport=PHONE)

    good = ["王小明", make_id_number(), "13800000000", "群众", village.code, WIDE_NOTE]
    bad = ["李小红", bad_checksum(make_id_number()), "13800000001", "群众", village.code, WIDE_NOTE]
    _upload(page, live_server, [good, bad])
    expect(page.get_by_text("部分行未通过校验")).to_be_visible()
    _scrolls_in_its_box_only(page)
    steps.shot("errors")

    _upload(page, live_server, [good])
    expect(page.get_by_role("button", name="确认导入")).to_be_visible()
    _scrolls_in_its_box_only(page)
    steps.shot("preview")
