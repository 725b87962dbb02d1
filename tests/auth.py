"""Signing a user in for a test. ``verified_login`` is the one way tests sign in: for a user who needs
the second factor (superusers, district admins, discipline staff) it also gives the session a
confirmed authenticator, as ``django_otp.login`` does after a right code, so the test reaches what it
tests; enforcement itself is tested with plain ``force_login`` (tests/governance/test_second_factor.py)."""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from governance.second_factor import TOTP_DEVICE_NAME, second_factor_required


def verified_login(client, user):
    """``client.force_login(user)`` with the second factor passed when the user needs one. Returns the client."""
    client.force_login(user)
    user.__dict__.pop("_roles", None)  # roles granted after the user was loaded count
    if second_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
