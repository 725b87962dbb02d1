"""The reporter's identity at rest (issue 19 item 8): never in the database in clear text (read
straight from the tables), opened only for holders of the reveal permission and logged each time,
rotated to a new key, and the portal refuses to start in production without a key."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.urls import reverse

from governance.models import Role
from integrity import services
from integrity.choices import AccessAction, AccessVia, ClueCategory, ClueSource
from integrity.crypto import InvalidToken, identity_open, reporter_keys_check
from integrity.models import AccessLog, ClueReporter
from tests.auth import verified_login
from tests.factories import user_with_role
from tests.integrity.factories import ClueFactory

SECRET_NAME = "举报人钱保密"
SECRET_PHONE = "13987654321"
SECRET_ADDRESS = "乐坪街道某小区7栋"
ROOT = Path(__file__).resolve().parents[2]


def _register(division, number="XS-ENC-1"):
    return services.clue_register(
        number=number,
        division=division,
        source=ClueSource.PETITION,
        received_on=datetime.date(2025, 3, 1),
        category=ClueCategory.NEAR_THE_PEOPLE,
        summary="反映村干部优亲厚友",
        reporter={"name": SECRET_NAME, "phone": SECRET_PHONE, "address": SECRET_ADDRESS},
    )


def _everything_in_the_database_about_reporters() -> str:
    """Every row of every integrity table and of the audit trail, as PostgreSQL prints it."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND (tablename LIKE 'integrity%%' OR tablename LIKE 'pghistory%%')"
        )
        tables = [name for (name,) in cursor.fetchall()]
        assert "integrity_cluereporter" in tables
        dump = []
        for table in tables:
            cursor.execute(f'SELECT t::text FROM "{table}" t')
            dump += [row for (row,) in cursor.fetchall()]
    return "\n".join(dump)


@pytest.fixture
def reveal_holder(inspector):
    inspector.user_permissions.add(Permission.objects.get(codename="view_cluereporter"))
    return type(inspector).objects.get(pk=inspector.pk)  # fresh permission cache


@pytest.mark.django_db
def test_reporter_is_never_in_the_tables_in_clear_text(divisions):
    clue = _register(divisions["v11"])
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM integrity_cluereporter WHERE clue_id = %s", [clue.pk])
        row = cursor.fetchone()
        columns = [column.name for column in cursor.description]
    assert "name" not in columns and "phone" not in columns and "address" not in columns
    text = " ".join(str(value) for value in row)
    for secret in (SECRET_NAME, SECRET_PHONE, SECRET_ADDRESS, "139", "钱"):
        assert secret not in text
    assert row[columns.index("identity")].startswith("gAAAAA")  # a Fernet token
    dump = _everything_in_the_database_about_reporters()
    assert SECRET_NAME not in dump and SECRET_PHONE not in dump and SECRET_ADDRESS not in dump


@pytest.mark.django_db
def test_reveal_needs_the_permission_and_each_reveal_is_logged(divisions, reveal_holder):
    clue = _register(divisions["v11"])
    other = user_with_role(Role.DISCIPLINE_INSPECTOR, divisions["t1"])  # discipline staff, no permission
    with pytest.raises(PermissionDenied):
        services.reporter_reveal(user=other, clue=clue, via=AccessVia.PAGE, path="/x/")
    assert not AccessLog.objects.exists()  # nothing opened, nothing logged

    identity = services.reporter_reveal(user=reveal_holder, clue=clue, via=AccessVia.ADMIN, path="/admin/x/")
    assert identity == {"name": SECRET_NAME, "phone": SECRET_PHONE, "address": SECRET_ADDRESS}
    services.reporter_reveal(user=reveal_holder, clue=clue, via=AccessVia.ADMIN, path="/admin/x/")
    rows = list(AccessLog.objects.values_list("action", "clue_id", "user_id", "via"))
    assert rows == [(AccessAction.REVEAL, clue.pk, reveal_holder.pk, AccessVia.ADMIN)] * 2


@pytest.mark.django_db
def test_a_reporter_outside_the_holders_subtree_is_not_revealed(divisions, reveal_holder):
    clue = _register(divisions["v21"])  # township t2: outside the t1 inspector's scope
    assert services.reporter_reveal(user=reveal_holder, clue=clue, via=AccessVia.PAGE, path="/") is None
    assert not AccessLog.objects.exists()


@pytest.mark.django_db
def test_admin_shows_edits_and_reseals_the_reporter_and_logs_the_reveal(client, divisions, reveal_holder):
    reveal_holder.user_permissions.add(Permission.objects.get(codename="change_cluereporter"))
    clue = _register(divisions["v11"])
    reporter = ClueReporter.objects.get(clue=clue)
    verified_login(client, reveal_holder)
    url = reverse("admin:integrity_clue_change", args=[clue.pk])
    page = client.get(url)
    assert SECRET_NAME in page.content.decode() and SECRET_PHONE in page.content.decode()
    assert AccessLog.objects.filter(action=AccessAction.REVEAL, clue=clue, via=AccessVia.ADMIN).count() == 1

    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields if name not in ("subjects",)}
    data["subjects"] = [s.pk for s in clue.subjects.all()]
    data.update(
        {
            "reporter-TOTAL_FORMS": "1",
            "reporter-INITIAL_FORMS": "1",
            "reporter-MIN_NUM_FORMS": "0",
            "reporter-MAX_NUM_FORMS": "1",
            "reporter-0-id": str(reporter.pk),
            "reporter-0-clue": str(clue.pk),
            "reporter-0-name": "新举报人孙某",
            "reporter-0-phone": "139 8765 0000",
            "reporter-0-address": SECRET_ADDRESS,
            "_save": "保存",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else response
    reporter.refresh_from_db()
    assert "孙" not in reporter.identity
    assert identity_open(reporter.identity) == {
        "name": "新举报人孙某",
        "phone": "13987650000",
        "address": SECRET_ADDRESS,
    }


@pytest.mark.django_db
def test_a_bad_reporter_phone_is_refused_naming_the_field_and_nothing_is_written(divisions):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.clue_register(
            number="XS-BAD",
            division=divisions["v11"],
            source=ClueSource.PETITION,
            received_on=datetime.date(2025, 3, 1),
            category=ClueCategory.NEAR_THE_PEOPLE,
            summary="x",
            reporter={"name": "某", "phone": "12"},
        )
    assert "phone" in error.value.message_dict
    assert not ClueReporter.objects.exists()


@pytest.mark.django_db
def test_keys_rotate_to_a_new_key_and_the_old_one_can_then_go(divisions, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.REPORTER_KEYS = [old]
    clue = _register(divisions["v11"])
    _register(divisions["v12"], number="XS-ENC-2")
    before = ClueReporter.objects.get(clue=clue).identity

    settings.REPORTER_KEYS = [new, old]
    call_command("reporter_keys_rotate", stdout=open(os.devnull, "w"))  # noqa: SIM115
    after = ClueReporter.objects.get(clue=clue).identity
    assert after != before

    settings.REPORTER_KEYS = [new]  # the old key removed
    assert identity_open(after)["name"] == SECRET_NAME
    settings.REPORTER_KEYS = [old]
    with pytest.raises(InvalidToken):
        identity_open(after)


def test_the_key_check_names_what_is_wrong(settings):
    settings.REPORTER_KEYS = []
    assert [error.id for error in reporter_keys_check(None)] == ["integrity.E001"]
    settings.REPORTER_KEYS = [Fernet.generate_key().decode(), "not-a-key"]
    assert [error.id for error in reporter_keys_check(None)] == ["integrity.E002"]


def _production_check(extra_env: dict) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        # The browser tests allow async-unsafe calls for Playwright; a deployment never does.
        if not key.startswith(("PORTAL_REPORTER_KEY", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "governance.settings.production",
            "DJANGO_SECRET_KEY": "t-" + Fernet.generate_key().decode() * 2,
            "DJANGO_ALLOWED_HOSTS": "portal.example.gov.cn",
            **extra_env,
        }
    )
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_key_and_passes_with_one(tmp_path):
    missing = _production_check({})
    assert missing.returncode != 0
    assert "PORTAL_REPORTER_KEYS" in missing.stderr and "举报人信息加密密钥未配置" in missing.stderr

    bad = _production_check({"PORTAL_REPORTER_KEYS": "not-a-key"})
    assert bad.returncode != 0 and "格式无效" in bad.stderr

    key_file = tmp_path / "reporter.key"
    key_file.write_text(f"# newest first\n{Fernet.generate_key().decode()}\n", encoding="ascii")
    ok = _production_check({"PORTAL_REPORTER_KEY_FILE": str(key_file)})
    assert ok.returncode == 0, ok.stderr


@pytest.mark.django_db(transaction=True)
def _original_migrations() -> MigrationExecutor:
    """An executor on the original migrations, not the squashes that replace them (a database from
    before the squash runs them one by one): the squash nodes leave the graph and the applied set."""
    executor = MigrationExecutor(connection)
    loader = MigrationLoader(connection, replace_migrations=False)
    for key, migration in list(loader.disk_migrations.items()):
        if migration.replaces and key in loader.graph.nodes:
            loader.graph.remove_replacement_node(key, migration.replaces)
            loader.applied_migrations.pop(key, None)
    executor.loader = loader
    return executor


def test_the_migration_encrypts_existing_rows(divisions):
    executor = _original_migrations()
    before = [("integrity", "0003_phone_numbers_normalised")]
    latest = executor.loader.graph.leaf_nodes("integrity")
    clue = ClueFactory(division=divisions["v11"])
    with connection.cursor() as cursor:
        # The fixtures' deferred checks run now: unapplying a migration whose table points at
        # governance_division (0007's culture sites) alters that table, which pending events forbid.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        executor.migrate(before)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO integrity_cluereporter (clue_id, is_anonymous, name, phone, address) "
                "VALUES (%s, false, %s, %s, %s)",
                [clue.pk, SECRET_NAME, SECRET_PHONE, SECRET_ADDRESS],
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the row's deferred checks run now, before ALTER
        executor = _original_migrations()
        executor.migrate(latest)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    with connection.cursor() as cursor:
        cursor.execute("SELECT t::text FROM integrity_cluereporter t")
        (text,) = cursor.fetchone()
    assert SECRET_NAME not in text and SECRET_PHONE not in text
    assert identity_open(ClueReporter.objects.get(clue=clue).identity)["phone"] == SECRET_PHONE
