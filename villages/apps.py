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

        from governance.registry import RollupTrigger
        from villages.follow_ups import (
            hamlet_resolutions_follow_up_link,
            hamlet_resolutions_overdue,
            hamlet_resolutions_overdue_rows,
        )

        # The overdue follow-ups figure and the follow-up list (residential) count and link these too,
        # and its roll-up (``residential.follow_ups``) is made dirty by their writes.
        registry.provide("follow_ups.hamlet_resolutions.overdue", hamlet_resolutions_overdue)
        registry.provide("follow_ups.hamlet_resolutions.overdue_rows", hamlet_resolutions_overdue_rows)
        to_hamlet = "JOIN villages_hamletmeeting m ON m.id = r.meeting_id JOIN villages_hamlet h ON h.id = m.hamlet_id"
        for trigger in (
            RollupTrigger("villages_meetingresolution", division="h.division_id", joins=to_hamlet),
            RollupTrigger(
                "villages_hamletmeeting", division="h.division_id", joins="JOIN villages_hamlet h ON h.id = r.hamlet_id"
            ),
            RollupTrigger("villages_hamlet", division="r.division_id"),
        ):
            registry.rollup_trigger("residential.follow_ups", trigger)
        registry.provide("follow_ups.hamlet_resolutions.link", hamlet_resolutions_follow_up_link)
