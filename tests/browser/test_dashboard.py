"""The leaders' dashboard in real Chromium: charts drawn, drill-down district → township → back,
figures matching the database."""

from __future__ import annotations

from django.utils import timezone

from governance.models import Division
from security.models import Dispute

DISTRICT, WANBAO = "431302", "431302101"


def _received(division: Division) -> int:
    today = timezone.localdate()
    return (
        Dispute.objects.in_subtree(division)
        .filter(received_at__date__gte=today.replace(month=1, day=1), received_at__date__lte=today)
        .count()
    )


def test_leader_drills_down_from_district_to_township_and_back(demo, open_page, live_server):
    page, steps = open_page("demo_leader")
    page.get_by_role("link", name="驾驶舱").click()
    page.locator('[data-chart="by-child"][data-ready="1"]').first.wait_for()
    district = Division.objects.get(code=DISTRICT)
    wanbao = Division.objects.get(code=WANBAO)
    received = page.locator('[data-key="security.received"] .kpi-value')
    assert received.get_attribute("data-value") == str(_received(district))
    assert page.locator('[data-table="by-child-safety"] tbody tr').count() == district.children.count()
    row = page.locator(f'[data-table="by-child-safety"] tr[data-code="{WANBAO}"]')
    assert row.locator("td").first.inner_text().strip() == str(_received(wanbao))
    steps.shot("district")
    steps.shot("district-top", full_page=False)

    row.get_by_role("link").click()
    page.wait_for_url(f"**/dashboard/{WANBAO}/")
    page.locator('[data-chart="by-child"][data-ready="1"]').first.wait_for()
    assert page.locator("h1").inner_text().startswith("万宝镇")
    assert received.get_attribute("data-value") == str(_received(wanbao))
    crumbs = page.get_by_role("navigation", name="层级导航")
    assert [item.strip() for item in crumbs.locator("li").all_inner_texts()] == ["娄星区", "万宝镇"]
    assert crumbs.locator('[aria-current="page"]').inner_text().strip() == "万宝镇"
    steps.shot("township")

    crumbs.get_by_role("link", name="娄星区").click()
    page.wait_for_url(f"**/dashboard/{DISTRICT}/")
    assert received.get_attribute("data-value") == str(_received(district))
    steps.shot("back-to-district")


def test_leader_clicks_a_bar_to_drill_down_and_the_phone_layout_fits(demo, open_page, live_server):
    page, steps = open_page("demo_leader", viewport={"width": 375, "height": 812})
    page.goto(f"{live_server.url}/dashboard/")
    chart = page.locator('[data-chart="by-child"][data-section="safety"]')
    chart.wait_for()
    page.wait_for_selector('[data-chart="by-child"][data-ready="1"]')
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    steps.shot("district-phone")
    chart.scroll_into_view_if_needed()
    # The first township's column: ECharts tells where it drew it.
    x, y = page.evaluate(
        """() => {
        const el = document.querySelector('[data-chart="by-child"][data-section="safety"]');
        const chart = echarts.getInstanceByDom(el);
        const px = chart.convertToPixel({xAxisIndex: 0}, 0);
        const py = chart.convertToPixel({yAxisIndex: 0}, 0);
        const box = el.getBoundingClientRect();
        return [box.left + px, box.top + py - 20];
    }"""
    )
    page.mouse.click(x, y)
    first = Division.objects.get(code=DISTRICT).children.order_by("code").first()
    page.wait_for_url(f"**/dashboard/{first.code}/")


def test_township_leader_cannot_open_the_district(demo, open_page, live_server, django_user_model):
    from tests.factories import user_with_role

    leader = user_with_role("leader", Division.objects.get(code=WANBAO), username="leader_wanbao")
    leader.set_password("Louxing-2026")
    leader.save()
    page, steps = open_page("leader_wanbao")
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("h1").inner_text().startswith("万宝镇")
    assert page.get_by_role("navigation", name="层级导航").inner_text().strip() == "万宝镇"
    response = page.goto(f"{live_server.url}/dashboard/{DISTRICT}/")
    assert response.status == 404
    steps.shot("district-404")
