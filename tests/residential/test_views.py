import pytest
from django.urls import reverse

from governance.models import Role
from residential.models import BuildingCouncilMeeting, MeetingParticipant, MeetingResolution, Petition
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.residential.factories import CompoundFactory, committee_with_members

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def officer_client(client, divisions):
    verified_login(client, user_with_role(Role.COMMUNITY_OFFICER, divisions["c11"]))
    return client


def meeting_data(compound, **extra):
    data = {
        "compound": compound.pk,
        "held_on": "2024-06-01",
        "place": "党群服务站",
        "topics": "停车秩序",
        "p-TOTAL_FORMS": "2",
        "p-INITIAL_FORMS": "0",
        "p-0-kind": "party_branch",
        "p-0-name": "小区党支部",
        "p-1-kind": "property_company",
        "p-1-name": "物业经理",
        "r-TOTAL_FORMS": "1",
        "r-INITIAL_FORMS": "0",
        "r-0-content": "增设车位",
        "r-0-owner_kind": "property_company",
        "r-0-owner": "物业经理",
        "r-0-deadline": "2024-07-01",
    }
    data.update(extra)
    return data


def test_officer_records_a_meeting_with_participants_and_resolutions(officer_client, divisions):
    compound = CompoundFactory(community=divisions["c11"])
    response = officer_client.post(reverse("residential:meeting-create"), meeting_data(compound))
    assert response.status_code == 302
    meeting = BuildingCouncilMeeting.objects.get()
    assert meeting.compound == compound
    assert MeetingParticipant.objects.filter(meeting=meeting).count() == 2
    assert MeetingResolution.objects.get(meeting=meeting).owner == "物业经理"


def test_meeting_in_a_compound_out_of_scope_is_refused_and_nothing_written(officer_client, divisions):
    other = CompoundFactory(community=divisions["c21"])
    response = officer_client.post(reverse("residential:meeting-create"), meeting_data(other))
    assert response.status_code == 400
    assert "compound" in response.context["form"].errors
    assert not BuildingCouncilMeeting.objects.exists()


def test_meeting_without_participants_is_refused(officer_client, divisions):
    compound = CompoundFactory(community=divisions["c11"])
    data = meeting_data(compound, **{"p-0-name": "", "p-0-kind": "", "p-1-name": "", "p-1-kind": ""})
    response = officer_client.post(reverse("residential:meeting-create"), data)
    assert response.status_code == 400
    assert response.context["participants"].non_form_errors()
    assert not BuildingCouncilMeeting.objects.exists()


def petition_data(compound, **extra):
    return {
        "number": "XF-P-1",
        "compound": compound.pk,
        "received_on": "2024-05-01",
        "channel": "visit",
        "category": "noise",
        "against": "other",
        "summary": "夜间施工噪音",
        **extra,
    }


def test_officer_records_a_petition(officer_client, divisions):
    compound = CompoundFactory(community=divisions["c11"])
    assert officer_client.get(reverse("residential:petition-create")).status_code == 200
    response = officer_client.post(reverse("residential:petition-create"), petition_data(compound))
    assert response.status_code == 302
    assert Petition.objects.get().compound == compound


def test_petition_against_a_committee_without_naming_it_is_refused(officer_client, divisions):
    compound = CompoundFactory(community=divisions["c11"])
    response = officer_client.post(reverse("residential:petition-create"), petition_data(compound, against="committee"))
    assert response.status_code == 400
    assert "committee" in response.context["form"].errors
    assert not Petition.objects.exists()


def test_petition_in_a_compound_out_of_scope_is_refused(officer_client, divisions):
    other = CompoundFactory(community=divisions["c21"])
    response = officer_client.post(reverse("residential:petition-create"), petition_data(other))
    assert response.status_code == 400
    assert "compound" in response.context["form"].errors
    assert not Petition.objects.exists()


def test_compliance_page_lists_only_failing_committees_in_scope(officer_client, divisions):
    failing = committee_with_members(CompoundFactory(community=divisions["c11"]), party=1, masses=2)
    committee_with_members(CompoundFactory(community=divisions["c11"]), party=2, masses=1)
    committee_with_members(CompoundFactory(community=divisions["c21"]), party=0, masses=2)
    response = officer_client.get(reverse("residential:compliance"))
    assert response.status_code == 200
    assert list(response.context["committees"]) == [failing]
    assert len(officer_client.get(reverse("residential:compliance"), {"all": "1"}).context["committees"]) == 2


def test_reports_of_another_area_are_404(officer_client, divisions):
    assert officer_client.get(reverse("residential:compliance"), {"within": "431302002"}).status_code == 404
    assert officer_client.get(reverse("residential:petition-yoy"), {"within": "431302002"}).status_code == 404


def test_petition_yoy_page_renders(officer_client, divisions):
    response = officer_client.get(reverse("residential:petition-yoy"), {"year": "2024"})
    assert response.status_code == 200
    assert response.context["total"].current == 0


def test_leader_cannot_record_a_petition(client, divisions):
    verified_login(client, user_with_role(Role.LEADER, divisions["district"]))
    assert client.get(reverse("residential:petition-create")).status_code == 403
