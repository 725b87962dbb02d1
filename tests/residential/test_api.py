import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from governance.api.errors import ERR_CONFLICT
from governance.models import Division, DivisionLevel, Role
from governance.validators import ERR_USCC_CHECKSUM
from governance.write_path import ERR_SERVICE_OWNED
from residential.models import (
    ERR_CONTRACT_OVERLAP,
    ERR_SCORE_RANGE,
    Compound,
    CreditEvaluation,
    CreditPeriod,
    Petition,
    PetitionTarget,
    PropertyCompany,
    PropertyContract,
    RedBlackList,
    ScoringItem,
)
from residential.services import (
    ERR_ALREADY_MEMBER,
    ERR_NOT_RESIDENT,
    credit_evaluation_publish,
    evaluation_save,
    red_black_list_draft,
    red_black_list_publish,
)
from tests.api_mixin import WritableAPITests, assert_error_body
from tests.auth import verified_login
from tests.factories import PersonFactory, user_with_role
from tests.residential.factories import (
    CompoundFactory,
    CreditPeriodFactory,
    PetitionFactory,
    PropertyCompanyFactory,
    ScoringItemFactory,
    committee_with_members,
    make_uscc,
    resident,
)

pytestmark = pytest.mark.django_db


def community_of(division: Division) -> Division:
    if division.level == DivisionLevel.COMMUNITY:
        return division
    return Division.objects.filter(parent=division, level=DivisionLevel.COMMUNITY).first()


class TestCompoundAPI(WritableAPITests):
    url_name = "api:residential-api:compound-list"
    model = Compound
    role = Role.TOWNSHIP_OFFICER
    scope, outside = "t1", "t2"
    bad_field = "community"

    def make(self, division):
        return CompoundFactory(community=community_of(division))

    def create_data(self, divisions):
        return {"code": "431302001101900", "name": "星城华庭", "community": "431302001101", "address": "乐坪路1号"}

    def update_data(self, obj, divisions):
        return {"address": "乐坪路2号", "joined_on": datetime.date(2024, 5, 1)}

    def bad_data(self, divisions):
        # a village is no community: a compound cannot sit under it
        return {"code": "431302001101901", "name": "错小区", "community": divisions["v11"].code}


class TestPetitionAPI(WritableAPITests):
    url_name = "api:residential-api:petition-list"
    model = Petition
    role = Role.COMMUNITY_OFFICER
    scope, outside = "c11", "c21"
    bad_field = "received_on"

    def make(self, division):
        return PetitionFactory(compound=CompoundFactory(community=division))

    def create_data(self, divisions):
        compound = CompoundFactory(community=divisions["c11"])
        return {
            "number": "XF-NEW-1",
            "compound": compound.pk,
            "received_on": "2024-04-01",
            "channel": "visit",
            "category": "parking",
            "against": "other",
            "summary": "停车难",
        }

    def update_data(self, obj, divisions):
        return {"status": "resolved", "outcome": "已增设车位"}

    def bad_data(self, divisions):
        return {**self.create_data(divisions), "received_on": "2024-13-45"}


class TestCreditEvaluationAPI(WritableAPITests):
    url_name = "api:residential-api:credit-evaluation-list"
    model = CreditEvaluation
    role = Role.DISTRICT_ADMIN
    scope, outside = "t1", "t2"
    bad_field = "scores"

    def setup_period(self, division):
        """One period and two items (60 + 40 points) per division, made once."""
        period = CreditPeriod.objects.filter(division=division).first() or CreditPeriodFactory(division=division)
        items = list(ScoringItem.objects.filter(division=division).order_by("-max_score")) or [
            ScoringItemFactory(division=division, max_score=60),
            ScoringItemFactory(division=division, max_score=40),
        ]
        return period, items

    def make(self, division):
        period, items = self.setup_period(division)
        company = PropertyCompanyFactory(division=division)
        return evaluation_save(
            company=company, period=period, scores=[(items[0], 50), (items[1], 35)], evaluated_on=period.end_date
        )

    def create_data(self, divisions):
        period, items = self.setup_period(divisions["t1"])
        company = PropertyCompanyFactory(division=divisions["t1"])
        self._items = items
        return {
            "company": company.pk,
            "period": period.pk,
            "evaluated_on": "2024-12-31",
            "scores": [{"item": items[0].pk, "score": 55}, {"item": items[1].pk, "score": 38}],
        }

    def update_data(self, obj, divisions):
        return {"note": "复核无误"}

    def bad_data(self, divisions):
        data = self.create_data(divisions)
        data["scores"] = [{"item": self._items[0].pk, "score": 61}, {"item": self._items[1].pk, "score": 38}]
        return data

    def test_total_and_grade_are_computed_with_petition_deduction(self, api, divisions):
        data = self.create_data(divisions)
        company = PropertyCompany.objects.get(pk=data["company"])
        compound = CompoundFactory(community=divisions["c11"])
        for _i in range(3):
            PetitionFactory(compound=compound, against=PetitionTarget.COMPANY, company=company)
        response = api.post(self.list_url(), data, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["item_total"] == 93
        assert body["petition_count"] == 3
        assert body["petition_deduction"] == 6  # the period's default: 2 points a petition
        assert (body["total"], body["grade"]) == (87, "B")

    def test_score_out_of_range_names_the_item_and_writes_nothing(self, api, divisions):
        body = assert_error_body(api.post(self.list_url(), self.bad_data(divisions), format="json"), 400, "scores")
        assert body["errors"]["scores"][0]["code"] == ERR_SCORE_RANGE
        assert not CreditEvaluation.objects.exists()

    def test_new_evaluation_is_a_draft_published_by_the_action_then_frozen(self, api, divisions):
        created = api.post(self.list_url(), self.create_data(divisions), format="json").json()
        assert (created["status"], created["published_at"]) == ("draft", None)
        publish = reverse("api:residential-api:credit-evaluation-publish", args=[created["id"]])
        body = api.post(publish).json()
        assert body["status"] == "published" and body["published_at"] and body["published_by"]
        detail = reverse("api:residential-api:credit-evaluation-detail", args=[created["id"]])
        assert assert_error_body(api.patch(detail, {"note": "改"}, format="json"), 409)["code"] == ERR_CONFLICT
        assert_error_body(api.post(publish), 409)
        evaluation = CreditEvaluation.objects.get(pk=created["id"])
        assert evaluation.note == "" and evaluation.status == "published"

    def test_status_is_service_owned_and_refused_by_a_write(self, api, divisions):
        data = {**self.create_data(divisions), "status": "published"}
        body = assert_error_body(api.post(self.list_url(), data, format="json"), 400, "status")
        assert body["errors"]["status"][0]["code"] == ERR_SERVICE_OWNED
        assert not CreditEvaluation.objects.exists()

    def test_publishing_another_townships_evaluation_is_404(self, api, divisions):
        foreign = self.make(divisions["t2"])
        response = api.post(reverse("api:residential-api:credit-evaluation-publish", args=[foreign.pk]))
        assert response.status_code == 404
        foreign.refresh_from_db()
        assert foreign.status == "draft"


def test_invalid_uscc_is_refused_by_the_api(divisions):
    api = APIClient()
    verified_login(api, user_with_role(Role.DISTRICT_ADMIN, divisions["district"]))
    bad = make_uscc(1)[:-1] + ("0" if make_uscc(1)[-1] != "0" else "1")
    response = api.post(
        reverse("api:residential-api:property-company-list"),
        {"name": "坏代码物业", "uscc": bad, "division": "431302"},
        format="json",
    )
    body = assert_error_body(response, 400, "uscc")
    assert body["errors"]["uscc"][0]["code"] == ERR_USCC_CHECKSUM
    assert not PropertyCompany.objects.exists()


def test_overlapping_contract_is_refused_by_the_api(divisions):
    api = APIClient()
    verified_login(api, user_with_role(Role.DISTRICT_ADMIN, divisions["district"]))
    compound = CompoundFactory(community=divisions["c11"])
    first, second = (
        PropertyCompanyFactory(division=divisions["district"]),
        PropertyCompanyFactory(division=divisions["district"]),
    )
    PropertyContract.objects.create(compound=compound, company=first, start_date=datetime.date(2022, 1, 1))
    response = api.post(
        reverse("api:residential-api:property-contract-list"),
        {"compound": compound.pk, "company": second.pk, "start_date": "2024-01-01"},
        format="json",
    )
    body = assert_error_body(response, 400, "start_date")
    assert body["errors"]["start_date"][0]["code"] == ERR_CONTRACT_OVERLAP
    assert PropertyContract.objects.count() == 1


def test_committee_member_who_is_not_a_resident_is_refused(divisions):
    api = APIClient()
    verified_login(api, user_with_role(Role.COMMUNITY_OFFICER, divisions["c11"]))
    compound = CompoundFactory(community=divisions["c11"])
    committee = committee_with_members(compound, party=1, masses=0)
    outsider = PersonFactory(division=divisions["c11"])  # lives in the community, not in the compound
    url = reverse("api:residential-api:owners-committee-members", args=[committee.pk])
    before = committee.organization.posts.count()

    body = assert_error_body(api.post(url, {"person": outsider.pk}, format="json"), 400, "person")
    assert body["errors"]["person"][0]["code"] == ERR_NOT_RESIDENT
    assert committee.organization.posts.count() == before

    neighbour = resident(compound)
    assert api.post(url, {"person": neighbour.pk, "title": "委员"}, format="json").status_code == 201
    assert committee.organization.posts.count() == before + 1


def test_committee_list_carries_compliance_figures(divisions):
    api = APIClient()
    verified_login(api, user_with_role(Role.COMMUNITY_OFFICER, divisions["c11"]))
    failing = committee_with_members(CompoundFactory(community=divisions["c11"]), party=1, masses=2)
    passing = committee_with_members(CompoundFactory(community=divisions["c11"]), party=2, masses=2)
    response = api.get(reverse("api:residential-api:owners-committee-list"), {"party_rule_met": "false"})
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [failing.pk]
    row = api.get(reverse("api:residential-api:owners-committee-detail", args=[passing.pk])).json()
    assert (row["member_count"], row["party_count"], row["party_share"], row["party_rule_met"]) == (4, 2, 50.0, True)


def test_answer_to_a_committee_write_carries_its_compliance_figures(divisions):
    api = APIClient()
    verified_login(api, user_with_role(Role.COMMUNITY_OFFICER, divisions["c11"]))
    committee = committee_with_members(CompoundFactory(community=divisions["c11"]), party=2, masses=2)
    url = reverse("api:residential-api:owners-committee-detail", args=[committee.pk])
    response = api.patch(url, {}, format="json")
    assert response.status_code == 200, response.content
    assert {"member_count", "party_share", "cross_in_branch", "branch_in_committee"} <= set(response.json())


# --- 红黑榜 -------------------------------------------------------------------------------------


@pytest.fixture
def published_list(divisions):
    district = divisions["district"]
    period = CreditPeriodFactory(division=district)
    item = ScoringItemFactory(division=district, max_score=100)
    for score in (95, 85, 50):
        evaluation = evaluation_save(
            company=PropertyCompanyFactory(division=district),
            period=period,
            scores=[(item, score)],
            evaluated_on=period.end_date,
        )
        credit_evaluation_publish(evaluation=evaluation, by=None)
    red_black_list = red_black_list_draft(period=period, red_size=1, black_size=1)
    return red_black_list_publish(red_black_list=red_black_list, by=None)


@pytest.fixture
def admin_api(divisions):
    api = APIClient()
    verified_login(api, user_with_role(Role.DISTRICT_ADMIN, divisions["district"]))
    return api


def test_red_black_list_is_derived_from_grades(published_list):
    entries = list(published_list.entries.values_list("side", "total", "grade"))
    assert sorted(entries) == [("black", 50, "D"), ("red", 95, "A")]


def test_published_red_black_list_cannot_be_changed_through_the_api(admin_api, published_list):
    url = reverse("api:residential-api:red-black-list-detail", args=[published_list.pk])
    body = assert_error_body(admin_api.patch(url, {"title": "改过的标题", "red_size": 3}, format="json"), 409)
    assert body["code"] == ERR_CONFLICT
    published_list.refresh_from_db()
    assert published_list.title != "改过的标题"
    assert published_list.entries.count() == 2

    publish_url = reverse("api:residential-api:red-black-list-publish", args=[published_list.pk])
    assert_error_body(admin_api.post(publish_url), 409)
    assert admin_api.delete(url).status_code in (403, 405)
    assert RedBlackList.objects.filter(pk=published_list.pk).exists()


def test_draft_red_black_list_can_be_remade_then_published(admin_api, divisions):
    period = CreditPeriodFactory(division=divisions["district"])
    item = ScoringItemFactory(division=divisions["district"], max_score=100)
    for score in (99, 98, 97):
        evaluation = evaluation_save(
            company=PropertyCompanyFactory(division=divisions["district"]),
            period=period,
            scores=[(item, score)],
            evaluated_on=period.end_date,
        )
        credit_evaluation_publish(evaluation=evaluation, by=None)
    response = admin_api.post(
        reverse("api:residential-api:red-black-list-list"), {"period": period.pk, "red_size": 1}, format="json"
    )
    assert response.status_code == 201, response.content
    list_id = response.json()["id"]
    url = reverse("api:residential-api:red-black-list-detail", args=[list_id])
    assert len(admin_api.patch(url, {"red_size": 2}, format="json").json()["entries"]) == 2
    published = admin_api.post(reverse("api:residential-api:red-black-list-publish", args=[list_id]))
    assert published.status_code == 200 and published.json()["is_published"] is True


def test_out_of_scope_red_black_list_is_404(divisions, published_list):
    api = APIClient()
    verified_login(api, user_with_role(Role.DISTRICT_ADMIN, divisions["t1"]))
    url = reverse("api:residential-api:red-black-list-detail", args=[published_list.pk])
    assert_error_body(api.get(url), 404)


def test_petition_yoy_endpoint_reports_change(divisions):
    api = APIClient()
    verified_login(api, user_with_role(Role.LEADER, divisions["district"]))
    compound = CompoundFactory(community=divisions["c11"])
    for i in range(4):
        PetitionFactory(compound=compound, received_on=datetime.date(2023, 2, 1 + i))
    PetitionFactory(compound=compound, received_on=datetime.date(2024, 2, 1))
    PetitionFactory(compound=compound, received_on=datetime.date(2024, 3, 1))
    response = api.get(
        reverse("api:residential-api:petition-yoy"), {"start": "2024-01-01", "end": "2024-12-31", "within": "431302"}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["current"], body["previous"], body["change_pct"]) == (2, 4, -50.0)
    by_child = {row["division"]: row for row in body["children"]}
    assert by_child["431302001"]["current"] == 2 and by_child["431302002"]["current"] == 0


def test_petition_yoy_endpoint_refuses_bad_dates_and_other_areas(divisions):
    api = APIClient()
    verified_login(api, user_with_role(Role.LEADER, divisions["t1"]))
    url = reverse("api:residential-api:petition-yoy")
    assert_error_body(api.get(url, {"start": "2024-12-31", "end": "2024-01-01"}), 400, "end")
    assert_error_body(api.get(url, {"within": "431302002"}), 404)


def test_a_company_registered_above_is_visible_below_but_not_changed_from_there(divisions):
    """scope_reach: the district's company is offered to staff of a township, read-only (403 on a
    write, nothing changed) even with the permission to change companies; one registered in the
    township is theirs to change."""
    district_company = PropertyCompanyFactory(division=divisions["district"], name="区级物业")
    own = PropertyCompanyFactory(division=divisions["t1"], name="本镇物业")
    api = APIClient()
    verified_login(api, user_with_role(Role.DISTRICT_ADMIN, divisions["t1"]))  # may change companies
    url = "api:residential-api:property-company-detail"
    assert api.get(reverse(url, args=[district_company.pk])).status_code == 200
    response = api.patch(reverse(url, args=[district_company.pk]), {"name": "改名"}, format="json")
    assert_error_body(response, 403)
    assert PropertyCompany.objects.get(pk=district_company.pk).name == "区级物业"
    assert api.patch(reverse(url, args=[own.pk]), {"name": "本镇物业（更名）"}, format="json").status_code == 200


def test_committee_rule_holds_through_the_generic_post_api_and_admin(divisions, client):
    """The 业主委员会 residency rule is the organisation kind's, not only committee_member_add's: the
    generic 职务 endpoint and admin refuse an outsider too, and write nothing."""
    user = user_with_role(Role.DISTRICT_ADMIN, divisions["district"])
    compound = CompoundFactory(community=divisions["c11"])
    committee = committee_with_members(compound, party=1, masses=0)
    outsider = PersonFactory(division=divisions["c11"])
    before = committee.organization.posts.count()
    api = APIClient()
    verified_login(api, user)
    body = assert_error_body(
        api.post(
            reverse("api:governance-api:post-list"),
            {"organization": committee.organization_id, "person": outsider.pk, "title": "委员"},
            format="json",
        ),
        400,
        "person",
    )
    assert body["errors"]["person"][0]["code"] == ERR_NOT_RESIDENT

    verified_login(client, user)
    response = client.post(
        reverse("admin:governance_post_add"),
        {"organization": committee.organization_id, "person": outsider.pk, "title": "委员", "is_head": ""},
    )
    assert response.status_code == 200
    assert "不是“" in response.content.decode()
    assert committee.organization.posts.count() == before

    # A resident goes through the generic endpoint; the same person twice does not.
    neighbour = resident(compound)
    payload = {"organization": committee.organization_id, "person": neighbour.pk, "title": "委员"}
    assert api.post(reverse("api:governance-api:post-list"), payload, format="json").status_code == 201
    body = assert_error_body(api.post(reverse("api:governance-api:post-list"), payload, format="json"), 400, "person")
    assert body["errors"]["person"][0]["code"] == ERR_ALREADY_MEMBER
    assert committee.organization.posts.count() == before + 1
