"""Search-as-you-type multi-pickers in real Chromium at 375 px (issue 12 item 4): a village officer
records a 屋场会 by typing names and ticking two people among the matches (htmx refills only the
matches area, the first one ticked stays ticked), saves, and sees both on the 屋场's page; a discipline
inspector registers a clue about two registered subjects found by name the same way."""

from __future__ import annotations

from playwright.sync_api import expect

from governance.models import Person, User
from governance.selectors import division_in_scope
from integrity.choices import DISCIPLINE_ROLES
from integrity.models import Clue, Subject
from tests.browser.conftest import PHONE
from tests.browser.test_workflows import _officer_village
from tests.factories import make_id_number
from villages import services as village_services
from villages.models import HamletMeeting


def test_village_officer_ticks_two_searched_attendees_on_a_phone(demo, open_page, live_server):
    village = _officer_village()
    hamlet = village_services.hamlet_create(village=village, code=f"{village.code}9002", name="枫树坳屋场")
    first = Person.objects.create(name="欧阳春花", id_number=make_id_number(), division=hamlet.division)
    second = Person.objects.create(name="欧阳秋实", id_number=make_id_number(), division=village)
    page, steps = open_page("demo_community_officer", viewport=PHONE)
    page.goto(f"{live_server.url}/villages/hamlets/{hamlet.pk}/meetings/new/")
    form = page.locator("form.card")
    form.get_by_label("召开日期").fill("2026-11-20")
    form.get_by_label("议题").fill("机耕道修缮筹资")
    assert form.locator('input[name="attendees"]').count() == 0  # nobody listed before a search
    search = form.get_by_label("输入姓名搜索")
    search.fill("欧阳春")
    matches = form.locator(".search-multi-matches")
    expect(matches.locator(".pick-row")).to_have_count(1)
    matches.locator(".pick-row", has_text="欧阳春花").click()
    search.fill("欧阳秋")
    expect(matches.locator(".pick-row", has_text="欧阳秋实")).to_be_visible()
    expect(matches.locator(".pick-row", has_text="欧阳春花").locator("input")).to_be_checked()  # kept ticked
    matches.locator(".pick-row", has_text="欧阳秋实").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    steps.shot("ticked")
    form.get_by_role("button", name="保存").click()
    expect(page.get_by_text("屋场会已记录。")).to_be_visible()
    attendees = page.get_by_test_id("meeting-attendees")
    expect(attendees).to_contain_text("欧阳春花")
    expect(attendees).to_contain_text("欧阳秋实")
    steps.shot("hamlet")
    assert set(HamletMeeting.objects.get(hamlet=hamlet).attendees.all()) == {first, second}


def test_inspector_registers_a_clue_about_two_searched_subjects_on_a_phone(demo, open_page, live_server):
    area = division_in_scope(User.objects.get(username="demo_discipline_inspector"), roles=DISCIPLINE_ROLES)
    first = Subject.objects.create(name="皇甫志远", unit="某镇财政所", post="所长", division=area)
    second = Subject.objects.create(name="皇甫明德", unit="某镇财政所", post="会计", division=area)
    page, steps = open_page("demo_discipline_inspector", viewport=PHONE)
    page.goto(f"{live_server.url}/integrity/clues/new/")
    form = page.locator('form[aria-label="登记问题线索"]')
    form.get_by_label("线索编号").fill("XS-E2E-0101")
    form.locator("#id_division_0").select_option(index=1)
    form.get_by_label("线索来源").select_option(label="信访举报")
    form.get_by_label("受理日期").fill("2025-03-01")
    form.get_by_label("问题类别").select_option(label="腐败问题")
    form.get_by_label("主要问题").fill("反映财政所套取专项资金")
    search = form.get_by_label("输入姓名搜索")
    matches = form.locator(".search-multi-matches")
    search.fill("皇甫志")
    expect(matches.locator(".pick-row")).to_have_count(1)
    matches.locator(".pick-row", has_text="皇甫志远").click()
    search.fill("皇甫明")
    expect(matches.locator(".pick-row", has_text="皇甫明德")).to_be_visible()
    matches.locator(".pick-row", has_text="皇甫明德").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    steps.shot("subjects-ticked")
    form.get_by_role("button", name="登记").click()
    page.wait_for_url("**/integrity/clues/*/")
    expect(page.get_by_text("皇甫志远 · 某镇财政所")).to_be_visible()
    expect(page.get_by_text("皇甫明德 · 某镇财政所")).to_be_visible()
    steps.shot("clue")
    assert set(Clue.objects.get(number="XS-E2E-0101").subjects.all()) == {first, second}
