from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("平安建设（矛盾纠纷调处）")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from governance.registry import registry

        registry.api("security", "security.api.urls")
        registry.pages("security", "security.urls")
        registry.pages("t", "security.tracking_urls")  # 一案一码: the public page of a case's code
        registry.protocol("open311/v2", "security.open311.urls")

        from security.services import SERVICE_OWNED_FIELDS

        registry.service_owned(SERVICE_OWNED_FIELDS)
