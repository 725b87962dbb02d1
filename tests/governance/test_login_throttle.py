"""Password and API-key guessing is locked out (django-axes); an administrator unlocks; idle sessions end."""

import datetime
import time

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from governance.auth import ERR_LOCKED_OUT, LOCKED_OUT_MESSAGE
from governance.roles import Role
from governance.services import api_key_create
from governance.sessions import RENEWED_KEY
from tests.auth import verified_login
from tests.factories import user_with_role

PASSWORD = "pw-test-123"  # tests.factories.user_with_role's
PEOPLE_URL = "api:governance-api:person-list"
# Documentation addresses (RFC 5737): only ever a header value in the test client, never a target.
ATTACKER, OFFICE = "192.0.2.10", "192.0.2.20"


def _sign_in(username: str, password: str, address: str = ATTACKER) -> Client:
    client = Client(REMOTE_ADDR=address)
    client.response = client.post(reverse("login"), {"username": username, "password": password})
    return client


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def officer_v12(divisions):
    return user_with_role(Role.COMMUNITY_OFFICER, divisions["v12"], username="officer_v12")


def test_fifty_wrong_passwords_then_the_right_one_is_refused(officer):
    for _ in range(50):
        assert not _signed_in(_sign_in(officer.username, "wrong-password"))
    client = _sign_in(officer.username, PASSWORD)
    assert not _signed_in(client)
    assert client.response.status_code == 429
    assert str(LOCKED_OUT_MESSAGE) in client.response.content.decode()


def test_the_account_stays_locked_from_another_address(officer):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(officer.username, "wrong-password")
    assert not _signed_in(_sign_in(officer.username, PASSWORD, address=OFFICE))


def test_the_address_is_locked_for_every_account(officer, officer_v12):
    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(f"guess-{n}", "wrong-password")
    assert not _signed_in(_sign_in(officer_v12.username, PASSWORD))


def test_other_users_from_other_addresses_are_unaffected(officer, officer_v12):
    for _ in range(50):
        _sign_in(officer.username, "wrong-password")
    assert _signed_in(_sign_in(officer_v12.username, PASSWORD, address=OFFICE))


def test_an_administrator_unlocks_the_account_in_the_admin(officer):
    for _ in range(50):
        _sign_in(officer.username, "wrong-password")
    assert not _signed_in(_sign_in(officer.username, PASSWORD))

    admin = Client()
    verified_login(admin, type(officer).objects.create_superuser("su", password="su-pw-456"))
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302, response.content
    assert not AccessAttempt.objects.exists()
    assert _signed_in(_sign_in(officer.username, PASSWORD))


def test_a_right_password_before_the_limit_clears_the_count(officer):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(officer.username, "wrong-password")
    assert _signed_in(_sign_in(officer.username, PASSWORD))
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _sign_in(officer.username, "wrong-password")
    assert _signed_in(_sign_in(officer.username, PASSWORD))


# --- API keys -----------------------------------------------------------------------------------


def _key_get(raw: str, address: str = ATTACKER):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {raw}")
    return client.get(reverse(PEOPLE_URL))


def test_guessing_api_keys_locks_the_address_out_with_the_api_error_shape(divisions):
    _key, raw = api_key_create(name="12345热线", role=Role.API_CLIENT, division=divisions["t1"])
    for n in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _key_get(f"lx_guess{n}_secret").status_code == 401
    refused = _key_get("lx_guesslast_secret")
    assert refused.status_code == 429
    assert refused.json() == {"code": ERR_LOCKED_OUT, "message": str(LOCKED_OUT_MESSAGE), "errors": {}}
    # Even a right key is refused from the guessing address, and works from another one.
    locked = _key_get(raw)
    assert locked.status_code == 429
    assert locked.json()["code"] == ERR_LOCKED_OUT
    assert _key_get(raw, address=OFFICE).status_code == 200


def test_guessing_one_keys_secret_locks_that_key_until_unlocked(divisions):
    _key, raw = api_key_create(name="12345热线", role=Role.API_CLIENT, division=divisions["t1"])
    prefix = raw.split("_")[1]
    for n in range(settings.AXES_FAILURE_LIMIT):
        _key_get(f"lx_{prefix}_guess{n}")
    assert _key_get(raw, address=OFFICE).status_code == 429
    AccessAttempt.objects.all().delete()  # what the admin's unlock does
    assert _key_get(raw, address=OFFICE).status_code == 200


# --- sessions -----------------------------------------------------------------------------------


def test_a_session_ends_after_a_working_day_without_a_request(officer):
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    client = _sign_in(officer.username, PASSWORD, address=OFFICE)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_activity_renews_the_session_at_most_once_per_renewal_period(officer):
    client = _sign_in(officer.username, PASSWORD, address=OFFICE)
    soon = timezone.now() + datetime.timedelta(hours=1)
    Session.objects.update(expire_date=soon)
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get().expire_date == soon  # renewed at sign-in, less than 5 minutes ago
    session = client.session
    session[RENEWED_KEY] = time.time() - settings.SESSION_RENEW_SECONDS
    session.save()
    Session.objects.update(expire_date=soon)
    assert client.get(reverse("home")).status_code == 200
    assert Session.objects.get().expire_date > timezone.now() + datetime.timedelta(hours=7, minutes=59)


@pytest.mark.django_db
def test_an_overlong_username_is_a_failed_sign_in_not_a_500():
    response = Client().post(reverse("login"), {"username": "x" * 300, "password": "wrong"})
    assert response.status_code == 200
    assert AccessAttempt.objects.get().username == "x" * 150
