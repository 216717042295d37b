"""Thin Celery tasks for the beat schedule: each calls one service."""

from celery import shared_task

from supervision.dip_samples import dip_samples_draw, previous_month
from visits.rules import today

LIMITS = {"soft_time_limit": 10 * 60, "time_limit": 12 * 60}


@shared_task(**LIMITS)
def draw_dip_samples() -> dict:
    """On the 1st: draw the dip samples of the month before. Drawing again writes nothing."""
    result = dip_samples_draw(month=previous_month(today()))
    return {"month": f"{result.month:%Y-%m}", "officers": result.officers, "drawn": result.drawn}
