from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = _("基础数据")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from governance import (  # noqa: F401  (checks; the account, calendar and webhook admins; tasks)
            account_admin,
            calendar_admin,
            checks,
            fanout_admin,
            organization_admin,
            tasks,
            webhook_admin,
        )
        from governance.registry import registry

        # Each app contributes demo data, dashboard indicators and API routes through the
        # registry; importing these modules is what registers them.
        autodiscover_modules("demo", "indicators", "roles", "district_jobs", "todo")
        post_migrate.connect(_sync_roles, dispatch_uid="governance_roles_sync")
        from governance.rollups import rollups_post_migrate

        # The roll-ups' dirty-marking triggers sit on other apps' tables: (re)created after every migrate.
        post_migrate.connect(rollups_post_migrate, dispatch_uid="governance_rollup_triggers")
        registry.api("governance", "governance.api.urls")
        from governance.services import SERVICE_OWNED_FIELDS

        registry.service_owned(SERVICE_OWNED_FIELDS)
        from django.contrib.auth.signals import user_logged_in

        from governance.sessions import session_renewed_on_login

        user_logged_in.connect(session_renewed_on_login, dispatch_uid="governance_session_renewed")
        _name_schema_enums()
        from governance.third_party import third_party_labels_translate

        third_party_labels_translate()


def _sync_roles(sender, **kwargs) -> None:
    from django.apps import apps

    from governance.services import roles_sync, schedules_sync

    # post_migrate is sent once per app, and each app's permissions are created on its own turn:
    # sync when the last app's turn comes, so every app's permissions exist.
    if sender is not list(apps.get_app_configs())[-1]:
        return
    roles_sync(using=kwargs.get("using", "default"))
    schedules_sync()


def _name_schema_enums() -> None:
    from django.conf import settings

    from governance.schema import portal_enum_overrides

    overrides = settings.SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})
    for name, path in portal_enum_overrides().items():
        overrides.setdefault(name, path)


class PortalAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the portal's site (``governance.admin_site.PortalAdminSite``)."""

    default = False  # GovernanceConfig stays this module's default
    default_site = "governance.admin_site.PortalAdminSite"
