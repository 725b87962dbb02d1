"""The 移交至 list offers the bodies that make sense for the case, in order, labelled with their place
(issue 14, item 3)."""

import re

import pytest
from django.urls import reverse

from security.forms import TransferForm
from security.models import Dispute, DisputeEvent, MediationBody
from security.selectors import body_label, transfer_targets
from tests.auth import verified_login
from tests.security.factories import MediationBodyFactory, intake

pytestmark = [pytest.mark.django_db]


def _police_case_in_v11(divisions, bodies, rule, centre_mediator):
    return intake(divisions["v11"], by=centre_mediator)


def test_pair_first_then_the_township_then_above_and_never_another_township(
    divisions, bodies, rule, centre_mediator, django_assert_max_num_queries
):
    dispute = _police_case_in_v11(divisions, bodies, rule, centre_mediator)
    assert dispute.current_body == bodies["t1_station_centre"]
    with django_assert_max_num_queries(3):
        groups = transfer_targets(dispute=dispute)
    names = [[body.name for body in group.bodies] for group in groups]
    assert names[0] == ["t1派出所"]  # the station of the 矛调中心 holding the case
    assert names[1] == ["t1综治中心", "v11调委会", "v12调委会"]  # the township's own, then its villages'
    assert names[2] == ["区综治中心"]
    offered = {body.pk for group in groups for body in group.bodies}
    assert bodies["t1_station_centre"].pk not in offered  # not the current body
    assert not offered & {bodies[k].pk for k in ("t2_centre", "t2_station", "t2_station_centre", "v21", "v22")}


def test_a_station_offers_its_centre_first(divisions, bodies, rule, centre_mediator):
    dispute = _police_case_in_v11(divisions, bodies, rule, centre_mediator)
    Dispute.objects.filter(pk=dispute.pk).update(current_body=bodies["t1_station"])
    dispute.refresh_from_db()
    groups = transfer_targets(dispute=dispute)
    assert [body.name for body in groups[0].bodies] == ["t1派出所矛调中心"]


def test_labels_tell_same_named_bodies_of_different_townships_apart(divisions):
    first = MediationBodyFactory(name="星园村人民调解委员会", division=divisions["v11"])
    second = MediationBodyFactory(name="星园村人民调解委员会", division=divisions["v21"])
    assert body_label(first) != body_label(second)
    assert body_label(first) == f"星园村人民调解委员会（{divisions['t1'].name}{divisions['v11'].name}）"


def test_the_form_offers_groups_and_refuses_a_body_of_another_township(
    client, divisions, bodies, rule, centre_mediator
):
    dispute = _police_case_in_v11(divisions, bodies, rule, centre_mediator)
    form = TransferForm().for_dispute(dispute)
    groups = [label for label, _options in form.fields["to_body"].widget.choices[1:]]
    assert groups == ["配对单位（派出所—矛调中心）", "本乡镇（街道）", "上级"]
    verified_login(client, centre_mediator)
    events = DisputeEvent.objects.count()
    response = client.post(
        reverse("security:dispute-move", args=[dispute.pk, "transfer"]),
        {"to_body": bodies["v21"].pk, "reason": "转外乡镇"},
    )
    assert response.status_code == 400
    assert (
        "to_body"
        in response.context["moves"][[m["name"] for m in response.context["moves"]].index("transfer")]["form"].errors
    )
    assert DisputeEvent.objects.count() == events
    assert Dispute.objects.get(pk=dispute.pk).current_body == bodies["t1_station_centre"]
    assert MediationBody.objects.filter(pk=bodies["v21"].pk).exists()


def test_the_case_page_shows_the_grouped_labelled_list(client, divisions, bodies, rule, centre_mediator):
    dispute = _police_case_in_v11(divisions, bodies, rule, centre_mediator)
    verified_login(client, centre_mediator)
    page = client.get(reverse("security:dispute-detail", args=[dispute.pk])).content.decode()
    assert '<optgroup label="本乡镇（街道）">' in page
    assert body_label(bodies["v11"]) in page
    assert body_label(bodies["v21"]) not in page


def test_each_move_form_has_ids_of_its_own_and_the_page_keeps_the_apis_reason_length(
    client, divisions, bodies, rule, centre_mediator
):
    dispute = _police_case_in_v11(divisions, bodies, rule, centre_mediator)
    verified_login(client, centre_mediator)
    page = client.get(reverse("security:dispute-detail", args=[dispute.pk])).content.decode()
    assert page.count('id="id_reason"') == 0
    ids = re.findall(r'id="(id_[a-z_]+_reason)"', page)
    assert len(ids) == len(set(ids)) >= 2
    response = client.post(reverse("security:dispute-move", args=[dispute.pk, "escalate"]), {"reason": "长" * 501})
    assert response.status_code == 400
