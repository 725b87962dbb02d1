"""Error pages are Chinese pages in the portal's frame with a way back (DEBUG=False), and a refused
request logs one line."""

from __future__ import annotations

import logging
import sys

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from governance import error_views
from governance.logging import OneLineClientErrorFilter
from tests.auth import verified_login
from tests.factories import user_with_role

WAY_BACK = "回到首页"


def test_an_unknown_page_outside_the_api_is_the_chinese_404_page(client, db):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode() and "Not Found" not in response.content.decode()


def _page(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_out_of_scope_record_is_a_chinese_404_page_with_the_navigation(client, divisions):
    from governance.models import Person

    stranger = Person.objects.create(name="外村人", division=divisions["v21"])
    officer = user_with_role("community_officer", divisions["v11"], username="v11_officer")
    verified_login(client, officer)
    response = client.get(reverse("governance:person-detail", args=[stranger.pk]))
    assert response.status_code == 404
    page = _page(response)
    assert "不在您的管辖范围内" in page and WAY_BACK in page
    assert 'aria-label="主导航"' in page  # the portal's frame, not a bare page
    assert "Not Found" not in page


@pytest.mark.django_db
def test_missing_permission_is_a_chinese_403_page(client, divisions):
    shop = user_with_role("shop_operator", divisions["v11"], username="v11_shop")
    verified_login(client, shop)
    response = client.get(reverse("governance:person-list"))
    assert response.status_code == 403
    page = _page(response)
    assert "没有权限" in page and WAY_BACK in page and "Forbidden" not in page


@pytest.mark.django_db
def test_failed_csrf_check_is_a_chinese_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("logout"))
    assert response.status_code == 403
    page = _page(response)
    assert "页面已过期" in page and "CSRF" not in page


@pytest.mark.django_db
def test_bad_request_is_a_chinese_400_page():
    response = Client().get("/", HTTP_HOST="bad host name")
    assert response.status_code == 400
    assert "请求有误" in _page(response)


def test_server_error_page_renders_without_touching_the_database():
    # No django_db mark: any query would raise here.
    response = error_views.server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    page = _page(response)
    assert "系统出错了" in page and WAY_BACK in page and "Server Error" not in page


def test_the_url_configuration_uses_the_portal_error_pages():
    from governance import urls

    # Under /api/ the API's JSON body, elsewhere the portal's page (governance.error_views).
    assert urls.handler404 == "governance.api.errors.not_found"
    assert urls.handler500 == "governance.error_views.server_error"
    assert urls.handler403 == "governance.error_views.permission_denied"
    assert urls.handler400 == "governance.error_views.bad_request"


def _record(status: int) -> logging.LogRecord:
    try:
        raise PermissionError("denied")
    except PermissionError:
        exc_info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/x/",), exc_info)
    record.status_code = status
    return record


def test_a_refused_request_logs_one_line_and_a_server_error_keeps_its_traceback():
    formatter = logging.Formatter("%(message)s")
    refused = _record(403)
    assert OneLineClientErrorFilter().filter(refused)
    assert formatter.format(refused) == "Forbidden: /x/"
    failed = _record(500)
    OneLineClientErrorFilter().filter(failed)
    assert "Traceback" in formatter.format(failed)


def test_the_console_handler_applies_the_one_line_filter():
    from django.conf import settings

    assert "one_line_client_errors" in settings.LOGGING["handlers"]["console"]["filters"]


def test_favicon_is_the_portals_icon_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.svg")
