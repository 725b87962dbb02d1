"""Dispute events partitioned by month (issue 18 item 4, migration ``security.0012``): writes land in
their Asia/Shanghai month's partition, the append-only and roll-up triggers hold on every partition,
beat's ensure is idempotent, and a closed month detaches to the archive schema."""

import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from security.choices import EventAction, Status
from security.models import Dispute, DisputeEvent
from security.partitions import (
    PartitionRefused,
    event_partition_archive,
    event_partitions,
    event_partitions_ensure,
    events_partitioned,
)
from tests.security.factories import intake

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


def _home(event_id: int) -> str:
    """The table a row of ``security_disputeevent`` is stored in."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM security_disputeevent WHERE id = %s", [event_id])
        return cursor.fetchone()[0]


def _event(dispute: Dispute, when: datetime.datetime) -> DisputeEvent:
    return DisputeEvent.objects.create(dispute=dispute, action=EventAction.VISIT, created_at=when)


@pytest.fixture
def dispute(divisions, bodies, rule):
    return intake(divisions["v11"])


def test_the_events_table_is_partitioned_by_created_at(db):
    assert events_partitioned()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_partkeydef('security_disputeevent'::regclass)")
        assert cursor.fetchone()[0] == "RANGE (created_at)"
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'security_disputeevent_pkey'"
        )
        assert cursor.fetchone()[0] == "PRIMARY KEY (id, created_at)"
    names = [part["name"] for part in event_partitions()]
    assert "security_disputeevent_default" in names
    # pgtrigger finds its append-only trigger on the new table as it compiled it (hash comment kept)
    (append_only,) = DisputeEvent._meta.triggers
    assert append_only.get_installation_status(DisputeEvent) == ("INSTALLED", True)
    assert any(name.startswith("security_disputeevent_p") for name in names)


def test_a_write_lands_in_its_shanghai_months_partition(dispute):
    event_partitions_ensure(today=datetime.date(2027, 1, 5), ahead=0)
    event_partitions_ensure(today=datetime.date(2026, 12, 5), ahead=0)
    late = _event(dispute, _at(2026, 12, 31, 23, 59))
    early = _event(dispute, _at(2027, 1, 1, 0, 30))  # 2026-12-31 16:30 UTC: January in Shanghai
    assert _home(late.pk) == "security_disputeevent_p2026_12"
    assert _home(early.pk) == "security_disputeevent_p2027_01"
    # The ORM reads them back through the parent, ids still unique by the sequence.
    assert set(dispute.events.values_list("pk", flat=True)) >= {late.pk, early.pk}
    assert early.pk > late.pk


def test_a_month_without_partition_goes_to_default_and_moves_when_its_partition_is_made(dispute):
    stray = _event(dispute, _at(2035, 5, 10, 9, 0))
    assert _home(stray.pk) == "security_disputeevent_default"

    assert event_partitions_ensure(today=datetime.date(2035, 5, 3), ahead=1) == [
        "security_disputeevent_p2035_05",
        "security_disputeevent_p2035_06",
    ]
    assert _home(stray.pk) == "security_disputeevent_p2035_05"
    moved = DisputeEvent.objects.get(pk=stray.pk)
    assert (moved.action, moved.created_at, moved.dispute_id) == (stray.action, stray.created_at, dispute.pk)
    assert event_partitions_ensure(today=datetime.date(2035, 5, 3), ahead=1) == []  # idempotent
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        DisputeEvent.objects.filter(pk=stray.pk).update(reason="改写")  # the new partition has the trigger


def test_ensure_moves_past_months_out_of_default_but_not_a_decade_back(dispute):
    """A fresh database's partitions start at its migration's month: the seed's (or an import's) older
    events wait in DEFAULT until the nightly ensure gives each month its partition."""
    # (months no seed reaches: other tests' seeds commit partitions of the demo's two years)
    old = _event(dispute, _at(2017, 3, 31, 23, 0))
    ancient = _event(dispute, _at(2010, 6, 1, 12, 0))
    assert _home(old.pk) == _home(ancient.pk) == "security_disputeevent_default"
    created = event_partitions_ensure(today=datetime.date(2026, 12, 1), ahead=0)
    assert "security_disputeevent_p2017_03" in created
    assert _home(old.pk) == "security_disputeevent_p2017_03"
    assert _home(ancient.pk) == "security_disputeevent_default"  # more than ten years back: left alone


def test_events_cannot_be_changed_or_deleted_in_any_partition(dispute):
    event = dispute.events.order_by("id").first()
    partition = _home(event.pk)
    assert partition.startswith("security_disputeevent_p")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        DisputeEvent.objects.filter(pk=event.pk).update(reason="改写")
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        DisputeEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError, match="Cannot update or delete"), transaction.atomic():
        # moving a row to another month's partition is an update too
        DisputeEvent.objects.filter(pk=event.pk).update(created_at=_at(2031, 1, 1))
    with (
        pytest.raises(DatabaseError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"DELETE FROM {partition} WHERE id = %s", [event.pk])
    assert DisputeEvent.objects.get(pk=event.pk).reason == event.reason


def test_an_event_written_through_the_parent_marks_the_rollups_dirty(dispute):
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM governance_rollupdirty")
        _event(dispute, _at(2026, 12, 1, 10, 0))
        cursor.execute(
            "SELECT count(*) FROM governance_rollupdirty "
            "WHERE source = 'security.three_situations' AND division_id = %s",
            [dispute.division_id],
        )
        assert cursor.fetchone()[0] == 1


def _closed_month_with_one_event(dispute) -> DisputeEvent:
    event_partitions_ensure(today=datetime.date(2026, 10, 5), ahead=0)
    return _event(dispute, _at(2026, 10, 15, 9, 0))


def test_archive_refuses_a_month_not_yet_closed_or_without_partition(dispute):
    today = datetime.date(2026, 12, 1)
    for month in (datetime.date(2026, 12, 1), datetime.date(2027, 1, 1)):
        with pytest.raises(PartitionRefused, match="尚未结束"):
            event_partition_archive(month, today=today)
    with pytest.raises(PartitionRefused, match="没有可归档的分区"):
        event_partition_archive(datetime.date(2019, 1, 1), today=today)


def test_archive_refuses_a_month_holding_events_of_open_cases(dispute):
    event = _closed_month_with_one_event(dispute)
    assert dispute.status not in (Status.AGREEMENT, Status.CLOSED)
    with pytest.raises(PartitionRefused, match="1 件纠纷尚未办结"):
        event_partition_archive(datetime.date(2026, 10, 1), today=datetime.date(2026, 12, 1))
    assert _home(event.pk) == "security_disputeevent_p2026_10"
    archived = event_partition_archive(
        datetime.date(2026, 10, 1), today=datetime.date(2026, 12, 1), allow_open_cases=True
    )
    assert archived["rows"] == 1


def test_archive_detaches_a_closed_month_to_the_archive_schema(dispute):
    event = _closed_month_with_one_event(dispute)
    Dispute.objects.filter(pk=dispute.pk).update(status=Status.CLOSED)

    archived = event_partition_archive(datetime.date(2026, 10, 1), today=datetime.date(2026, 12, 1))

    assert archived["table"] == "archive.security_disputeevent_p2026_10"
    assert archived["rows"] == 1 and len(archived["md5"]) == 32
    assert not DisputeEvent.objects.filter(pk=event.pk).exists()
    assert "security_disputeevent_p2026_10" not in [part["name"] for part in event_partitions()]
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, dispute_id FROM archive.security_disputeevent_p2026_10")
        assert cursor.fetchall() == [(event.pk, dispute.pk)]
    with (  # the archived copy stays append-only
        pytest.raises(DatabaseError, match="Cannot update or delete"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM archive.security_disputeevent_p2026_10")
    # beat does not recreate an archived month
    assert event_partitions_ensure(today=datetime.date(2026, 10, 5), ahead=0) == []


def test_events_archive_command(dispute):
    with pytest.raises(CommandError, match="尚未结束"):
        call_command("events_archive", "2099-01")
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("events_archive", "2026/10")
    _closed_month_with_one_event(dispute)
    Dispute.objects.filter(pk=dispute.pk).update(status=Status.CLOSED)
    out = StringIO()
    call_command("events_archive", "--list", stdout=out)
    assert "security_disputeevent_p2026_10" in out.getvalue()
    call_command("events_archive", "2026-10", stdout=out)
    assert "已归档到 archive.security_disputeevent_p2026_10：1 行" in out.getvalue()


def test_the_nightly_task_keeps_this_month_and_three_ahead(db):
    from django.utils import timezone

    from governance.registry import registry
    from security.partitions import month_add, partition_name
    from security.tasks import ensure_event_partitions

    assert any(s.task == "security.event_partitions_ensure" for s in registry.schedules.values())
    ensure_event_partitions()
    first = timezone.localdate().replace(day=1)
    names = {part["name"] for part in event_partitions()}
    assert {partition_name(month_add(first, k)) for k in range(4)} <= names
    assert ensure_event_partitions() == []
