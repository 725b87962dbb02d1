from django.core.management.base import BaseCommand, CommandError

from civility.models import PointEntry
from civility.services import ledger_verify


class Command(BaseCommand):
    help = "核验文明积分流水：哈希链、序号、账户余额与流水合计是否一致。发现问题时以非零状态退出。"

    def handle(self, *args, **options):
        problems = ledger_verify()
        for problem in problems[:100]:
            self.stdout.write(str(problem))
        if problems:
            raise CommandError(f"积分流水核验发现 {len(problems)} 处问题。")
        self.stdout.write(self.style.SUCCESS(f"积分流水核验通过：{PointEntry.objects.count()} 笔。"))
