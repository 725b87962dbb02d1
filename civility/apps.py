from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CivilityConfig(AppConfig):
    name = "civility"
    verbose_name = _("文明建设（文明积分）")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from governance.registry import registry

        registry.api("civility", "civility.api.urls")
        registry.pages("civility", "civility.urls")

        from civility.services import SERVICE_OWNED_FIELDS

        registry.service_owned(SERVICE_OWNED_FIELDS)

        from civility.services.volunteers import hours_points_award

        # Patrol hours recorded by the security app become points without an import between the apps.
        registry.provide("points.hours_award", hours_points_award)
