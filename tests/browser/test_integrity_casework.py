"""Integrity casework on a phone, in real Chromium (issue 13): a discipline inspector registers a clue,
disposes of it, files a case from it, records 留置, a Party sanction and a recovery, closes the case,
and finds the clue concluded on its own page. Also: a Party sanction for a non-member is refused with
a Chinese error on the page, and a clean-unit evaluation entered by form sets the unit's status."""

from __future__ import annotations

from tests.browser.conftest import PHONE

INSPECTOR = "demo_discipline_inspector"


def _register_clue(page, number: str, *, party_member: bool) -> None:
    page.get_by_role("link", name="登记问题线索").click()
    form = page.locator('form[aria-label="登记问题线索"]')
    form.get_by_label("线索编号").fill(number)
    form.locator("#id_division_0").select_option(index=1)
    form.get_by_label("线索来源").select_option(label="信访举报")
    form.get_by_label("受理日期").fill("2025-03-01")
    form.get_by_label("问题类别").select_option(label="腐败问题")
    form.get_by_label("主要问题").fill("反映村会计虚报冒领扶贫补贴")
    form.get_by_label("新增被反映人姓名").fill("周某")
    form.get_by_label("工作单位").fill("某村民委员会")
    form.get_by_label("职务", exact=True).fill("会计")
    if party_member:
        form.get_by_label("中共党员").check()
    form.get_by_role("button", name="登记").click()
    page.wait_for_url("**/integrity/clues/*/")


def test_inspector_works_a_case_from_clue_to_closing_on_a_phone(demo, open_page, live_server):
    page, steps = open_page(INSPECTOR, viewport=PHONE)
    page.goto(f"{live_server.url}/integrity/clues/")
    _register_clue(page, "XS-E2E-0001", party_member=True)
    clue_url = page.url
    assert page.get_by_test_id("clue-status").inner_text() == "待处置"
    steps.shot("clue-registered")

    dispose = page.locator('form[aria-label="线索处置"]')
    dispose.get_by_label("初步核实").check()
    dispose.get_by_label("决定人").fill("区纪委书记")
    dispose.get_by_label("处置日期").fill("2025-03-05")
    dispose.get_by_role("button", name="处置").click()
    page.wait_for_url(clue_url)
    assert page.get_by_test_id("clue-status").inner_text() == "已处置"
    steps.shot("clue-disposed")

    page.get_by_role("link", name="由此线索立案").click()
    filing = page.locator('form[aria-label="立案"]')
    filing.get_by_label("案件编号").fill("LA-E2E-0001")
    filing.get_by_label("立案日期").fill("2025-03-10")
    assert filing.get_by_label("XS-E2E-0001").is_checked()  # the clue and its person come ticked
    filing.get_by_role("button", name="立案").click()
    page.wait_for_url("**/integrity/cases/*/")
    case_url = page.url
    steps.shot("case-filed")

    measure = page.locator('form[aria-label="采取措施"]')
    measure.get_by_label("对象").select_option(index=1)
    measure.get_by_label("措施").select_option(label="留置")
    measure.get_by_label("开始日期").fill("2025-03-11")
    measure.get_by_label("解除日期").fill("2025-04-10")
    measure.get_by_role("button", name="记录措施").click()
    page.wait_for_url(case_url)
    assert page.get_by_text("已记录措施：留置。").is_visible()

    sanction = page.locator('form[aria-label="处分与处理"]')
    sanction.get_by_label("受处理人").select_option(index=1)
    sanction.get_by_label("处分（处理）种类").select_option(label="党内警告")
    sanction.get_by_label("决定日期").fill("2025-04-20")
    sanction.get_by_role("button", name="记录处分").click()
    page.wait_for_url(case_url)

    recovery = page.locator('form[aria-label="追缴退缴"]')
    recovery.get_by_label("方式").select_option(label="追缴")
    recovery.get_by_label("金额（元）").fill("12000.50")
    recovery.get_by_label("日期", exact=True).fill("2025-04-21")
    recovery.get_by_role("button", name="记录追缴退缴").click()
    page.wait_for_url(case_url)
    steps.shot("measures-sanction-recovery")

    closing = page.locator('form[aria-label="结案"]')
    closing.get_by_label("结案日期").fill("2025-05-01")
    closing.get_by_role("button", name="结案").click()
    page.wait_for_url(case_url)
    timeline = page.locator("table").last.inner_text()
    for step in ("受理线索", "线索处置", "立案", "留置", "党内警告", "12,000.50 元", "结案"):
        assert step in timeline, step
    assert page.locator('form[aria-label="采取措施"]').count() == 0  # a closed case takes no more steps
    steps.shot("case-closed")

    page.get_by_role("link", name="XS-E2E-0001").click()
    page.wait_for_url(clue_url)
    assert page.get_by_test_id("clue-status").inner_text() == "已办结"
    steps.shot("clue-concluded")


def test_party_sanction_for_a_non_member_is_refused_in_chinese(demo, open_page, live_server):
    page, steps = open_page(INSPECTOR, viewport=PHONE)
    page.goto(f"{live_server.url}/integrity/clues/")
    _register_clue(page, "XS-E2E-0002", party_member=False)
    clue_url = page.url
    assert page.get_by_role("link", name="由此线索立案").count() == 0  # 立案 follows a disposition
    dispose = page.locator('form[aria-label="线索处置"]')
    dispose.get_by_label("初步核实").check()
    dispose.get_by_label("决定人").fill("区纪委书记")
    dispose.get_by_label("处置日期").fill("2025-03-05")
    dispose.get_by_role("button", name="处置").click()
    page.wait_for_url(clue_url)
    page.get_by_role("link", name="由此线索立案").click()
    filing = page.locator('form[aria-label="立案"]')
    filing.get_by_label("案件编号").fill("LA-E2E-0002")
    filing.get_by_label("立案日期").fill("2025-03-10")
    filing.get_by_role("button", name="立案").click()
    page.wait_for_url("**/integrity/cases/*/")
    sanction = page.locator('form[aria-label="处分与处理"]')
    sanction.get_by_label("受处理人").select_option(index=1)
    sanction.get_by_label("处分（处理）种类").select_option(label="开除党籍")
    sanction.get_by_label("决定日期").fill("2025-04-20")
    sanction.get_by_role("button", name="记录处分").click()
    assert page.get_by_text("周某 不是中共党员，不能给予党纪处分。").is_visible()
    assert "开除党籍" not in page.locator("table").last.inner_text()
    steps.shot("non-member-refused")


def test_clean_unit_evaluation_by_form_sets_the_status(demo, open_page, live_server):
    from integrity.models import CleanUnit

    unit = CleanUnit.objects.order_by("id").first()
    page, steps = open_page(INSPECTOR, viewport=PHONE)
    page.goto(f"{live_server.url}/integrity/units/")
    page.goto(f"{live_server.url}/integrity/units/{unit.pk}/evaluate/")
    form = page.locator('form[aria-label="录入评估"]')
    form.get_by_label("评估结果").select_option(label="示范")
    form.locator("#id_item_0").fill("制度建设")
    form.locator("#id_max_0").fill("10")
    form.locator("#id_score_0").fill("10")
    form.get_by_role("button", name="保存评估").click()
    assert page.get_by_test_id("unit-status").inner_text() == "示范"
    steps.shot("unit-evaluated")
