from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from governance.models import Division, Role
from governance.services import role_grant


class Command(BaseCommand):
    help = "给用户分配角色和管辖区划（用户不存在时创建）。Give USERNAME a ROLE over DIVISION_CODE's subtree."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("role", help=", ".join(Role.values))
        parser.add_argument("division_code")
        parser.add_argument("--password", help="设置（或重置）密码")

    def handle(self, *args, username, role, division_code, password=None, **options):
        if role not in Role.values:
            raise CommandError(f"未知角色 {role!r}；可选：{', '.join(Role.values)}")
        division = Division.objects.filter(code=division_code).first()
        if division is None:
            raise CommandError(f"区划代码 {division_code!r} 不存在。")
        try:
            user = role_grant(username=username, role=role, division=division, password=password)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{user.username}: {Role(role).label} @ {division.name}（{division.code}）")
        )
