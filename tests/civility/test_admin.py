"""The civility admin: every changelist at a constant query count, 404 outside the officer's scope,
a ledger that cannot be changed or deleted here, and adds that go through the services."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civility.models import (
    BanquetAbstention,
    BanquetKind,
    BanquetKindCap,
    BanquetServiceFee,
    BanquetServiceTeam,
    CivilityUnit,
    CivilizedFamily,
    Dissuasion,
    DissuasionOutcome,
    EntrySource,
    FamilyStatus,
    HonorList,
    MonthlyRanking,
    PlaceLocation,
    PointAccount,
    PointEntry,
    RankingCorrection,
    RankingMonth,
    UnitKind,
    UnitReview,
)
from civility.services import (
    RULE_BANQUET_OVER_CAP,
    RedemptionRequest,
    points_redeem,
    ranking_compute,
    ranking_publish,
)
from governance.models import Division, DivisionLevel
from tests.auth import verified_login
from tests.civility.factories import (
    BanquetDeclarationFactory,
    PointRuleFactory,
    PracticeStationFactory,
    RewardItemFactory,
    ServiceActivityFactory,
    ShopFactory,
    VillageRuleFactory,
    VolunteerFactory,
    VolunteerTeamFactory,
    account_in,
)
from tests.factories import HouseholdFactory, PersonFactory, user_with_role

pytestmark = pytest.mark.django_db

_seq = itertools.count(1)


def url(name: str, *args) -> str:
    return reverse(f"admin:civility_{name}", args=args)


def hamlet(division: Division) -> Division:
    """A fresh 屋场 under ``division`` (for registers that allow one row per division)."""
    n = next(_seq)
    return Division.objects.create(
        code=f"{division.code}{n:03d}", name=f"屋场{n}", level=DivisionLevel.HAMLET, parent=division
    )


def form_errors(response):
    """What the admin said about the posted form, for a failure message: the form's errors on a
    re-rendered page, else the status and body (a 403 or 404 has no form)."""
    context = response.context
    if context is not None and "adminform" in context:
        return context["adminform"].form.errors
    return response.status_code, response.content[:500]


def household(division: Division):
    return HouseholdFactory(division=division, with_head=True)


def redemption(division: Division):
    account = account_in(division, balance=20)
    item = RewardItemFactory(shop=ShopFactory(division=division))
    made, _created = points_redeem(
        account=account,
        shop=item.shop,
        lines=[RedemptionRequest(item, 1)],
        operator=None,
        idempotency_key=f"adm-{next(_seq)}",
    )
    return made


def ranking_month(division: Division):
    n = next(_seq)
    return RankingMonth.objects.create(division=division, month=datetime.date(2000 + n // 12, n % 12 + 1, 1))


def ranking_row(division: Division):
    return MonthlyRanking.objects.create(
        ranking_month=ranking_month(division),
        household=household(division),
        level="unit",
        group=division,
        points=3,
        rank=1,
    )


def correction(division: Division):
    entry = account_in(division, balance=5).entries.get()
    return RankingCorrection.objects.create(
        ranking_month=ranking_month(division),
        household=entry.account.household,
        entry=entry,
        entry_account_id=entry.account_id,
        points=5,
    )


def declaration(division: Division, **kwargs):
    return BanquetDeclarationFactory(household=household(division), **kwargs)


def team(division: Division):
    return VolunteerTeamFactory(station=PracticeStationFactory(division=division))


def volunteer(division: Division):
    made = VolunteerFactory(person=PersonFactory(division=division))
    made.teams.add(team(division))
    return made


def activity(division: Division):
    made = ServiceActivityFactory(team=team(division))
    made.participants.add(VolunteerFactory(person=PersonFactory(division=division)))
    return made


def unit_kind(division: Division):
    n = next(_seq)
    return UnitKind.objects.create(division=division, code=f"k{n}", name=f"文明类型{n}", level="village")


def civility_unit(division: Division):
    return CivilityUnit.objects.create(
        kind=unit_kind(division), division=division, name=f"单元{next(_seq)}", applied_on=datetime.date(2025, 1, 1)
    )


# One row of each register the civility admin shows, living in a division.
MAKERS: dict[str, Callable] = {
    "pointrule": lambda d: PointRuleFactory(division=d),
    "pointaccount": lambda d: account_in(d, balance=5),
    "pointentry": lambda d: account_in(d, balance=5).entries.get(),
    "shop": lambda d: ShopFactory(division=d),
    "rewarditem": lambda d: RewardItemFactory(shop=ShopFactory(division=d)),
    "redemption": redemption,
    "rankingmonth": ranking_month,
    "monthlyranking": ranking_row,
    "rankingcorrection": correction,
    "honorlist": lambda d: HonorList.objects.create(village=d, ranking_month=ranking_month(d), kind="red"),
    "civilizedfamily": lambda d: CivilizedFamily.objects.create(household=household(d), year=2025, points=30),
    "villagerule": lambda d: VillageRuleFactory(division=hamlet(d)),
    "banquetserviceteam": lambda d: BanquetServiceTeam.objects.create(division=d, name=f"服务队{next(_seq)}"),
    "banquetdeclaration": declaration,
    "dissuasion": lambda d: Dissuasion.objects.create(
        declaration=declaration(d, is_flagged=True, violations=["tables"]),
        outcome=DissuasionOutcome.DISSUADED,
        occurred_on=datetime.date(2025, 4, 28),
    ),
    "banquetabstention": lambda d: BanquetAbstention.objects.create(
        person=PersonFactory(division=d), kind=BanquetKind.BIRTHDAY, occurred_on=datetime.date(2025, 3, 1)
    ),
    "practicestation": lambda d: PracticeStationFactory(division=d),
    "volunteerteam": team,
    "volunteer": volunteer,
    "serviceactivity": activity,
    # issue 16
    "banquetkindcap": lambda d: BanquetKindCap.objects.create(
        rule=VillageRuleFactory(division=hamlet(d)), kind=BanquetKind.SCHOOL, tables_cap=10
    ),
    "banquetservicefee": lambda d: BanquetServiceFee.objects.create(
        team=BanquetServiceTeam.objects.create(division=d, name=f"服务队{next(_seq)}"), item="每桌", price=400
    ),
    "placelocation": lambda d: PlaceLocation.objects.create(division=hamlet(d), latitude=27.7, longitude=112),
    "unitkind": unit_kind,
    "civilityunit": civility_unit,
    "unitreview": lambda d: UnitReview.objects.create(
        unit=civility_unit(d), round=1, reviewed_on=datetime.date(2025, 3, 1), result="building"
    ),
}


def test_every_registered_civility_admin_is_covered_here():
    registered = {model._meta.model_name for model in admin.site._registry if model._meta.app_label == "civility"}
    assert registered == set(MAKERS)


@pytest.mark.parametrize("model", sorted(MAKERS))
def test_changelist_query_count_does_not_grow_with_rows(client, district_admin, divisions, model):
    verified_login(client, district_admin)
    changelist = url(f"{model}_changelist")
    for _i in range(3):
        MAKERS[model](divisions["v11"])
    client.get(changelist)  # warm the content-type and permission caches

    with CaptureQueriesContext(connection) as few:
        assert client.get(changelist).status_code == 200
    for _i in range(27):
        MAKERS[model](divisions["v11"])
    with CaptureQueriesContext(connection) as many:
        response = client.get(changelist)

    assert response.context["cl"].result_count >= 30
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries][len(few) :]


@pytest.mark.parametrize("model", sorted(MAKERS))
def test_officer_gets_404_for_another_villages_row_and_reaches_own(client, officer, divisions, model):
    other = MAKERS[model](divisions["v21"])
    own = MAKERS[model](divisions["v11"])
    verified_login(client, officer)

    assert client.get(url(f"{model}_change", other.pk)).status_code == 404
    assert client.get(url(f"{model}_history", other.pk)).status_code == 404
    assert client.get(url(f"{model}_change", own.pk)).status_code == 200


# --- the ledger ----------------------------------------------------------------------------------


@pytest.fixture(params=["district_admin", "superuser"])
def ledger_admin(request, divisions, django_user_model):
    if request.param == "superuser":
        return django_user_model.objects.create_superuser("root", password="pw-test-123")
    return user_with_role("district_admin", divisions["district"])


def test_ledger_entry_cannot_be_changed_or_deleted_in_the_admin(client, ledger_admin, divisions):
    entry = account_in(divisions["v11"], balance=50).entries.get()
    verified_login(client, ledger_admin)

    page = client.get(url("pointentry_change", entry.pk))
    assert page.status_code == 200
    assert not page.context["has_change_permission"] and not page.context["has_delete_permission"]
    assert "points" not in page.context["adminform"].form.fields
    assert client.post(url("pointentry_change", entry.pk), {"points": 999}).status_code == 403
    assert client.post(url("pointentry_delete", entry.pk), {"post": "yes"}).status_code == 403
    assert client.get(url("pointentry_add")).status_code == 403
    changelist = client.get(url("pointentry_changelist"))
    assert "delete_selected" not in admin.site._registry[PointEntry].get_actions(changelist.wsgi_request)
    bulk_delete = {"action": "delete_selected", admin.helpers.ACTION_CHECKBOX_NAME: [entry.pk], "post": "yes"}
    client.post(url("pointentry_changelist"), bulk_delete)

    entry.refresh_from_db()
    assert entry.points == 50 and PointEntry.objects.filter(pk=entry.pk).exists()


def test_account_balance_cannot_be_changed_in_the_admin(client, ledger_admin, divisions):
    account = account_in(divisions["v11"], balance=50)
    verified_login(client, ledger_admin)

    assert client.post(url("pointaccount_change", account.pk), {"balance": 9999}).status_code == 403
    assert client.post(url("pointaccount_delete", account.pk), {"post": "yes"}).status_code == 403

    assert PointAccount.objects.get(pk=account.pk).balance == 50


# --- adds go through the services ----------------------------------------------------------------


def test_declaration_added_in_the_admin_is_checked_against_the_caps(client, officer, divisions):
    VillageRuleFactory(division=divisions["v11"], tables_cap=10)
    home = household(divisions["v11"])
    verified_login(client, officer)

    response = client.post(
        url("banquetdeclaration_add"),
        {
            "household": home.pk,
            "kind": "wedding",
            "held_on": datetime.date.today().isoformat(),
            "tables": 25,
            "days": 1,
            "gift_money": 100,
        },
    )

    assert response.status_code == 302, form_errors(response)
    saved = home.banquet_declarations.get()
    assert saved.is_flagged and saved.violations == ["tables"] and saved.declared_by == officer


def test_declaration_caps_fields_are_read_only_once_checked(client, officer, divisions):
    saved = declaration(divisions["v11"], tables=8)
    verified_login(client, officer)

    form = client.get(url("banquetdeclaration_change", saved.pk)).context["adminform"].form

    assert "tables" not in form.fields and "kind" not in form.fields


def test_dissuasion_held_anyway_added_in_the_admin_costs_the_deduction(client, officer, divisions):
    deduction = PointRuleFactory(code=RULE_BANQUET_OVER_CAP, points=-20, division=divisions["district"])
    flagged = declaration(divisions["v11"], is_flagged=True, violations=["tables"])
    verified_login(client, officer)

    response = client.post(
        url("dissuasion_add"),
        {"declaration": flagged.pk, "outcome": DissuasionOutcome.HELD_ANYWAY, "occurred_on": "2025-05-02", "note": ""},
    )

    assert response.status_code == 302, form_errors(response)
    dissuasion = Dissuasion.objects.get(declaration=flagged)
    assert dissuasion.entry.rule == deduction and dissuasion.entry.points == -20
    assert dissuasion.entry.source == EntrySource.BANQUET


def test_dissuasion_form_offers_only_flagged_declarations_not_yet_dissuaded(client, officer, divisions):
    flagged = declaration(divisions["v11"], is_flagged=True, violations=["tables"])
    declaration(divisions["v11"])  # within the caps
    done = declaration(divisions["v11"], is_flagged=True, violations=["days"])
    Dissuasion.objects.create(
        declaration=done, outcome=DissuasionOutcome.DISSUADED, occurred_on=datetime.date(2025, 5, 1)
    )
    verified_login(client, officer)

    form = client.get(url("dissuasion_add")).context["adminform"].form

    assert list(form.fields["declaration"].queryset) == [flagged]


# --- rankings and 文明家庭 --------------------------------------------------------------------------


def test_officer_sees_the_district_ranking_but_cannot_recompute_publish_or_propose(client, officer, divisions):
    ranking_compute(month=datetime.date(2025, 6, 1))
    verified_login(client, officer)

    page = client.get(url("rankingmonth_changelist"))

    assert page.context["cl"].result_count == 1
    actions = admin.site._registry[RankingMonth].get_actions(page.wsgi_request)
    assert not {"compute_rankings", "publish_rankings", "propose_civilized_families"} & set(actions)


def test_civilized_families_are_proposed_from_published_rankings_in_the_admin(client, district_admin, divisions):
    account = account_in(divisions["v11"], balance=30)
    run = ranking_publish(run=ranking_compute(month=datetime.date(2025, 6, 1)), by=None)
    verified_login(client, district_admin)

    client.post(
        url("rankingmonth_changelist"),
        {"action": "propose_civilized_families", admin.helpers.ACTION_CHECKBOX_NAME: [run.pk]},
    )

    family = CivilizedFamily.objects.get(household=account.household)
    assert family.year == 2025 and family.points == 30 and family.status == FamilyStatus.PROPOSED


def test_civilized_family_is_confirmed_by_the_action_not_by_editing_its_status(client, divisions):
    officer = user_with_role("township_officer", divisions["t1"], username="family_t1")
    family = CivilizedFamily.objects.create(household=household(divisions["v11"]), year=2025, points=30)
    verified_login(client, officer)

    form = client.get(url("civilizedfamily_change", family.pk)).context["adminform"].form
    client.post(
        url("civilizedfamily_changelist"),
        {"action": "confirm_civilized_families", admin.helpers.ACTION_CHECKBOX_NAME: [family.pk]},
    )

    assert "status" not in form.fields
    family.refresh_from_db()
    assert family.status == FamilyStatus.CONFIRMED and family.confirmed_by == officer
