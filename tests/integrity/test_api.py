"""The integrity API for discipline inspectors: list, detail, scope, create, update, bad input, query counts."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from integrity.choices import ERR_SANCTION_SUBJECT_NOT_IN_CASE, ERR_SERVICE_OWNED, ClueStatus
from integrity.models import AccessLog, Clue, LivelihoodProject, Measure, Recovery, Sanction, Subject, SupervisionVisit
from tests.api_mixin import ReadAPITests, WritableAPITests, assert_error_body
from tests.auth import verified_login
from tests.integrity.factories import (
    CampaignFactory,
    ClueFactory,
    IntegrityCaseFactory,
    LivelihoodProjectFactory,
    MilestoneFactory,
    RecoveryFactory,
    SanctionFactory,
    SubjectFactory,
    SupervisionVisitFactory,
)

pytestmark = pytest.mark.django_db


class DisciplineAPI:
    role = "discipline_inspector"
    scope = "t1"
    outside = "v21"


class TestClueAPI(DisciplineAPI, WritableAPITests):
    url_name = "api:integrity-api:clue-list"
    model = Clue
    bad_field = "received_on"

    def make(self, division):
        return ClueFactory(division=division)

    def create_data(self, divisions):
        subject = SubjectFactory(division=divisions["v11"])
        return {
            "number": "XS-NEW-1",
            "division": divisions["v11"].code,
            "source": "online",
            "received_on": "2025-03-01",
            "category": "corruption",
            "summary": "反映截留补贴",
            "subjects": [subject.pk],
        }

    def update_data(self, obj, divisions):
        return {"summary": "补充材料"}

    def bad_data(self, divisions):
        return {**self.create_data(divisions), "received_on": "2025-13-40"}

    def test_create_outside_scope_is_refused_naming_division(self, api, divisions):
        data = {**self.create_data(divisions), "division": divisions["v21"].code}
        response = api.post(self.list_url(), data, format="json")
        assert response.status_code == 400 and "division" in response.json()["errors"]
        assert not Clue.objects.exists()

    def test_retrieve_is_logged_and_list_is_one_row(self, api, divisions, user):
        clue = self.make(divisions["v11"])
        api.get(self.list_url())
        listed = AccessLog.objects.get()
        assert (listed.action, listed.target, listed.row_ids, listed.clue) == ("list", "clue", [clue.pk], None)
        api.get(self.detail_url(clue))
        opened = AccessLog.objects.exclude(pk=listed.pk).get()
        assert (opened.user, opened.action, opened.clue) == (user, "open", clue)


class TestSubjectAPI(DisciplineAPI, WritableAPITests):
    url_name = "api:integrity-api:subject-list"
    model = Subject
    bad_field = "level"

    def make(self, division):
        return SubjectFactory(division=division)

    def create_data(self, divisions):
        return {
            "name": "刘某",
            "unit": "某村委会",
            "post": "主任",
            "level": "village",
            "division": divisions["v12"].code,
        }

    def update_data(self, obj, divisions):
        return {"post": "委员"}

    def bad_data(self, divisions):
        return {**self.create_data(divisions), "level": "emperor"}


class TestSanctionAPI(DisciplineAPI, ReadAPITests):
    url_name = "api:integrity-api:sanction-list"
    model = Sanction

    def make(self, division):
        return SanctionFactory(case=IntegrityCaseFactory(division=division))


class TestRecoveryAPI(DisciplineAPI, ReadAPITests):
    url_name = "api:integrity-api:recovery-list"
    model = Recovery

    def make(self, division):
        return RecoveryFactory(case=IntegrityCaseFactory(division=division))

    def test_amount_is_an_exact_decimal_string(self, api, divisions):
        recovery = self.make(divisions["v11"])
        assert api.get(self.detail_url(recovery)).json()["amount"] == "1000.50"


class TestProjectAPI(DisciplineAPI, ReadAPITests):
    url_name = "api:integrity-api:project-list"
    model = LivelihoodProject

    def make(self, division):
        project = LivelihoodProjectFactory(division=division)
        MilestoneFactory(project=project)
        return project


class TestVisitAPI(DisciplineAPI, WritableAPITests):
    url_name = "api:integrity-api:visit-list"
    model = SupervisionVisit
    bad_field = "is_review"

    def make(self, division):
        return SupervisionVisitFactory(project=LivelihoodProjectFactory(division=division))

    def create_data(self, divisions):
        project = LivelihoodProjectFactory(division=divisions["v11"], year=2024)
        return {"project": project.pk, "visited_on": "2025-05-01", "method": "talk", "is_review": True}

    def update_data(self, obj, divisions):
        return {"findings": "台账不全"}

    def bad_data(self, divisions):
        project = LivelihoodProjectFactory(division=divisions["v11"], year=2025)
        return {"project": project.pk, "visited_on": "2025-05-01", "method": "talk", "is_review": True}


def test_campaign_funnel_api_for_a_township_inspector_covers_only_the_township(divisions, inspector):
    campaign = CampaignFactory(division=divisions["district"])
    IntegrityCaseFactory(division=divisions["v11"], campaign=campaign)
    IntegrityCaseFactory(division=divisions["v21"], campaign=campaign)
    api = APIClient()
    verified_login(api, inspector)
    url = reverse("api:integrity-api:campaign-funnel", args=[campaign.pk])
    body = api.get(url).json()
    assert (body["cases"], body["clues"], body["recovered"]) == (1, 1, "0.00")
    assert api.get(url, {"within": divisions["t2"].code}).status_code == 404
    assert api.get(url, {"on": "not-a-date"}).status_code == 400


def test_closing_a_case_through_the_api_concludes_its_clues(divisions, inspector):
    case = IntegrityCaseFactory(division=divisions["v11"])
    api = APIClient()
    verified_login(api, inspector)
    url = reverse("api:integrity-api:case-detail", args=[case.pk])
    body = assert_error_body(api.patch(url, {"closed_on": "2025-04-01"}, format="json"), 400, "closed_on")
    assert body["errors"]["closed_on"][0]["code"] == ERR_SERVICE_OWNED  # 结案 only through the action
    response = api.post(reverse("api:integrity-api:case-close", args=[case.pk]), {"closed_on": "2025-04-01"})
    assert response.status_code == 200, response.content
    assert response.json()["closed_on"] == "2025-04-01"
    assert set(case.clues.values_list("status", flat=True)) == {ClueStatus.CONCLUDED}


def test_a_measure_is_taken_only_against_someone_under_review_in_the_case(divisions, inspector):
    case = IntegrityCaseFactory(division=divisions["v11"])
    outsider = SubjectFactory(division=divisions["v11"])
    api = APIClient()
    verified_login(api, inspector)
    url = reverse("api:integrity-api:measure-list")
    data = {"case": case.pk, "subject": outsider.pk, "kind": "detention", "start_on": "2025-02-02"}
    body = assert_error_body(api.post(url, data, format="json"), 400, "subject")
    assert body["errors"]["subject"][0]["code"] == ERR_SANCTION_SUBJECT_NOT_IN_CASE
    response = api.post(url, {**data, "subject": case.subjects.get().pk}, format="json")
    assert response.status_code == 201, response.content
    assert Measure.objects.get().case == case
