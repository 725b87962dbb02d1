"""Issue 13 items 4–6 in real Chromium, each by its role start to finish:

- a village officer on a phone finds households of the village and moves two into a 屋场 (划入屋场);
- a township officer on a phone sees 我的待办's count on the home page, opens the list, follows an
  overdue 业委会整治 to the follow-up list, records it done, and the count goes down;
- a village officer on a phone follows an overdue 屋场会决议 from 我的待办 to its list and records it done;
- a village officer proposes 文明家庭, a township officer confirms and publishes them on a phone;
- a district admin scores a property company with the district's template (a draft, on no list), publishes
  the evaluation, makes the 红黑榜 draft (now with the company) and publishes it."""

from __future__ import annotations

import datetime

from django.utils import timezone
from playwright.sync_api import expect

from civility.models import CivilizedFamily
from governance.models import Division, DivisionLevel, Household, Role, User
from governance.selectors import division_in_scope
from governance.services import role_grant
from residential.choices import RectificationKind, WorkStatus
from residential.models import CommitteeRectification, CreditEvaluation, RedBlackList
from tests.browser.conftest import PHONE
from tests.factories import DivisionFactory, HouseholdFactory
from tests.residential.factories import (
    CompoundFactory,
    CreditPeriodFactory,
    PropertyCompanyFactory,
    ScoringItemFactory,
    committee_with_members,
)
from villages import services as village_services


def _officer_village() -> Division:
    """A 村 in the demo village officer's scope (granted one when the demo's division is a 社区)."""
    home = division_in_scope(User.objects.get(username="demo_community_officer"))
    if home.level == DivisionLevel.VILLAGE:
        return home
    village = Division.objects.filter(parent=home.parent, level=DivisionLevel.VILLAGE).order_by("code").first()
    role_grant(username="demo_community_officer", role=Role.COMMUNITY_OFFICER, division=village)
    return village


def test_village_officer_moves_households_into_a_hamlet_on_a_phone(demo, open_page, live_server):
    village = _officer_village()
    hamlet = village_services.hamlet_create(village=village, code=f"{village.code}9001", name="杉树湾屋场")
    first, second, third = (HouseholdFactory(division=village, with_head=True) for _i in range(3))
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/villages/hamlets/{hamlet.pk}/")
    page.get_by_role("link", name="划入家庭户").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("划入屋场")
    page.get_by_role("button", name="划入本屋场").click()  # nothing ticked: a Chinese error, nothing moved
    expect(page.locator(".form-errors")).to_contain_text("请至少勾选一户")
    page.get_by_label("查找户号或成员姓名").fill(first.number)
    page.get_by_role("button", name="查找").click()
    expect(page.locator(".pick-row")).to_have_count(1)
    page.locator(".pick-row", has_text=first.number).click()
    steps.shot("searched")
    page.get_by_role("button", name="划入本屋场").click()
    expect(page.get_by_text("已将 1 户划入本屋场")).to_be_visible()
    page.get_by_role("link", name="划入家庭户").click()
    page.locator(".pick-row", has_text=second.number).click()
    page.locator(".pick-row", has_text=third.number).click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    steps.shot("ticked")
    page.get_by_role("button", name="划入本屋场").click()
    expect(page.get_by_text("已将 2 户划入本屋场")).to_be_visible()
    for household in (first, second, third):
        expect(page.get_by_role("link", name=household.number)).to_be_visible()
    steps.shot("hamlet")
    moved = Household.objects.filter(pk__in=[first.pk, second.pk, third.pk]).values_list("division_id", flat=True)
    assert set(moved) == {hamlet.division_id}


def test_township_officer_clears_an_overdue_follow_up_from_the_todo_list(demo, open_page, live_server):
    township = division_in_scope(User.objects.get(username="demo_township_officer"))
    community = DivisionFactory(
        code=f"{township.code}901", name="测试社区", level=DivisionLevel.COMMUNITY, parent=township
    )
    compound = CompoundFactory(community=community)
    today = timezone.localdate()
    late = CommitteeRectification.objects.create(
        committee=committee_with_members(compound, 2, 1),
        kind=RectificationKind.INACTION,
        found_on=today - datetime.timedelta(days=40),
        problem="业委会长期不召开业主大会",
        deadline=today - datetime.timedelta(days=3),
    )
    page, steps = open_page("demo_township_officer", viewport=PHONE)
    tile = page.locator("a.tile", has_text="我的待办")
    before = int(tile.locator(".badge").inner_text())
    assert before >= 1
    steps.shot("home")
    tile.click()
    section = page.locator("#todo-residential\\.rectification\\.overdue")
    expect(section.locator(".badge")).to_have_text("1")
    expect(section.get_by_text("已超期")).to_be_visible()
    steps.shot("todo")
    section.get_by_role("link", name="业委会长期不召开业主大会", exact=False).click()
    item = page.locator(f"#follow-up-{late.pk}")
    expect(item.get_by_text("已超期")).to_be_visible()
    item.get_by_text("记录跟进").click()
    item.get_by_label("办结日期").fill((today + datetime.timedelta(days=1)).isoformat())
    item.get_by_role("button", name="保存跟进").click()
    expect(page.locator(".message.error")).to_contain_text("办结日期应在")
    item = page.locator(f"#follow-up-{late.pk}")
    item.get_by_text("记录跟进").click()
    item.get_by_label("办结日期").fill(today.isoformat())
    item.get_by_label("跟进情况").fill("已督促召开业主大会")
    item.get_by_role("button", name="保存跟进").click()
    expect(page.get_by_text("跟进情况已记录")).to_be_visible()
    late.refresh_from_db()
    assert late.status == WorkStatus.DONE and late.done_on == today
    page.goto(f"{live_server.url}/todo/")
    expect(page.locator("#todo-residential\\.rectification\\.overdue .badge")).to_have_text("0")
    page.goto(f"{live_server.url}/")
    expect(page.locator("a.tile", has_text="我的待办").locator(".badge")).to_have_text(str(before - 1))
    steps.shot("cleared")


def test_district_admin_scores_a_company_and_publishes_the_red_black_list(demo, open_page, live_server):
    district = division_in_scope(User.objects.get(username="demo_district_admin"))
    period = CreditPeriodFactory(
        division=district,
        name="2099年度测试",
        start_date=datetime.date(2024, 1, 1),
        end_date=datetime.date(2024, 12, 31),
    )
    company = PropertyCompanyFactory(division=district, name="星城物业服务有限公司")
    if not district.scoring_items.filter(is_active=True).exists():
        ScoringItemFactory(division=district, name="服务质量", max_score=60)
        ScoringItemFactory(division=district, name="安全管理", max_score=40)
    page, steps = open_page("demo_district_admin")
    page.goto(f"{live_server.url}/residential/credit/")
    page.get_by_role("link", name=period.name).click()
    page.get_by_role("link", name="评分", exact=True).click()
    page.get_by_label("物业服务企业").select_option(str(company.pk))
    page.get_by_label("评价日期").fill("2023-12-31")  # before the period: refused in Chinese, nothing written
    inputs = page.locator("input[name^='item_']")
    for i in range(inputs.count()):
        inputs.nth(i).fill("0")
    inputs.nth(0).fill(inputs.nth(0).get_attribute("max"))
    page.get_by_role("button", name="保存评价").click()
    expect(page.locator(".errorlist").first).to_contain_text("评价日期应在评价周期开始")
    assert not CreditEvaluation.objects.filter(company=company, period=period).exists()
    page.get_by_label("评价日期").fill("2025-01-10")
    steps.shot("form")
    page.get_by_role("button", name="保存评价").click()
    expect(page.get_by_text("评价草稿已保存")).to_be_visible()
    evaluation = CreditEvaluation.objects.get(company=company, period=period)
    row = page.locator("#evaluations tr", has_text=company.name)
    expect(row).to_contain_text(str(evaluation.total))
    expect(row).to_contain_text("草稿")
    page.get_by_role("button", name="生成草稿").click()
    expect(page.get_by_text("红黑榜草稿已生成")).to_be_visible()
    expect(page.locator("#red-black-list")).not_to_contain_text(company.name)  # a draft counts on no list
    row.get_by_role("button", name="发布评价").click()
    expect(page.get_by_text("的评价已发布，不能再修改")).to_be_visible()
    row = page.locator("#evaluations tr", has_text=company.name)
    expect(row.locator(".badge")).to_have_text("已发布")
    expect(row.get_by_role("button", name="发布评价")).to_have_count(0)
    steps.shot("evaluation-published")
    page.get_by_role("button", name="重新生成草稿").click()
    expect(page.locator("#red-black-list")).to_contain_text(company.name)
    page.get_by_role("button", name="发布（发布后不能修改）").click()
    expect(page.get_by_text("红黑榜已发布。")).to_be_visible()
    expect(page.locator("#red-black-list .badge")).to_have_text("已发布")
    expect(page.get_by_role("button", name="重新生成草稿")).to_have_count(0)
    steps.shot("published")
    assert RedBlackList.objects.get(period=period).published_at is not None


def test_village_officer_records_an_overdue_hamlet_resolution_on_a_phone(demo, open_page, live_server):
    """屋场会决议 follow-ups: from 我的待办 to their list (linked from 整改与决议跟进 too), a wrong day refused
    in Chinese, then recorded done through the service; the row leaves the overdue list."""
    village = _officer_village()
    hamlet = village_services.hamlet_create(village=village, code=f"{village.code}9002", name="枫树塘屋场")
    today = timezone.localdate()
    meeting = village_services.hamlet_meeting_record(
        hamlet=hamlet,
        held_on=today - datetime.timedelta(days=30),
        topics="修缮屋场公共晒谷坪",
        resolutions=[{"text": "晒谷坪修缮完工验收", "due_on": today - datetime.timedelta(days=2)}],
    )
    late = meeting.resolutions.get()
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/residential/follow-ups/")
    page.get_by_role("link", name="屋场会决议跟进 →").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("屋场会决议跟进")
    page.goto(f"{live_server.url}/todo/")
    section = page.locator("#todo-villages\\.resolutions\\.overdue")
    expect(section.locator(".badge")).not_to_have_text("0")
    section.get_by_role("link", name="晒谷坪修缮完工验收", exact=False).click()
    item = page.locator(f"#resolution-{late.pk}")
    expect(item.get_by_text("已超期")).to_be_visible()
    expect(item).to_contain_text(f"{late.due_on:%Y-%m-%d}")
    steps.shot("overdue")
    item.get_by_text("记录跟进").click()
    item.get_by_label("办结日期").fill((today + datetime.timedelta(days=1)).isoformat())
    item.get_by_role("button", name="保存跟进").click()
    expect(page.locator(".message.error")).to_contain_text("办结日期应在")
    item = page.locator(f"#resolution-{late.pk}")
    item.get_by_text("记录跟进").click()
    item.get_by_label("办结日期").fill(today.isoformat())
    item.get_by_label("跟进情况").fill("已验收合格")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    item.get_by_role("button", name="保存跟进").click()
    expect(page.get_by_text("跟进情况已记录")).to_be_visible()
    late.refresh_from_db()
    assert late.follow_up == "done" and late.done_on == today and "已验收合格" in late.follow_up_note
    page.goto(f"{live_server.url}/villages/follow-ups/?state=overdue")
    expect(page.locator(f"#resolution-{late.pk}")).to_have_count(0)
    page.goto(f"{live_server.url}/villages/follow-ups/?state=done")
    expect(page.locator(f"#resolution-{late.pk}")).to_contain_text("已办结")
    steps.shot("done")


def test_civilized_family_proposed_by_the_village_confirmed_and_published_by_the_township(demo, open_page, live_server):
    """文明家庭: the village officer proposes (from the year's published rankings), cannot confirm; a
    township officer confirms and publishes on a phone; the published list shows it, frozen."""
    village = _officer_village()
    household = HouseholdFactory(division=village, with_head=True)
    family = CivilizedFamily.objects.create(
        household=household,
        year=2024,
        points=88,
        proposed_by=User.objects.get(username="demo_community_officer"),
        proposed_at=timezone.now(),
    )
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/civility/families/?year=2024")
    row = page.locator("tr", has_text=household.number)
    expect(row).to_contain_text("推荐")
    expect(row.get_by_role("button", name="审核通过")).to_have_count(0)  # the village only proposes
    page.get_by_role("button", name="推荐", exact=True).click()
    expect(page.get_by_text("年度推荐文明家庭")).to_be_visible()
    steps.shot("proposed")
    township = village.parent
    role_grant(username="demo_township_officer", role=Role.TOWNSHIP_OFFICER, division=township)
    page, steps = open_page("demo_township_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/civility/families/?year=2024")
    row = page.locator("tr", has_text=household.number)
    row.get_by_role("button", name="审核通过").click()
    expect(page.get_by_text("已处理")).to_be_visible()
    row = page.locator("tr", has_text=household.number)
    expect(row).to_contain_text("已评定")
    row.get_by_role("button", name="公布").click()
    expect(page.get_by_text("已处理")).to_be_visible()
    row = page.locator("tr", has_text=household.number)
    expect(row).to_contain_text("已公布")
    expect(row.get_by_role("button")).to_have_count(0)  # frozen: no action left
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="公示名单").click()
    table = page.locator("#published-families")
    expect(table).to_contain_text(household.number)
    expect(table).to_contain_text(str(User.objects.get(username="demo_community_officer")))
    steps.shot("published")
    family.refresh_from_db()
    assert family.status == "published" and family.confirmed_by.username == "demo_township_officer"
