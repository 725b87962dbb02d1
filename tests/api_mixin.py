"""A small shared test mixin for the REST API, in the spirit of NetBox's ``APIViewTestCases`` but capped.

A resource declares, in a few lines, its list URL name, how to make a row in a division, valid
create and update data, and bad create data with the field the error must name::

    class TestPersonAPI(WritableAPITests):
        url_name = "api:governance-api:person-list"
        model = Person
        bad_field = "id_number"

        def make(self, division): return PersonFactory(division=division)
        def create_data(self, divisions): return {"name": "李四", "division": divisions["v11"].code}
        def update_data(self, obj, divisions): return {"name": "王五"}
        def bad_data(self, divisions): return {"name": "李四", "id_number": "1", "division": divisions["v11"].code}

The caller is a user holding ``role`` over ``divisions[scope]``; ``divisions[outside]`` lies outside it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from governance.api.errors import ERR_INVALID
from governance.models import Role
from tests.auth import verified_login
from tests.factories import user_with_role


def assert_error_body(response, status: int, field: str | None = None) -> dict:
    """The one error body: ``{"code", "message", "errors": {field: [{"code", "message"}]}}``."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "errors"}, body
    assert body["code"] and body["message"]
    if field is not None:
        assert field in body["errors"], body
        for error in body["errors"][field]:
            assert set(error) == {"code", "message"} and error["code"] and error["message"], error
    return body


class ReadAPITests:
    """List, detail, out-of-scope 404, anonymous 401 and a constant list query count."""

    url_name: str
    model: type
    role: str = Role.COMMUNITY_OFFICER
    scope: str = "v11"
    outside: str = "v21"

    def make(self, division):
        """One row living in ``division``."""
        raise NotImplementedError

    @pytest.fixture
    def user(self, divisions):
        return user_with_role(self.role, divisions[self.scope])

    @pytest.fixture
    def api(self, user):
        client = APIClient()
        verified_login(client, user)
        return client

    def list_url(self) -> str:
        return reverse(self.url_name)

    def detail_url(self, obj) -> str:
        return reverse(self.url_name.removesuffix("-list") + "-detail", args=[obj.pk])

    def test_list_shows_only_rows_in_scope(self, api, divisions):
        self.make(divisions[self.scope])
        self.make(divisions[self.outside])
        response = api.get(self.list_url(), {"page_size": 500})
        assert response.status_code == 200, response.content
        ids = {row["id"] for row in response.json()["results"]}
        expected = set(self.model.objects.in_subtree(divisions[self.scope]).values_list("pk", flat=True))
        assert ids == expected
        assert ids

    def test_detail(self, api, divisions):
        obj = self.make(divisions[self.scope])
        response = api.get(self.detail_url(obj))
        assert response.status_code == 200, response.content
        assert response.json()["id"] == obj.pk

    def test_detail_out_of_scope_is_404(self, api, divisions):
        obj = self.make(divisions[self.outside])
        assert_error_body(api.get(self.detail_url(obj)), 404)

    def test_anonymous_is_refused_with_401(self, divisions):
        self.make(divisions[self.scope])
        assert_error_body(APIClient().get(self.list_url()), 401)

    def test_list_query_count_does_not_grow_with_rows(self, api, divisions):
        division = divisions[self.scope]
        for _i in range(3):
            self.make(division)
        with CaptureQueriesContext(connection) as few:
            assert api.get(self.list_url(), {"page_size": 100}).status_code == 200
        for _i in range(27):
            self.make(division)
        with CaptureQueriesContext(connection) as many:
            response = api.get(self.list_url(), {"page_size": 100})
        body = response.json()  # a keyset-paginated list (ledger entries) has no count: its page shows them all
        assert body.get("count", len(body["results"])) >= 30
        assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


class WritableAPITests(ReadAPITests):
    """Adds create 201, PATCH 200, bad input 400 naming ``bad_field`` with nothing written, and no DELETE."""

    bad_field: str

    def create_data(self, divisions) -> dict:
        raise NotImplementedError

    def update_data(self, obj, divisions) -> dict:
        """Plain model fields only: the test reads each back with ``getattr``."""
        raise NotImplementedError

    def bad_data(self, divisions) -> dict:
        raise NotImplementedError

    def test_create(self, api, divisions):
        data = self.create_data(divisions)
        before = self.model.objects.count()
        response = api.post(self.list_url(), data, format="json")
        assert response.status_code == 201, response.content
        assert self.model.objects.count() == before + 1
        assert self.model.objects.filter(pk=response.json()["id"]).exists()

    def test_update(self, api, divisions):
        obj = self.make(divisions[self.scope])
        data = self.update_data(obj, divisions)
        response = api.patch(self.detail_url(obj), data, format="json")
        assert response.status_code == 200, response.content
        obj.refresh_from_db()
        for name, value in data.items():
            assert getattr(obj, name) == value, name

    def test_update_out_of_scope_is_404(self, api, divisions):
        obj = self.make(divisions[self.outside])
        before = model_to_dict(obj)
        response = api.patch(self.detail_url(obj), self.update_data(obj, divisions), format="json")
        assert_error_body(response, 404)
        obj.refresh_from_db()
        assert model_to_dict(obj) == before

    def test_bad_input_is_400_naming_the_field_and_nothing_is_written(self, api, divisions):
        data = self.bad_data(divisions)
        before = self.model.objects.count()
        body = assert_error_body(api.post(self.list_url(), data, format="json"), 400, self.bad_field)
        assert body["code"] == ERR_INVALID
        assert self.model.objects.count() == before

    def test_bad_update_is_400_and_nothing_is_written(self, api, divisions):
        obj = self.make(divisions[self.scope])
        before = model_to_dict(obj)
        data = {k: v for k, v in self.bad_data(divisions).items() if k == self.bad_field}
        assert_error_body(api.patch(self.detail_url(obj), data, format="json"), 400, self.bad_field)
        obj.refresh_from_db()
        assert model_to_dict(obj) == before

    def test_delete_is_not_allowed(self, api, divisions):
        obj = self.make(divisions[self.scope])
        response = api.delete(self.detail_url(obj))
        # Refused by the role's permissions (403) or, for those who hold delete, by the route (405).
        assert_error_body(response, 405 if response.status_code == 405 else 403)
        assert self.model.objects.filter(pk=obj.pk).exists()
