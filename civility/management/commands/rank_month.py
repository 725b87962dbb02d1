from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from civility.choices import RankingLevel
from civility.services import parse_month, ranking_compute
from governance.models import Division


class Command(BaseCommand):
    help = "计算某月的文明积分评比（一月一评比），如：rank_month 2025-06。已公布的月份不能重算。"

    def add_arguments(self, parser):
        parser.add_argument("month", help="月份，格式 YYYY-MM")
        parser.add_argument("--division", default=None, help="评比区划代码（默认本区）")

    def handle(self, *args, month, division=None, **options):
        try:
            start = parse_month(month)
            root = Division.objects.filter(code=division).first() if division else None
            if division and root is None:
                raise CommandError(f"区划 {division} 不存在。")
            run = ranking_compute(month=start, division=root)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        counts = run.rankings.values_list("level").order_by()
        summary = {level.label: counts.filter(level=level).count() for level in RankingLevel}
        self.stdout.write(
            self.style.SUCCESS(f"{run.month:%Y-%m} 评比完成：参评 {run.households} 户；")
            + "，".join(f"{k} {v} 条" for k, v in summary.items())
        )
