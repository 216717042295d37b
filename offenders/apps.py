from django.apps import AppConfig
from django.db.models.signals import post_migrate


class OffendersConfig(AppConfig):
    name = "offenders"
    verbose_name = "Register"

    def ready(self):
        from offenders.history import history_triggers_join_by_hash
        from offenders.permissions import on_post_migrate

        post_migrate.connect(on_post_migrate, dispatch_uid="offenders.admin_role_permissions")
        post_migrate.connect(history_triggers_join_by_hash, sender=self, dispatch_uid="offenders.history_joins")
