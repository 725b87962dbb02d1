"""The reporter's identity never leaves its table without the special permission; every view of a
clue or case is in the append-only access log."""

import datetime
import logging

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.urls import reverse
from pghistory.models import Events
from rest_framework.test import APIClient

from governance.models import User
from integrity.choices import AccessVia
from integrity.models import AccessLog
from tests.auth import verified_login
from tests.integrity.factories import ClueFactory, ClueReporterFactory, IntegrityCaseFactory

pytestmark = [pytest.mark.django_db]

SECRET_NAME = "举报人赵秘密"
SECRET_PHONE = "13912345678"


@pytest.fixture
def reported(divisions):
    return ClueReporterFactory(clue=ClueFactory(division=divisions["v11"]), name=SECRET_NAME, phone=SECRET_PHONE)


def _everything_an_inspector_can_read(client, api, clue) -> list[str]:
    return [
        client.get(reverse("integrity:clue-list")).content.decode(),
        client.get(reverse("integrity:clue-detail", args=[clue.pk])).content.decode(),
        client.get(reverse("admin:integrity_clue_changelist")).content.decode(),
        client.get(reverse("admin:integrity_clue_change", args=[clue.pk])).content.decode(),
        client.get(reverse("admin:integrity_clue_history", args=[clue.pk])).content.decode(),
        api.get(reverse("api:integrity-api:clue-list")).content.decode(),
        api.get(reverse("api:integrity-api:clue-detail", args=[clue.pk])).content.decode(),
        api.get(reverse("api:integrity-api:access-log-list")).content.decode(),
    ]


def test_reporter_never_appears_for_an_inspector_without_the_permission(client, inspector, reported, caplog):
    verified_login(client, inspector)
    api = APIClient()
    verified_login(api, inspector)
    with caplog.at_level(logging.DEBUG):
        pages = _everything_an_inspector_can_read(client, api, reported.clue)
    for body in pages:
        assert SECRET_NAME not in body
        assert SECRET_PHONE not in body
    assert SECRET_NAME not in caplog.text and SECRET_PHONE not in caplog.text


def test_reporter_is_shown_in_the_admin_to_a_holder_of_the_special_permission(client, inspector, reported):
    inspector.user_permissions.add(Permission.objects.get(codename="view_cluereporter"))
    verified_login(client, inspector)
    response = client.get(reverse("admin:integrity_clue_change", args=[reported.clue.pk]))
    assert SECRET_NAME in response.content.decode()
    # …and still never in lists or the API.
    assert SECRET_NAME not in client.get(reverse("integrity:clue-list")).content.decode()
    api = APIClient()
    verified_login(api, inspector)
    assert (
        SECRET_NAME not in api.get(reverse("api:integrity-api:clue-detail", args=[reported.clue.pk])).content.decode()
    )


def test_no_role_holds_the_reporter_permission_by_default(divisions):
    from governance.registry import registry

    assert all("integrity.view_cluereporter" not in perms for perms in registry.role_permissions.values())


def test_audit_trail_of_the_reporter_keeps_no_identity(reported):
    events = list(Events.objects.tracks(reported))
    assert events
    for event in events:
        assert SECRET_NAME not in str(event.pgh_data) and SECRET_PHONE not in str(event.pgh_data)


def test_every_view_of_a_clue_or_case_is_logged(client, divisions, inspector):
    clue = ClueFactory(division=divisions["v11"])
    case = IntegrityCaseFactory(division=divisions["v11"])
    verified_login(client, inspector)
    api = APIClient()
    verified_login(api, inspector)

    client.get(reverse("integrity:clue-detail", args=[clue.pk]))
    client.get(reverse("integrity:clue-detail", args=[clue.pk]))
    api.get(reverse("api:integrity-api:clue-detail", args=[clue.pk]))
    client.get(reverse("admin:integrity_clue_change", args=[clue.pk]))
    client.get(reverse("integrity:case-detail", args=[case.pk]))
    api.get(reverse("api:integrity-api:case-detail", args=[case.pk]))
    client.get(reverse("admin:integrity_integritycase_change", args=[case.pk]))

    clue_log = list(AccessLog.objects.filter(clue=clue).order_by("id").values_list("via", "user_id", "path"))
    assert [via for via, _u, _p in clue_log] == [AccessVia.PAGE, AccessVia.PAGE, AccessVia.API, AccessVia.ADMIN]
    assert {user for _v, user, _p in clue_log} == {inspector.pk}
    assert clue_log[0][2] == reverse("integrity:clue-detail", args=[clue.pk])
    assert list(AccessLog.objects.filter(case=case).values_list("via", flat=True).order_by("id")) == [
        AccessVia.PAGE,
        AccessVia.API,
        AccessVia.ADMIN,
    ]


def test_access_log_cannot_be_changed_or_deleted_even_in_sql(client, divisions, inspector):
    clue = ClueFactory(division=divisions["v11"])
    verified_login(client, inspector)
    client.get(reverse("integrity:clue-detail", args=[clue.pk]))
    row = AccessLog.objects.get()
    with pytest.raises(ProgrammingError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).update(path="/forged/")
    with pytest.raises(ProgrammingError), transaction.atomic():
        AccessLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(ProgrammingError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {AccessLog._meta.db_table}")
    assert AccessLog.objects.get().path == row.path


def test_access_log_is_read_only_in_the_admin(client, divisions, inspector):
    clue = ClueFactory(division=divisions["v11"])
    verified_login(client, inspector)
    client.get(reverse("integrity:clue-detail", args=[clue.pk]))
    row = AccessLog.objects.get()
    assert client.get(reverse("admin:integrity_accesslog_changelist")).status_code == 200
    response = client.post(reverse("admin:integrity_accesslog_change", args=[row.pk]), {"path": "/forged/"})
    assert response.status_code == 403
    assert client.post(reverse("admin:integrity_accesslog_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.get().path == row.path


def test_access_log_reads_its_time_in_shanghai():
    # Stored in UTC; 16:30 UTC on 1 March is 00:30 on 2 March in Louxing.
    log = AccessLog(user=User(username="li"), at=datetime.datetime(2026, 3, 1, 16, 30, tzinfo=datetime.UTC))
    assert str(log).endswith("2026-03-02 00:30")
