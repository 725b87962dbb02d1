"""``manage.py events_archive 2025-01``: detach a closed month's partition of dispute events
(``security_disputeevent_p2025_01``) to the ``archive`` schema (``security.partitions``); ``--list``
shows the partitions attached now, ``--ensure`` creates the coming months' (as beat does)."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from security.partitions import (
    PartitionRefused,
    event_partition_archive,
    event_partitions,
    event_partitions_ensure,
    events_partitioned,
)


def _month(text: str) -> datetime.date:
    try:
        return datetime.datetime.strptime(text, "%Y-%m").date()
    except ValueError as error:
        raise CommandError(f"月份格式应为 YYYY-MM（如 2025-01），收到：{text}") from error


class Command(BaseCommand):
    help = "把已结束月份的纠纷流转记录分区分离到 archive 模式（归档）；--list 列出分区，--ensure 创建后续月份分区。"

    def add_arguments(self, parser) -> None:
        parser.add_argument("month", nargs="?", help="要归档的月份，YYYY-MM")
        parser.add_argument("--allow-open-cases", action="store_true", help="该月有未办结纠纷的记录时仍然归档")
        parser.add_argument("--list", action="store_true", help="列出当前挂接的分区")
        parser.add_argument("--ensure", action="store_true", help="创建本月及后续月份的分区（幂等）")

    def handle(self, *args, **options) -> None:
        if not events_partitioned():
            raise CommandError("security_disputeevent 不是分区表（迁移 security.0012 未执行）。")
        if options["ensure"]:
            created = event_partitions_ensure()
            self.stdout.write(f"新建分区：{', '.join(created) or '无（均已存在）'}")
        if options["list"]:
            for part in event_partitions():
                self.stdout.write(f"  {part['name']}  {part['bounds']}  约 {part['rows']} 行")
        if options["month"] is None:
            if not (options["list"] or options["ensure"]):
                raise CommandError("请给出要归档的月份（YYYY-MM），或使用 --list / --ensure。")
            return
        try:
            archived = event_partition_archive(_month(options["month"]), allow_open_cases=options["allow_open_cases"])
        except PartitionRefused as refused:
            raise CommandError("；".join(refused.messages)) from refused
        self.stdout.write(
            self.style.SUCCESS(f"已归档到 {archived['table']}：{archived['rows']} 行，MD5 {archived['md5']}")
        )
