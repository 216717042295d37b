from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    name = "caseload"
    verbose_name = "caseload"

    def ready(self):
        from caseload import history  # noqa: F401  (tags changes made by Celery tasks)
