"""The officers' and leaders' work, in real Chromium, on demo data."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from civility.models import PointEntry, Redemption, RewardItem
from governance.models import Division, Household
from security.models import Dispute
from tests.browser.conftest import PHONE
from tests.civility.factories import account_in
from tests.factories import make_id_number

ANTANG = "431302101201"  # 安塘村 (万宝镇): demo community officer and shop operator


def _antang_hamlet() -> Division:
    """A 屋场 of 安塘村 with three households holding points (the small demo may put none there)."""
    hamlet = Division.objects.filter(parent__code=ANTANG, level="hamlet").order_by("code").first()
    for _ in range(3):
        account_in(hamlet, balance=150)
    return hamlet


def _pick_place(page, hamlet: Division | None = None):
    """Choose the place through the dependent selects: 村 (the officer's own, first reset to make htmx
    fetch its 屋场 again), then the 屋场 if one is given."""
    place = page.get_by_role("group", name="发生地")
    village, hamlets = place.get_by_label("村", exact=True), place.get_by_label(re.compile("屋场"))
    village.select_option("")
    expect(hamlets.locator("option")).to_have_count(1)  # the level below is emptied with its parent
    village.select_option(ANTANG)
    if hamlet is not None:
        expect(hamlets.locator(f'option[value="{hamlet.code}"]')).to_have_count(1)  # fetched by htmx
        hamlets.select_option(hamlet.code)
    return place


def test_community_officer_enters_a_dispute_on_a_phone(demo, open_page, live_server):
    hamlet = Division.objects.filter(parent__code=ANTANG, level="hamlet").order_by("code").last()
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/security/disputes/new/")
    page.wait_for_load_state("networkidle")  # htmx is loaded (deferred) before the selects are used
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    # Every select has a label, the cascade's included.
    assert page.evaluate("[...document.querySelectorAll('form select')].every((s) => s.labels.length > 0)")
    steps.shot("intake-empty")
    before = Dispute.objects.count()
    page.get_by_label("来源渠道").select_option("walk_in")
    _pick_place(page, hamlet)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_label("纠纷简况").fill("邻里因宅基地边界发生争执，双方情绪激动。")
    page.get_by_label("当事人1 姓名").fill("李建国")
    page.get_by_label("当事人1 身份证号").fill(make_id_number())
    steps.shot("intake-filled")
    page.get_by_role("button", name="受理并分派").click()
    page.wait_for_load_state()
    steps.shot("intake-done")
    assert Dispute.objects.count() == before + 1
    dispute = Dispute.objects.latest("pk")
    assert dispute.division == hamlet
    assert dispute.parties.filter(person__name="李建国").exists()


def test_wrong_entry_shows_the_chinese_error_and_writes_nothing(demo, open_page, live_server):
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/security/disputes/new/")
    page.wait_for_load_state("networkidle")
    before = Dispute.objects.count()
    _pick_place(page)
    page.get_by_label("纠纷简况").fill("测试错误输入")
    page.get_by_label("当事人1 姓名").fill("王五")
    page.get_by_label("当事人1 身份证号").fill("430000199001011234")  # wrong check character
    page.get_by_role("button", name="受理并分派").click()
    page.wait_for_load_state()
    field = page.locator(".field.has-error", has=page.get_by_label("当事人1 身份证号"))
    field.wait_for()
    steps.shot("intake-error")
    assert "身份证号" in field.locator(".errorlist").inner_text()
    assert Dispute.objects.count() == before


def test_village_officer_enters_points_for_a_hamlet_in_batch(demo, open_page, live_server):
    hamlet = _antang_hamlet()
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/civility/entries/batch/")
    unit = page.get_by_role("group", name="屋场／村（社区）")
    unit.get_by_label(re.compile("屋场")).select_option(hamlet.code)  # under the officer's own village
    page.get_by_role("button", name="选择").click()
    page.wait_for_url(re.compile(r"unit_1="))
    page.get_by_label("积分规则").select_option(index=1)
    boxes = page.locator('input[name="households"]')
    boxes.nth(0).check()
    boxes.nth(1).check()
    steps.shot("batch-filled")
    before = PointEntry.objects.count()
    page.get_by_role("button", name="确认记分").click()
    page.locator(".message.success").wait_for()
    steps.shot("batch-done")
    assert "已为 2 户记分" in page.locator(".message.success").inner_text()
    assert PointEntry.objects.count() == before + 2


def test_shop_operator_redeems_an_item(demo, open_page, live_server):
    item = RewardItem.objects.filter(shop__operators__username="demo_shop_operator", is_active=True, stock__gt=0)
    item = item.order_by("points_price").first()
    _antang_hamlet()
    household = (
        Household.objects.filter(division__path__startswith=item.shop.division.path)
        .filter(point_account__balance__gte=item.points_price)
        .order_by("number")
        .first()
    )
    assert household is not None, "the demo gives households points to spend"
    page, steps = open_page("demo_shop_operator", viewport=PHONE)
    page.goto(f"{live_server.url}/civility/shop/")
    page.get_by_label("户号或户主姓名").fill(household.number)
    page.get_by_role("button", name="查找").click()
    page.get_by_role("link", name=re.compile(household.number)).first.click()
    steps.shot("shop-household")
    before = Redemption.objects.count()
    row = page.locator("tr", has_text=item.name).first
    row.get_by_role("button", name="兑换").click()
    page.locator(".message").first.wait_for()
    steps.shot("shop-redeemed")
    assert Redemption.objects.count() == before + 1
    household.point_account.refresh_from_db()
    assert household.point_account.balance == 150 - item.points_price
