"""Thin Celery tasks for the beat schedule: each calls one service."""

from celery import shared_task
from django.utils import timezone

from visits.digests import supervisor_digests_send
from visits.flagging import flags_refresh, flags_refresh_for
from visits.snapshots import snapshot_take

# Bounded: a run that hangs is killed and the next hour's run starts again from the database.
LIMITS = {"soft_time_limit": 10 * 60, "time_limit": 12 * 60}


@shared_task(**LIMITS)
def refresh_flags() -> dict:
    """Open and close flags as of today."""
    result = flags_refresh()
    return {"raised": result.raised, "cleared": result.cleared, "updated": result.updated,
            "skipped": result.skipped, "offenders_looked_at": result.offenders_looked_at}


@shared_task(**LIMITS)
def refresh_flags_of(*, offenders: list[int], officers: list[int]) -> None:
    """Bring these offenders' and officers' flags in line, after the hourly run that was writing when they changed."""
    flags_refresh_for(offenders=offenders, officers=officers, wait=True)


@shared_task(**LIMITS)
def take_daily_snapshot() -> dict:
    """Record today's figures per officer and per team."""
    result = snapshot_take(day=timezone.localdate())
    return {"officers": result.officer_rows, "teams": result.team_rows}


@shared_task(**LIMITS)
def send_supervisor_digests() -> int:
    """E-mail each team's supervisors their new and worsening flags."""
    return supervisor_digests_send()
