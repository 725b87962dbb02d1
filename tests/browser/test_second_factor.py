"""The second factor on a phone, in real Chromium: a discipline inspector signs in, scans (here: reads)
the QR code, enters the app's code, sees the recovery codes once and reaches the clue register."""

from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD, PHONE, Steps


def test_inspector_enrols_on_a_phone_and_reaches_the_clues(demo, browser, live_server, request):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", viewport=PHONE)
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        steps = Steps(page, request.node.name)
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("用户名").fill("demo_discipline_inspector")
        page.get_by_label("密码").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_url(f"{live_server.url}/account/otp/enrol/**")
        qr = page.get_by_role("img", name="身份验证器二维码")
        expect(qr).to_be_visible()
        box = qr.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        steps.shot("enrol")

        device = TOTPDevice.objects.get(user__username="demo_discipline_inspector", confirmed=False)
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.get_by_label("应用中显示的 6 位验证码").fill(f"{code:06d}")
        page.get_by_role("button", name="确认绑定").click()
        expect(page.get_by_role("heading", name="绑定成功：请保存恢复码")).to_be_visible()
        expect(page.locator("ol.otp-codes li")).to_have_count(10)
        steps.shot("recovery-codes")

        page.get_by_role("link", name="我已保存，继续").click()
        page.goto(f"{live_server.url}/integrity/clues/")
        expect(page.get_by_role("heading", name="问题线索")).to_be_visible()
        steps.shot("clues")
    finally:
        context.close()
