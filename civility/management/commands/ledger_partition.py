"""``manage.py ledger_partition --list | --detach p03 | --attach p03``: the ledger's hash partitions
(``civility.partitions``). A detached partition goes to the ``archive`` schema with its row triggers;
``ledger_verify --partition archive.civility_pointentry_p03`` verifies it there."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from civility.partitions import (
    LedgerPartitionError,
    ledger_partition_attach,
    ledger_partition_detach,
    ledger_partitioned,
    ledger_partitions,
)


class Command(BaseCommand):
    help = "积分流水哈希分区：--list 列出，--detach pNN 分离到 archive 模式，--attach pNN 挂接回来。"

    def add_arguments(self, parser) -> None:
        group = parser.add_mutually_exclusive_group(required=True)
        group.add_argument("--list", action="store_true", help="列出当前挂接的分区")
        group.add_argument("--detach", metavar="pNN", help="分离该分区到 archive 模式")
        group.add_argument("--attach", metavar="pNN", help="把 archive 中的该分区挂接回来")

    def handle(self, *args, **options) -> None:
        if not ledger_partitioned():
            raise CommandError("civility_pointentry 不是分区表（迁移 civility.0008 未执行）。")
        try:
            if options["list"]:
                for partition in ledger_partitions():
                    self.stdout.write(f"  {partition.table}  remainder {partition.remainder}")
            elif options["detach"]:
                done = ledger_partition_detach(options["detach"])
                self.stdout.write(f"已分离 {done['table']}：{done['rows']} 行，md5 {done['md5']}")
            else:
                self.stdout.write(f"已挂接 {ledger_partition_attach(options['attach'])}")
        except LedgerPartitionError as error:
            raise CommandError("；".join(error.messages)) from error
        except IntegrityError as error:  # a redemption, correction or dissuasion references its entries
            raise CommandError(str(error)) from error
