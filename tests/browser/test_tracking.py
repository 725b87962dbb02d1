"""Issue 20 in real Chromium on a phone: a citizen opens the code printed on the case's receipt (一案一码),
follows the case to its closing without signing in, rates it "not solved", and the case is back with
the supervisor of the body that closed it; the public page never shows any value of the case or of
its parties beyond its public progress."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import expect

from governance.models import Division, Person, Role
from security.choices import EventAction, Status
from security.models import Dispute, DisputeParty
from security.services import (
    PartyInput,
    Place,
    dispute_accept,
    dispute_close,
    dispute_intake,
    dispute_mediate,
    dispute_record_agreement,
)
from security.services.tracking import supervisor_of
from tests.browser.conftest import PHONE, Steps
from tests.factories import PersonFactory, user_with_role

# Values the public page may show: its public progress (stage, body, dates of the steps).
PUBLIC_FIELDS = {"category", "status", "current_body", "received_at", "deadline", "closed_at", "resolved_at"}


def _values(obj, skip=frozenset()) -> list[str]:
    """Every stored value of ``obj``'s concrete fields as text a page could show (short numbers and
    flags, which appear on any page, aside)."""
    out = []
    for field in obj._meta.concrete_fields:
        if field.name in skip or field.name == "id" or field.is_relation:
            continue
        value = getattr(obj, field.attname)
        if value is None or isinstance(value, bool) or value in ("", []):
            continue
        if isinstance(value, list):
            out.extend(str(v) for v in value)
        elif isinstance(value, datetime.datetime):
            out.append(timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S"))
        elif isinstance(value, int | Decimal) and abs(value) < 1000:
            continue
        else:
            out.append(str(value))
    return [v for v in out if len(v) >= 2]


def _assert_no_personal_data(html: str, dispute: Dispute) -> None:
    dispute = Dispute.objects.get(pk=dispute.pk)
    values = _values(dispute, PUBLIC_FIELDS)
    for party in DisputeParty.objects.filter(dispute=dispute).select_related("person"):
        values += _values(party, {"dispute", "person", "role"})
        values += _values(Person.objects.get(pk=party.person_id), {"division"})
    agreement = getattr(dispute, "agreement", None)
    if agreement is not None:
        values += _values(agreement, {"dispute", "judicial_confirmation", "signed_on"})
    leaked = [value for value in values if value in html]
    assert not leaked, leaked
    assert len(values) >= 8  # names, ID numbers, phones, description, address, number, terms…


def test_citizen_follows_the_code_rates_not_solved_and_the_case_goes_to_the_supervisor(
    demo, open_page, browser, live_server
):
    """The citizen's page is its own browser context: no sign-in, no cookie of the officer's."""
    village = Division.objects.filter(level="village").order_by("code").first()
    people = [
        PersonFactory(division=village, name="赵春花", phone="13712340817"),
        PersonFactory(division=village, name="钱大伟", phone="13598762345"),
    ]
    dispute, _created = dispute_intake(
        channel="walk_in",
        category="neighbour",
        division=village,
        description="两户因院墙滴水发生争执，多次协商未果",
        parties=[PartyInput(person=people[0], role="applicant"), PartyInput(person=people[1], role="respondent")],
        place=Place(address="东方红村下屋组十七号", people_involved=12),
        received_by=None,
    )
    body = dispute.current_body
    assert body is not None
    mediator = user_with_role(Role.MEDIATOR, body.division, username="browser_mediator")
    body.staff.add(mediator)

    # The officer prints the receipt; its code is what the party takes home.
    officer, steps = open_page("demo_district_admin")
    officer.goto(f"{live_server.url}/security/disputes/{dispute.pk}/")
    officer.get_by_role("link", name="打印受理回执（含查询码）").click()
    expect(officer.locator(".tracking-qr")).to_be_visible()
    steps.shot("receipt")
    url = officer.locator(".tracking-url a").get_attribute("href")

    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE)
    try:
        citizen = context.new_page()
        citizen.set_default_timeout(15_000)
        steps = Steps(citizen, f"{steps.name}-citizen")
        citizen.goto(url)
        expect(citizen.locator("h1")).to_have_text("案件办理进度")
        expect(citizen.locator("[data-stage]")).to_have_text("等待承办单位接收")
        expect(citizen.get_by_role("button", name="提交评价")).to_have_count(0)
        assert citizen.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        _assert_no_personal_data(citizen.content(), dispute)
        steps.shot("citizen-received")

        dispute = dispute_accept(dispute=dispute, by=mediator)
        citizen.reload()
        expect(citizen.locator("[data-stage]")).to_have_text("办理中")
        dispute = dispute_mediate(dispute=dispute, by=mediator)
        today = timezone.localdate()
        dispute = dispute_record_agreement(dispute=dispute, by=mediator, terms="加装排水槽，费用各半", signed_on=today)
        dispute = dispute_close(dispute=dispute.dispute, by=mediator)
        citizen.reload()
        expect(citizen.locator("[data-stage]")).to_have_text("已办结")
        _assert_no_personal_data(citizen.content(), dispute)
        steps.shot("citizen-closed")

        # A wrong number first: a Chinese error, nothing recorded.
        citizen.get_by_label("登记手机号后四位").fill("1111")
        citizen.get_by_label("不满意", exact=True).check()
        citizen.get_by_label("未解决", exact=True).check()
        citizen.get_by_label("意见或未解决的原因").fill("排水槽至今未安装")
        citizen.get_by_role("button", name="提交评价").click()
        expect(citizen.locator(".errors")).to_contain_text("手机号后四位与本案当事人登记的号码不符")
        assert not dispute.ratings.exists()
        steps.shot("citizen-wrong-digits")

        citizen.get_by_label("登记手机号后四位").fill("0817")
        citizen.get_by_label("不满意", exact=True).check()
        citizen.get_by_label("未解决", exact=True).check()
        citizen.get_by_role("button", name="提交评价").click()
        expect(citizen.locator(".message.success")).to_contain_text("评价已提交")
        expect(citizen.locator("[data-stage]")).to_have_text("等待承办单位接收")
        expect(citizen.locator(".timeline")).to_contain_text("因评价未解决，已交上级重新办理")
        _assert_no_personal_data(citizen.content(), dispute)
        steps.shot("citizen-reopened")
    finally:
        context.close()

    dispute.refresh_from_db()
    assert dispute.status == Status.ESCALATED
    assert dispute.current_body == supervisor_of(body) and dispute.current_body != body
    reopened = dispute.events.get(action=EventAction.REOPENED)
    assert reopened.reason == "排水槽至今未安装" and reopened.from_body == body
