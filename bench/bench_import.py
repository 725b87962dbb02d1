"""Spreadsheet import of people at district scale (issue 11, item 8): the rows a second that the dry
run and the real import reach through ``PersonResource`` (the background job's way: no per-row
preview), beside a bare PostgreSQL ``COPY`` of the same rows into the same table (no audit trigger:
the floor of writing these rows at all) and a COPY with the audit trigger firing once per row.
Goal: ≥ 5 000 rows/s for both; the ratio (bare COPY ÷ import) says how far from the floor the checks
and the audit trail are."""

from __future__ import annotations

import io
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.common import bench_database, result

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
HEADERS = ["姓名", "身份证号", "联系电话", "政治面貌", "区划代码", "备注"]
STATUSES = ["群众", "中共党员", "共青团员", "群众", "中共预备党员"]


def people_rows(count: int, division_codes: list[str]) -> list[list[str]]:
    """``count`` people with distinct valid 身份证号 (birth dates × sequence numbers), spread over
    the villages."""
    from datetime import date, timedelta

    from governance.validators import id_number_check_char

    rows = []
    day = date(1950, 1, 1)
    for n in range(count):
        birth = (day + timedelta(days=n // 900)).strftime("%Y%m%d")
        first17 = f"431302{birth}{n % 900 + 100:03d}"
        rows.append(
            [
                f"测试{n}",
                first17 + id_number_check_char(first17),
                f"139{n:08d}",
                STATUSES[n % len(STATUSES)],
                division_codes[n % len(division_codes)],
                "",
            ]
        )
    return rows


def copy_rows_per_s(connection, rows: list[list[str]], division_ids: dict[str, int], *, audited: bool) -> float:
    """COPY the same rows into governance_person, timed, then rolled back. ``audited``: with the audit
    trigger firing once per row; else the bare COPY: the table's own triggers (the audit) disabled for
    the rolled-back transaction, its indexes, unique and foreign-key checks kept."""
    from django.db import transaction

    statuses = {
        "群众": "masses",
        "中共党员": "party_member",
        "共青团员": "league_member",
        "中共预备党员": "probationary",
    }
    buffer = io.StringIO()
    for name, id_number, phone, status, code, note in rows:
        buffer.write(f"{name}\t{id_number}\t{phone}\t{statuses[status]}\t{division_ids[code]}\t{note}\tnow\tnow\n")
    data = buffer.getvalue()
    with transaction.atomic():
        if not audited:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE governance_person DISABLE TRIGGER USER")
        started = time.perf_counter()
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY governance_person (name, id_number, phone, political_status, division_id, note, created_at,"
                " updated_at) FROM STDIN"
            ) as copy,
        ):
            copy.write(data)
        seconds = time.perf_counter() - started
        transaction.set_rollback(True)
    return len(rows) / seconds


def main() -> None:
    import tablib
    from django.core.management import call_command

    from governance.models import Division, DivisionLevel, Person, Role
    from governance.resources import PersonResource
    from governance.services import role_grant

    with bench_database() as connection:
        call_command("seed_demo", only=["governance.divisions"], stdout=io.StringIO())
        district = Division.objects.filter(parent__isnull=True).order_by("path").first()
        user = role_grant(
            username="bench_importer", role=Role.DISTRICT_ADMIN, division=district, password="x-Pass-2026"
        )
        villages = dict(
            Division.objects.filter(level__in=[DivisionLevel.VILLAGE, DivisionLevel.COMMUNITY]).values_list(
                "code", "id"
            )
        )
        rows = people_rows(ROWS, sorted(villages))
        dataset = tablib.Dataset(*rows, headers=HEADERS)
        print(f"{ROWS} people rows over {len(villages)} villages and communities")

        copy_rate = copy_rows_per_s(connection, rows, villages, audited=False)
        print(f"bare COPY into governance_person (no audit trigger; indexes and checks kept): {copy_rate:,.0f} rows/s")
        audited_copy_rate = copy_rows_per_s(connection, rows, villages, audited=True)
        print(f"COPY with the audit trigger once per row: {audited_copy_rate:,.0f} rows/s")

        started = time.perf_counter()
        dry = PersonResource(user=user, skip_diff=True).import_data(dataset, dry_run=True)
        dry_rate = ROWS / (time.perf_counter() - started)
        assert not dry.has_errors() and not dry.has_validation_errors(), "dry run refused rows"
        print(f"dry run (PersonResource, every check, rolled back): {dry_rate:,.0f} rows/s")

        started = time.perf_counter()
        done = PersonResource(user=user, skip_diff=True).import_data(dataset, dry_run=False)
        import_rate = ROWS / (time.perf_counter() - started)
        assert not done.has_errors() and not done.has_validation_errors(), "import refused rows"
        assert Person.objects.count() >= ROWS
        print(f"import (PersonResource, every check, COPY with one audit INSERT … SELECT): {import_rate:,.0f} rows/s")

        started = time.perf_counter()
        again = PersonResource(user=user, skip_diff=True).import_data(dataset, dry_run=False)
        update_rate = ROWS / (time.perf_counter() - started)
        assert not again.has_errors() and not again.has_validation_errors()
        print(f"the same file again (every row found, unchanged, skipped): {update_rate:,.0f} rows/s")

        result(
            "import_people",
            rows=ROWS,
            dry_run_rows_per_s=dry_rate,
            import_rows_per_s=import_rate,
            reimport_rows_per_s=update_rate,
            copy_rows_per_s=copy_rate,
            audited_copy_rows_per_s=audited_copy_rate,
            ratio=copy_rate / import_rate,  # how many times slower than the bare COPY the checked import is
        )


if __name__ == "__main__":
    main()
