import time

from django.core.management.base import BaseCommand
from django.db import connection

from governance.registry import registry


class Command(BaseCommand):
    help = "写入演示数据（可重复运行）：娄星区区划、人员与家庭户、各模块演示数据、每个角色一个演示账号。"

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, default=2000, help="合成家庭户数量（默认 2000）")
        parser.add_argument("--password", default=None, help="演示账号密码")
        parser.add_argument(
            "--only", action="append", default=[], help="只运行某一步（可多次），如 governance.divisions"
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        for step in registry.ordered_demo_steps():
            if options["only"] and step.name not in options["only"]:
                continue
            self.stdout.write(self.style.MIGRATE_HEADING(f"{step.name}"))
            step.func(stdout=self.stdout, options=options)
            # Each step bulk-writes rows that the next steps query; fresh statistics keep the
            # planner from taking thousands of rows for a handful (seen: a 5-minute UPDATE).
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        self.stdout.write(self.style.SUCCESS(f"演示数据就绪（{time.monotonic() - started:.1f} 秒）。"))
