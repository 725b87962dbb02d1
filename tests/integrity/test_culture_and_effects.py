"""Issue 16, integrity: the clean units' rules carry measurable effects as numbers the dashboard sums
(item 9), and 廉洁文化阵地 with their visits and the “廉洁文化进……” activities counted (item 8).
Discipline staff only: everyone else gets 404."""

from __future__ import annotations

import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from governance.models import Role
from governance.registry import registry
from integrity.demo import seed_clean_units
from integrity.demo_culture import seed_culture
from integrity.models import CultureActivity, CultureSite, UnitRule
from integrity.selectors import culture_counts, rule_effects
from tests.auth import verified_login
from tests.factories import OrganizationFactory, user_with_role
from tests.integrity.factories import CleanUnitFactory, UnitRuleFactory

pytestmark = [pytest.mark.django_db]
DAY = datetime.date(2025, 6, 10)


@pytest.fixture
def page(client, inspector):
    verified_login(client, inspector)
    return client


def rule_in(division, **effects):
    unit = CleanUnitFactory(organization=OrganizationFactory(division=division))
    return UnitRuleFactory(unit=unit, **effects)


def site_in(division, name="家风家训馆"):
    return CultureSite.objects.create(name=name, kind="family_hall", division=division, opened_on=DAY)


def activity(division, target="enterprise", site=None, participants=10):
    return CultureActivity.objects.create(
        title="廉洁文化活动", target=target, division=division, site=site, held_on=DAY, participants=participants
    )


# --- item 9: rules' measurable effects ----------------------------------------------------------


def test_rule_effects_are_summed_per_subtree(divisions):
    rule_in(divisions["v11"], loopholes_closed=12, savings_percent=Decimal("18.6"))
    rule_in(divisions["v12"], loopholes_closed=3, savings_amount=Decimal("25000.50"))
    rule_in(divisions["v12"])  # a rule with no measured effect
    rule_in(divisions["v21"], loopholes_closed=7, savings_amount=Decimal("1000"))
    effects = rule_effects(division=divisions["t1"])
    assert effects == {
        "rules": 3,
        "measured": 2,
        "loopholes": 15,
        "savings_amount": Decimal("25000.50"),
        "savings_percent_max": Decimal("18.60"),
    }
    assert registry.indicators["integrity.rules.loopholes"].compute(division=divisions["district"]) == 22
    assert registry.indicators["integrity.rules.savings_amount"].compute(division=divisions["district"]) == Decimal(
        "26000.50"
    )


@pytest.mark.parametrize(("field", "value"), [("savings_percent", Decimal("100.5")), ("savings_amount", Decimal("-1"))])
def test_impossible_effects_are_refused_by_the_database(divisions, field, value):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        rule_in(divisions["v11"], **{field: value})


def test_the_demo_gives_the_health_bureau_its_12_loopholes_and_18_6_percent(divisions):
    seed_clean_units(stdout=StringIO(), options={})
    rule = UnitRule.objects.get(unit__organization__name="区卫健局")
    assert (rule.loopholes_closed, rule.savings_percent) == (12, Decimal("18.60"))
    assert rule_effects(division=divisions["district"])["loopholes"] == 12


def test_unit_page_shows_the_effects(page, divisions):
    rule_in(divisions["v11"], loopholes_closed=12, savings_percent=Decimal("18.6"))
    body = page.get(reverse("integrity:unit-list")).content.decode()
    assert "堵塞管理漏洞 12 项" in body and "18.60%" in body


def test_unit_rules_api_carries_the_numbers(divisions, inspector):
    rule_in(divisions["v11"], loopholes_closed=12, savings_percent=Decimal("18.6"))
    client = APIClient()
    client.force_authenticate(inspector)
    row = client.get(reverse("api:integrity-api:unit-rule-list")).json()["results"][0]
    assert (row["loopholes_closed"], row["savings_percent"], row["savings_amount"]) == (12, "18.60", None)


# --- item 8: 廉洁文化阵地 and activities ----------------------------------------------------------------


def test_culture_counts_per_target_and_site_visits(divisions):
    site = site_in(divisions["v11"])
    activity(divisions["v11"], "site", site, participants=40)
    activity(divisions["v11"], "site", site, participants=25)
    activity(divisions["v12"], "family", participants=12)
    activity(divisions["v21"], "enterprise", participants=99)  # the other township
    counts = culture_counts(division=divisions["t1"])
    assert (counts["sites"], counts["activities"], counts["participants"]) == (1, 3, 77)
    assert counts["by_target"]["site"] == {"activities": 2, "participants": 65}
    assert counts["by_target"]["enterprise"] == {"activities": 0, "participants": 0}
    assert registry.indicators["integrity.culture.activities"].compute(division=divisions["district"]) == 4


def test_a_visit_needs_a_site(divisions):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        activity(divisions["v11"], "site", None)


def test_culture_page_lists_sites_with_visits(page, divisions):
    site = site_in(divisions["v11"], "乐坪家风家训馆")
    activity(divisions["v11"], "site", site, participants=40)
    site_in(divisions["v21"], "外乡家风馆")
    body = page.get(reverse("integrity:culture")).content.decode()
    assert "乐坪家风家训馆" in body and "外乡家风馆" not in body
    assert '<td data-label="参观、参与人次">40</td>' in body


def test_culture_page_query_count_does_not_grow_with_rows(page, divisions):
    for i in range(3):
        activity(divisions["v11"], "site", site_in(divisions["v11"], f"阵地{i}"))
    with CaptureQueriesContext(connection) as few:
        assert page.get(reverse("integrity:culture")).status_code == 200
    for i in range(27):
        activity(divisions["v12"], "site", site_in(divisions["v12"], f"阵地乙{i}"))
    with CaptureQueriesContext(connection) as many:
        assert page.get(reverse("integrity:culture")).status_code == 200
    assert len(few) == len(many)


def test_culture_page_bad_filter_shows_the_error_and_no_rows(page, divisions):
    site_in(divisions["v11"])
    response = page.get(reverse("integrity:culture"), {"kind": "bogus"})
    assert response.status_code == 200
    assert response.context["filter"].errors and not list(response.context["object_list"])


@pytest.mark.parametrize("role", [Role.LEADER, Role.TOWNSHIP_OFFICER])
def test_culture_is_404_for_everyone_but_discipline_staff(client, divisions, role):
    site_in(divisions["v11"])
    user = user_with_role(role, divisions["t1"], username=f"u_{role}")
    verified_login(client, user)
    assert client.get(reverse("integrity:culture")).status_code == 404
    api = APIClient()
    api.force_authenticate(user)
    assert api.get(reverse("api:integrity-api:culture-site-list")).status_code == 404


def test_culture_api_is_scoped_and_sums_visits(divisions, inspector):
    site = site_in(divisions["v11"])
    activity(divisions["v11"], "site", site, participants=40)
    other = site_in(divisions["v21"], "外乡阵地")
    client = APIClient()
    client.force_authenticate(inspector)
    rows = client.get(reverse("api:integrity-api:culture-site-list")).json()["results"]
    assert [(r["name"], r["visits"], r["activity_count"]) for r in rows] == [("家风家训馆", 40, 1)]
    assert client.get(reverse("api:integrity-api:culture-site-detail", args=[other.pk])).status_code == 404
    bad = client.get(reverse("api:integrity-api:culture-activity-list"), {"held_after": "not-a-date"})
    assert bad.status_code == 400 and "held_after" in bad.json().get("errors", bad.json()).__str__()


def test_the_culture_demo_counts_every_target_and_runs_twice(divisions):
    seed_culture(stdout=StringIO(), options={})
    seed_culture(stdout=StringIO(), options={})
    counts = culture_counts(division=divisions["district"])
    assert counts["sites"] == 4
    assert all(row["activities"] > 0 for row in counts["by_target"].values())
