"""Reading an uploaded people file (governance.imports): bytes → canonical rows with their sheet row
numbers, header found, 身份证号 cells and duplicate keys checked — everything an import does before
its first row reaches the database. ``BENCH_IMPORT_ROWS`` (default 100 000) rows, a title row and a
blank row above the header, as .xlsx and as GBK CSV. Needs no database."""

from __future__ import annotations

import io
import os
import statistics
import time

from bench.common import result

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "100000"))
HEADERS = ["序号", "姓名", "身份证号", "联系电话", "政治面貌", "区划代码", "备注"]


def people_rows(n: int) -> list[list[object]]:
    from governance.validators import id_number_check_char

    rows = []
    for i in range(n):
        first17 = f"431302{1950 + i % 50}{1 + i // 50 % 12:02d}{1 + i // 600 % 28:02d}{i // 16800 % 1000:03d}"
        rows.append(
            [i + 1, f"人员{i}", first17 + id_number_check_char(first17), f"138{i:08d}", "群众", "431302001001", ""]
        )
    return rows


def files(n: int) -> dict[str, bytes]:
    from openpyxl import Workbook

    rows = people_rows(n)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("花名册")
    sheet.append(["娄星区XX村人员花名册"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    lines = ["娄星区XX村人员花名册", "", ",".join(HEADERS)] + [",".join(str(c) for c in row) for row in rows]
    return {"xlsx": buffer.getvalue(), "csv_gbk": ("\r\n".join(lines) + "\r\n").encode("gbk")}


def main() -> None:
    from governance.imports import SpreadsheetImport
    from governance.resources import PersonResource

    for kind, data in files(ROWS).items():
        times = []
        for _ in range(3):
            started = time.perf_counter()
            resource = PersonResource()
            dataset = resource.sheet_dataset(SpreadsheetImport().create_dataset(data))
            times.append(time.perf_counter() - started)
            assert len(dataset) == ROWS and not resource.sheet_errors, resource.sheet_errors
        seconds = statistics.median(times)
        print(f"{kind}: {ROWS} rows read and checked in {seconds:.2f} s ({ROWS / seconds:,.0f} rows/s)")
        result("import_reader", format=kind, rows=ROWS, seconds=seconds, rows_per_s=round(ROWS / seconds))
