"""Issue 13 item 3 in real Chromium on a phone: a village officer reads the month's ranking of their
village (rank, points, change from last month), and takes a 红榜 from proposal to publication."""

from __future__ import annotations

from playwright.sync_api import expect

from civility.choices import BoardStatus
from civility.models import HonorList
from civility.selectors import ranking_published_for
from governance.models import User
from governance.selectors import division_in_scope
from tests.browser.conftest import PHONE


def _village_of(username: str):
    return division_in_scope(User.objects.get(username=username))


def test_village_officer_views_the_ranking_on_a_phone(demo, open_page, live_server):
    village = _village_of("demo_community_officer")
    run = ranking_published_for(division=village)
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/civility/rankings/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(village.name)
    expect(page.locator("#id_month")).to_have_value(f"{run.month:%Y-%m}")
    expect(page.get_by_text("已公布", exact=False).first).to_be_visible()
    rows = page.locator(".ranking-table tbody tr")
    assert rows.count() == run.rankings.filter(level="village", group=village).count() > 0
    expect(rows.first.locator("td").first).to_have_text("1")
    expect(rows.first).to_contain_text("较上月")  # the phone layout labels each cell
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    steps.shot("ranking")
    # An earlier month by the picker.
    options = page.locator("#id_month option").all_inner_texts()
    assert len(options) >= 2
    page.locator("#id_month").select_option(index=1)
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#id_month option:checked")).to_have_text(options[1])
    steps.shot("earlier-month")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_red_list_proposed_confirmed_and_published_on_a_phone(demo, open_page, live_server):
    village = _village_of("demo_community_officer")
    run = ranking_published_for(division=village)
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/civility/boards/")
    page.get_by_label("村/社区").select_option(village.code)
    page.get_by_label("月份").fill(f"{run.month:%Y-%m}")
    page.get_by_label("榜单").select_option("red")
    steps.shot("propose")
    page.get_by_role("button", name="提名").click()
    expect(page.get_by_text("已提名，待审核。")).to_be_visible()
    expect(page.locator("[data-status]")).to_contain_text("待审核")
    assert page.locator("tbody tr").count() >= 1
    page.get_by_role("button", name="审核通过").click()
    expect(page.locator("[data-status]")).to_contain_text("已审核")
    page.get_by_role("button", name="公布").click()
    expect(page.locator("[data-status]")).to_contain_text("已公布，不可修改")
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)
    expect(page.get_by_role("button", name="公布")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    steps.shot("published")
    board = HonorList.objects.get(village=village, ranking_month=run)
    assert board.status == BoardStatus.PUBLISHED
