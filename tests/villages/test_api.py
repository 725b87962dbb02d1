import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from governance.models import Division, Household, Person
from tests.api_mixin import ReadAPITests, WritableAPITests, assert_error_body
from tests.factories import HouseholdFactory
from tests.villages.factories import make_hamlet, make_household, make_operator, make_plot, make_uscc
from villages.models import ContractPlot, Hamlet, HamletMeeting, LandTransfer, Operator, ShareHolding, TransferFrom
from villages.services import ERR_TRANSFER_TOO_LARGE, land_transfer_create

pytestmark = pytest.mark.django_db


def _hamlet_in(division: Division) -> Hamlet:
    return Hamlet.objects.filter(division__parent=division).first() or make_hamlet(division)


class TestHamletAPI(WritableAPITests):
    url_name = "api:villages-api:hamlet-list"
    model = Hamlet
    bad_field = "village"

    def make(self, division):
        return make_hamlet(division)

    def create_data(self, divisions):
        return {"code": "431302001001901", "name": "新屋场", "village": divisions["v11"].code}

    def update_data(self, obj, divisions):
        return {"note": "已更新"}

    def bad_data(self, divisions):
        # A village outside the caller's scope is "not found" on the field.
        return {"code": "431302002001901", "name": "越界屋场", "village": divisions["v21"].code}

    def test_completeness_flags_filter_the_list(self, api, divisions):
        complete = make_hamlet(divisions["v11"])
        bare = make_hamlet(divisions["v11"], complete=False)
        rows = api.get(self.list_url(), {"complete": "false"}).json()["results"]
        assert [r["id"] for r in rows] == [bare.pk]
        rows = api.get(self.list_url(), {"lacks_head": "true", "village": divisions["v11"].code}).json()["results"]
        assert [r["id"] for r in rows] == [bare.pk]
        rows = api.get(self.list_url(), {"complete": "true"}).json()["results"]
        assert [r["id"] for r in rows] == [complete.pk]

    def test_completeness_report_counts_the_callers_scope(self, api, divisions):
        make_hamlet(divisions["v11"])
        make_hamlet(divisions["v11"], complete=False)
        make_hamlet(divisions["v21"], complete=False)
        body = api.get(reverse("api:villages-api:hamlet-completeness")).json()
        assert (body["total"], body["complete"], body["lacks_head"]) == (2, 1, 1)

    def test_completeness_report_of_a_division_out_of_scope_is_404(self, api, divisions):
        response = api.get(reverse("api:villages-api:hamlet-completeness"), {"within": divisions["v21"].code})
        assert_error_body(response, 404)

    def test_completeness_report_of_an_unknown_division_is_404(self, api, divisions):
        response = api.get(reverse("api:villages-api:hamlet-completeness"), {"within": "999999"})
        assert_error_body(response, 404)

    def test_households_of_the_village_move_into_the_hamlet_and_back(self, api, divisions):
        hamlet = make_hamlet(divisions["v11"])
        household = HouseholdFactory(division=divisions["v11"], with_head=True)
        url = reverse("api:villages-api:hamlet-households", args=[hamlet.pk])
        response = api.post(url, {"households": [household.pk]}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["household_count"] == 1
        assert Person.objects.get(pk=household.head_id).division == hamlet.division

        url = reverse("api:villages-api:hamlet-households-release", args=[hamlet.pk])
        response = api.post(url, {"household": household.pk}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["household_count"] == 0
        assert Household.objects.get(pk=household.pk).division == divisions["v11"]

    def test_a_household_of_another_hamlet_is_refused_and_nothing_moves(self, api, divisions):
        first, second = make_hamlet(divisions["v11"]), make_hamlet(divisions["v11"])
        household = make_household(first)
        url = reverse("api:villages-api:hamlet-households", args=[second.pk])
        assert_error_body(api.post(url, {"households": [household.pk]}, format="json"), 400, "households")
        assert Household.objects.get(pk=household.pk).division == first.division

    def test_a_household_out_of_scope_cannot_be_moved(self, api, divisions):
        hamlet = make_hamlet(divisions["v11"])
        household = HouseholdFactory(division=divisions["v21"])
        url = reverse("api:villages-api:hamlet-households", args=[hamlet.pk])
        assert_error_body(api.post(url, {"households": [household.pk]}, format="json"), 400, "households")
        assert Household.objects.get(pk=household.pk).division == divisions["v21"]


class TestContractPlotAPI(WritableAPITests):
    url_name = "api:villages-api:contractplot-list"
    model = ContractPlot
    bad_field = "area"

    def make(self, division):
        return make_plot(make_household(_hamlet_in(division)))

    def create_data(self, divisions):
        household = make_household(_hamlet_in(divisions["v11"]))
        return {"household": household.pk, "contract_number": "CB-API-1", "area": "2.00", "location": "屋前"}

    def update_data(self, obj, divisions):
        return {"area": Decimal("3.00")}

    def bad_data(self, divisions):
        household = make_household(_hamlet_in(divisions["v11"]))
        return {"household": household.pk, "contract_number": "CB-API-2", "area": "-1.00"}

    def test_changing_the_area_adds_a_share_version(self, api, divisions):
        plot = self.make(divisions["v11"])
        api.patch(self.detail_url(plot), {"area": "4.00"}, format="json")
        shares = list(
            ShareHolding.objects.filter(household=plot.household).order_by("id").values_list("shares", "valid_to")
        )
        assert [s for s, _to in shares] == [Decimal("1.50"), Decimal("4.00")]
        assert shares[0][1] is not None and shares[1][1] is None


class TestShareHoldingAPI(ReadAPITests):
    url_name = "api:villages-api:shareholding-list"
    model = ShareHolding

    def make(self, division):
        plot = make_plot(make_household(_hamlet_in(division)))
        return ShareHolding.objects.get(household=plot.household)


class TestOperatorAPI(WritableAPITests):
    url_name = "api:villages-api:operator-list"
    model = Operator
    bad_field = "uscc"

    def make(self, division):
        return make_operator(division)

    def create_data(self, divisions):
        return {"kind": "enterprise", "name": "绿源农业", "uscc": make_uscc(), "division": divisions["v11"].code}

    def update_data(self, obj, divisions):
        return {"name": "改名农场"}

    def bad_data(self, divisions):
        return {"kind": "enterprise", "name": "坏代码", "uscc": "91431302MA4L000000", "division": divisions["v11"].code}


class TestLandTransferAPI(WritableAPITests):
    url_name = "api:villages-api:landtransfer-list"
    model = LandTransfer
    bad_field = "area"

    def make(self, division):
        hamlet = _hamlet_in(division)
        plot = make_plot(make_household(hamlet), "2.00")
        return land_transfer_create(
            hamlet=hamlet,
            operator=make_operator(division),
            transferor=TransferFrom.COOPERATIVE,
            plots=[plot],
            area=Decimal("2.00"),
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2035, 1, 1),
            annual_rent=Decimal("1200"),
        )

    def _data(self, divisions, area):
        hamlet = _hamlet_in(divisions["v11"])
        plot = make_plot(make_household(hamlet), "2.00")
        return {
            "hamlet": hamlet.pk,
            "operator": make_operator(divisions["v11"]).pk,
            "transferor": "cooperative",
            "plots": [plot.pk],
            "area": area,
            "start_date": "2025-01-01",
            "end_date": "2035-01-01",
            "annual_rent": "1200.00",
        }

    def create_data(self, divisions):
        return self._data(divisions, "2.00")

    def update_data(self, obj, divisions):
        return {"annual_rent": Decimal("1500.00")}

    def bad_data(self, divisions):
        return self._data(divisions, "9.00")

    def test_too_large_a_transfer_names_the_error_code(self, api, divisions):
        body = assert_error_body(api.post(self.list_url(), self.bad_data(divisions), format="json"), 400, "area")
        assert body["errors"]["area"][0]["code"] == ERR_TRANSFER_TOO_LARGE


class TestHamletMeetingAPI(WritableAPITests):
    url_name = "api:villages-api:hamletmeeting-list"
    model = HamletMeeting
    bad_field = "held_on"

    def make(self, division):
        return HamletMeeting.objects.create(
            hamlet=_hamlet_in(division), held_on=datetime.date(2025, 5, 1), topics="议题"
        )

    def create_data(self, divisions):
        return {
            "hamlet": _hamlet_in(divisions["v11"]).pk,
            "held_on": "2025-06-01",
            "topics": "环境整治",
            "resolutions": [{"text": "每周清扫"}],
        }

    def update_data(self, obj, divisions):
        return {"topics": "改议题"}

    def bad_data(self, divisions):
        return {"hamlet": _hamlet_in(divisions["v11"]).pk, "held_on": "不是日期", "topics": "x"}
