"""Issue 13 item 3 in real Chromium on a phone: a village officer reads the month's ranking of their
village (rank, points, change from last month), and proposes a 红榜; a second officer confirms and
publishes it (separation of duties)."""

from __future__ import annotations

import datetime

from playwright.sync_api import expect

from civility.choices import BoardStatus
from civility.models import HonorList, RankingMonth
from civility.selectors import ranking_published_for
from civility.services import account_for, points_record, ranking_compute, ranking_publish
from governance.dates import month_start
from governance.models import Role, User
from governance.selectors import division_in_scope
from governance.services import role_grant
from tests.browser.conftest import DEMO_PASSWORD, PHONE
from tests.civility.factories import PointRuleFactory
from tests.factories import HouseholdFactory


def _village_of(username: str):
    return division_in_scope(User.objects.get(username=username))


def _ranked_months(village):
    """The demo spreads 60 households over the district; give the officer's village three households
    with points in the two months before the demo's, ranked and published: ``(earlier, later)``."""
    first = RankingMonth.objects.order_by("month").first().month
    later = month_start(first - datetime.timedelta(days=1))
    earlier = month_start(later - datetime.timedelta(days=1))
    rule = PointRuleFactory(code="BR-01", points=1, monthly_cap=None, division=village)
    for i in range(3):
        account = account_for(HouseholdFactory(division=village, with_head=True))
        for month, points in ((earlier, 10 + i), (later, 20 - 5 * i)):
            points_record(
                account=account,
                rule=rule,
                occurred_on=month,
                recorded_by=None,
                idempotency_key=f"br{i}{month}",
                points=points,
            )
    for month in (earlier, later):
        ranking_publish(run=ranking_compute(month=month), by=None)
    return earlier, later


def test_village_officer_views_the_ranking_on_a_phone(demo, open_page, live_server):
    village = _village_of("demo_community_officer")
    _earlier, later = _ranked_months(village)
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/civility/rankings/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(village.name)
    steps.shot("latest-month")
    page.locator("#id_month").select_option(f"{later:%Y-%m}")  # the month picker
    page.get_by_role("button", name="查看").click()
    expect(page.locator("#id_month")).to_have_value(f"{later:%Y-%m}")
    expect(page.get_by_text("已公布", exact=False).first).to_be_visible()
    rows = page.locator(".ranking-table tbody tr")
    expect(rows).to_have_count(3)
    # 20/15/10 points this month after 10/11/12 the month before: +10, +4, −2.
    expect(rows.nth(0).locator("td").nth(0)).to_have_text("1")
    expect(rows.nth(0).locator("td").nth(4)).to_have_text("20")
    expect(rows.nth(0).locator("td").nth(6)).to_have_text("+10")
    expect(rows.nth(2).locator("td").nth(6)).to_have_text("-2")
    expect(rows.nth(0).locator("td").nth(6)).to_have_attribute("data-label", "较上月")  # labelled on a phone
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    steps.shot("ranking")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")


def test_red_list_proposed_confirmed_and_published_on_a_phone(demo, open_page, live_server):
    village = _village_of("demo_community_officer")
    _earlier, later = _ranked_months(village)
    run = ranking_published_for(division=village, month=later)
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/civility/boards/")
    page.get_by_label("村/社区").select_option(village.code)
    page.get_by_label("月份").fill(f"{run.month:%Y-%m}")
    page.get_by_label("榜单").select_option("red")
    steps.shot("propose")
    page.get_by_role("button", name="提名").click()
    expect(page.get_by_text("已提名，待审核。")).to_be_visible()
    expect(page.locator("[data-status]")).to_contain_text("待审核")
    expect(page.locator("tbody tr")).to_have_count(3)
    # The proposer may not confirm their own list, so the button is not offered to them at all.
    expect(page.get_by_role("button", name="审核通过")).to_have_count(0)
    expect(page.locator("[data-status]")).to_contain_text("待审核")
    board_url = page.url
    # Separation of duties: a second officer of the village confirms and publishes.
    role_grant(username="second_officer", role=Role.COMMUNITY_OFFICER, division=village, password=DEMO_PASSWORD)
    page, steps = open_page("second_officer", viewport=PHONE)
    page.goto(board_url)
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
    assert board.proposed_by.username == "demo_community_officer"
    assert board.confirmed_by.username == board.published_by.username == "second_officer"
