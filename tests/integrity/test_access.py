"""The integrity app is closed to all but discipline inspectors: 404 everywhere for anyone else."""

import pytest
from django.contrib import admin
from django.urls import reverse
from rest_framework.test import APIClient

from integrity.api.urls import router
from integrity.models import AccessLog, Clue
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.integrity.factories import (
    CampaignFactory,
    CampaignMatterFactory,
    CleanUnitFactory,
    ClueFactory,
    IntegrityCaseFactory,
    LivelihoodProjectFactory,
    MeasureFactory,
    RecoveryFactory,
    SanctionFactory,
    SubjectFactory,
    SupervisionVisitFactory,
    UnitRuleFactory,
)

pytestmark = [pytest.mark.django_db]

OUTSIDERS = ["district_admin", "leader", "township_officer", "community_officer", "mediator", "police"]


@pytest.fixture
def rows(divisions):
    """One row of every integrity model, in village v11."""
    v11 = divisions["v11"]
    campaign = CampaignFactory(division=divisions["district"])
    case = IntegrityCaseFactory(division=v11, campaign=campaign)
    project = LivelihoodProjectFactory(division=v11)
    unit = CleanUnitFactory(organization__division=v11)
    return {
        "campaign": campaign,
        "subject": SubjectFactory(division=v11),
        "clue": ClueFactory(division=v11, campaign=campaign),
        "case": case,
        "measure": MeasureFactory(case=case),
        "sanction": SanctionFactory(case=case),
        "recovery": RecoveryFactory(case=case),
        "matter": CampaignMatterFactory(campaign=campaign, division=v11),
        "project": project,
        "visit": SupervisionVisitFactory(project=project),
        "clean-unit": unit,
        "unit-rule": UnitRuleFactory(unit=unit),
    }


def _api_paths(rows) -> list[str]:
    paths = []
    for _prefix, _viewset, basename in router.registry:
        paths.append(reverse(f"api:integrity-api:{basename}-list"))
        if basename in rows:
            paths.append(reverse(f"api:integrity-api:{basename}-detail", args=[rows[basename].pk]))
    paths.append(reverse("api:integrity-api:campaign-funnel", args=[rows["campaign"].pk]))
    return paths


def _page_paths(rows) -> list[str]:
    return [
        reverse("integrity:clue-list"),
        reverse("integrity:clue-detail", args=[rows["clue"].pk]),
        reverse("integrity:case-list"),
        reverse("integrity:case-detail", args=[rows["case"].pk]),
        reverse("integrity:campaign-list"),
        reverse("integrity:campaign-detail", args=[rows["campaign"].pk]),
        reverse("integrity:campaign-funnel-export", args=[rows["campaign"].pk]),
        reverse("integrity:project-list"),
    ]


def _admin_paths(rows, *, with_log_add: bool = True) -> list[str]:
    paths = [reverse("admin:app_list", args=["integrity"])]
    for model in admin.site._registry:
        if model._meta.app_label != "integrity":
            continue
        name = f"admin:integrity_{model._meta.model_name}"
        paths.append(reverse(f"{name}_changelist"))
        if with_log_add or model._meta.model_name != "accesslog":  # the log is written by views only
            paths.append(reverse(f"{name}_add"))
        obj = model.objects.first()
        if obj is not None:
            paths += [reverse(f"{name}_change", args=[obj.pk]), reverse(f"{name}_history", args=[obj.pk])]
    return paths


@pytest.mark.parametrize("role", OUTSIDERS)
def test_non_discipline_user_gets_404_on_every_api_path(divisions, rows, role):
    client = APIClient()
    verified_login(client, user_with_role(role, divisions["district"]))
    for path in _api_paths(rows):
        response = client.get(path)
        assert response.status_code == 404, (path, response.status_code)
        assert str(rows["clue"].number) not in response.content.decode()
    post = client.post(reverse("api:integrity-api:recovery-list"), {}, format="json")
    assert post.status_code == 404


@pytest.mark.parametrize("role", OUTSIDERS)
def test_non_discipline_user_gets_404_on_every_page(client, divisions, rows, role):
    verified_login(client, user_with_role(role, divisions["district"]))
    for path in _page_paths(rows):
        assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("role", ["district_admin", "leader"])
def test_non_discipline_staff_gets_404_on_every_integrity_admin_url_and_no_menu(client, divisions, rows, role):
    verified_login(client, user_with_role(role, divisions["district"]))
    for path in _admin_paths(rows):
        assert client.get(path).status_code == 404, path
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    assert all(app["app_label"] != "integrity" for app in index.context["app_list"])


def test_nothing_is_logged_when_an_outsider_is_turned_away(client, divisions, rows):
    verified_login(client, user_with_role("district_admin", divisions["district"]))
    client.get(reverse("integrity:clue-detail", args=[rows["clue"].pk]))
    assert not AccessLog.objects.exists()


def test_discipline_inspector_reaches_every_api_path_page_and_admin_url(client, divisions, rows, inspector):
    api = APIClient()
    verified_login(api, inspector)
    for path in _api_paths(rows):
        assert api.get(path).status_code == 200, path
    verified_login(client, inspector)
    for path in _page_paths(rows):
        assert client.get(path).status_code == 200, path
    for path in _admin_paths(rows, with_log_add=False):
        assert client.get(path).status_code == 200, path
    assert client.get(reverse("admin:integrity_accesslog_add")).status_code == 403


def test_anonymous_api_caller_is_asked_to_sign_in(rows):
    assert APIClient().get(reverse("api:integrity-api:clue-list")).status_code == 401


def test_inspector_of_one_township_gets_404_for_another_townships_clue(client, divisions, inspector):
    other = ClueFactory(division=divisions["v21"])
    verified_login(client, inspector)
    api = APIClient()
    verified_login(api, inspector)
    assert client.get(reverse("integrity:clue-detail", args=[other.pk])).status_code == 404
    assert api.get(reverse("api:integrity-api:clue-detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("admin:integrity_clue_change", args=[other.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_discipline_role_elsewhere_does_not_open_rows_seen_through_another_role(client, divisions):
    """A user who is district admin of the whole district but discipline inspector of t1 only sees t1's clues."""
    user_with_role("discipline_inspector", divisions["t1"], username="dual")
    user = user_with_role("district_admin", divisions["district"], username="dual")
    mine, other = ClueFactory(division=divisions["v11"]), ClueFactory(division=divisions["v21"])
    api = APIClient()
    verified_login(api, user)
    ids = {row["id"] for row in api.get(reverse("api:integrity-api:clue-list")).json()["results"]}
    assert ids == {mine.pk}
    assert Clue.objects.for_user(user).get() == mine  # no roles= needed: the model declares them
    assert other.pk not in ids


def test_admin_hides_delete_for_discipline_staff(client, rows, inspector):
    verified_login(client, inspector)
    response = client.get(reverse("admin:integrity_clue_delete", args=[rows["clue"].pk]))
    assert response.status_code == 403
    assert Clue.objects.filter(pk=rows["clue"].pk).exists()
