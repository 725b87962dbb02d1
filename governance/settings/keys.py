"""The reporter-identity encryption keys (Fernet, ``cryptography``) as settings see them: checked
for production, made once for a developer's machine. Imports nothing of Django's models."""

from __future__ import annotations

from pathlib import Path

from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

MISSING_MESSAGE = (
    "举报人信息加密密钥未配置：请设置环境变量 PORTAL_REPORTER_KEYS（逗号分隔的 Fernet 密钥，第一个用于加密）"
    "或 PORTAL_REPORTER_KEY_FILE（密钥文件，每行一个）。生成密钥："
    'python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"'
)


def reporter_keys_require(keys: list[str]) -> list[str]:
    """``keys`` when there is at least one and each is a valid Fernet key (32 url-safe base64 bytes).

    Raises ``ImproperlyConfigured`` (in Chinese, naming the variables) when there is none or one is
    malformed: production must not start unable to read or write a reporter."""
    if not keys:
        raise ImproperlyConfigured(MISSING_MESSAGE)
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError) as error:
            raise ImproperlyConfigured(
                f"举报人信息加密密钥第 {number} 个格式无效（应为 Fernet 密钥）：{error}"
            ) from None
    return keys


def reporter_key_file_ensure(path: Path) -> str:
    """The key in ``path``, made (mode 0600) when the file does not exist yet: a developer's machine
    keeps its demo reporters readable from one run to the next."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Fernet.generate_key().decode() + "\n", encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").split()[0]
