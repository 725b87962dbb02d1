"""``manage.py ledger_verify``: the whole ledger's hash chains, sequences and balances; ``--partition p03``
(repeatable; ``archive.civility_pointentry_p03`` for a detached one) verifies hash partitions alone,
``--partitions`` every attached one, ``--jobs`` at a time (``civility.services.ledger_verify_partitions``)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from civility.partitions import LedgerPartitionError, ledger_partition, ledger_partitioned
from civility.services import ledger_verify, ledger_verify_partitions


class Command(BaseCommand):
    help = "核验文明积分流水：哈希链、序号、账户余额与流水合计是否一致。发现问题时以非零状态退出。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--partition",
            action="append",
            default=[],
            help="只核验该分区（p00…p15，或已分离的 archive.civility_pointentry_pNN），可重复",
        )
        parser.add_argument("--partitions", action="store_true", help="逐个分区并行核验全部挂接的分区")
        parser.add_argument("--jobs", type=int, default=2, help="并行核验的分区数（默认 2）")

    def handle(self, *args, **options) -> None:
        if options["partition"] or options["partitions"]:
            if not ledger_partitioned():
                raise CommandError("civility_pointentry 不是分区表（迁移 civility.0008 未执行）。")
            try:
                chosen = [ledger_partition(name) for name in options["partition"]] or None
            except LedgerPartitionError as error:
                raise CommandError("；".join(error.messages)) from error
            problems = ledger_verify_partitions(partitions=chosen, jobs=options["jobs"])
            scope = ", ".join(p.table for p in chosen) if chosen else "全部分区"
        else:
            problems = ledger_verify()
            scope = "civility_pointentry"
        for problem in problems[:100]:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"积分流水核验（{scope}）发现 {len(problems)} 处问题。")
        self.stdout.write(self.style.SUCCESS(f"积分流水核验通过：{scope}。"))
