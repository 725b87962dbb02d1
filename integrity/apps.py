from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntegrityConfig(AppConfig):
    name = "integrity"
    verbose_name = _("清廉建设（纪检监察）")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from governance.registry import registry
        from integrity import crypto  # noqa: F401  (registers the reporter-key check)

        registry.api("integrity", "integrity.api.urls")
        registry.pages("integrity", "integrity.urls")
