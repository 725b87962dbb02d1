"""Issue 14 in real Chromium: list filters folded behind one button on a phone, open cases first, the
reports' period picker, drill-down and way back, their Excel download and print, and the 调解协议书
printed on one A4 sheet."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from security.choices import OPEN_STATUSES
from security.models import Dispute
from tests.browser.conftest import PHONE

# Words of an untranslated interface (Django's and the browser-facing ones we use); none may show.
ENGLISH_UI = re.compile(
    r"\b(Search|Filter|Filters|Export|Print|Submit|Select all|Choose all|Previous|Next|Page|Name|Date|Status|"
    r"Download|Clear|Yes|No|Unknown|Home|Log out)\b"
)


def _no_english(page) -> None:
    text = page.locator("body").inner_text()
    assert not ENGLISH_UI.search(text), ENGLISH_UI.search(text).group(0)


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_list_filters_fold_behind_one_button_on_a_phone(demo, open_page, live_server):
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    for path in ("/security/disputes/", "/civility/declarations/", "/villages/hamlets/", "/households/"):
        page.goto(f"{live_server.url}{path}")
        panel = page.locator("[data-filter-panel]")
        button = panel.locator("summary")
        expect(button).to_be_visible()
        expect(panel.locator("form")).to_be_hidden()
        _no_sideways_scroll(page)
        _no_english(page)
        steps.shot(f"folded-{path.strip('/').replace('/', '-')}")
        button.click()
        expect(panel.locator("form")).to_be_visible()
        expect(panel.get_by_role("button", name="筛选")).to_be_visible()
        _no_sideways_scroll(page)
    steps.shot("unfolded")


def test_list_filters_stand_open_on_a_desk(demo, open_page, live_server):
    page, _steps = open_page("demo_community_officer")
    page.goto(f"{live_server.url}/security/disputes/")
    panel = page.locator("[data-filter-panel]")
    expect(panel.locator("form")).to_be_visible()
    expect(panel.locator("summary")).to_be_hidden()


def test_dispute_list_on_a_phone_puts_open_cases_first(demo, open_page, live_server):
    page, steps = open_page("demo_district_admin", viewport=PHONE)
    page.goto(f"{live_server.url}/security/disputes/")
    numbers = [text.strip() for text in page.locator("tbody td:first-child a").all_inner_texts()]
    statuses = dict(Dispute.objects.filter(number__in=numbers).values_list("number", "status"))
    open_flags = [statuses[number] in OPEN_STATUSES for number in numbers]
    assert open_flags == sorted(open_flags, reverse=True), "an open case after a closed one"
    assert any(open_flags)
    steps.shot("disputes-open-first")


def test_petition_report_picker_drill_down_crumbs_export_and_print(demo, open_page, live_server):
    page, steps = open_page("demo_district_admin")
    page.goto(f"{live_server.url}/residential/petitions/yoy/")
    page.get_by_role("combobox", name="统计周期").select_option("quarter")
    page.get_by_label("年份").fill("2024")
    page.get_by_label("季度").select_option("2")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("h1")).to_contain_text("2024年第2季度")
    _no_english(page)
    steps.shot("petitions-q2")

    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    township = page.locator("table tbody tr td a").first
    name = township.inner_text().strip()
    township.click()
    expect(page.locator("h1")).to_contain_text(name)
    expect(page.locator("h1")).to_contain_text("2024年第2季度")  # the period rides along the drill-down
    crumbs = page.get_by_role("navigation", name="层级导航")
    assert [item.strip() for item in crumbs.locator("li").all_inner_texts()] == ["娄星区", name]
    steps.shot("petitions-township")

    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator("form.period-picker")).to_be_hidden()
    expect(page.locator("table").first).to_be_visible()
    page.emulate_media(media="screen")

    crumbs.get_by_role("link", name="娄星区").click()
    expect(page.locator("h1")).not_to_contain_text(name)
    assert page.get_by_role("navigation", name="层级导航").locator("li").count() == 1


def test_a_bad_year_shows_a_chinese_error(demo, open_page, live_server):
    page, steps = open_page("demo_district_admin")
    response = page.goto(f"{live_server.url}/residential/petitions/yoy/?period=year&year=1900")
    assert response.status == 400
    expect(page.get_by_role("alert").first).to_contain_text("年份无效")
    _no_english(page)
    steps.shot("petitions-bad-year")


def test_state_reports_on_a_phone_drill_down_and_come_back(demo, open_page, live_server):
    page, steps = open_page("demo_district_admin", viewport=PHONE)
    for path in ("/villages/completeness/", "/security/coverage/", "/residential/compliance/?all=1"):
        page.goto(f"{live_server.url}{path}")
        _no_sideways_scroll(page)
        _no_english(page)
        expect(page.get_by_role("button", name="打印")).to_be_visible()
        expect(page.get_by_role("link", name="导出 Excel")).to_be_visible()
        steps.shot(f"report-{path.strip('/').split('/')[-1].split('?')[0]}")
        link = page.locator("table").first.locator("tbody tr td a").first
        if link.count():
            name = link.inner_text().strip()
            link.click()
            crumbs = page.get_by_role("navigation", name="层级导航")
            expect(crumbs.locator('[aria-current="page"]')).to_have_text(name)
            crumbs.get_by_role("link", name="娄星区").click()
            expect(crumbs.locator('[aria-current="page"]')).to_have_text("娄星区")


def test_mediation_agreement_prints_on_one_a4_sheet(demo, open_page, live_server):
    dispute = Dispute.objects.filter(agreement__isnull=False).order_by("pk").first()
    assert dispute is not None, "the demo has agreements"
    page, steps = open_page("demo_district_admin")
    page.goto(f"{live_server.url}/security/disputes/{dispute.pk}/")
    page.get_by_role("link", name="打印调解协议书").click()
    expect(page.locator("h1")).to_have_text("人民调解协议书")
    expect(page.locator(".agreement-sheet")).to_contain_text(dispute.number)
    expect(page.locator(".agreement-signatures")).to_contain_text("人民调解员（签名）")
    _no_english(page)
    steps.shot("agreement-screen")
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="打印")).to_be_hidden()
    steps.shot("agreement-print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1, "the agreement runs over one A4 sheet"
