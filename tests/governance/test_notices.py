"""The inbox: the bell's count, the list, marking read, e-mail settings; a person's notices are theirs."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from governance.models import Notice, NoticePreference
from governance.notices import EMAIL_MAX_ATTEMPTS, NoticeDraft, notices_email_pending, notices_send
from tests.auth import verified_login
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db

KIND = "security.awaiting_acceptance"


def send(user, n: int = 1, start: int = 0) -> int:
    return notices_send(
        NoticeDraft(user.pk, KIND, f"test:{i}", f"通知{i}", "正文", "/security/disputes/1/")
        for i in range(start, start + n)
    )


def test_each_key_is_written_once_per_person(officer, divisions):
    other = user_with_role("community_officer", divisions["v12"], username="other")
    assert send(officer, 3) == 3
    assert send(officer, 3) == 0
    assert send(other, 3) == 3
    assert Notice.objects.count() == 6


def test_the_bell_the_list_and_marking_read(client, officer, divisions):
    send(officer, 2)
    verified_login(client, officer)
    page = client.get(reverse("home")).content.decode()
    assert 'class="bell-count">2<' in page
    listed = client.get(reverse("governance:notice-list"))
    assert listed.status_code == 200 and "通知0" in listed.content.decode()
    first = Notice.objects.get(key="test:0")
    followed = client.post(reverse("governance:notice-read"), {"id": first.pk})
    assert followed.status_code == 302 and followed["Location"] == "/security/disputes/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    assert client.post(reverse("governance:notice-read")).status_code == 302
    assert not Notice.objects.unread().exists()
    assert 'class="bell-count"' not in client.get(reverse("home")).content.decode()


def test_another_persons_notice_is_404_and_unchanged(client, officer, divisions):
    other = user_with_role("community_officer", divisions["v12"], username="other")
    send(other, 1)
    notice = Notice.objects.get()
    verified_login(client, officer)
    assert client.post(reverse("governance:notice-read"), {"id": notice.pk}).status_code == 404
    assert client.post(reverse("governance:notice-read"), {"id": "x; drop"}).status_code == 404
    assert "通知0" not in client.get(reverse("governance:notice-list")).content.decode()
    client.post(reverse("governance:notice-read"))  # "all" is all of mine, not theirs
    notice.refresh_from_db()
    assert notice.read_at is None


def test_a_notice_link_never_leaves_the_portal(client, officer):
    notices_send([NoticeDraft(officer.pk, KIND, "evil", "外链", url="https://evil.example/")])
    verified_login(client, officer)
    response = client.post(reverse("governance:notice-read"), {"id": Notice.objects.get().pk})
    assert response["Location"] == reverse("governance:notice-list")


def test_the_inbox_reads_the_same_queries_for_3_and_30_notices(client, officer):
    verified_login(client, officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("governance:notice-list")).status_code == 200
        return len(queries)

    send(officer, 3)
    three = count()
    send(officer, 27, start=3)
    assert count() == three


def test_email_settings_need_an_address_and_are_kept(client, officer):
    verified_login(client, officer)
    assert client.get(reverse("governance:notice-settings")).status_code == 200
    officer.email = ""
    officer.save()
    refused = client.post(reverse("governance:notice-settings"), {KIND: "on"})
    assert refused.status_code == 400 and "电子邮箱" in refused.content.decode()
    assert not NoticePreference.objects.exists()
    officer.email = "o@example.gov.cn"
    officer.save()
    assert client.post(reverse("governance:notice-settings"), {KIND: "on"}).status_code == 302
    assert NoticePreference.objects.get(user=officer, kind=KIND).email is True


def test_a_failing_mail_server_is_retried_and_the_inbox_keeps_the_notice(officer, settings, monkeypatch):
    officer.email = "o@example.gov.cn"
    officer.save()
    NoticePreference.objects.create(user=officer, kind=KIND, email=True)
    send(officer, 1)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr("governance.notices.send_mail", broken)
    assert notices_email_pending() == (0, 1)
    notice = Notice.objects.get()
    assert notice.emailed_at is None and notice.email_attempts == 1 and notice.read_at is None
    monkeypatch.undo()
    assert notices_email_pending() == (1, 0)
    assert notices_email_pending() == (0, 0)
    assert len(mail.outbox) == 1
    Notice.objects.update(emailed_at=None, email_attempts=EMAIL_MAX_ATTEMPTS)
    assert notices_email_pending() == (0, 0)  # given up after the last attempt; still in the inbox
    assert Notice.objects.count() == 1


def test_the_inbox_needs_a_login(client):
    response = client.get(reverse("governance:notice-list"))
    assert response.status_code == 302 and "/login/" in response["Location"]
