from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentialConfig(AppConfig):
    name = "residential"
    verbose_name = _("星物管（小区治理）")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from governance.registry import registry

        registry.api("residential", "residential.api.urls")
        registry.pages("residential", "residential.urls")

        from residential.services import SERVICE_OWNED_FIELDS

        registry.service_owned(SERVICE_OWNED_FIELDS)

        from governance.models import OrganizationKind
        from residential.services import committee_post_check

        registry.post_rule(OrganizationKind.OWNERS_COMMITTEE, committee_post_check)
