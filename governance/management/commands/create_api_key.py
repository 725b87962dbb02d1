import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance.models import Division, Role
from governance.services import api_key_create


class Command(BaseCommand):
    help = "为外部系统创建接口密钥；密钥只显示这一次，库中只存摘要。Create an API key; it is printed once."

    def add_arguments(self, parser):
        parser.add_argument("name", help="调用方名称，如 12345热线")
        parser.add_argument("--role", default=Role.API_CLIENT, help=", ".join(Role.values))
        parser.add_argument("--division", required=True, help="管辖区划代码")
        parser.add_argument("--expires-days", type=int, default=None, help="有效天数（默认不过期）")

    def handle(self, *args, name, role, division, expires_days=None, **options):
        if role not in Role.values:
            raise CommandError(f"未知角色 {role!r}；可选：{', '.join(Role.values)}")
        node = Division.objects.filter(code=division).first()
        if node is None:
            raise CommandError(f"区划代码 {division!r} 不存在。")
        expires_at = timezone.now() + datetime.timedelta(days=expires_days) if expires_days else None
        try:
            key, plain = api_key_create(name=name, role=role, division=node, expires_at=expires_at)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            f"接口密钥「{key.name}」已创建（{Role(role).label} @ {node.name}）。请妥善保存，此后不再显示："
        )
        self.stdout.write(plain)
