from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    name = "villages"
    verbose_name = _("屋场（乡村治理）")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from governance.registry import registry

        registry.api("villages", "villages.api.urls")
        registry.pages("villages", "villages.urls")

        from villages.services import SERVICE_OWNED_FIELDS

        registry.service_owned(SERVICE_OWNED_FIELDS)

        from villages.follow_ups import hamlet_resolutions_follow_up_link, hamlet_resolutions_overdue

        # The overdue follow-ups figure and the follow-up list (residential) count and link these too.
        registry.provide("follow_ups.hamlet_resolutions.overdue", hamlet_resolutions_overdue)
        registry.provide("follow_ups.hamlet_resolutions.link", hamlet_resolutions_follow_up_link)
