from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OffendersConfig(AppConfig):
    name = "offenders"
    verbose_name = "Register"

    def ready(self):
        from offenders.permissions import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="offenders.admin_role_permissions")
