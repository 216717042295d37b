"""Reads of the import history: administrators only."""

from django.db.models import QuerySet

from offenders.models import ImportRun
from offenders.roles import Role, role_of


def import_runs_visible_to(*, user) -> QuerySet[ImportRun]:
    """Every import, newest first, for administrators; nothing for anyone else."""
    if role_of(user) != Role.ADMIN:
        return ImportRun.objects.none()
    return ImportRun.objects.select_related("user").order_by("-started_at", "-id")
