"""``manage.py reporter_keys_rotate``: re-encrypt every reporter identity with the first (newest) key
of ``PORTAL_REPORTER_KEYS`` / ``PORTAL_REPORTER_KEY_FILE``. Nothing is shown or logged in clear."""

from django.core.management.base import BaseCommand, CommandError

from integrity.crypto import InvalidToken
from integrity.services import reporter_keys_rotate


class Command(BaseCommand):
    help = "用最新（第一个）密钥重新加密全部举报人信息；完成后可从配置中移除旧密钥。"

    def handle(self, *args, **options):
        try:
            count = reporter_keys_rotate()
        except InvalidToken:
            raise CommandError("有举报人信息无法用已配置的任何密钥解密：请把旧密钥留在配置中再运行。") from None
        self.stdout.write(self.style.SUCCESS(f"已重新加密 {count} 条举报人信息。"))
