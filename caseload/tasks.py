from celery import shared_task

from caseload.dashboards.warming import dashboards_warm
from caseload.imports.tasks import apply_import, preview_import  # noqa: F401 (registered with the worker)
from offenders.models import Offender


@shared_task
def register_size() -> int:
    """How many offenders the register holds: a round trip through the broker and the database."""
    return Offender.objects.count()


@shared_task(soft_time_limit=10 * 60, time_limit=12 * 60)
def warm_dashboards() -> dict:
    """Count and keep the pages supervisors open first (linked after each flag run by the beat)."""
    result = dashboards_warm()
    return {"scopes": result.scopes, "pages": result.pages, "out_of_time": result.out_of_time}
