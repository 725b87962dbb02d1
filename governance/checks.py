"""System checks of the portal's own rules."""

from django.conf import settings
from django.core.checks import Error, Tags, register


@register(Tags.database)
def postgres_only(app_configs, **kwargs):
    engine = settings.DATABASES["default"]["ENGINE"]
    if "postgresql" not in engine:
        return [
            Error("The portal runs on PostgreSQL only.", hint="Set DATABASE_URL=postgres://…", id="governance.E001")
        ]
    return []
