"""The second factor (issue 19 item 8): superusers, district admins and discipline staff reach no page,
no admin page and no API through a session until it passes a TOTP code or a recovery code; they
enrol with a QR code; recovery codes work once; wrong codes are throttled and lock the account; an
administrator resets a lost phone, and the reset is audited. Signing in uses plain ``force_login``
here on purpose (no ``verified_login``)."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.contrib.admin.models import LogEntry
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from pghistory.models import Events
from rest_framework.test import APIClient

from governance.models import AuthenticatorDevice, Role
from governance.second_factor import recovery_codes_issue
from governance.services import api_key_create
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.integrity.factories import CampaignFactory, ClueFactory, IntegrityCaseFactory

pytestmark = [pytest.mark.django_db]

VERIFY = reverse("otp-verify")
ENROL = reverse("otp-enrol")


def _totp_now(device: TOTPDevice, offset: int = 0) -> int:
    return totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=offset)


@pytest.fixture
def inspector(divisions):
    return user_with_role(Role.DISCIPLINE_INSPECTOR, divisions["t1"], username="otp_inspector")


@pytest.fixture
def enrolled(inspector):
    return TOTPDevice.objects.create(user=inspector, name="身份验证器", confirmed=True)


def _integrity_pages(divisions) -> list[str]:
    clue = ClueFactory(division=divisions["v11"])
    case = IntegrityCaseFactory(division=divisions["v11"])
    campaign = CampaignFactory(division=divisions["t1"])
    return [
        reverse("integrity:clue-list"),
        reverse("integrity:clue-detail", args=[clue.pk]),
        reverse("integrity:case-list"),
        reverse("integrity:case-detail", args=[case.pk]),
        reverse("integrity:campaign-list"),
        reverse("integrity:campaign-detail", args=[campaign.pk]),
        reverse("integrity:campaign-funnel-export", args=[campaign.pk]),
        reverse("integrity:project-list"),
        reverse("admin:index"),
        reverse("admin:integrity_clue_changelist"),
        reverse("admin:integrity_clue_change", args=[clue.pk]),
        reverse("admin:integrity_integritycase_changelist"),
        reverse("admin:integrity_accesslog_changelist"),
        reverse("home"),
    ]


INTEGRITY_API = [
    "clue-list",
    "case-list",
    "campaign-list",
    "subject-list",
    "measure-list",
    "sanction-list",
    "recovery-list",
    "project-list",
    "access-log-list",
]


def test_unverified_inspector_is_sent_to_verify_on_every_integrity_page_and_the_admin(
    client, divisions, inspector, enrolled
):
    client.force_login(inspector)
    for url in _integrity_pages(divisions):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(f"{VERIFY}?next="), url
    # With no authenticator yet, to the enrolment page instead.
    enrolled.delete()
    response = client.get(reverse("integrity:clue-list"))
    assert response.status_code == 302 and response["Location"].startswith(f"{ENROL}?next=")


def test_unverified_session_is_refused_by_the_api_with_403(divisions, inspector):
    api = APIClient()
    api.force_login(inspector)
    for name in INTEGRITY_API:
        response = api.get(reverse(f"api:integrity-api:{name}"))
        assert response.status_code == 403, name
        assert response.json()["code"] == "second_factor_required", response.content
        assert "双因素" in response.json()["message"]
    assert api.get(reverse("api:governance-api:person-list")).status_code == 403
    # Verified, the same session works.
    verified_login(api, inspector)
    assert api.get(reverse("api:integrity-api:clue-list")).status_code == 200


@pytest.mark.parametrize("who", ["district_admin", "superuser"])
def test_district_admins_and_superusers_need_the_second_factor_too(client, divisions, django_user_model, who):
    if who == "superuser":
        user = django_user_model.objects.create_superuser("otp_root", password="pw-test-123")
    else:
        user = user_with_role(Role.DISTRICT_ADMIN, divisions["district"])
    client.force_login(user)
    for url in (reverse("admin:index"), reverse("admin:governance_user_changelist"), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(ENROL), url
    api = APIClient()
    api.force_login(user)
    assert api.get(reverse("api:governance-api:person-list")).status_code == 403


def test_other_roles_and_api_keys_are_unaffected(client, divisions):
    officer = user_with_role(Role.COMMUNITY_OFFICER, divisions["v11"])
    client.force_login(officer)
    assert client.get(reverse("home")).status_code == 200
    assert client.get(VERIFY).status_code == 302  # nothing to verify: sent home
    # A district admin's API key (another system) is not a session: no second factor.
    _key, plain = api_key_create(name="12345热线", role=Role.DISTRICT_ADMIN, division=divisions["district"])
    response = APIClient().get(reverse("api:governance-api:person-list"), HTTP_AUTHORIZATION=f"Api-Key {plain}")
    assert response.status_code == 200


def test_enrolment_with_a_real_code_then_recovery_codes_shown_once(client, divisions, inspector):
    # A real sign-in with the password: then the enrolment page, on the way to the clue register.
    response = client.post(reverse("login"), {"username": inspector.username, "password": "pw-test-123"})
    assert response.status_code == 302
    target = reverse("integrity:clue-list")
    response = client.get(target)
    assert response["Location"] == f"{ENROL}?next={target}"
    page = client.get(response["Location"])
    assert page.status_code == 200
    body = page.content.decode()
    assert "data:image/svg+xml" in body and "绑定身份验证器" in body
    device = TOTPDevice.objects.get(user=inspector, confirmed=False)
    assert device.config_url.startswith("otpauth://totp/")

    wrong = client.post(ENROL, {"code": f"{(_totp_now(device) + 1) % 10**6:06d}", "next": target})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=inspector, confirmed=True).exists()

    device.refresh_from_db()
    with time_machine.travel(device.throttling_failure_timestamp.timestamp() + 2, tick=False):
        shown = client.post(ENROL, {"code": f"{_totp_now(device):06d}", "next": target})
    assert shown.status_code == 200
    codes = re.findall(r"<code>([a-z2-7]{8})</code>", shown.content.decode())
    assert len(codes) == 10 and len(set(codes)) == 10
    assert "no-store" in shown["Cache-Control"]
    assert set(StaticToken.objects.filter(device__user=inspector).values_list("token", flat=True)) == set(codes)
    assert TOTPDevice.objects.get(user=inspector).confirmed
    assert client.get(target).status_code == 200  # this session is verified
    # The codes are never shown again: the enrolment page now sends to verification.
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert Events.objects.filter(pgh_label="confirm", pgh_obj_model="governance.AuthenticatorDevice").exists()


def test_verify_with_a_totp_code_then_the_page(client, divisions, inspector, enrolled):
    client.force_login(inspector)
    target = reverse("integrity:case-list")
    assert client.get(target)["Location"] == f"{VERIFY}?next={target}"
    response = client.post(VERIFY, {"code": f"{_totp_now(enrolled):06d}", "next": target})
    assert response.status_code == 302 and response["Location"] == target
    assert client.get(target).status_code == 200
    # The same code cannot be replayed in another session.
    other = type(client)()
    other.force_login(inspector)
    assert other.post(VERIFY, {"code": f"{_totp_now(enrolled):06d}"}).status_code == 400


def test_a_recovery_code_works_once(client, divisions, inspector, enrolled):
    first, second, *_rest = recovery_codes_issue(inspector)
    client.force_login(inspector)
    grouped = f" {first[:4].upper()} {first[4:].upper()} "  # as copied from paper: spaces and capitals
    assert client.post(VERIFY, {"code": grouped}).status_code == 302
    assert client.get(reverse("integrity:clue-list")).status_code == 200

    again = type(client)()
    again.force_login(inspector)
    refused = again.post(VERIFY, {"code": first})
    assert refused.status_code == 400 and "验证码不正确" in refused.content.decode()
    with time_machine.travel(StaticDevice.objects.get(user=inspector).throttling_failure_timestamp.timestamp() + 2):
        assert again.post(VERIFY, {"code": second}).status_code == 302
    assert StaticToken.objects.filter(device__user=inspector).count() == 8


def test_wrong_codes_are_throttled_and_then_lock_the_account(client, divisions, inspector, enrolled, settings):
    settings.AXES_FAILURE_LIMIT = 5
    client.force_login(inspector)
    assert client.post(VERIFY, {"code": "000000"}).status_code == 400
    # At once after a wrong code even the right one is refused: the device waits 1, 2, 4… seconds.
    throttled = client.post(VERIFY, {"code": f"{_totp_now(enrolled):06d}"})
    assert throttled.status_code == 400 and "错误次数过多" in throttled.content.decode()
    for _i in range(2):
        client.post(VERIFY, {"code": "000000"})
    locked = client.post(VERIFY, {"code": "000000"})
    assert locked.status_code == 429 and "锁定" in locked.content.decode()
    # The session is over, and the password no longer signs in until an administrator unlocks.
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))
    again = client.post(reverse("login"), {"username": inspector.username, "password": "pw-test-123"})
    assert again.status_code == 429


def test_next_outside_the_site_is_ignored(client, divisions, inspector, enrolled):
    client.force_login(inspector)
    response = client.post(VERIFY, {"code": f"{_totp_now(enrolled):06d}", "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_an_enrolled_user_cannot_enrol_another_authenticator_with_the_password_alone(client, inspector, enrolled):
    client.force_login(inspector)
    assert client.get(ENROL)["Location"].startswith(VERIFY)
    assert client.post(ENROL, {"code": "123456"})["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=inspector).count() == 1


@override_settings(AXES_FAILURE_LIMIT=100)
def test_admin_reset_removes_the_devices_and_is_audited(client, divisions, inspector, enrolled):
    recovery_codes_issue(inspector)
    admin = user_with_role(Role.DISTRICT_ADMIN, divisions["district"])
    verified_login(client, admin)
    response = client.post(
        reverse("admin:governance_user_changelist"),
        {"action": "second_factor_reset", "_selected_action": [inspector.pk]},
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=inspector).exists()
    assert not StaticDevice.objects.filter(user=inspector).exists()
    # Audited: the trigger's events carry the administrator, and the account's admin history says so.
    resets = Events.objects.filter(pgh_label="reset")
    assert {event.pgh_obj_model for event in resets} == {
        "governance.AuthenticatorDevice",
        "governance.RecoveryCodesDevice",
    }
    assert all(str(event.pgh_context["user"]) == str(admin.pk) for event in resets)
    assert LogEntry.objects.filter(object_id=str(inspector.pk), change_message__contains="重置双因素认证").exists()
    # At the next sign-in the inspector enrols again.
    client.force_login(inspector)
    assert client.get(reverse("integrity:clue-list"))["Location"].startswith(ENROL)
    assert not AuthenticatorDevice.objects.filter(user=inspector, confirmed=True).exists()


def test_a_community_officer_cannot_reset(client, divisions, inspector, enrolled):
    officer = user_with_role(Role.COMMUNITY_OFFICER, divisions["v11"])
    verified_login(client, officer)
    response = client.post(
        reverse("admin:governance_user_changelist"),
        {"action": "second_factor_reset", "_selected_action": [inspector.pk]},
    )
    assert response.status_code in (403, 404)
    assert TOTPDevice.objects.filter(user=inspector).exists()
